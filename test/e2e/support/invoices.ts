import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project's sample invoice (test/fixtures): a valid Peppol BIS 3.0 invoice to a registered sandbox receiver. */
const SAMPLE = resolve(__dirname, '../../fixtures/sample-invoice.xml');
/** The first <cbc:ID> of the document is the invoice number (BT-1). */
const INVOICE_ID = /<cbc:ID>[^<]*<\/cbc:ID>/;

function sample(): string {
  return readFileSync(SAMPLE, 'utf8');
}

/** A prefix no earlier test used, so tests sharing one host never see each other's rows. */
export function uniquePrefix(label: string): string {
  return `E2E-${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
}

/** Valid invoice XML with this invoice number. */
export function validInvoice(invoiceNumber: string): string {
  return sample().replace(INVOICE_ID, `<cbc:ID>${invoiceNumber}</cbc:ID>`);
}

/** A valid credit note (381) with this number: the sample invoice turned into one. */
export function creditNote(number: string): string {
  return validInvoice(number)
    .replace('<Invoice ', '<CreditNote ')
    .replace('</Invoice>', '</CreditNote>')
    .replace('schema:xsd:Invoice-2', 'schema:xsd:CreditNote-2')
    .replace(
      /<cbc:InvoiceTypeCode>380<\/cbc:InvoiceTypeCode>/,
      '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>',
    )
    .replace(/<cbc:DueDate>[^<]*<\/cbc:DueDate>/, '')
    .replace(/cac:InvoiceLine>/g, 'cac:CreditNoteLine>')
    .replace(/cbc:InvoicedQuantity/g, 'cbc:CreditedQuantity');
}

/**
 * A valid credit note with this number for invoice `forInvoice` (BT-25, preceding invoice
 * reference), to `receiver` (scheme:value) when given.
 */
export function creditNoteFor(number: string, forInvoice: string, receiver?: string): string {
  const credit = creditNote(number).replace(
    /(<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>)/,
    `$1<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>${forInvoice}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>`,
  );
  if (!receiver) return credit;
  const [scheme, value] = receiver.split(':') as [string, string];
  return credit.replace(
    '<cbc:EndpointID schemeID="0208">0987654394</cbc:EndpointID>',
    `<cbc:EndpointID schemeID="${scheme}">${value}</cbc:EndpointID>`,
  );
}

/** Invoice XML without an invoice number (BT-1): fails validation. Distinct bytes per `marker`. */
export function invoiceWithoutNumber(marker: string): string {
  return sample()
    .replace(INVOICE_ID, '')
    .replace(
      '<cbc:BuyerReference>PO-77812</cbc:BuyerReference>',
      `<cbc:BuyerReference>${marker}</cbc:BuyerReference>`,
    );
}

/** XML cut off half-way (an interrupted export): not well-formed, so it needs fixing. */
export function brokenXml(invoiceNumber: string): string {
  const xml = validInvoice(invoiceNumber);
  return xml.slice(0, Math.floor(xml.length / 2));
}

/**
 * The same seller and invoice number as `validInvoice(invoiceNumber)` with other content (another
 * buyer reference): a business duplicate the engine holds for the person to decide.
 */
export function sameNumberOtherContent(invoiceNumber: string): string {
  return validInvoice(invoiceNumber).replace(
    '<cbc:BuyerReference>PO-77812</cbc:BuyerReference>',
    '<cbc:BuyerReference>PO-CHANGED</cbc:BuyerReference>',
  );
}

/** Valid invoice to a buyer that is not registered on the (sandbox) Peppol network. */
export function invoiceToUnregisteredBuyer(invoiceNumber: string): string {
  return validInvoice(invoiceNumber).replace(
    '<cbc:EndpointID schemeID="0208">0987654394</cbc:EndpointID>',
    '<cbc:EndpointID schemeID="9915">not-registered</cbc:EndpointID>',
  );
}

/** Valid invoice to a given sandbox receiver, e.g. `9915:reject-all` or `9915:respond-ap`. */
export function invoiceToReceiver(invoiceNumber: string, receiver: string): string {
  const [scheme, value] = receiver.split(':') as [string, string];
  return validInvoice(invoiceNumber).replace(
    '<cbc:EndpointID schemeID="0208">0987654394</cbc:EndpointID>',
    `<cbc:EndpointID schemeID="${scheme}">${value}</cbc:EndpointID>`,
  );
}

/** An invoice with a number but a broken issue date (BT-2): it needs fixing, and can be fixed. */
export function invoiceWithBadDate(invoiceNumber: string): string {
  return validInvoice(invoiceNumber).replace(
    /<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/,
    '<cbc:IssueDate>31.12.2026</cbc:IssueDate>',
  );
}

/**
 * Invoice XML whose amount due (BT-115) is one cent short of the total with VAT: our check finds
 * BR-CO-16, while the sandbox access point's light check accepts it.
 */
export function invoiceWithWrongAmountDue(invoiceNumber: string): string {
  return validInvoice(invoiceNumber).replace(
    '<cbc:PayableAmount currencyID="EUR">2420.00</cbc:PayableAmount>',
    '<cbc:PayableAmount currencyID="EUR">2419.99</cbc:PayableAmount>',
  );
}

/** Writes files into `dir` and returns their paths. */
export function writeFiles(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}
