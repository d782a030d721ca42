import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

function ids(xml: string, flag: 'fatal' | 'warning' = 'fatal'): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings.filter((f) => f.flag === flag).map((f) => f.rule);
}

/** Move the seller (and optionally the buyer) to a country. */
function seller(country: string, vat: string): string {
  return change(
    change(
      validInvoice(),
      '<cbc:IdentificationCode>GB</cbc:IdentificationCode>',
      `<cbc:IdentificationCode>${country}</cbc:IdentificationCode>`,
    ),
    '<cbc:CompanyID>GB123456789</cbc:CompanyID>',
    `<cbc:CompanyID>${vat}</cbc:CompanyID>`,
  );
}
function buyer(xml: string, country: string): string {
  return change(
    xml,
    '<cbc:IdentificationCode>FI</cbc:IdentificationCode>',
    `<cbc:IdentificationCode>${country}</cbc:IdentificationCode>`,
  );
}

describe('national rules', () => {
  it('NO-R-001 / NO-R-002: Norwegian VAT number and Foretaksregisteret', () => {
    expect(ids(seller('NO', 'NO123456785MVA'))).toEqual([]);
    expect(ids(seller('NO', 'NO123456785MVA'), 'warning')).toEqual(['NO-R-002']);
    expect(ids(seller('NO', 'NO123456789MVA'))).toEqual(['NO-R-001']);
  });

  it('DK-R-002 / DK-R-005: Danish seller needs CVR; domestic payment means are restricted', () => {
    const dk = buyer(seller('DK', 'DK12345678'), 'DK');
    expect(ids(dk)).toEqual(expect.arrayContaining(['DK-R-002']));
    const dkMeans = change(dk, '<cbc:PaymentMeansCode>30', '<cbc:PaymentMeansCode>30');
    expect(ids(dkMeans)).toContain('DK-R-005');
  });

  it('SE-R-001 / SE-R-006: Swedish VAT number length and rates', () => {
    expect(ids(seller('SE', 'SE556036079301'))).toEqual([]);
    expect(ids(seller('SE', 'SE5560360793'))).toContain('SE-R-001');
    const rate = seller('SE', 'SE556036079301').replace(
      /<cbc:Percent>25<\/cbc:Percent>/g,
      '<cbc:Percent>20</cbc:Percent>',
    );
    expect(ids(rate)).toContain('SE-R-006');
  });

  it('IT-R-002..004: Italian seller address', () => {
    const xml = seller('IT', 'IT12345678903').replace(
      '<cbc:StreetName>Main street 1</cbc:StreetName>',
      '',
    );
    expect(ids(xml)).toContain('IT-R-002');
  });

  it('NL-R-003: Dutch legal entity must be KVK or OIN', () => {
    const xml = change(
      seller('NL', 'NL123456789B01'),
      '<cbc:RegistrationName>Seller Ltd</cbc:RegistrationName>',
      '<cbc:RegistrationName>Seller Ltd</cbc:RegistrationName><cbc:CompanyID schemeID="0088">7300010000001</cbc:CompanyID>',
    );
    expect(ids(xml)).toContain('NL-R-003');
  });

  it('GR-R-001-1: Greek invoice number must have six segments', () => {
    expect(ids(seller('GR', 'EL123456783'))).toContain('GR-R-001-1');
  });

  it('DE-R-001 / DE-R-015 only between German seller and buyer', () => {
    const de = buyer(seller('DE', 'DE123456789'), 'DE');
    expect(ids(de)).toEqual(expect.arrayContaining(['DE-R-002']));
    expect(ids(seller('DE', 'DE123456789'))).toEqual([]);
  });
});
