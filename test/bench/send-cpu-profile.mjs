// Where the CPU of `peppol-desk send` goes (issue 9 point 3): sends N fresh invoices (the scale
// bench's: the sample with a new number each) to the sandbox in its own process at latency L, with
// `node --cpu-prof` (one profile per thread: the engine's, the validation worker's, the
// checkpointer's), then prints for each thread its busy and idle time, the functions with the most
// self time, and the self time per source file of the bundle (esbuild's `// app/…` comments).
// Needs the build. The profiler adds about a third to the CPU; read the shares, not the totals.
//
//   node test/bench/send-cpu-profile.mjs [--documents 10000] [--latency-ms 0] [--top 25]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const N = flag('--documents', 10000);
const LATENCY = flag('--latency-ms', 0);
const TOP = flag('--top', 25);
const distDir = process.env.PEPPOL_DESK_DIST ?? join(root, 'dist');
const work = mkdtempSync(join(tmpdir(), 'pd-send-cpu-'));

const folder = join(work, 'docs');
mkdirSync(folder);
const sample = readFileSync(join(root, 'test/fixtures/sample-invoice.xml'), 'utf8');
for (let i = 1; i <= N; i++) {
  const number = `CPU${N}-${String(i).padStart(6, '0')}`;
  writeFileSync(
    join(folder, `${number}.xml`),
    sample.replace('<cbc:ID>BENCH-INV-0000001</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`),
  );
}

const sandbox = spawn(
  process.execPath,
  [join(distDir, 'cli.cjs'), 'sandbox', '--port', '0', '--latency-ms', String(LATENCY)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise((resolve, reject) => {
  let out = '';
  sandbox.stdout.setEncoding('utf8').on('data', (chunk) => {
    out += chunk;
    const m = /listening on (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  sandbox.once('exit', (code) => reject(new Error(`The sandbox exited early (${code}).`)));
});
const profiles = join(work, 'profiles');
const send = spawnSync(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${profiles}`,
    join(distDir, 'cli.cjs'),
    'send',
    folder,
    '--endpoint',
    url,
    '--data-dir',
    join(work, 'data'),
    '--json',
  ],
  { cwd: root, encoding: 'utf8', env: { ...process.env, PEPPOL_DESK_BENCH: '1' } },
);
sandbox.kill('SIGTERM');
const summary = JSON.parse(send.stdout.trim().split('\n').pop() ?? '{}');
console.log(
  `${summary.sent}/${N} sent in ${summary.seconds} s, ${((summary.cpuSeconds * 1000) / N).toFixed(2)} ms of CPU per invoice (profiled), L = ${LATENCY} ms`,
);

/** Source file of each line of a bundle, from esbuild's `// app/…` comments. */
const fileOfLine = new Map();
function sourceOf(url, line) {
  const bundle = url.replace(/^file:\/\//, '');
  if (!fileOfLine.has(bundle)) {
    const files = [];
    let current = '(bundle)';
    try {
      for (const text of readFileSync(bundle, 'utf8').split('\n')) {
        const m = /^\s*\/\/ ((?:app|node_modules)\/\S+)/.exec(text);
        if (m) current = m[1];
        files.push(current);
      }
    } catch {
      // not a file of ours (node internals)
    }
    fileOfLine.set(bundle, files);
  }
  return fileOfLine.get(bundle)[line] ?? '(native or Node)';
}

const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
for (const name of readdirSync(profiles).sort()) {
  const p = JSON.parse(readFileSync(join(profiles, name), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const byFunction = new Map();
  const bySource = new Map();
  let total = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    total += dt;
    if (functionName === '(idle)') {
      idle += dt;
      return;
    }
    const fn = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    const source = url.endsWith('.cjs') ? sourceOf(url, lineNumber) : functionName || '(native)';
    bySource.set(source, (bySource.get(source) ?? 0) + dt);
  });
  console.log(`\n== ${name}: ${ms(total - idle)} busy, ${ms(idle)} idle`);
  const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  for (const [k, t] of top(byFunction)) console.log(`${ms(t)}  ${k}`);
  console.log('  -- by source file');
  for (const [k, t] of top(bySource)) console.log(`${ms(t)}  ${k}`);
}
rmSync(work, { recursive: true, force: true });
