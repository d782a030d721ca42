/**
 * Rule conditions re-implemented from the official test text (issue 10): each rule is shown
 * just inside and just outside its condition.
 */
import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { change, utf8, validCreditNote, validInvoice } from '../conformance/sample-documents';

function ids(xml: string, flag: 'fatal' | 'warning' = 'fatal'): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings.filter((f) => f.flag === flag).map((f) => f.rule);
}

const LINE_CAT =
  '<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>';
const SELLER_VAT =
  '<cac:PartyTaxScheme><cbc:CompanyID>GB123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>';

describe('BR-S-02: a standard rated line needs a seller tax identifier, in the VAT scheme', () => {
  it('inside: a VAT standard rated line and a seller tax identifier of any scheme', () => {
    expect(ids(validInvoice())).not.toContain('BR-S-02');
    const otherScheme = change(
      validInvoice(),
      SELLER_VAT,
      '<cac:PartyTaxScheme><cbc:CompanyID>GB123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>',
    );
    expect(ids(otherScheme)).not.toContain('BR-S-02');
  });

  it('outside: no seller tax identifier at all', () => {
    expect(ids(change(validInvoice(), SELLER_VAT, ''))).toContain('BR-S-02');
  });

  it('outside: the line category "S" is not in the VAT scheme, whatever the seller has', () => {
    const gst = change(
      validInvoice(),
      LINE_CAT,
      LINE_CAT.replace('<cbc:ID>VAT</cbc:ID>', '<cbc:ID>GST</cbc:ID>'),
    );
    expect(ids(gst)).toContain('BR-S-02');
  });
});

describe('BR-B-02: split payment excludes standard rated, on the official paths only', () => {
  const withB = (xml: string) =>
    change(
      xml,
      '<cac:LegalMonetaryTotal>',
      '<cac:WithholdingTaxTotal><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">0.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxCategory><cbc:ID>B</cbc:ID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:WithholdingTaxTotal><cac:LegalMonetaryTotal>',
    );
  it('inside: "B" only under cac:WithholdingTaxTotal is not looked at', () => {
    expect(ids(withB(validInvoice()))).not.toContain('BR-B-02');
  });
  it('outside: a second line with "B" next to the standard rated line', () => {
    const xml = validInvoice().replace(
      '</Invoice>',
      `<cac:InvoiceLine><cbc:ID>2</cbc:ID><cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">0.00</cbc:LineExtensionAmount><cac:Item><cbc:Name>X</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>B</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">0.00</cbc:PriceAmount></cac:Price></cac:InvoiceLine></Invoice>`,
    );
    expect(ids(xml)).toContain('BR-B-02');
  });
});

describe('UBL-SR-06 and UBL-SR-51', () => {
  const ref = '<cac:InvoiceDocumentReference><cbc:ID>INV-1</cbc:ID></cac:InvoiceDocumentReference>';
  it('UBL-SR-06: one preceding invoice reference per billing reference passes, two fire', () => {
    expect(ids(validCreditNote())).not.toContain('UBL-SR-06');
    const two = change(validCreditNote(), ref, ref + ref.replace('INV-1', 'INV-0'));
    expect(ids(two)).toContain('UBL-SR-06');
  });

  it('UBL-SR-51: one address line 3 passes, two fire', () => {
    const line = (t: string) => `<cac:AddressLine><cbc:Line>${t}</cbc:Line></cac:AddressLine>`;
    // cac:AddressLine comes after cbc:CountrySubentity and before cac:Country in UBL.
    const country = '<cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode>';
    const one = change(validInvoice(), country, line('Building A') + country);
    expect(ids(one)).not.toContain('UBL-SR-51');
    const two = change(validInvoice(), country, line('Building A') + line('Floor 2') + country);
    expect(ids(two)).toContain('UBL-SR-51');
  });
});

// ---------------------------------------------------------------------------------------------
// German rules: the official tests want non-blank text (`x[boolean(normalize-space(.))]`).

