// Bundles test/oracle/differential.ts and runs it. Usage (dev tool, not part of npm test):
//   PEPPOL_DESK_ORACLE=/work/oracle node test/oracle/run.mjs --seed 1 --count 500
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(mkdtempSync(join(tmpdir(), 'pd-oracle-')), 'differential.cjs');
await build({
  entryPoints: [join(root, 'test/oracle/differential.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: out,
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [out, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
});
process.exit(r.status ?? 1);
