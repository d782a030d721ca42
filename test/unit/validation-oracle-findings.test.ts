import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

/**
 * Regression tests for disagreements with the official rules (Peppol BIS 3.0.19 Schematron run on
 * Saxon) found by differential testing (test/oracle/). Each case has a document just inside and
 * one just outside the official condition.
 */

function ids(xml: string, flag: 'fatal' | 'warning' = 'fatal'): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings.filter((f) => f.flag === flag).map((f) => f.rule);
}

/** A valid invoice between a German seller and a German buyer. */
export function germanInvoice(): string {
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
  xml = change(
    xml,
    '<cbc:CompanyID>GB123456789</cbc:CompanyID>',
    '<cbc:CompanyID>DE123456789</cbc:CompanyID>',
  );
  xml = change(
    xml,
    '<cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity>',
    '<cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity><cac:Contact><cbc:Name>Erika Muster</cbc:Name><cbc:Telephone>+49 30 1234567</cbc:Telephone><cbc:ElectronicMail>rechnung@example.de</cbc:ElectronicMail></cac:Contact>',
  );
  return xml;
}

/** A valid invoice between a Danish seller and a Danish buyer, paid by Giro (50). */
export function danishInvoice(account = '1234567', reasonXml = ''): string {
  let xml = validInvoice();
  xml = change(
    xml,
    '<cbc:IdentificationCode>GB</cbc:IdentificationCode>',
    '<cbc:IdentificationCode>DK</cbc:IdentificationCode>',
  );
  xml = change(
    xml,
    '<cbc:IdentificationCode>FI</cbc:IdentificationCode>',
    '<cbc:IdentificationCode>DK</cbc:IdentificationCode>',
  );
  xml = change(
    xml,
    '<cbc:CompanyID>GB123456789</cbc:CompanyID>',
    '<cbc:CompanyID>DK12345678</cbc:CompanyID>',
  );
  xml = change(
    xml,
    '<cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity>',
    '<cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName><cbc:CompanyID schemeID="0184">DK12345678</cbc:CompanyID></cac:PartyLegalEntity>',
  );
  xml = change(
    xml,
    '<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>GB29NWBK60161331926819</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>',
    `<cac:PaymentMeans><cbc:PaymentMeansCode>50</cbc:PaymentMeansCode><cbc:PaymentID>01#123</cbc:PaymentID><cac:PayeeFinancialAccount><cbc:ID>${account}</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>${reasonXml}`,
  );
  return xml;
}

function danishTax(reason: string): string {
  return danishInvoice(
    '1234567',
    `<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:AllowanceChargeReasonCode>ZZZ</cbc:AllowanceChargeReasonCode><cbc:AllowanceChargeReason>${reason}</cbc:AllowanceChargeReason><cbc:Amount currencyID="EUR">0.00</cbc:Amount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>`,
  );
}

function withPaymentTermsNote(note: string): string {
  return change(
    germanInvoice(),
    '</cac:PaymentMeans>',
    `</cac:PaymentMeans><cac:PaymentTerms><cbc:Note>${note}</cbc:Note></cac:PaymentTerms>`,
  );
}

