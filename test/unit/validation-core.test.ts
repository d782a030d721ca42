import { describe, expect, it } from 'vitest';
import { checkDocument, RULESET_VERSION } from '../../app/validation/index';
import type { Finding } from '../../app/validation/index';
import { change, utf8, validCreditNote, validInvoice } from '../conformance/sample-documents';

function findings(xml: string): Finding[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings;
}
function fatal(xml: string): string[] {
  return findings(xml)
    .filter((f) => f.flag === 'fatal')
    .map((f) => f.rule);
}

describe('EN 16931 core rules', () => {
  it('passes the sample invoice and credit note with the named rule set', () => {
    const r = checkDocument(utf8(validInvoice()));
    expect(r.ok && r.verdict).toEqual({ ruleset: RULESET_VERSION, valid: true, findings: [] });
    expect(fatal(validCreditNote())).toEqual([]);
    expect(RULESET_VERSION).toBe('Peppol BIS 3.0.19 / EN 16931 1.3.14.1');
  });

  it('BR-14: a missing total with VAT is named in plain language with its location', () => {
    const xml = change(
      validInvoice(),
      '<cbc:TaxInclusiveAmount currencyID="EUR">125.00</cbc:TaxInclusiveAmount>',
      '',
    );
    const f = findings(xml).find((x) => x.rule === 'BR-14');
    expect(f).toMatchObject({
      flag: 'fatal',
      message: 'Invoice total amount with VAT (BT-112) is missing.',
      location: '/Invoice/cac:LegalMonetaryTotal',
    });
  });

  it('BR-CO-10: sum of line amounts must match, with decimal rounding', () => {
    expect(
      fatal(
        change(
          validInvoice(),
          '<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>\n    <cbc:TaxExclusiveAmount',
          '<cbc:LineExtensionAmount currencyID="EUR">100.01</cbc:LineExtensionAmount>\n    <cbc:TaxExclusiveAmount',
        ),
      ),
    ).toContain('BR-CO-10');
  });

  it('BR-CO-15 and BR-CO-16: totals with VAT and amount due', () => {
    const wrongIncl = change(
      validInvoice(),
      '<cbc:TaxInclusiveAmount currencyID="EUR">125.00',
      '<cbc:TaxInclusiveAmount currencyID="EUR">126.00',
    );
    const ids = fatal(wrongIncl);
    expect(ids).toContain('BR-CO-15');
    expect(ids).toContain('BR-CO-16');
    const prepaid = change(
      validInvoice(),
      '<cbc:PayableAmount currencyID="EUR">125.00</cbc:PayableAmount>',
      '<cbc:PrepaidAmount currencyID="EUR">25.00</cbc:PrepaidAmount><cbc:PayableAmount currencyID="EUR">100.00</cbc:PayableAmount>',
    );
    expect(fatal(prepaid)).not.toContain('BR-CO-16');
  });

  // Walk 25 B4: with the currency code written "eur" and the amounts in EUR, BR-CO-15 failed (as
  // the official rule does: no VAT total in the document's currency) without a word of why, its
  // sums adding up on paper.
  it('BR-CO-15 says when there is no VAT total in the invoice currency', () => {
    const invoice = validInvoice();
    const lower = invoice.replace(
      /<cbc:DocumentCurrencyCode>EUR<\/cbc:DocumentCurrencyCode>/,
      '<cbc:DocumentCurrencyCode>eur</cbc:DocumentCurrencyCode>',
    );
    expect(lower).not.toBe(invoice);
    const co15 = findings(lower).find((f) => f.rule === 'BR-CO-15');
    expect(co15?.message).toMatch(
      /: the invoice has no VAT total \(BT-110\) in its currency eur \(its VAT total is in EUR\), so its total with VAT 125\.00 cannot be checked against its total without VAT 100\.00\.$/,
    );
  });

  it('BR-CO-25: a positive amount due needs a due date or payment terms', () => {
    expect(fatal(change(validInvoice(), '<cbc:DueDate>2025-05-31</cbc:DueDate>', ''))).toContain(
      'BR-CO-25',
    );
    expect(
      fatal(
        change(validInvoice(), '<cbc:DueDate>2025-05-31</cbc:DueDate>', '').replace(
          '<cac:TaxTotal>',
          '<cac:PaymentTerms><cbc:Note>30 days</cbc:Note></cac:PaymentTerms><cac:TaxTotal>',
        ),
      ),
    ).not.toContain('BR-CO-25');
  });

  it('BR-29 / BR-CO-19: invoicing period dates', () => {
    const period = (inner: string) =>
      change(
        validInvoice(),
        '<cac:AccountingSupplierParty>',
        `<cac:InvoicePeriod>${inner}</cac:InvoicePeriod><cac:AccountingSupplierParty>`,
      );
    expect(
      fatal(
        period('<cbc:StartDate>2025-05-02</cbc:StartDate><cbc:EndDate>2025-05-01</cbc:EndDate>'),
      ),
    ).toContain('BR-29');
    expect(
      fatal(
        period('<cbc:StartDate>2025-05-01</cbc:StartDate><cbc:EndDate>2025-05-31</cbc:EndDate>'),
      ),
    ).toEqual([]);
  });

  it('BR-27 / BR-DEC-23: line price and decimals', () => {
    expect(
      fatal(
        change(
          validInvoice(),
          '<cbc:PriceAmount currencyID="EUR">50.00',
          '<cbc:PriceAmount currencyID="EUR">-50.00',
        ),
      ),
    ).toContain('BR-27');
    const ids = fatal(
      validInvoice().replace(
        /<cbc:LineExtensionAmount currencyID="EUR">100.00<\/cbc:LineExtensionAmount>/g,
        '<cbc:LineExtensionAmount currencyID="EUR">100.001</cbc:LineExtensionAmount>',
      ),
    );
    expect(ids).toContain('BR-DEC-23');
    expect(ids).toContain('BR-DEC-09');
  });

  it('BR-31..33 / BR-CO-11: document level allowances', () => {
    const xml = change(
      validInvoice(),
      '<cac:TaxTotal>',
      '<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:Amount currencyID="EUR">10.00</cbc:Amount></cac:AllowanceCharge><cac:TaxTotal>',
    );
    const ids = fatal(xml);
    expect(ids).toEqual(expect.arrayContaining(['BR-32', 'BR-33', 'BR-CO-11', 'BR-CO-21']));
    expect(ids).not.toContain('BR-31');
  });
});
