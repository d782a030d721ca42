import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import type { Finding } from '../../app/validation/index';
import { change, utf8, validCreditNote, validInvoice } from '../conformance/sample-documents';

function findings(xml: string): Finding[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings;
}

describe('UBL structure and syntax rules', () => {
  it('XSD-ELEMENT-ORDER: misplaced element in the invoice', () => {
    const xml = change(
      validInvoice(),
      '<cbc:BuyerReference>REF-1</cbc:BuyerReference>',
      '',
    ).replace(
      '<cac:PaymentMeans>',
      '<cbc:BuyerReference>REF-1</cbc:BuyerReference><cac:PaymentMeans>',
    );
    const f = findings(xml).find((x) => x.rule === 'XSD-ELEMENT-ORDER');
    expect(f).toMatchObject({ flag: 'fatal', location: '/Invoice/cbc:BuyerReference' });
  });

  it('XSD-ELEMENT-ORDER on credit notes and credit note lines too (UBL 2.1 CreditNote sequence)', () => {
    expect(findings(validCreditNote()).map((x) => x.rule)).not.toContain('XSD-ELEMENT-ORDER');
    // CreditNoteTypeCode after the currency: out of order.
    const header = change(
      validCreditNote(),
      '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>',
      '',
    ).replace(
      '<cbc:BuyerReference>',
      '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode><cbc:BuyerReference>',
    );
    expect(findings(header).find((x) => x.rule === 'XSD-ELEMENT-ORDER')).toMatchObject({
      flag: 'fatal',
      location: '/CreditNote/cbc:CreditNoteTypeCode',
    });
    // In a line, the quantity after the line amount: out of order.
    const line = change(
      validCreditNote(),
      '<cbc:CreditedQuantity unitCode="C62">2</cbc:CreditedQuantity>\n    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>',
      '<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount><cbc:CreditedQuantity unitCode="C62">2</cbc:CreditedQuantity>',
    );
    const f = findings(line).find((x) => x.rule === 'XSD-ELEMENT-ORDER');
    expect(f).toMatchObject({
      flag: 'fatal',
      location: '/CreditNote/cac:CreditNoteLine/cbc:CreditedQuantity',
    });
  });

  it('XSD-UNKNOWN-ELEMENT / XSD-MISSING-ELEMENT', () => {
    const unknown = change(
      validInvoice(),
      '<cbc:BuyerReference>',
      '<cbc:Bogus>1</cbc:Bogus><cbc:BuyerReference>',
    );
    expect(findings(unknown).map((x) => x.rule)).toContain('XSD-UNKNOWN-ELEMENT');
    const missing = change(validInvoice(), '<cbc:ID>INV-1</cbc:ID>', '');
    const f = findings(missing).filter((x) => x.rule === 'XSD-MISSING-ELEMENT');
    expect(f[0]?.message).toBe('Invoice must contain cbc:ID.');
  });

  it('XSD-DATATYPE / XSD-ATTRIBUTE: malformed dates and amounts', () => {
    const date = change(validInvoice(), '<cbc:IssueDate>2025-05-01', '<cbc:IssueDate>01.05.2025');
    expect(findings(date).map((x) => x.rule)).toEqual(
      expect.arrayContaining(['XSD-DATATYPE', 'PEPPOL-EN16931-F001']),
    );
    const amount = change(
      validInvoice(),
      '<cbc:PayableAmount currencyID="EUR">125.00',
      '<cbc:PayableAmount>125,00',
    );
    expect(findings(amount).map((x) => x.rule)).toEqual(
      expect.arrayContaining(['XSD-ATTRIBUTE', 'XSD-DATATYPE']),
    );
  });

  it('UBL-CR-*: unused UBL elements are warnings, the invoice stays valid', () => {
    const xml = change(
      validInvoice(),
      '<cbc:DueDate>',
      '<cbc:IssueTime>12:00:00</cbc:IssueTime><cbc:DueDate>',
    );
    const r = checkDocument(utf8(xml));
    expect(r.ok && r.verdict.valid).toBe(true);
    expect(
      findings(xml)
        .filter((x) => x.flag === 'warning')
        .map((x) => x.rule),
    ).toEqual(['UBL-CR-006']);
  });

  it('UBL-SR-47: payment means codes must agree', () => {
    const xml = change(
      validInvoice(),
      '<cac:TaxTotal>',
      '<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>X</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans><cac:TaxTotal>',
    );
    expect(findings(xml).map((x) => x.rule)).toContain('UBL-SR-47');
  });

  it('UBL-DT-01: amounts have at most two decimals', () => {
    const xml = change(
      validInvoice(),
      '<cbc:PayableAmount currencyID="EUR">125.00',
      '<cbc:PayableAmount currencyID="EUR">125.001',
    );
    expect(findings(xml).map((x) => x.rule)).toEqual(
      expect.arrayContaining(['UBL-DT-01', 'BR-DEC-18']),
    );
  });
});
