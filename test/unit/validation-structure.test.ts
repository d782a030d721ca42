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
    // In business words (a walk read "cbc:ID" as jargon; other missing elements had their term).
    expect(f[0]?.message).toBe('Invoice must contain Invoice number (BT-1).');
  });

  it('XSD-DATATYPE / XSD-ATTRIBUTE: malformed dates and amounts', () => {
    const date = change(validInvoice(), '<cbc:IssueDate>2025-05-01', '<cbc:IssueDate>01.05.2025');
    expect(findings(date).map((x) => x.rule)).toEqual(
      expect.arrayContaining(['XSD-DATATYPE', 'PEPPOL-EN16931-F001']),
    );
    expect(findings(date).find((x) => x.rule === 'XSD-DATATYPE')?.message).toBe(
      'Invoice issue date (BT-2) "01.05.2025" is not a valid date; use YYYY-MM-DD.',
    );
    // Written right, but a day that does not exist: the message does not blame the format.
    const noSuchDay = change(
      validInvoice(),
      '<cbc:IssueDate>2025-05-01',
      '<cbc:IssueDate>2025-11-31',
    );
    expect(findings(noSuchDay).find((x) => x.rule === 'XSD-DATATYPE')?.message).toBe(
      'Invoice issue date (BT-2) "2025-11-31" is not a day of the calendar.',
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

  describe('deep inside aggregates (the whole UBL 2.1 schema)', () => {
    const schema = (xml: string) => findings(xml).filter((x) => x.rule.startsWith('XSD-'));

    it('payment mandate: the mandate reference must come before the payer account', () => {
      const ok = change(
        validInvoice(),
        '</cac:PayeeFinancialAccount></cac:PaymentMeans>',
        '</cac:PayeeFinancialAccount><cac:PaymentMandate><cbc:ID>M-1</cbc:ID><cac:PayerFinancialAccount><cbc:ID>NO1234</cbc:ID></cac:PayerFinancialAccount></cac:PaymentMandate></cac:PaymentMeans>',
      );
      expect(schema(ok)).toEqual([]);
      const swapped = ok.replace(
        '<cbc:ID>M-1</cbc:ID><cac:PayerFinancialAccount><cbc:ID>NO1234</cbc:ID></cac:PayerFinancialAccount>',
        '<cac:PayerFinancialAccount><cbc:ID>NO1234</cbc:ID></cac:PayerFinancialAccount><cbc:ID>M-1</cbc:ID>',
      );
      expect(schema(swapped)).toEqual([
        expect.objectContaining({
          rule: 'XSD-ELEMENT-ORDER',
          location: '/Invoice/cac:PaymentMeans/cac:PaymentMandate/cbc:ID',
          message:
            'cbc:ID is in the wrong place inside cac:PaymentMandate (direct debit, BG-19); it must come before cac:PayerFinancialAccount.',
        }),
      ]);
    });

    it('party legal entity: the company identifier after the registration name', () => {
      const xml = change(
        validInvoice(),
        '<cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity>',
        '<cac:PartyLegalEntity><cbc:CompanyID>123</cbc:CompanyID><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity>',
      );
      expect(schema(xml).map((x) => [x.rule, x.location])).toEqual([
        [
          'XSD-ELEMENT-ORDER',
          '/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName',
        ],
      ]);
    });

    it('billing reference: the invoice reference comes first, and only once', () => {
      const ref = (id: string) =>
        `<cac:InvoiceDocumentReference><cbc:ID>${id}</cbc:ID></cac:InvoiceDocumentReference>`;
      const add = (inner: string) =>
        change(
          validInvoice(),
          '<cac:AccountingSupplierParty>',
          `<cac:BillingReference>${inner}</cac:BillingReference><cac:AccountingSupplierParty>`,
        );
      expect(schema(add(ref('A')))).toEqual([]);
      const other =
        '<cac:AdditionalDocumentReference><cbc:ID>X</cbc:ID></cac:AdditionalDocumentReference>';
      expect(schema(add(other + ref('A'))).map((x) => x.rule)).toEqual(['XSD-ELEMENT-ORDER']);
      expect(schema(add(ref('A') + ref('B')))).toEqual([
        expect.objectContaining({
          rule: 'XSD-TOO-MANY',
          message:
            'cac:BillingReference (preceding invoice reference, BG-3) may contain cac:InvoiceDocumentReference only once.',
        }),
      ]);
    });

    it('an attachment must state its MIME code and hold base64', () => {
      const doc = (attrs: string, content: string) =>
        change(
          validInvoice(),
          '<cac:AccountingSupplierParty>',
          `<cac:AdditionalDocumentReference><cbc:ID>A1</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject${attrs}>${content}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference><cac:AccountingSupplierParty>`,
        );
      expect(schema(doc(' mimeCode="application/pdf" filename="a.pdf"', 'JVBERi0x\nLjQ='))).toEqual(
        [],
      );
      expect(schema(doc(' filename="a.pdf"', 'JVBERi0x'))).toEqual([
        expect.objectContaining({
          rule: 'XSD-ATTRIBUTE',
          message:
            'cbc:EmbeddedDocumentBinaryObject must state its file type (mimeCode attribute).',
        }),
      ]);
      expect(schema(doc(' mimeCode="application/pdf"', 'not base64!')).map((x) => x.rule)).toEqual([
        'XSD-DATATYPE',
      ]);
    });

    it('amounts need a currency, measures a unit; quantities may leave the unit out', () => {
      const measure = change(
        validInvoice(),
        '</cac:ClassifiedTaxCategory>',
        '</cac:ClassifiedTaxCategory><cac:Dimension><cbc:AttributeID>W</cbc:AttributeID><cbc:Measure>2</cbc:Measure></cac:Dimension>',
      );
      expect(schema(measure)).toEqual([
        expect.objectContaining({
          rule: 'XSD-ATTRIBUTE',
          message: 'cbc:Measure must state its unit of measure (unitCode attribute).',
        }),
      ]);
      expect(schema(validInvoice().replace(' unitCode="C62"', ''))).toEqual([]);
      expect(
        schema(
          validInvoice().replace('<cbc:PayableAmount currencyID="EUR">', '<cbc:PayableAmount>'),
        ),
      ).toEqual([expect.objectContaining({ rule: 'XSD-ATTRIBUTE' })]);
    });

    it('times, indicators and empty numbers are checked against their data type', () => {
      const time = (t: string) =>
        change(validInvoice(), '<cbc:DueDate>', `<cbc:IssueTime>${t}</cbc:IssueTime><cbc:DueDate>`);
      expect(schema(time('12:30:00'))).toEqual([]);
      expect(schema(time('24:00:00'))).toEqual([]);
      expect(schema(time('12:30:00+01:00'))).toEqual([]);
      expect(schema(time('25:00:00')).map((x) => x.rule)).toEqual(['XSD-DATATYPE']);
      expect(schema(time('12:30')).map((x) => x.rule)).toEqual(['XSD-DATATYPE']);
      const empty = change(
        validInvoice(),
        '<cbc:PayableAmount currencyID="EUR">125.00',
        '<cbc:PayableAmount currencyID="EUR">',
      );
      expect(schema(empty).map((x) => x.rule)).toEqual(['XSD-DATATYPE']);
      const indicator = change(
        validInvoice(),
        '<cbc:Name>Widget</cbc:Name>',
        '<cbc:CatalogueIndicator>yes</cbc:CatalogueIndicator><cbc:Name>Widget</cbc:Name>',
      );
      expect(schema(indicator).map((x) => x.rule)).toEqual(['XSD-DATATYPE']);
    });

    it('follows UBL 2.1 where the old partial table was stricter: a credit note line may omit the item', () => {
      const xml = validCreditNote().replace(/<cac:Item>[\s\S]*?<\/cac:Item>/, '');
      expect(schema(xml)).toEqual([]);
    });
  });
});
