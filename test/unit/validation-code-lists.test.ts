import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

function fatal(xml: string): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings.filter((f) => f.flag === 'fatal').map((f) => f.rule);
}

describe('code list rules', () => {
  it('BR-CL-01 / P0100: invoice type code', () => {
    const ids = fatal(
      change(validInvoice(), '<cbc:InvoiceTypeCode>380', '<cbc:InvoiceTypeCode>999'),
    );
    expect(ids).toEqual(expect.arrayContaining(['BR-CL-01', 'PEPPOL-EN16931-P0100']));
    expect(
      fatal(change(validInvoice(), '<cbc:InvoiceTypeCode>380', '<cbc:InvoiceTypeCode>389')),
    ).toEqual(['PEPPOL-EN16931-P0100']);
  });

  it("BR-CL-01's words for a credit note's code in an invoice say so (walk 21: '381 must be a code from UNTDID 1001')", () => {
    const r = checkDocument(
      utf8(change(validInvoice(), '<cbc:InvoiceTypeCode>380', '<cbc:InvoiceTypeCode>381')),
    );
    if (!r.ok) throw new Error(r.error.message);
    const f = r.verdict.findings.find((x) => x.rule === 'BR-CL-01');
    expect(f?.message).toMatch(/the invoice says 381, which is a credit note's code/);
    expect(f?.message).toMatch(/such as 380/);
    const other = checkDocument(
      utf8(change(validInvoice(), '<cbc:InvoiceTypeCode>380', '<cbc:InvoiceTypeCode>999')),
    );
    if (!other.ok) throw new Error(other.error.message);
    expect(other.verdict.findings.find((x) => x.rule === 'BR-CL-01')?.message).toMatch(
      /the invoice says 999\.$/,
    );
    // Peppol's own rule names the code too (walk 21b: "is not allowed in Peppol billing").
    expect(other.verdict.findings.find((x) => x.rule === 'PEPPOL-EN16931-P0100')?.message).toBe(
      'Invoice type code (BT-3) is not allowed in Peppol billing: the invoice says 999.',
    );
  });

  it('BR-CL-03 / BR-CL-04 / CL007: ISO 4217 currencies', () => {
    const ids = fatal(validInvoice().replace(/EUR/g, 'EUX'));
    expect(ids).toEqual(expect.arrayContaining(['BR-CL-03', 'BR-CL-04', 'PEPPOL-EN16931-CL007']));
    expect(fatal(validInvoice().replace(/EUR/g, 'NOK'))).toEqual([]);
  });

  it('BR-CL-14: ISO 3166 country codes', () => {
    expect(
      fatal(change(validInvoice(), '>GB</cbc:IdentificationCode>', '>UK</cbc:IdentificationCode>')),
    ).toContain('BR-CL-14');
  });

  it('BR-CL-16: payment means codes', () => {
    expect(
      fatal(change(validInvoice(), '<cbc:PaymentMeansCode>30', '<cbc:PaymentMeansCode>99')),
    ).toContain('BR-CL-16');
  });

  it('BR-CL-23: UN/ECE Rec 20 unit codes', () => {
    expect(fatal(change(validInvoice(), 'unitCode="C62"', 'unitCode="MO"'))).toContain('BR-CL-23');
    expect(fatal(change(validInvoice(), 'unitCode="C62"', 'unitCode="HUR"'))).toEqual([]);
  });

  it('BR-CL-25 / CL008: electronic address schemes', () => {
    const ids = fatal(change(validInvoice(), 'schemeID="0088"', 'schemeID="9999"'));
    expect(ids).toEqual(expect.arrayContaining(['BR-CL-25', 'PEPPOL-EN16931-CL008']));
  });

  it('F001: dates must be YYYY-MM-DD and real', () => {
    expect(
      fatal(change(validInvoice(), '<cbc:DueDate>2025-05-31', '<cbc:DueDate>2025-02-30')),
    ).toContain('PEPPOL-EN16931-F001');
  });

  it('P0104..P0111: exemption reason code fixes the category', () => {
    const xml = change(
      validInvoice(),
      '<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>',
      '<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cbc:TaxExemptionReasonCode>VATEX-EU-G</cbc:TaxExemptionReasonCode>',
    );
    expect(fatal(xml)).toEqual(expect.arrayContaining(['PEPPOL-EN16931-P0104', 'BR-S-10']));
  });
});
