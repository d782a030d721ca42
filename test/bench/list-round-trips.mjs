// The document list's round trips while the engine sends (issue 9): `peppol-desk serve` (the
// browser host with its engine and built-in sandbox) in a process of its own; this process adds
// invoices over HTTP as the page does (chunks of 200) and, all the while, asks `documents:list`
// for the table's queries one after another, timing each from request to answer (page → host →
// engine → page). It stops when every invoice was sent, or at --max-seconds.
//
//   node test/bench/list-round-trips.mjs [--docs 10000] [--cli dist/cli.cjs] [--latency-ms 50]
//                                        [--max-seconds 600] [--pace-ms 100] [--json]
//
// --cli runs another build (e.g. one of an earlier commit) to compare before and after. Prints
// per query: calls, median, p95 and max in ms, plus the serving process's CPU seconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const DOCS = Number(flag('docs', '10000'));
const CLI = resolve(flag('cli', join(root, 'dist/cli.cjs')));
const LATENCY = flag('latency-ms', '50');
const MAX_SECONDS = Number(flag('max-seconds', '600'));
const CHUNK = 200;

const sample = readFileSync(join(root, 'test/fixtures/sample-invoice.xml'), 'utf8');
const numberOf = (i) => `LRT-${String(i).padStart(6, '0')}`;
const invoice = (i) =>
  Buffer.from(
    sample.replace('<cbc:ID>BENCH-INV-0000001</cbc:ID>', `<cbc:ID>${numberOf(i)}</cbc:ID>`),
  );

const dataDir = mkdtempSync(join(tmpdir(), 'pd-lrt-'));
const server = spawn(
  process.execPath,
  [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--latency-ms', LATENCY],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise((ok, fail) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /running at (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(out);
    if (m) ok({ base: m[1], token: m[2] });
  });
  server.once('exit', (code) => fail(new Error(`serve exited (${code}): ${out}`)));
});

/** One request through the browser host, as the page's bridge makes it. */
async function invoke(channel, arg) {
  const res = await fetch(`${url.base}/api/invoke/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-peppol-desk-token': url.token },
    body: JSON.stringify(arg ?? null, (_k, v) =>
      v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : v,
    ),
  });
  const result = await res.json();
  if (!result.ok) throw new Error(`${channel}: ${result.error?.message}`);
  return result.value;
}

/** CPU seconds (user + system) of the serving process so far, all its threads. */
function serverCpuSeconds() {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const QUERIES = [
  ['all, first page', {}],
  ['Needs attention', { filter: 'attention' }],
  ['In progress', { filter: 'progress' }],
  ['Sent', { filter: 'sent' }],
  [
    'Sent, by buyer, page 10',
    { filter: 'sent', sort: { key: 'buyerName', dir: 'asc' }, offset: 2000 },
  ],
  ['search one invoice', { search: numberOf(Math.ceil(DOCS / 2)) }],
  ['search, by invoice number', { search: 'LRT-0001', sort: { key: 'invoiceNumber', dir: 'asc' } }],
  [
    'by amount, last page',
    { sort: { key: 'amount', dir: 'desc' }, offset: Math.max(0, DOCS - 200) },
  ],
  // The drop's common prefix: in every document (the spec's table search; issue 9 point 5).
  ['search in every document', { search: 'LRT-' }],
  [
    'search in every document, by amount, last page',
    { search: 'LRT-', sort: { key: 'amount', dir: 'desc' }, offset: Math.max(0, DOCS - 200) },
  ],
];
const times = new Map(QUERIES.map(([what]) => [what, []]));
let listing = true;
const PACE_MS = Number(flag('pace-ms', '100'));
let nextAt = 0;
/** Documents still on their way (received … retry_wait), as the last answer counted them. */
let inProgress = Infinity;
const listLoop = (async () => {
  for (let i = 0; listing; i++) {
    const [what, q] = QUERIES[i % QUERIES.length];
    // One list every PACE_MS at most (the table refreshes up to four times a second), so that
    // builds are compared on the same number of lists.
    const wait = nextAt - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    nextAt = performance.now() + PACE_MS;
    const t0 = performance.now();
    const page = await invoke('documents:list', { ...q, limit: 200 });
    times.get(what).push(performance.now() - t0);
    const c = page.counts;
    inProgress = ['received', 'validating', 'ready', 'resolving', 'queued', 'sending', 'retry_wait']
      .map((s) => c[s] ?? 0)
      .reduce((a, b) => a + b, 0);
  }
})();

const started = performance.now();
const cpu0 = serverCpuSeconds();
for (let i = 1; i <= DOCS; i += CHUNK) {
  const files = [];
  for (let j = i; j < Math.min(DOCS + 1, i + CHUNK); j++) {
    files.push({ name: `${numberOf(j)}.xml`, bytes: new Uint8Array(invoice(j)) });
  }
  await invoke('documents:add', { files });
}
const addSeconds = (performance.now() - started) / 1000;
while (inProgress > 0 && (performance.now() - started) / 1000 < MAX_SECONDS) {
  await new Promise((r) => setTimeout(r, 250));
}
listing = false;
await listLoop;
const seconds = (performance.now() - started) / 1000;
const cpu = serverCpuSeconds() - cpu0;
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];
const rows = QUERIES.map(([what]) => {
  const xs = times.get(what).sort((a, b) => a - b);
  return { what, calls: xs.length, median: pct(xs, 0.5), p95: pct(xs, 0.95), max: xs.at(-1) };
});
const summary = {
  docs: DOCS,
  cli: CLI,
  addSeconds,
  seconds,
  leftInProgress: inProgress,
  serverCpuSeconds: cpu,
  rows,
};
if (args.includes('--json')) {
  process.stdout.write(JSON.stringify(summary) + '\n');
} else {
  process.stdout.write(
    `${DOCS} invoices, added in ${addSeconds.toFixed(1)} s, ${inProgress} still in progress after ${seconds.toFixed(1)} s; serve CPU ${cpu.toFixed(1)} s (${CLI})\n`,
  );
  process.stdout.write(
    '| query | calls | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.what} | ${r.calls} | ${r.median?.toFixed(1)} | ${r.p95?.toFixed(1)} | ${r.max?.toFixed(1)} |\n`,
    );
  }
}
