// Fuzz benchmark (`npm run bench:fuzz`): 10,000 mutated invoices (structure, encoding, nesting,
// sizes, attributes, names; test/helpers/fuzz-mutations.mjs) through the built CLI's `validate`
// and `send`. Passes when nothing crashes and every file gets a verdict or a plain error.
//   node test/bench/fuzz.mjs [count=10000] [seed=1]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutants } from '../helpers/fuzz-mutations.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.cjs');
const count = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
const RAW =
  /\b(?:TypeError|RangeError|SyntaxError|ReferenceError|URIError)\b|\n\s+at |heap out of memory/;

const work = mkdtempSync(join(tmpdir(), 'peppol-desk-fuzz-'));
const inbox = join(work, 'in');
mkdirSync(inbox);
const base = readFileSync(join(root, 'test', 'fixtures', 'sample-invoice.xml'));
let bytes = 0;
for (const f of mutants(base, count, seed)) {
  writeFileSync(join(inbox, f.name), f.bytes);
  bytes += f.bytes.byteLength;
}
console.log(`fuzz: ${count} files, ${(bytes / 1e6).toFixed(1)} MB, seed ${seed}`);
const failures = [];

function run(args) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
  return { ...r, seconds: (performance.now() - started) / 1000 };
}

const v = run(['validate', inbox, '--json']);
const lines = v.stdout
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
if (![0, 3].includes(v.status)) failures.push(`validate exited ${v.status} (${v.signal ?? ''})`);
if (lines.length !== count) failures.push(`validate answered ${lines.length} of ${count} files`);
for (const l of lines) {
  if (typeof l.valid !== 'boolean') failures.push(`${l.file}: no verdict`);
  if (l.message !== undefined && (l.message.length < 20 || RAW.test(l.message)))
    failures.push(`${l.file}: not a plain error: ${l.message.slice(0, 200)}`);
}
if (RAW.test(v.stderr)) failures.push(`validate stderr: ${v.stderr.slice(0, 500)}`);
console.log(
  `validate: ${lines.length} verdicts (${lines.filter((l) => l.valid).length} valid) in ${v.seconds.toFixed(1)} s`,
);

const s = run(['send', inbox, '--data-dir', join(work, 'data'), '--json']);
const summary = JSON.parse(s.stdout.trim().split('\n').pop() ?? '{}');
if (![0, 1].includes(s.status)) failures.push(`send exited ${s.status} (${s.signal ?? ''})`);
if (summary.total !== count) failures.push(`send counted ${summary.total} of ${count} files`);
if (RAW.test(s.stderr)) failures.push(`send stderr: ${s.stderr.slice(0, 500)}`);
console.log(
  `send: ${JSON.stringify({ total: summary.total, sent: summary.sent, failed: summary.failed, invalid: summary.invalid, duplicates: summary.duplicates })} in ${s.seconds.toFixed(1)} s`,
);

rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`fuzz: ${failures.length} problem(s):\n${failures.slice(0, 50).join('\n')}`);
  process.exit(1);
}
console.log('fuzz: 0 crashes, every file a verdict or a plain error');
