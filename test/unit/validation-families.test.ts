import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

/** Rule ids of one flag starting with `prefix`. */
function ids(xml: string, prefix: string, flag: 'fatal' | 'warning' = 'fatal'): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return [
    ...new Set(
      r.verdict.findings
        .filter((f) => f.flag === flag && f.rule.startsWith(prefix))
        .map((f) => f.rule),
    ),
  ].sort();
}

/** Change the VAT category (and rate) of both the line and the breakdown. */
function category(xml: string, id: string, percent: string | null, reason = ''): string {
  const pct = percent === null ? '' : `<cbc:Percent>${percent}</cbc:Percent>`;
  return change(
    change(
      xml,
      '<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>',
      `<cac:ClassifiedTaxCategory><cbc:ID>${id}</cbc:ID>${pct}`,
    ),
    '<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>',
    `<cac:TaxCategory><cbc:ID>${id}</cbc:ID>${pct}${reason}`,
  );
}

/** The sample invoice with no VAT charged (totals adjusted). */
function withoutVat(xml: string): string {
  return xml.replace(/125\.00/g, '100.00').replace(/25\.00/g, '0.00');
}

describe('rule families: one case that passes and one that fails each', () => {
  it('BR-G (export outside the EU)', () => {
    const g = withoutVat(
      category(
        validInvoice(),
        'G',
        '0',
        '<cbc:TaxExemptionReason>Export outside the EU</cbc:TaxExemptionReason>',
      ),
    );
    expect(ids(g, 'BR-G-')).toEqual([]);
    expect(ids(category(validInvoice(), 'G', '25'), 'BR-G-')).toEqual(
      expect.arrayContaining(['BR-G-05']),
    );
  });

  it('BR-AF (IGIC, Canary Islands)', () => {
    expect(ids(category(validInvoice(), 'L', '25'), 'BR-AF-')).toEqual([]);
    expect(ids(category(validInvoice(), 'L', null), 'BR-AF-').length).toBeGreaterThan(0);
  });

  it('BR-AG (IPSI, Ceuta and Melilla)', () => {
    expect(ids(category(validInvoice(), 'M', '25'), 'BR-AG-')).toEqual([]);
    expect(ids(category(validInvoice(), 'M', null), 'BR-AG-').length).toBeGreaterThan(0);
  });

  it('BR-B (split payment, Italy)', () => {
    const split = category(validInvoice(), 'B', '25');
    const italian = split.replace(
      /<cbc:IdentificationCode>[A-Z]{2}<\/cbc:IdentificationCode>/g,
      '<cbc:IdentificationCode>IT</cbc:IdentificationCode>',
    );
    expect(ids(italian, 'BR-B-')).toEqual([]);
    expect(ids(split, 'BR-B-')).toEqual(['BR-B-01']);
  });

  it('BR-DEC (at most two decimals in the totals)', () => {
    expect(ids(validInvoice(), 'BR-DEC-')).toEqual([]);
    const xml = change(
      validInvoice(),
      '<cbc:PayableAmount currencyID="EUR">125.00</cbc:PayableAmount>',
      '<cbc:PayableAmount currencyID="EUR">125.001</cbc:PayableAmount>',
    );
    expect(ids(xml, 'BR-DEC-')).toEqual(['BR-DEC-18']);
  });

  it('UBL-DT-08..28 (attributes Peppol does not use): each fires on its own attribute', () => {
    expect(ids(validInvoice(), 'UBL-DT-', 'warning')).toEqual([]);
    const attributes: [string, string][] = [
      ['UBL-DT-08', 'schemeName'],
      ['UBL-DT-09', 'schemeAgencyName'],
      ['UBL-DT-10', 'schemeDataURI'],
      ['UBL-DT-11', 'schemeURI'],
      ['UBL-DT-12', 'format'],
      ['UBL-DT-13', 'unitCodeListIdentifier'],
      ['UBL-DT-14', 'unitCodeListAgencyIdentifier'],
      ['UBL-DT-15', 'unitCodeListAgencyName'],
      ['UBL-DT-16', 'listAgencyName'],
      ['UBL-DT-17', 'listName'],
      ['UBL-DT-18', 'name'],
      ['UBL-DT-19', 'languageID'],
      ['UBL-DT-20', 'listURI'],
      ['UBL-DT-21', 'listSchemeURI'],
      ['UBL-DT-22', 'languageLocaleID'],
      ['UBL-DT-23', 'uri'],
      ['UBL-DT-24', 'currencyCodeListVersionID'],
      ['UBL-DT-25', 'characterSetCode'],
      ['UBL-DT-26', 'encodingCode'],
      ['UBL-DT-27', 'schemeAgencyID'],
      ['UBL-DT-28', 'listAgencyID'],
    ];
    for (const [id, attribute] of attributes) {
      const xml = change(
        validInvoice(),
        '<cbc:BuyerReference>',
        `<cbc:BuyerReference ${attribute}="x">`,
      );
      expect(ids(xml, 'UBL-DT-', 'warning'), attribute).toEqual([id]);
    }
    // UBL-DT-18: "name" is allowed on the payment means code.
    const onMeans = change(
      validInvoice(),
      '<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>',
      '<cbc:PaymentMeansCode name="Credit transfer">30</cbc:PaymentMeansCode>',
    );
    expect(ids(onMeans, 'UBL-DT-', 'warning')).toEqual([]);
  });
});
