// Validation benchmark (issue 5). Bundles test/bench/validation-bench.ts, runs it, and writes the
// "## Validation (issue 5)" section of docs/performance.md.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(mkdtempSync(join(tmpdir(), 'pd-vb-')), 'validation-bench.cjs');
await build({
  entryPoints: [join(root, 'test/bench/validation-bench.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: out,
  packages: 'external',
  loader: { '.sql': 'text' },
  define: { __dirname: JSON.stringify(join(root, 'test', 'helpers')) },
  logLevel: 'warning',
});
const raw = execFileSync(process.execPath, [out, join(root, 'dist', 'validation-worker.cjs')], {
  cwd: root,
  env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
}).toString();
const r = JSON.parse(raw.trim().split('\n').pop());
const f = (n) => Math.round(n).toLocaleString('en-US');
const row = (label, s) =>
  `| ${label} | ${s.files} | ${f(s.averageBytes)} | ${f(s.oneCore.docsPerSecond)} | ${s.oneCore.megabytesPerSecond.toFixed(1)} | ${f(s.allCores.docsPerSecond)} (${s.allCores.threads} threads) | ${s.allCores.megabytesPerSecond.toFixed(1)} |`;
const lines = [
  '## Validation (issue 5)',
  '',
  `Command: \`npm run bench\` (this section: \`node test/bench/validation.mjs\`). Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}. Measured ${new Date().toISOString().slice(0, 10)}; other processes may have shared the cores.`,
  '',
  'Full rule set (Peppol BIS 3.0.19 / EN 16931 1.3.14.1 + UBL structure) per document, parse included.',
  '',
  '| set | files | avg bytes | docs/s, one core | MB/s, one core | docs/s, all cores | MB/s, all cores |',
  '|---|---|---|---|---|---|---|',
  row('typical invoice (test/fixtures/sample-invoice.xml)', r.typical),
  row('generated mix, 1–500 lines', r.mix),
  '',
  `Generated mix: ${r.mixValid} of ${r.mixTotal} documents valid (they should all be). Cache hit (sha256 of the bytes + SQLite lookup of the verdict and summary; nothing is parsed): ${r.cacheHit.microsecondsPerHit.toFixed(1)} µs per document.`,
  'Goal: at least 1,000 typical invoices per second per core (the official rules on Saxon manage about 80–150).',
  '',
];
const doc = join(root, 'docs', 'performance.md');
let text = existsSync(doc)
  ? readFileSync(doc, 'utf8')
  : '# Performance\n\nFigures measured with `npm run bench`.\n\n';
const section = lines.join('\n');
const re = /## Validation \(issue 5\)[\s\S]*?(?=\n## |$)/;
text = re.test(text)
  ? text.replace(re, section.trimEnd() + '\n')
  : text.trimEnd() + '\n\n' + section;
writeFileSync(doc, text);
console.log(section);
