// Generators of ~10 MB invoices (issue 15, point 1: "a 10 MB pathological file costs under 2 s
// and 300 MB"), built from test/fixtures/sample-invoice.xml. Used by test/bench/large-files-bench.mjs;
// `node test/bench/large-files.mjs <folder>` just writes them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLE = readFileSync(join(root, 'test/fixtures/sample-invoice.xml'), 'utf8');
const SIZE = 10_000_000;
const HEAD_END = '<cbc:DocumentCurrencyCode>';

/** `unit` repeated to fill the sample up to ~SIZE bytes, inserted before `where`. */
function filled(unit, where = HEAD_END) {
  const n = Math.floor((SIZE - SAMPLE.length) / unit.length);
  return SAMPLE.replace(where, unit.repeat(n) + where);
}

/** A valid invoice with `lines` lines whose totals add up (17,000 lines ≈ 10 MB). */
export function validInvoice(lines) {
  const head = SAMPLE.slice(0, SAMPLE.indexOf('<cac:TaxTotal>'));
  const net = (lines * 10).toFixed(2);
  const tax = (lines * 2.1).toFixed(2);
  const gross = (lines * 12.1).toFixed(2);
  const line = (i) => `  <cac:InvoiceLine>
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
  const body = [];
  for (let i = 1; i <= lines; i++) body.push(line(i));
  return `${head.replace('BENCH-INV-0000001', `BIG-${lines}`)}<cac:TaxTotal>
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
${body.join('')}</Invoice>
`;
}

/** UBLExtensions (allowed by UBL, discouraged by Peppol) holding ~10 MB of foreign elements. */
function bigExtensions() {
  const item = '<x:Entry><x:Key>reference</x:Key><x:Value>0123456789</x:Value></x:Entry>\n';
  const n = Math.floor((SIZE - SAMPLE.length) / item.length);
  const ext = `<ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
    <ext:UBLExtension>
      <ext:ExtensionContent>
        <x:Data xmlns:x="urn:example:extension">
${item.repeat(n)}        </x:Data>
      </ext:ExtensionContent>
    </ext:UBLExtension>
  </ext:UBLExtensions>
  `;
  return SAMPLE.replace('<cbc:CustomizationID>', `${ext}<cbc:CustomizationID>`);
}

/**
 * Foreign elements nested 95 deep, inside an extension (depth 4), repeated to 10 MB: at the
 * depth limit (app/validation/xml-tree.ts, MAX_DEPTH 100) and under the element limit, so the
 * whole file is read and checked rather than refused early.
 */
function deepAtLimit() {
  const d = 95;
  const unit = `${'<x:DeepNestingLevel>'.repeat(d)}${'</x:DeepNestingLevel>'.repeat(d)}\n`;
  const n = Math.floor((SIZE - SAMPLE.length) / unit.length);
  const ext = `<ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
    <ext:UBLExtension>
      <ext:ExtensionContent>
        <x:Data xmlns:x="urn:example:extension">
${unit.repeat(n)}        </x:Data>
      </ext:ExtensionContent>
    </ext:UBLExtension>
  </ext:UBLExtensions>
  `;
  return SAMPLE.replace('<cbc:CustomizationID>', `${ext}<cbc:CustomizationID>`);
}

/** The shapes, by name: a short description and the text of the file. */
export const SHAPES = {
  lines14k: ['valid invoice, 14,000 lines (8 MB)', () => validInvoice(14_000)],
  lines17k: ['valid invoice, 17,000 lines (10 MB)', () => validInvoice(17_000)],
  invlines: [
    'the sample line repeated (totals wrong)',
    () => {
      const line = /<cac:InvoiceLine>[\s\S]*?<\/cac:InvoiceLine>/.exec(SAMPLE)[0];
      return filled(`  ${line}\n`, '</Invoice>');
    },
  ],
  extensions: ['10 MB of UBLExtensions content', bigExtensions],
  foreign: ['foreign elements at the top level', () => filled('<x:y xmlns:x="urn:x">1</x:y>\n  ')],
  notes: ['invoice notes', () => filled('<cbc:Note>Note text</cbc:Note>\n  ')],
  unknown: ['unknown UBL elements', () => filled('<cbc:Foo>1</cbc:Foo>\n  ')],
  deep: ['nesting at the depth limit (95 levels)', deepAtLimit],
};

/** Write every shape (or those named) into `dir`; returns their paths by name. */
export function writeShapes(dir, names = Object.keys(SHAPES)) {
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const name of names) {
    const file = join(dir, `${name}.xml`);
    writeFileSync(file, SHAPES[name][1]());
    out[name] = file;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node test/bench/large-files.mjs <folder> [shape...]');
  const files = writeShapes(dir, process.argv.length > 3 ? process.argv.slice(3) : undefined);
  for (const f of Object.values(files)) console.log(f);
}
