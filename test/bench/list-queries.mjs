// The document list's queries at 100,000 documents on a data folder, and what the list's indexes
// (migrations 013–015) cost each document on the write path. Bundles list-queries-bench.ts with
// esbuild and prints two tables (nothing is written to docs/).
//
//   node test/bench/list-queries.mjs [documents = 100000] [documents for the write cost = 20000]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(mkdtempSync(join(tmpdir(), 'pd-lqb-')), 'list-queries-bench.cjs');
await build({
  entryPoints: [join(root, 'test/bench/list-queries-bench.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: out,
  packages: 'external',
  loader: { '.sql': 'text' },
  nodePaths: [join(root, 'node_modules')],
  logLevel: 'warning',
});
const raw = execFileSync(process.execPath, [out, ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  maxBuffer: 1 << 20,
}).toString();
const r = JSON.parse(raw.trim().split('\n').pop());
const lines = [
  `List queries at ${r.total.toLocaleString('en-US')} documents (200 rows, median of 7):`,
  '',
  '| query | matching | CPU ms | wall ms |',
  '|---|---:|---:|---:|',
  ...r.list.map(
    (q) => `| ${q.what} | ${q.total} | ${q.cpuMs.toFixed(1)} | ${q.wallMs.toFixed(1)} |`,
  ),
  '',
  `Write path, CPU µs per document (${r.writes.toLocaleString('en-US')} documents, two runs each):`,
  '',
  '| list indexes (migrations 013–015) | insert | validation (2 transitions + fields) | 4 more transitions | total |',
  '|---|---:|---:|---:|---:|',
  ...r.cost.map(
    (c) =>
      `| ${c.withList ? 'with' : 'without'} | ${c.insert.toFixed(0)} | ${c.validate.toFixed(0)} | ${c.later.toFixed(0)} | ${c.total.toFixed(0)} |`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
