// Builds every entry: the CLI / browser host, Electron main + preload, the validation worker,
// the sandbox process, and the renderer (Vite). Output in dist/.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const only = process.argv.includes('--node-only');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  loader: { '.sql': 'text' },
  // `import()` of a package becomes a plain require: the bundles are CommonJS, and a package
  // loaded only when needed (prom-client) must resolve as the others do, inside app.asar too.
  supported: { 'dynamic-import': false },
  define: { __PEPPOL_DESK_VERSION__: JSON.stringify(pkg.version) },
  absWorkingDir: root,
};

const entries = [
  ['app/cli-entry.ts', 'dist/cli.cjs'],
  ['app/validation/worker.ts', 'dist/validation-worker.cjs'],
  ['app/sandbox/process-entry.ts', 'dist/sandbox.cjs'],
  ['app/sandbox/thread-entry.ts', 'dist/sandbox-worker.cjs'],
  ['test/bench/sender-engine.ts', 'dist/bench-sender.cjs'],
  ['main/main.ts', 'dist/main.cjs'],
  ['main/preload.ts', 'dist/preload.cjs'],
];

const started = Date.now();
await Promise.all(
  entries.map(([entry, outfile]) =>
    build({
      ...common,
      entryPoints: [join(root, entry)],
      outfile: join(root, outfile),
      // The preload runs sandboxed: it may only require electron, so bundle everything else in.
      ...(entry.includes('preload') ? { packages: undefined, external: ['electron'] } : {}),
      // The worker is unpacked from the asar in the installers (worker threads cannot start a
      // script inside it) and could not require packages that live only inside app.asar: bundle
      // its dependencies (saxes, xmlchars: pure JavaScript) into it.
      ...(entry.includes('validation/worker') ? { packages: undefined } : {}),
      // The same for the built-in sandbox's thread (saxes: pure JavaScript).
      ...(entry.includes('sandbox/thread-entry') ? { packages: undefined } : {}),
    }),
  ),
);
if (!only) {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
console.log(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
