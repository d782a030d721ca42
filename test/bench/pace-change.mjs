// `peppol-desk watch` when the access point changes pace (walk 15): a first drop goes at
// latency 0, then every answer of the built-in sandbox (in its own process) takes --slow-ms and a
// second drop is linked in; prints how long the second drop took, from the link to the last file
// in sent/, beside what its slots allow. Before the fix the concurrency limit kept the best round
// trip of the fast minute and stayed at 1 (200 invoices at 300 ms: ~63 s; a fresh start: ~6 s).
// The sandbox is reached through a small proxy that leaves `batch_idempotency` out of its version
// answer, as an access point written from the provider's docs does (walk 15's): every invoice
// then goes on its own, through the single sends' concurrency limit.
//
//   node test/bench/pace-change.mjs [--first 200] [--second 200] [--slow-ms 300] [--dist dist]
import { createServer, request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, startWatch } from './watch-processes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// A copy of dist/ outside the repository still finds its packages here.
process.env.NODE_PATH = join(root, 'node_modules');

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const FIRST = Number(flag('--first', '200'));
const SECOND = Number(flag('--second', '200'));
const SLOW_MS = Number(flag('--slow-ms', '300'));
const dist = resolve(flag('--dist', join(root, 'dist')));
const LIMIT_MS = 300_000;

const sample = readFileSync(join(root, 'test/fixtures/sample-invoice.xml'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'pd-pace-'));
const watched = join(work, 'in');
mkdirSync(watched);

/** Write `n` invoices named by `prefix` into a folder beside the watched one, then move them in. */
function drop(prefix, n) {
  const staging = join(work, `staging-${prefix}`);
  mkdirSync(staging);
  for (let i = 1; i <= n; i++) {
    const number = `${prefix}-${String(i).padStart(5, '0')}`;
    writeFileSync(
      join(staging, `${number}.xml`),
      sample.replace('<cbc:ID>BENCH-INV-0000001</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`),
    );
  }
  for (let i = 1; i <= n; i++) {
    const name = `${prefix}-${String(i).padStart(5, '0')}.xml`;
    renameSync(join(staging, name), join(watched, name));
  }
}

const sandbox = await startSandbox(dist, ['--latency-ms', '0']);
const url = sandbox.url;

/** The sandbox without batches: its version answer loses `batch_idempotency`. */
const proxy = createServer((req, res) => {
  const target = new URL(req.url, url);
  const out = request(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host } },
    (up) => {
      if (!/\/version$/.test(target.pathname)) {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
        return;
      }
      let body = '';
      up.setEncoding('utf8').on('data', (c) => (body += c));
      up.on('end', () => {
        const json = JSON.parse(body);
        delete json.batch_idempotency;
        res.writeHead(up.statusCode, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      });
    },
  );
  req.pipe(out);
});
await new Promise((done) => proxy.listen(0, '127.0.0.1', done));
const endpoint = `http://127.0.0.1:${proxy.address().port}${new URL(url).pathname.replace(/\/$/, '')}`;

const waiters = [];
const watch = startWatch(dist, watched, endpoint, join(work, 'data'), () => {
  for (const w of waiters.splice(0)) if (!w()) waiters.push(w);
});
/** Resolves once `n` files in all are in sent/ or failed/ (false after LIMIT_MS). */
const filed = (n) =>
  new Promise((done) => {
    const timer = setTimeout(() => done(false), LIMIT_MS);
    const check = () => {
      const { sent, failed } = watch.counts();
      if (sent + failed < n) return false;
      clearTimeout(timer);
      done(true);
      return true;
    };
    if (!check()) waiters.push(check);
  });

const t0 = performance.now();
drop('FAST', FIRST);
const firstDone = await filed(FIRST);
const firstSeconds = (performance.now() - t0) / 1000;
await fetch(`${url}/_sandbox/latency`, { method: 'POST', body: JSON.stringify({ ms: SLOW_MS }) });
const t1 = performance.now();
drop('SLOW', SECOND);
const secondDone = await filed(FIRST + SECOND);
const secondSeconds = (performance.now() - t1) / 1000;
await watch.stop();
sandbox.stop();
const { sent, failed } = watch.counts();
proxy.close();
rmSync(work, { recursive: true, force: true });
console.log(
  `first ${FIRST} at 0 ms: ${firstDone ? '' : 'NOT DONE, '}${firstSeconds.toFixed(1)} s; ` +
    `then ${SECOND} at ${SLOW_MS} ms: ${secondDone ? '' : 'NOT DONE, '}${secondSeconds.toFixed(1)} s ` +
    `(${(SECOND / secondSeconds).toFixed(1)}/s); ${sent} in sent/, ${failed} in failed/`,
);