describe('agreement with the official rules (differential findings)', () => {
  it('the German base document is valid', () => {
    expect(ids(germanInvoice())).toEqual([]);
  });

  it('normalize-space strips XML whitespace only: a no-break space is content (PEPPOL-EN16931-R008)', () => {
    const note = (text: string) =>
      change(
        validInvoice(),
        '<cbc:DocumentCurrencyCode>',
        `<cbc:Note>${text}</cbc:Note><cbc:DocumentCurrencyCode>`,
      );
    expect(ids(note('\u00a0'))).not.toContain('PEPPOL-EN16931-R008');
    expect(ids(note(' \u00a0 '))).not.toContain('PEPPOL-EN16931-R008');
    expect(ids(note(' \t\n '))).toContain('PEPPOL-EN16931-R008');
  });

  it('DE-R-018: every payment-terms line starting with # must be a #SKONTO# entry ending the line', () => {
    expect(ids(withPaymentTermsNote('#SKONTO#TAGE=14#PROZENT=2.00#\n'))).toEqual([]);
    expect(
      ids(
        withPaymentTermsNote(
          'Zahlbar in 30 Tagen\n#SKONTO#TAGE=7#PROZENT=3.00#BASISBETRAG=100.00#\n',
        ),
      ),
    ).toEqual([]);
    // No '#' line at all: nothing to check.
    expect(ids(withPaymentTermsNote('Zahlbar in 30 Tagen'))).toEqual([]);
    // #VERZUG# is not in the official pattern; any other '#' line fails too.
    expect(ids(withPaymentTermsNote('#VERZUG#TAGE=14#PROZENT=2.00#\n'))).toContain('DE-R-018');
    expect(ids(withPaymentTermsNote('#SKONTO#TAGE=14#PROZENT=2.00#\n# note\n'))).toContain(
      'DE-R-018',
    );
    // The entry must be followed by a line break.
    expect(ids(withPaymentTermsNote('#SKONTO#TAGE=14#PROZENT=2.00#'))).toContain('DE-R-018');
  });

  it('DE-R-030: the SEPA creditor id must belong to the seller or the payee, not the buyer', () => {
    const mandate = change(
      germanInvoice(),
      '<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>GB29NWBK60161331926819</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>',
      '<cac:PaymentMeans><cbc:PaymentMeansCode>59</cbc:PaymentMeansCode><cac:PaymentMandate><cbc:ID>M-1</cbc:ID><cac:PayerFinancialAccount><cbc:ID>DE89370400440532013000</cbc:ID></cac:PayerFinancialAccount></cac:PaymentMandate></cac:PaymentMeans>',
    );
    const sepa =
      '<cac:PartyIdentification><cbc:ID schemeID="SEPA">DE98ZZZ09999999999</cbc:ID></cac:PartyIdentification>';
    const onSeller = change(
      mandate,
      '<cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID>',
      `<cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID>${sepa}`,
    );
    const onBuyer = change(
      mandate,
      '<cbc:EndpointID schemeID="0184">DK12345678</cbc:EndpointID>',
      `<cbc:EndpointID schemeID="0184">DK12345678</cbc:EndpointID>${sepa}`,
    );
    expect(ids(onSeller)).not.toContain('DE-R-030');
    expect(ids(onBuyer)).toContain('DE-R-030');
  });

  it('DE-R-022: attachment file names compare exactly, empty names included', () => {
    const attach = (a: string, b: string) =>
      change(
        germanInvoice(),
        '<cac:AccountingSupplierParty>',
        `<cac:AdditionalDocumentReference><cbc:ID>A1</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="${a}">JVBERi0xLjQK</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference><cac:AdditionalDocumentReference><cbc:ID>A2</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="${b}">JVBERi0xLjQK</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference><cac:AccountingSupplierParty>`,
      );
    expect(ids(attach('a.pdf', 'b.pdf'))).not.toContain('DE-R-022');
    expect(ids(attach('a.pdf', 'a.pdf'))).toContain('DE-R-022');
    expect(ids(attach('', ''))).toContain('DE-R-022');
  });

  it('DE-R-028: the seller e-mail local part may contain \'"\' but not "\'"', () => {
    const mail = (m: string) => change(germanInvoice(), 'rechnung@example.de', m);
    expect(ids(mail('rechnung@example.de'), 'warning')).not.toContain('DE-R-028');
    expect(ids(mail('a"b@example.de'), 'warning')).not.toContain('DE-R-028');
    expect(ids(mail("o'neil@example.de"), 'warning')).toContain('DE-R-028');
  });

  it('DK-R-008: the Giro account number is 7 or 8 digits', () => {
    expect(ids(danishInvoice('1234567'))).not.toContain('DK-R-008');
    expect(ids(danishInvoice('12345678'))).not.toContain('DK-R-008');
    expect(ids(danishInvoice('123456A'))).toContain('DK-R-008');
    expect(ids(danishInvoice('123456'))).toContain('DK-R-008');
  });

  it('DK-R-004: a ZZZ charge reason is a 4-digit tax category or contains an inner #', () => {
    expect(ids(danishTax('1234'))).not.toContain('DK-R-004');
    expect(ids(danishTax('ab#cd'))).not.toContain('DK-R-004');
    expect(ids(danishTax('1234#'))).toContain('DK-R-004');
    expect(ids(danishTax('#1234'))).toContain('DK-R-004');
    expect(ids(danishTax('12345'))).toContain('DK-R-004');
  });

  it('DE-R-026: type code 384 is compared as a number', () => {
    const typed = (code: string) =>
      change(
        germanInvoice(),
        '<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>',
        `<cbc:InvoiceTypeCode>${code}</cbc:InvoiceTypeCode>`,
      );
    expect(ids(typed('380'), 'warning')).not.toContain('DE-R-026');
    expect(ids(typed('384'), 'warning')).toContain('DE-R-026');
    expect(ids(typed(' 384 '), 'warning')).toContain('DE-R-026');
    // DE-R-017 compares the code as a string: with spaces it is not one of the German codes.
    expect(ids(typed('380'), 'warning')).not.toContain('DE-R-017');
    expect(ids(typed(' 384 '), 'warning')).toContain('DE-R-017');
  });
});
