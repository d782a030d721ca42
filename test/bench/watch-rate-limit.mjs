// `peppol-desk watch` against a sandbox that limits requests per second (issue 9, delivery polls
// at a rate-limited access point): the folder's invoices are linked into a fresh watched folder,
// the command runs until every file is in sent/ (delivered) or failed/, or 240 s pass; prints the
// wall time and the sandbox's requests by endpoint and status (the 429s are the point).
//
//   node test/bench/watch-rate-limit.mjs <folder of invoices> [--rate 20] [--dist dist]
import { spawn } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const sandbox = spawn(
  process.execPath,
  [
    join(dist, 'sandbox.cjs'),
    '--port',
    '0',
    '--latency-ms',
    '50',
    ...(rate > 0 ? ['--rate', String(rate)] : []),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise((done, fail) => {
  let out = '';
  sandbox.stdout.setEncoding('utf8').on('data', (c) => {
    out += c;
    const m = /SANDBOX_READY (\S+)/.exec(out);
    if (m) done(m[1]);
  });
  sandbox.once('exit', (code) => fail(new Error(`sandbox exited (${code})`)));
});
const work = mkdtempSync(join(tmpdir(), 'pd-watch-rate-'));
const watched = join(work, 'in');
mkdirSync(watched);
const names = readdirSync(folder).filter((n) => n.endsWith('.xml'));
for (const n of names) linkSync(join(folder, n), join(watched, n));
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [
    join(dist, 'cli.cjs'),
    'watch',
    watched,
    '--endpoint',
    url,
    '--data-dir',
    join(work, 'data'),
    '--stable-ms',
    '100',
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let sent = 0;
let failed = 0;
let rest = '';
const timer = setTimeout(() => child.kill('SIGTERM'), LIMIT_MS);
child.stderr.setEncoding('utf8').on('data', (c) => {
  const lines = (rest + c).split('\n');
  rest = lines.pop();
  for (const line of lines) {
    if (line.endsWith('→ sent/')) sent++;
    else if (line.endsWith('→ failed/')) failed++;
  }
  if (sent + failed >= names.length) child.kill('SIGTERM');
});
await new Promise((done) => child.once('exit', done));
clearTimeout(timer);
const seconds = (performance.now() - t0) / 1000;
const stats = await (await fetch(`${url}/_sandbox/stats`)).json();
sandbox.kill('SIGTERM');
rmSync(work, { recursive: true, force: true });
console.log(
  `rate ${rate}/s, ${names.length} invoices: ${sent} sent/, ${failed} failed/ in ${seconds.toFixed(1)} s`,
);
for (const [endpoint, s] of Object.entries(stats.requests.byEndpoint)) {
  console.log(`  ${endpoint}: ${JSON.stringify(s.byStatus)}`);
}
