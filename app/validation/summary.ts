import { visibleText } from '../domain/visible-text';
import type { DocumentSummary, DocumentType, ParticipantId, SummaryLine } from './types';
import type { XDoc, XNode } from './xml-tree';
import { attr, child, first, norm } from './xpath';

/** An element's text as shown and compared (invisible characters written out: visible-text). */
function text(n: XNode | undefined): string | null {
  if (n === undefined) return null;
  const s = norm(n);
  return s === '' ? null : visibleText(s);
}

function endpoint(party: XNode | undefined): ParticipantId | null {
  const e = child(party, 'cbc:EndpointID');
  if (e === undefined) return null;
  return { scheme: (attr(e, 'schemeID') ?? '').trim(), value: norm(e) };
}

function partyName(party: XNode | undefined): string | null {
  return (
    text(first(party, 'cac:PartyName', 'cbc:Name')) ??
    text(first(party, 'cac:PartyLegalEntity', 'cbc:RegistrationName'))
  );
}

/** Lines kept in a summary: enough for the detail panel, small enough to store per document. */
export const MAX_SUMMARY_LINES = 200;

function summaryLine(line: XNode, docType: DocumentType): SummaryLine {
  const quantity = child(
    line,
    docType === 'Invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity',
  );
  return {
    id: text(child(line, 'cbc:ID')),
    name: text(first(line, 'cac:Item', 'cbc:Name')),
    quantity: text(quantity),
    unitCode: quantity === undefined ? null : attr(quantity, 'unitCode')?.trim() || null,
    netAmount: text(child(line, 'cbc:LineExtensionAmount')),
  };
}

/** Preceding invoice references kept in a summary (a credit note for a month names a few). */
export const MAX_PRECEDING_INVOICES = 50;

/** BT-25 of every cac:BillingReference, in document order, without repeats or blanks. */
function precedingInvoices(r: XNode): string[] {
  const out = new Set<string>();
  for (const c of r.children) {
    if (c.q !== 'cac:BillingReference') continue;
    const id = text(first(c, 'cac:InvoiceDocumentReference', 'cbc:ID'));
    if (id !== null && out.size < MAX_PRECEDING_INVOICES) out.add(id);
  }
  return [...out];
}

/** Extract the summary shown in lists, from the parsed tree (no rules run). */
export function summarize(doc: XDoc, docType: DocumentType): DocumentSummary {
  const r = doc.root;
  const seller = first(r, 'cac:AccountingSupplierParty', 'cac:Party');
  const buyer = first(r, 'cac:AccountingCustomerParty', 'cac:Party');
  const totals = child(r, 'cac:LegalMonetaryTotal');
  const lineQ = docType === 'Invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine';
  let lineCount = 0;
  const lines: SummaryLine[] = [];
  const refs = precedingInvoices(r);
  for (const c of r.children) {
    if (c.q !== lineQ) continue;
    lineCount++;
    if (lines.length < MAX_SUMMARY_LINES) lines.push(summaryLine(c, docType));
  }
  return {
    docType,
    invoiceNumber: text(child(r, 'cbc:ID')),
    issueDate: text(child(r, 'cbc:IssueDate')),
    dueDate:
      text(child(r, 'cbc:DueDate')) ?? text(first(r, 'cac:PaymentMeans', 'cbc:PaymentDueDate')),
    sellerName: partyName(seller),
    sellerEndpoint: endpoint(seller),
    buyerName: partyName(buyer),
    buyerEndpoint: endpoint(buyer),
    currency: text(child(r, 'cbc:DocumentCurrencyCode')),
    taxExclusiveAmount: text(child(totals, 'cbc:TaxExclusiveAmount')),
    taxInclusiveAmount: text(child(totals, 'cbc:TaxInclusiveAmount')),
    payableAmount: text(child(totals, 'cbc:PayableAmount')),
    lineCount,
    lines,
    customizationId: text(child(r, 'cbc:CustomizationID')),
    profileId: text(child(r, 'cbc:ProfileID')),
    // Only when there are some: most invoices refer to none, and every summary is stored.
    ...(refs.length > 0 ? { precedingInvoices: refs } : {}),
  };
}
