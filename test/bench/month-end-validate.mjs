// Month-end folder benchmark (issue 10, item 6): writes 400 valid invoices of a realistic mix of
// sizes (about 13 MB in all) to a temporary folder and times `node dist/cli.cjs validate <folder>
// --json` from spawn to exit, start-up included. Run after `node scripts/build.mjs --node-only`.
// Prints one JSON line; MONTH_END_RUNS sets the number of timed runs (default 5, median reported).
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  console.error('dist/cli.cjs is missing: run `node scripts/build.mjs --node-only` first.');
  process.exit(2);
}
const SAMPLE = readFileSync(join(root, 'test', 'fixtures', 'sample-invoice.xml'), 'utf8');
const HEAD = SAMPLE.slice(0, SAMPLE.indexOf('<cac:TaxTotal>'));
const FILES = 400;
const RUNS = Number(process.env.MONTH_END_RUNS ?? 5);

/** Deterministic PRNG (mulberry32): the same folder on every run and machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20261130);
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const money = (cents) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/**
 * Line counts of a month's invoices: most are short, some long, a few very long (a monthly
 * statement of a utility or a wholesaler). Tuned so 400 files come to about 13 MB.
 */
function lineCount(i) {
  const r = (i * 7919) % 400; // spread the kinds over the folder
  if (r < 240) return between(1, 6); // 60 % short
  if (r < 340) return between(8, 40); // 25 % medium
  if (r < 388) return between(50, 150); // 12 % long
  return between(300, 700); // 3 % very long
}

/** A valid invoice (S 21 % and Z 0 % lines, quantities and prices in cents) with `lines` lines. */
function invoice(n, lines) {
  let netS = 0;
  let netZ = 0;
  const body = [];
  for (let i = 1; i <= lines; i++) {
    const qty = between(1, 12);
    const price = between(150, 250_00);
    const amount = qty * price;
    const zero = i % 9 === 0;
    if (zero) netZ += amount;
    else netS += amount;
    body.push(`  <cac:InvoiceLine>
    <cbc:ID>${i}</cbc:ID>
    <cbc:Note>Delivery ${n}-${i}, order line ${between(1000, 9999)}</cbc:Note>
    <cbc:InvoicedQuantity unitCode="${i % 3 === 0 ? 'HUR' : 'EA'}">${qty}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">${money(amount)}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Description>Article ${between(10000, 99999)} as ordered, ${zero ? 'zero rated' : 'standard rate'}</cbc:Description>
      <cbc:Name>Article ${i}</cbc:Name>
      <cac:SellersItemIdentification>
        <cbc:ID>SKU-${between(100000, 999999)}</cbc:ID>
      </cac:SellersItemIdentification>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>${zero ? 'Z' : 'S'}</cbc:ID>
        <cbc:Percent>${zero ? '0' : '21'}</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">${money(price)}</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>
`);
  }
  // 21 % of whole cents, rounded half up: what BR-CO-17 expects of the subtotal.
  const taxS = Math.round((netS * 21) / 100);
  const subtotal = (cat, percent, net, tax) => `    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">${money(net)}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">${money(tax)}</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>${cat}</cbc:ID>
        <cbc:Percent>${percent}</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
`;
  const net = netS + netZ;
  return `${HEAD.replace('BENCH-INV-0000001', `ME-2026-11-${String(n).padStart(4, '0')}`)}<cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">${money(taxS)}</cbc:TaxAmount>
${netS > 0 ? subtotal('S', '21', netS, taxS) : ''}${netZ > 0 ? subtotal('Z', '0', netZ, 0) : ''}  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">${money(net)}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">${money(net)}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">${money(net + taxS)}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">${money(net + taxS)}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
${body.join('')}</Invoice>
`;
}

const dir = mkdtempSync(join(tmpdir(), 'pd-month-end-'));
// CPU time of the child (all its threads), printed at exit by a preloaded hook: on a shared
// machine wall time includes waiting for a core, CPU time does not.
const cpuHook = join(dir, '..', `${dir.split('/').pop()}-cpu.cjs`);
writeFileSync(
  cpuHook,
  "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\nCPU_MS ' + Math.round((u.user + u.system) / 1000) + '\\n'); });",
);
const cpuOf = (r) => Number(/CPU_MS (\d+)/.exec(r.stderr.toString())?.[1] ?? NaN);
try {
  let bytes = 0;
  for (let n = 1; n <= FILES; n++) {
    const xml = invoice(n, lineCount(n));
    bytes += Buffer.byteLength(xml);
    writeFileSync(join(dir, `invoice-${String(n).padStart(4, '0')}.xml`), xml);
  }
  const times = [];
  const cpu = [];
  let summary = null;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', cpuHook, cli, 'validate', dir, '--json'], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    cpu.push(cpuOf(r));
    const lines = r.stdout
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const valid = lines.filter((l) => l.valid === true).length;
    summary = { exitCode: r.status, reported: lines.length, valid };
    if (lines.length !== FILES) {
      console.error(`Expected ${FILES} result lines, got ${lines.length}:`, r.stderr.toString());
      process.exitCode = 1;
    }
  }
  // Start-up alone: the same command on an empty folder.
  const empty = mkdtempSync(join(tmpdir(), 'pd-month-end-empty-'));
  const startup = [];
  const startupCpu = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(
      process.execPath,
      ['--require', cpuHook, cli, 'validate', empty, '--json'],
      {
        cwd: root,
      },
    );
    startup.push(Number(process.hrtime.bigint() - started) / 1e6);
    startupCpu.push(cpuOf(r));
  }
  rmSync(empty, { recursive: true, force: true });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    JSON.stringify({
      files: FILES,
      megabytes: +(bytes / 1e6).toFixed(1),
      runs: RUNS,
      medianMs: Math.round(median(times)),
      minMs: Math.round(Math.min(...times)),
      maxMs: Math.round(Math.max(...times)),
      cpuMedianMs: median(cpu),
      startupMedianMs: Math.round(median(startup)),
      startupCpuMedianMs: median(startupCpu),
      ...summary,
      machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cpuHook, { force: true });
}
