// Where the time of `peppol-desk send --concurrency 10 --batch off` goes (issue 9 point 2), beside
// the guide's asyncio recipe: a logging proxy in front of the sandbox (L = 50 ms, its own process)
// records each request's arrival and answer; this script records the process's spawn, its exit
// and when the summary line was printed. Prints one line per run:
// first request, first send, last answer, summary, exit (ms from spawn), and the requests.
//
//   node test/bench/send-timeline.mjs [--n 1000] [--rounds 3] [--dist dir,dir...] [--no-recipe]
//                                     [--dump file.json]
//
// Each line also gives the slot refill gap: with C requests in flight, the i-th answer frees the
// slot the (i + C)-th request takes; the gap is how long after that answer the request arrived
// (p50 / p90 / mean, ms; the recipe's is the yardstick), and `svc` the mean time a send spent
// behind the proxy (the sandbox's 50 ms and whatever kept it or the proxy from a core).
// --dump writes every run's requests (arrival and answer, ms from the spawn) as JSON.
// --dist: several builds to alternate (each a copy of dist/), default dist/. The proxy adds about
// the same small cost per request to every run.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const N = Number(flag('--n', '1000'));
const ROUNDS = Number(flag('--rounds', '3'));
const DISTS = flag('--dist', join(root, 'dist'))
  .split(',')
  .map((d) => resolve(d));
const RECIPE = !argv.includes('--no-recipe');
const DUMP = flag('--dump', null);
const dumped = [];
const C = 10;
// A copy of dist/ outside the repository still finds its packages here.
process.env.NODE_PATH = join(root, 'node_modules');
const work = mkdtempSync(join(tmpdir(), 'pd-timeline-'));

const sample = readFileSync(join(root, 'test/fixtures/sample-invoice.xml'), 'utf8');
const folder = join(work, 'docs');
mkdirSync(folder);
for (let i = 1; i <= N; i++) {
  const number = `TL-${String(i).padStart(6, '0')}`;
  writeFileSync(
    join(folder, `${number}.xml`),
    sample.replace('<cbc:ID>BENCH-INV-0000001</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`),
  );
}

function startSandbox(dist) {
  return new Promise((ok, fail) => {
    const child = spawn(
      process.execPath,
      [join(dist, 'cli.cjs'), 'sandbox', '--port', '0', '--latency-ms', '50'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const m = /listening on (\S+)/.exec(out);
      if (m) ok({ url: new URL(m[1]), child });
    });
    child.once('exit', (code) => fail(new Error(`sandbox exited (${code})`)));
  });
}

/** A proxy that records [arrival, answer, path] per request, relative to `t0()`. */
function startProxy(target) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const log = [];
  let t0 = 0;
  const server = http.createServer((req, res) => {
    const entry = { path: req.url, at: performance.now() - t0, done: NaN };
    log.push(entry);
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        answer.on('end', () => (entry.done = performance.now() - t0));
      },
    );
    // The sandbox going away (killed after a run) must not take the proxy down with it.
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({
        url: `http://127.0.0.1:${server.address().port}${target.pathname.replace(/\/$/, '')}`,
        start: () => {
          log.length = 0;
          t0 = performance.now();
          return t0;
        },
        log,
        close: () => {
          agent.destroy();
          server.close();
        },
      }),
    ),
  );
}

function runChild(cmd, args, t0, env = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    let printed = NaN;
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      if (Number.isNaN(printed) && out.includes('\n')) printed = performance.now() - t0;
    });
    child.stderr.setEncoding('utf8').on('data', (c) => (err += c));
    child.once('exit', (code) => {
      if (code !== 0) return fail(new Error(`${args.join(' ')} failed (${code}): ${err}`));
      ok({ printed, exit: performance.now() - t0, out });
    });
  });
}

const f = (n) => (Number.isFinite(n) ? n.toFixed(0).padStart(5) : '    -');
async function once(label, dist, kind) {
  const sandbox = await startSandbox(dist);
  const proxy = await startProxy(sandbox.url);
  const dataDir = join(work, `data-${Math.random().toString(36).slice(2)}`);
  try {
    const t0 = proxy.start();
    const r =
      kind === 'recipe'
        ? await runChild(
            '/usr/bin/python3',
            [join(root, 'test/bench/recipe.py'), proxy.url, folder, '10'],
            t0,
          )
        : await runChild(
            process.execPath,
            [
              join(dist, 'cli.cjs'),
              'send',
              folder,
              '--endpoint',
              proxy.url,
              '--data-dir',
              dataDir,
              '--json',
              '--concurrency',
              '10',
              '--batch',
              'off',
            ],
            t0,
          );
    const sends = proxy.log.filter((e) => e.path.endsWith('/send'));
    const first = proxy.log[0]?.at ?? NaN;
    const firstSend = sends[0]?.at ?? NaN;
    const lastAnswer = Math.max(...sends.map((e) => e.done));
    const other = proxy.log.length - sends.length;
    const others = proxy.log
      .filter((e) => !e.path.endsWith('/send'))
      .map((e) => `${e.path.split('?')[0].split('/').pop()}@${f(e.at).trim()}-${f(e.done).trim()}`);
    // The i-th answer frees the slot of the (i + C)-th send.
    const answers = sends.map((e) => e.done).sort((a, b) => a - b);
    const arrivals = sends.map((e) => e.at).sort((a, b) => a - b);
    const gaps = [];
    for (let i = 0; i + C < arrivals.length; i++) gaps.push(arrivals[i + C] - answers[i]);
    gaps.sort((a, b) => a - b);
    const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const svc = sends.reduce((a, e) => a + (e.done - e.at), 0) / sends.length;
    const gap = `gap ${q(0.5).toFixed(2)} / ${q(0.9).toFixed(2)} / ${mean.toFixed(2)}  svc ${svc.toFixed(2)}`;
    if (DUMP)
      dumped.push({
        label,
        t0epoch: performance.timeOrigin + t0,
        log: proxy.log.slice(),
        printed: r.printed,
        exit: r.exit,
      });
    console.log(
      `${label.padEnd(14)} ${gap}  first req ${f(first)}  first send ${f(firstSend)}  last answer ${f(lastAnswer)}  summary ${f(r.printed)}  exit ${f(r.exit)}  (tail ${f(r.exit - lastAnswer)}; ${sends.length} sends, ${other} other: ${others.join(' ')})`,
    );
    return r.exit;
  } finally {
    proxy.close();
    sandbox.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const totals = new Map();
for (let round = 0; round < ROUNDS; round++) {
  const order = DISTS.map((d, i) => [`send#${i}`, d, 'send']);
  if (RECIPE) order.push(['recipe', DISTS[0], 'recipe']);
  if (round % 2 === 1) order.reverse();
  const got = {};
  for (const [label, dist, kind] of order) got[label] = await once(label, dist, kind);
  if (RECIPE) {
    const ratios = DISTS.map((_, i) => (got[`send#${i}`] / got.recipe).toFixed(3));
    console.log(`round ${round + 1}: ratio to the recipe ${ratios.join(' / ')}`);
  }
  for (const [k, v] of Object.entries(got)) totals.set(k, [...(totals.get(k) ?? []), v]);
}
rmSync(work, { recursive: true, force: true });
if (DUMP) writeFileSync(DUMP, JSON.stringify(dumped));
