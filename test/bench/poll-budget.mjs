// Delivery polls at the access point (app/sender/poll-budget.ts): bundles
// test/bench/poll-budget-bench.ts with esbuild and runs it (`node test/bench/poll-budget.mjs
// [documents]`, default 10,000). Prints its JSON line and the load average; writes no doc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(mkdtempSync(join(tmpdir(), 'pd-pb-')), 'poll-budget-bench.cjs');
await build({
  entryPoints: [join(root, 'test/bench/poll-budget-bench.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: out,
  packages: 'external',
  loader: { '.sql': 'text' },
  nodePaths: [join(root, 'node_modules')],
  logLevel: 'warning',
});
const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(', ');
const raw = execFileSync(process.execPath, [out, process.argv[2] ?? '10000'], {
  cwd: root,
  env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
}).toString();
console.log(`${raw.trim()} (load average ${load})`);
