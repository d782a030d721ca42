import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

/** Ids of the findings of one flag whose id starts with IS-R. */
function isIds(xml: string, flag: 'fatal' | 'warning' = 'fatal'): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings
    .filter((f) => f.flag === flag && f.rule.startsWith('IS-R'))
    .map((f) => f.rule)
    .sort();
}

/** A valid invoice from an Icelandic seller (kennitala 0196, street and post code given). */
function icelandic(): string {
  return change(
    change(
      validInvoice(),
      '<cbc:IdentificationCode>GB</cbc:IdentificationCode>',
      '<cbc:IdentificationCode>IS</cbc:IdentificationCode>',
    ),
    '<cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity>',
    '<cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName><cbc:CompanyID schemeID="0196">5902697199</cbc:CompanyID></cac:PartyLegalEntity>',
  );
}

const MEANS_30 =
  '<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>GB29NWBK60161331926819</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>';
const means = (code: string, account: string | null) =>
  `<cac:PaymentMeans><cbc:PaymentMeansCode>${code}</cbc:PaymentMeansCode>${
    account === null
      ? ''
      : `<cac:PayeeFinancialAccount><cbc:ID>${account}</cbc:ID></cac:PayeeFinancialAccount>`
  }</cac:PaymentMeans>`;
const withMeans = (xml: string, m: string) => change(xml, MEANS_30, m);
/** Add an EINDAGI reference (after BuyerReference, where AdditionalDocumentReference belongs). */
const withEindagi = (xml: string, id: string) =>
  change(
    xml,
    '<cbc:BuyerReference>REF-1</cbc:BuyerReference>',
    `<cbc:BuyerReference>REF-1</cbc:BuyerReference><cac:AdditionalDocumentReference><cbc:ID>${id}</cbc:ID><cbc:DocumentDescription>EINDAGI</cbc:DocumentDescription></cac:AdditionalDocumentReference>`,
  );

describe('Icelandic rules IS-R-006..010 (Peppol BIS 3.0.19)', () => {
  it('the Icelandic base invoice passes every IS rule', () => {
    expect(isIds(icelandic())).toEqual([]);
    expect(isIds(icelandic(), 'warning')).toEqual([]);
  });

  it('IS-R-006: payment means 9 needs a 12-character account', () => {
    expect(isIds(withMeans(icelandic(), means('9', '0101 66 123456'.replace(/ /g, ''))))).toEqual(
      [],
    );
    // normalize-space: surrounding blanks do not count.
    expect(isIds(withMeans(icelandic(), means('9', '  010166123456  ')))).not.toContain('IS-R-006');
    expect(isIds(withMeans(icelandic(), means('9', '01016612345')))).toContain('IS-R-006');
    expect(isIds(withMeans(icelandic(), means('9', null)))).toContain('IS-R-006');
  });

  it('IS-R-007: payment means 42 needs a 12-character account', () => {
    expect(isIds(withMeans(icelandic(), means('42', '010126123456')))).toEqual([]);
    expect(isIds(withMeans(icelandic(), means('42', 'IS140159260076545510730339')))).toEqual([
      'IS-R-007',
    ]);
  });

  it('IS-R-006/007 apply to Icelandic sellers only', () => {
    expect(isIds(withMeans(validInvoice(), means('42', '123')))).toEqual([]);
  });

  it('IS-R-008: EINDAGI must be a date YYYY-MM-DD', () => {
    expect(isIds(withEindagi(icelandic(), '2025-06-15'))).toEqual([]);
    expect(isIds(withEindagi(icelandic(), '15.06.2025'))).toContain('IS-R-008');
    expect(isIds(withEindagi(icelandic(), '2025-02-30'))).toContain('IS-R-008');
  });

  it('IS-R-009: an invoice with EINDAGI must have a due date (BT-9)', () => {
    const noDue = change(icelandic(), '<cbc:DueDate>2025-05-31</cbc:DueDate>', '');
    expect(isIds(noDue)).toEqual([]);
    expect(isIds(withEindagi(noDue, '2025-06-15'))).toEqual(['IS-R-009', 'IS-R-010']);
  });

  it('IS-R-010: EINDAGI on or after the due date', () => {
    expect(isIds(withEindagi(icelandic(), '2025-05-31'))).toEqual([]);
    expect(isIds(withEindagi(icelandic(), '2025-05-30'))).toEqual(['IS-R-010']);
  });
});
