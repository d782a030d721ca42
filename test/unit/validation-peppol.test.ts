import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import type { Finding } from '../../app/validation/index';
import { change, utf8, validCreditNote, validInvoice } from '../conformance/sample-documents';

function findings(xml: string): Finding[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings;
}
function ids(xml: string, flag: 'fatal' | 'warning' = 'fatal'): string[] {
  return findings(xml)
    .filter((f) => f.flag === flag)
    .map((f) => f.rule);
}

describe('Peppol rules', () => {
  it('R001 / R004 / R007: profile and specification identifiers', () => {
    expect(ids(change(validInvoice(), 'billing:01:1.0', 'billing:1:1.0'))).toEqual([
      'PEPPOL-EN16931-R007',
    ]);
    expect(ids(change(validInvoice(), 'poacc:billing:3.0', 'poacc:billing:2.0'))).toEqual([
      'PEPPOL-EN16931-R004',
    ]);
  });

  it('R003: buyer reference or order reference', () => {
    expect(
      ids(change(validInvoice(), '<cbc:BuyerReference>REF-1</cbc:BuyerReference>', '')),
    ).toEqual(['PEPPOL-EN16931-R003']);
    const withOrder = change(
      validInvoice(),
      '<cbc:BuyerReference>REF-1</cbc:BuyerReference>',
      '<cac:OrderReference><cbc:ID>PO-1</cbc:ID></cac:OrderReference>',
    );
    expect(ids(withOrder)).toEqual([]);
  });

  it('R008: empty elements are fatal', () => {
    expect(
      ids(
        change(
          validInvoice(),
          '<cbc:BuyerReference>REF-1</cbc:BuyerReference>',
          '<cbc:BuyerReference>REF-1</cbc:BuyerReference><cbc:AccountingCost> </cbc:AccountingCost>',
        ),
      ),
    ).toContain('PEPPOL-EN16931-R008');
  });

  it('R051: all amounts in the document currency', () => {
    const f = findings(
      change(
        validInvoice(),
        '<cbc:PriceAmount currencyID="EUR">',
        '<cbc:PriceAmount currencyID="SEK">',
      ),
    );
    expect(f.find((x) => x.rule === 'PEPPOL-EN16931-R051')?.location).toBe(
      '/Invoice/cac:InvoiceLine/cac:Price/cbc:PriceAmount',
    );
  });

  it('R120: line net amount = quantity × price (± 0.02)', () => {
    expect(
      ids(
        change(
          validInvoice(),
          '<cbc:PriceAmount currencyID="EUR">50.00',
          '<cbc:PriceAmount currencyID="EUR">50.02',
        ),
      ),
    ).toContain('PEPPOL-EN16931-R120');
    expect(
      ids(
        change(
          validInvoice(),
          '<cbc:PriceAmount currencyID="EUR">50.00',
          '<cbc:PriceAmount currencyID="EUR">50.01',
        ),
      ),
    ).toEqual([]);
  });

  it('R040: allowance amount = base × percentage / 100', () => {
    const ac = (amount: string) =>
      change(
        validInvoice(),
        '<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>\n    <cac:Item>',
        `<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount><cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:AllowanceChargeReasonCode>FC</cbc:AllowanceChargeReasonCode><cbc:MultiplierFactorNumeric>10</cbc:MultiplierFactorNumeric><cbc:Amount currencyID="EUR">${amount}</cbc:Amount><cbc:BaseAmount currencyID="EUR">100.00</cbc:BaseAmount></cac:AllowanceCharge>\n    <cac:Item>`,
      );
    expect(ids(ac('10.03'))).toContain('PEPPOL-EN16931-R040');
    expect(ids(ac('10.00'))).not.toContain('PEPPOL-EN16931-R040');
  });

  it('PEPPOL-COMMON-R040..R050: identifier check digits', () => {
    expect(ids(change(validInvoice(), '7300010000001', '7300010000002'))).toEqual([
      'PEPPOL-COMMON-R040',
    ]);
    const se = change(
      validInvoice(),
      '<cbc:EndpointID schemeID="0088">7300010000001',
      '<cbc:EndpointID schemeID="0007">5560360794',
    );
    expect(ids(se)).toEqual(['PEPPOL-COMMON-R049']);
    const it = change(
      validInvoice(),
      '<cbc:EndpointID schemeID="0088">7300010000001',
      '<cbc:EndpointID schemeID="0201">ABC',
    );
    expect(ids(it, 'warning')).toEqual(['PEPPOL-COMMON-R044']);
  });

  it('R080 applies to credit notes: one project reference at most', () => {
    const ref =
      '<cac:AdditionalDocumentReference><cbc:ID>P1</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>';
    const xml = change(
      validCreditNote(),
      '<cac:AccountingSupplierParty>',
      ref + ref + '<cac:AccountingSupplierParty>',
    );
    expect(ids(xml)).toContain('PEPPOL-EN16931-R080');
  });
});