function german(): string {
  let xml = validInvoice();
  xml = change(
    xml,
    '<cbc:IdentificationCode>GB</cbc:IdentificationCode>',
    '<cbc:IdentificationCode>DE</cbc:IdentificationCode>',
  );
  xml = change(
    xml,
    '<cbc:IdentificationCode>FI</cbc:IdentificationCode>',
    '<cbc:IdentificationCode>DE</cbc:IdentificationCode>',
  );
  xml = change(xml, 'GB123456789', 'DE123456789');
  xml = change(
    xml,
    '<cac:PartyTaxScheme><cbc:CompanyID>DE123456789',
    '<cac:Contact><cbc:Name>Anna</cbc:Name><cbc:Telephone>+49 30 1234</cbc:Telephone><cbc:ElectronicMail>anna@seller.de</cbc:ElectronicMail></cac:Contact><cac:PartyTaxScheme><cbc:CompanyID>DE123456789',
  );
  return xml;
}

describe('German rules (DE-R-*) follow the official conditions', () => {
  it('the German base document passes every DE rule', () => {
    expect(ids(german()).filter((r) => r.startsWith('DE-R'))).toEqual([]);
    expect(ids(german(), 'warning').filter((r) => r.startsWith('DE-R'))).toEqual([]);
  });

  it('DE-R-005/006/007: a blank contact name, telephone or email is not provided', () => {
    const blankName = change(german(), '<cbc:Name>Anna</cbc:Name>', '<cbc:Name> </cbc:Name>');
    expect(ids(blankName)).toContain('DE-R-005');
    const blankPhone = change(german(), '+49 30 1234', '  ');
    expect(ids(blankPhone)).toContain('DE-R-006');
    const blankMail = change(german(), 'anna@seller.de', '\n');
    expect(ids(blankMail)).toContain('DE-R-007');
  });

  it('DE-R-003/004/008/009: blank city or post code of seller and buyer', () => {
    expect(ids(change(german(), '>London<', '> <'))).toContain('DE-R-003');
    expect(ids(change(german(), '>W1 1AA<', '> <'))).toContain('DE-R-004');
    expect(ids(change(german(), '>Stockholm<', '> <'))).toContain('DE-R-008');
    expect(ids(change(german(), '>11122<', '> <'))).toContain('DE-R-009');
  });

  it('DE-R-015: a blank buyer reference is not provided', () => {
    expect(ids(change(german(), '<cbc:BuyerReference>REF-1<', '<cbc:BuyerReference> <'))).toContain(
      'DE-R-015',
    );
  });

  it('DE-R-010/011: the deliver-to address of the document, not of a line', () => {
    const address = (city: string) =>
      `<cac:Delivery><cac:DeliveryLocation><cac:Address><cbc:CityName>${city}</cbc:CityName><cbc:PostalZone>10115</cbc:PostalZone><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:Address></cac:DeliveryLocation></cac:Delivery>`;
    const atRoot = (city: string) =>
      change(german(), '<cac:PaymentMeans>', address(city) + '<cac:PaymentMeans>');
    expect(ids(atRoot('Berlin'))).not.toContain('DE-R-010');
    expect(ids(atRoot(' '))).toContain('DE-R-010');
    const onLine = change(
      german(),
      '<cac:Item><cbc:Name>Widget',
      address(' ') + '<cac:Item><cbc:Name>Widget',
    );
    expect(ids(onLine)).not.toContain('DE-R-010');
  });

  it('DE-R-023-1: payment means code compared as a number (030 is credit transfer)', () => {
    const noAccount = (code: string) =>
      change(
        change(german(), '<cbc:PaymentMeansCode>30<', `<cbc:PaymentMeansCode>${code}<`),
        '<cac:PayeeFinancialAccount><cbc:ID>GB29NWBK60161331926819</cbc:ID></cac:PayeeFinancialAccount>',
        '',
      );
    expect(ids(noAccount('030'))).toContain('DE-R-023-1');
    expect(ids(noAccount('31'))).not.toContain('DE-R-023-1');
  });
});
