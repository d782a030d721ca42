import type { DocumentSummary, DocumentType, ParticipantId, SummaryLine } from './types';
import type { XDoc, XNode } from './xml-tree';
import { attr, child, first, norm } from './xpath';

function text(n: XNode | undefined): string | null {
  if (n === undefined) return null;
  const s = norm(n);
  return s === '' ? null : s;
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

/** Extract the summary shown in lists, from the parsed tree (no rules run). */
export function summarize(doc: XDoc, docType: DocumentType): DocumentSummary {
  const r = doc.root;
  const seller = first(r, 'cac:AccountingSupplierParty', 'cac:Party');
  const buyer = first(r, 'cac:AccountingCustomerParty', 'cac:Party');
  const totals = child(r, 'cac:LegalMonetaryTotal');
  const lineQ = docType === 'Invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine';
  let lineCount = 0;
  const lines: SummaryLine[] = [];
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
  };
}
