import { describe, expect, it } from 'vitest';
import { elementTerm } from '../../app/domain/business-terms';
import { checkDocument, type Finding } from '../../app/validation/index';
import { locationWords } from '../../renderer/src/lib/location-words';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

// The clerk walk: a finding said `cbc:IssueDate "01.05.2025" is not a valid date` while the line
// under it said "BT-2 Invoice issue date". Our own messages now use the business term.

function findings(xml: string): Finding[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings;
}

describe('the business term of exactly one element', () => {
  it('names an element the location table names exactly', () => {
    expect(elementTerm('/Invoice/cbc:IssueDate')).toBe('Invoice issue date (BT-2)');
    expect(elementTerm('/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount')).toBe(
      'Amount due for payment (BT-115)',
    );
    expect(elementTerm('/Invoice/cac:InvoiceLine[3]/cac:Price/cbc:PriceAmount')).toBe(
      'Item net price (BT-146)',
    );
    expect(elementTerm('/CreditNote/cac:CreditNoteLine/cbc:CreditedQuantity')).toBe(
      'Invoiced quantity (BT-129)',
    );
  });

  it("a line's note is the line note (BT-127), in the location line too, not the invoice note", () => {
    expect(elementTerm('/Invoice/cac:InvoiceLine[2]/cbc:Note')).toBe('Invoice line note (BT-127)');
    expect(locationWords('/Invoice/cac:InvoiceLine[2]/cbc:Note')).toBe(
      'Invoice line 2, BT-127 Invoice line note',
    );
    expect(locationWords('/Invoice/cbc:Note')).toBe('BT-22 Invoice note');
  });

  it('leaves an element alone when the mapping is not certain', () => {
    // Another document's date, an aggregate the table names without a number.
    expect(elementTerm('/Invoice/cac:AdditionalDocumentReference/cbc:IssueDate')).toBeNull();
    expect(elementTerm('/Invoice/cac:InvoiceLine/cac:Price/cac:AllowanceCharge')).toBeNull();
    expect(elementTerm('/Invoice/cac:TaxTotal')).toBeNull();
    expect(elementTerm('/Invoice/cac:AllowanceCharge/cbc:Amount')).toBeNull();
    expect(elementTerm('/Invoice')).toBeNull();
  });
});

describe("our structure checks' messages", () => {
  it('name a malformed date and amount by their business terms; the location keeps the XPath', () => {
    const date = findings(
      change(validInvoice(), '<cbc:IssueDate>2025-05-01', '<cbc:IssueDate>01.05.2025'),
    ).find((f) => f.rule === 'XSD-DATATYPE')!;
    expect(date.message).toBe(
      'Invoice issue date (BT-2) "01.05.2025" is not a valid date; use YYYY-MM-DD.',
    );
    expect(date.location).toBe('/Invoice/cbc:IssueDate');
    // The line under the message names it alike.
    expect(locationWords(date.location!)).toBe('BT-2 Invoice issue date');
    const amount = findings(
      change(
        validInvoice(),
        '<cbc:PayableAmount currencyID="EUR">125.00',
        '<cbc:PayableAmount currencyID="EUR">125,00',
      ),
    ).find((f) => f.rule === 'XSD-DATATYPE')!;
    expect(amount.message).toMatch(/^Amount due for payment \(BT-115\) "125,00" is not a valid/);
    expect(amount.location).toBe('/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount');
  });

  it('keep the official Peppol and EN 16931 rule texts as they are', () => {
    const date = findings(
      change(validInvoice(), '<cbc:IssueDate>2025-05-01', '<cbc:IssueDate>01.05.2025'),
    ).filter((f) => !f.rule.startsWith('XSD-'));
    // The official words first; the document's own figures after them (walk 18).
    expect(date.find((f) => f.rule === 'PEPPOL-EN16931-F001')?.message).toBe(
      'A date must be written as YYYY-MM-DD (BT-2, BT-9, BT-7, BT-72, BT-73, BT-74): the invoice writes IssueDate "01.05.2025".',
    );
  });
});
