// `peppol-desk watch` against a sandbox that limits requests per second (issue 9, delivery polls
// at a rate-limited access point): the folder's invoices are linked into a fresh watched folder,
// the command runs until every file is in sent/ (delivered) or failed/, or 240 s pass; prints the
// wall time and the sandbox's requests by endpoint and status (the 429s are the point).
//
//   node test/bench/watch-rate-limit.mjs <folder of invoices> [--rate 20] [--dist dist]
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, startWatch } from './watch-processes.mjs';

// A copy of dist/ outside the repository still finds its packages here.
process.env.NODE_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const folder = resolve(argv[0] ?? '');
const rate = Number(flag('--rate', '20'));
const dist = resolve(flag('--dist', 'dist'));
const LIMIT_MS = 240_000;

const sandbox = await startSandbox(dist, [
  '--latency-ms',
  '50',
  ...(rate > 0 ? ['--rate', String(rate)] : []),
]);
const url = sandbox.url;
const work = mkdtempSync(join(tmpdir(), 'pd-watch-rate-'));
const watched = join(work, 'in');
mkdirSync(watched);
const names = readdirSync(folder).filter((n) => n.endsWith('.xml'));
for (const n of names) linkSync(join(folder, n), join(watched, n));
const t0 = performance.now();
const watch = startWatch(dist, watched, url, join(work, 'data'), ({ sent, failed }) => {
  if (sent + failed >= names.length) void watch.stop();
});
const timer = setTimeout(() => void watch.stop(), LIMIT_MS);
await watch.exited;
clearTimeout(timer);
const { sent, failed } = watch.counts();
const seconds = (performance.now() - t0) / 1000;
const stats = await (await fetch(`${url}/_sandbox/stats`)).json();
sandbox.stop();
rmSync(work, { recursive: true, force: true });
console.log(
  `rate ${rate}/s, ${names.length} invoices: ${sent} sent/, ${failed} failed/ in ${seconds.toFixed(1)} s`,
);
for (const [endpoint, s] of Object.entries(stats.requests.byEndpoint)) {
  console.log(`  ${endpoint}: ${JSON.stringify(s.byStatus)}`);
}
