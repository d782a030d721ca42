/**
 * Validation benchmark (issue 5): documents/s on one core and on all cores, MB/s, and the cost of
 * a cache hit, on the typical sample invoice and on a generated mix of 1 to 500 lines.
 * Bundled and run by test/bench/validation.mjs; prints one JSON line.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ValidationCache } from '../../app/caches/validation-cache';
import { openDb } from '../../app/store/db';
import {
  checkDocument,
  createValidationPool,
  runValidationBench,
  VALIDATION_CACHE_KEY,
} from '../../app/validation';
import { SAMPLE_INVOICE } from '../helpers/invoices';

type File = { name: string; bytes: Uint8Array };

/** A valid invoice with `lines` lines of 1 × 10.00 EUR at 21 % VAT. */
function invoiceWithLines(lines: number, n: number): File {
  const head = SAMPLE_INVOICE.slice(0, SAMPLE_INVOICE.indexOf('<cac:TaxTotal>'));
  const net = (lines * 10).toFixed(2);
  const tax = (lines * 2.1).toFixed(2);
  const gross = (lines * 12.1).toFixed(2);
  const line = (i: number) => `  <cac:InvoiceLine>
    <cbc:ID>${i}</cbc:ID>
    <cbc:InvoicedQuantity unitCode="EA">1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">10.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Article ${i}</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>21</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">10.00</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>
`;
  const xml = `${head.replace('BENCH-INV-0000001', `MIX-${lines}-${n}`)}<cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">${tax}</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">${net}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">${tax}</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>21</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">${net}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">${net}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">${gross}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">${gross}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
${Array.from({ length: lines }, (_, i) => line(i + 1)).join('')}</Invoice>
`;
  return { name: `mix-${lines}-${n}.xml`, bytes: new TextEncoder().encode(xml) };
}

async function allCores(files: File[], workerScript: string, seconds: number) {
  const size = availableParallelism();
  const pool = createValidationPool({ size, workerScript });
  // Warm up every worker.
  await Promise.all(files.slice(0, size * 4).map((f) => pool.check(f.bytes)));
  let docs = 0;
  let bytes = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const lane = async (offset: number) => {
    for (let i = offset; performance.now() < deadline; i += size * 2) {
      const f = files[i % files.length]!;
      await pool.check(f.bytes);
      docs++;
      bytes += f.bytes.length;
    }
  };
  await Promise.all(Array.from({ length: size * 2 }, (_, i) => lane(i)));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return {
    threads: size,
    docsPerSecond: docs / elapsed,
    megabytesPerSecond: bytes / 1048576 / elapsed,
  };
}

/**
 * What a re-dropped file costs in the pipeline: the sha256 of its bytes and one cache lookup that
 * gives back verdict and summary (nothing is parsed on a hit).
 */
function cacheHit(files: File[]) {
  const cache = new ValidationCache(openDb({ dataDir: ':memory:' }));
  const entries = files.map((f) => {
    const sha = createHash('sha256').update(f.bytes).digest('hex');
    const r = checkDocument(f.bytes);
    if (r.ok) cache.put(sha, VALIDATION_CACHE_KEY, { verdict: r.verdict, summary: r.summary });
    return { f, hit: r.ok };
  });
  const n = 20_000;
  let hits = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const e = entries[i % entries.length]!;
    const sha = createHash('sha256').update(e.f.bytes).digest('hex');
    if (cache.get(sha, VALIDATION_CACHE_KEY)?.summary) hits++;
  }
  const microsecondsPerHit = ((performance.now() - started) * 1000) / n;
  // Every file that passed intake must have hit: otherwise the figure measures misses.
  const expected = Array.from({ length: n }, (_, i) => entries[i % entries.length]!.hit).filter(
    Boolean,
  ).length;
  if (hits !== expected) throw new Error(`cache-hit bench: ${hits} hits of ${expected} expected`);
  return { microsecondsPerHit };
}

async function main() {
  const [workerScript] = process.argv.slice(2) as [string];
  const typical: File[] = [
    { name: 'sample-invoice.xml', bytes: new TextEncoder().encode(SAMPLE_INVOICE) },
  ];
  const lineCounts = [1, 5, 10, 20, 50, 100, 200, 500];
  const mix = lineCounts.map((l, i) => invoiceWithLines(l, i));
  const mixValid = mix.filter((f) => {
    const r = checkDocument(f.bytes);
    return r.ok && r.verdict.valid;
  }).length;
  const sets: Record<string, File[]> = { typical, mix };
  const result: Record<string, unknown> = { mixValid, mixTotal: mix.length };
  for (const [name, files] of Object.entries(sets)) {
    result[name] = {
      files: files.length,
      averageBytes: files.reduce((a, f) => a + f.bytes.length, 0) / files.length,
      oneCore: runValidationBench(files, { minMillis: 3000, warmupDocs: 50 }),
      allCores: await allCores(files, workerScript, 3),
    };
  }
  result.cacheHit = cacheHit(typical.concat(mix));
  process.stdout.write(JSON.stringify(result) + '\n');
}

void main();
