import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

function fatal(xml: string): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings.filter((f) => f.flag === 'fatal').map((f) => f.rule);
}

/** Change the VAT category of both the line and the breakdown. */
function category(xml: string, id: string, percent: string | null, reason = ''): string {
  const pct = percent === null ? '' : `<cbc:Percent>${percent}</cbc:Percent>`;
  return xml
    .replace(
      '<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>',
      `<cac:ClassifiedTaxCategory><cbc:ID>${id}</cbc:ID>${pct}`,
    )
    .replace(
      '<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>',
      `<cac:TaxCategory><cbc:ID>${id}</cbc:ID>${pct}${reason}`,
    );
}

describe('EN 16931 VAT category rules', () => {
  it('BR-S-09: standard rated tax must equal taxable amount × rate (within 1)', () => {
    expect(fatal(validInvoice())).toEqual([]);
    const xml = validInvoice().replace(
      /<cbc:TaxAmount currencyID="EUR">25.00<\/cbc:TaxAmount>/g,
      '<cbc:TaxAmount currencyID="EUR">27.00</cbc:TaxAmount>',
    );
    expect(fatal(xml)).toEqual(expect.arrayContaining(['BR-S-09', 'BR-CO-17']));
  });

  it('BR-S-08: taxable amount per rate must match lines, allowances and charges', () => {
    const xml = change(
      validInvoice(),
      '<cbc:TaxableAmount currencyID="EUR">100.00',
      '<cbc:TaxableAmount currencyID="EUR">102.00',
    );
    expect(fatal(xml)).toContain('BR-S-08');
  });

  it('BR-Z-05 and BR-Z-10: zero rated needs rate 0 and no exemption reason', () => {
    const zero = category(validInvoice(), 'Z', '0')
      .replace(/125\.00/g, '100.00')
      .replace(/25\.00/g, '0.00');
    expect(fatal(zero)).toEqual([]);
    expect(fatal(category(validInvoice(), 'Z', '5'))).toContain('BR-Z-05');
    const withReason = category(
      validInvoice(),
      'Z',
      '0',
      '<cbc:TaxExemptionReason>x</cbc:TaxExemptionReason>',
    );
    expect(fatal(withReason)).toContain('BR-Z-10');
  });

  // Walk 22: category Z at 21 % was told only "the rate must be 0": the category may be the
  // mistake, and the words say so.
  it("BR-Z-05's words point at the rate or the category", () => {
    const r = checkDocument(utf8(category(validInvoice(), 'Z', '21')));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.verdict.findings.find((f) => f.rule === 'BR-Z-05')?.message).toBe(
      'In an invoice line with VAT category "Zero rated" the invoiced item VAT rate (BT-152) must be 0 (zero); if the rate is right, the VAT category is not.',
    );
  });

  it('BR-E-10: exempt breakdown needs an exemption reason', () => {
    const exempt = category(validInvoice(), 'E', '0')
      .replace(/125\.00/g, '100.00')
      .replace(/25\.00/g, '0.00');
    expect(fatal(exempt)).toContain('BR-E-10');
    const ok = category(
      validInvoice(),
      'E',
      '0',
      '<cbc:TaxExemptionReasonCode>VATEX-EU-132</cbc:TaxExemptionReasonCode>',
    )
      .replace(/125\.00/g, '100.00')
      .replace(/25\.00/g, '0.00');
    expect(fatal(ok)).toEqual([]);
  });

  it('BR-AE-02: reverse charge requires seller and buyer identifiers', () => {
    const ae = category(
      validInvoice(),
      'AE',
      '0',
      '<cbc:TaxExemptionReason>Reverse charge</cbc:TaxExemptionReason>',
    )
      .replace(/125\.00/g, '100.00')
      .replace(/25\.00/g, '0.00');
    expect(fatal(ae)).toContain('BR-AE-02');
  });

  it('BR-O-02 / BR-O-05: not subject to VAT forbids VAT identifiers and rates', () => {
    const o = category(
      validInvoice(),
      'O',
      '0',
      '<cbc:TaxExemptionReason>Not subject</cbc:TaxExemptionReason>',
    );
    const ids = fatal(o);
    expect(ids).toContain('BR-O-02');
    expect(ids).toContain('BR-O-05');
  });

  it('BR-IC-11 / BR-IC-12: intra-community supply needs delivery information', () => {
    const k = category(
      validInvoice(),
      'K',
      '0',
      '<cbc:TaxExemptionReasonCode>VATEX-EU-IC</cbc:TaxExemptionReasonCode>',
    )
      .replace(/125\.00/g, '100.00')
      .replace(/25\.00/g, '0.00');
    const ids = fatal(k);
    expect(ids).toEqual(expect.arrayContaining(['BR-IC-02', 'BR-IC-11', 'BR-IC-12']));
  });
});
