import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The synthetic sample invoice shipped with the tests (valid Peppol BIS Billing 3.0). */
export const SAMPLE_INVOICE = readFileSync(
  join(__dirname, '..', 'fixtures', 'sample-invoice.xml'),
  'utf8',
);

/** Options for a generated invoice. */
export interface InvoiceOptions {
  /** Buyer Peppol id as `scheme:value`, e.g. `9915:not-registered`. */
  receiver?: string;
  /** Seller endpoint value (scheme 0208). */
  seller?: string;
  /** Extra text in a note, to make content differ while the number stays the same. */
  note?: string;
}

/** A valid invoice with number `number`, as bytes. */
export function makeInvoice(number: string, options: InvoiceOptions = {}): Uint8Array {
  let xml = SAMPLE_INVOICE.replace(
    '<cbc:ID>BENCH-INV-0000001</cbc:ID>',
    `<cbc:ID>${number}</cbc:ID>`,
  );
  if (options.receiver) {
    const [scheme, value] = options.receiver.split(':');
    xml = xml.replace(
      '<cbc:EndpointID schemeID="0208">0987654394</cbc:EndpointID>',
      `<cbc:EndpointID schemeID="${scheme}">${value}</cbc:EndpointID>`,
    );
  }
  if (options.seller) {
    xml = xml.replace(
      '<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>',
      `<cbc:EndpointID schemeID="0208">${options.seller}</cbc:EndpointID>`,
    );
  }
  if (options.note) {
    xml = xml.replace(/<cbc:Note>[^<]*<\/cbc:Note>/, `<cbc:Note>${options.note}</cbc:Note>`);
  }
  return new TextEncoder().encode(xml);
}

/**
 * An invoice our check rejects (BR-CO-16: the amount due is one cent off the totals) and the
 * sandbox's lighter check accepts: the two checks disagree.
 */
export function makeInvoiceWithWrongTotal(number: string): Uint8Array {
  return new TextEncoder().encode(
    new TextDecoder()
      .decode(makeInvoice(number))
      .replace(
        '<cbc:PayableAmount currencyID="EUR">2420.00</cbc:PayableAmount>',
        '<cbc:PayableAmount currencyID="EUR">2419.99</cbc:PayableAmount>',
      ),
  );
}

/** `n` distinct invoices named `<prefix>-<i>.xml`. */
export function makeInvoices(n: number, prefix = 'INV'): { name: string; bytes: Uint8Array }[] {
  return Array.from({ length: n }, (_, i) => {
    const number = `${prefix}-${String(i + 1).padStart(6, '0')}`;
    return { name: `${number}.xml`, bytes: makeInvoice(number) };
  });
}

/** Options for a generated credit note. */
export interface CreditNoteOptions extends InvoiceOptions {
  /** The invoices it is for (BT-25, preceding invoice reference), each in its own BillingReference. */
  forInvoices?: string[];
}

/** A valid credit note (381) with number `number`: the sample invoice turned into one. */
export function makeCreditNote(number: string, options: CreditNoteOptions = {}): Uint8Array {
  const refs = (options.forInvoices ?? [])
    .map(
      (id) =>
        `<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>${id}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>`,
    )
    .join('');
  const xml = new TextDecoder()
    .decode(makeInvoice(number, options))
    .replace('<Invoice ', '<CreditNote ')
    .replace('</Invoice>', '</CreditNote>')
    .replace('schema:xsd:Invoice-2', 'schema:xsd:CreditNote-2')
    .replace('<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>', '')
    .replace('<cbc:Note>', '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode><cbc:Note>')
    .replace(/<cbc:DueDate>[^<]*<\/cbc:DueDate>/, '')
    .replace(/(<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>)/, `$1${refs}`)
    .replace(/cac:InvoiceLine>/g, 'cac:CreditNoteLine>')
    .replace(/cbc:InvoicedQuantity/g, 'cbc:CreditedQuantity');
  return new TextEncoder().encode(xml);
}
