// Typical invoices per CPU-second (issue 10, item 6): the per-core figure of the validation
// benchmark measured in CPU time of this thread instead of wall time, so that it stays meaningful
// on a machine shared with other work. Bundles app/validation, checks the sample invoice (with a
// new invoice number each time, so nothing is cached) for `VALIDATION_CPU_SECONDS` of CPU
// (default 5) after a warm-up, and prints one JSON line.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pd-vcpu-'));
try {
  const outfile = join(dir, 'validation.cjs');
  await build({
    entryPoints: [join(root, 'app/validation/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  const { checkDocument } = createRequire(import.meta.url)(outfile);
  const sample = readFileSync(join(root, 'test/fixtures/sample-invoice.xml'), 'utf8');
  const docs = Array.from({ length: 64 }, (_, i) =>
    new TextEncoder().encode(sample.replace('BENCH-INV-0000001', `CPU-${i}`)),
  );
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const run = (seconds) => {
    const start = cpuMs();
    let n = 0;
    let valid = 0;
    while (cpuMs() - start < seconds * 1000) {
      for (const d of docs) {
        const r = checkDocument(d);
        if (r.ok && r.verdict.valid) valid++;
        n++;
      }
    }
    return { n, valid, ms: cpuMs() - start };
  };
  run(1); // warm-up: JIT and caches
  const seconds = Number(process.env.VALIDATION_CPU_SECONDS ?? 5);
  const r = run(seconds);
  console.log(
    JSON.stringify({
      documents: r.n,
      valid: r.valid,
      cpuSeconds: +(r.ms / 1000).toFixed(2),
      invoicesPerCpuSecond: Math.round((r.n * 1000) / r.ms),
      bytes: docs[0].length,
      machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
