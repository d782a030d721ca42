/**
 * The totals rules say which amount is off in the document's own figures (walk 13: the rule's
 * words alone left the clerk to redo the sums), for invoices and credit notes alike; a value
 * that is not a number gives the rule's words alone, and the verdict is the rule's either way.
 */
import { describe, expect, it } from 'vitest';
import { checkDocument, type Finding } from '../../app/validation/index';
import { validationFailed } from '../../app/domain/problems';
import { change, utf8, validCreditNote, validInvoice } from '../conformance/sample-documents';

function finding(xml: string, rule: string): Finding {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  const f = r.verdict.findings.find((x) => x.rule === rule);
  if (!f) throw new Error(`${rule} did not fire: ${r.verdict.findings.map((x) => x.rule)}`);
  return f;
}

const PAYABLE = '<cbc:PayableAmount currencyID="EUR">125.00</cbc:PayableAmount>';

describe('the figures of the totals rules', () => {
  it('BR-CO-16: what is due against total with VAT − paid + rounding', () => {
    const xml = change(validInvoice(), PAYABLE, PAYABLE.replace('125.00', '124.99'));
    const f = finding(xml, 'BR-CO-16');
    expect(f.message).toBe(
      'Amount due for payment (BT-115) must equal invoice total with VAT (BT-112) minus paid amount (BT-113) plus rounding amount (BT-114): the invoice says 124.99; total with VAT 125.00 − paid 0.00 + rounding 0.00 = 125.00.',
    );
    // The row's reason carries them too.
    expect(validationFailed([f]).message).toContain(
      'the invoice says 124.99; total with VAT 125.00 − paid 0.00 + rounding 0.00 = 125.00. (BR-CO-16)',
    );
    // With a prepaid amount and rounding, in the file's figures (amounts with fewer decimals as money).
    const paid = change(
      validInvoice(),
      PAYABLE,
      '<cbc:PrepaidAmount currencyID="EUR">25</cbc:PrepaidAmount><cbc:PayableRoundingAmount currencyID="EUR">0.01</cbc:PayableRoundingAmount><cbc:PayableAmount currencyID="EUR">100.00</cbc:PayableAmount>',
    );
    expect(finding(paid, 'BR-CO-16').message).toContain(
      ': the invoice says 100.00; total with VAT 125.00 − paid 25.00 + rounding 0.01 = 100.01.',
    );
  });

  it('BR-DEC-18 says when spaces or line breaks around the amount are what count as decimals', () => {
    // Walk 15: a pretty-printed amount read "may have at most 2 decimals" with two decimals. The
    // official test counts every character after the point, so the verdict stands.
    const spaced = change(
      validInvoice(),
      PAYABLE,
      '<cbc:PayableAmount currencyID="EUR">\n      125.00\n    </cbc:PayableAmount>',
    );
    expect(finding(spaced, 'BR-DEC-18').message).toBe(
      'Amount due for payment (BT-115) may have at most 2 decimals: the invoice writes it with spaces or line breaks around the number 125.00, which count as decimals here: write the number alone.',
    );
    const three = change(validInvoice(), PAYABLE, PAYABLE.replace('125.00', '125.000'));
    expect(finding(three, 'BR-DEC-18').message).toBe(
      'Amount due for payment (BT-115) may have at most 2 decimals: the invoice says 125.000.',
    );
  });

  it('UBL-DT-01 says the same of any amount, naming it', () => {
    const spaced = change(
      validInvoice(),
      PAYABLE,
      PAYABLE.replace('125.00', '\n      125.00\n    '),
    );
    expect(finding(spaced, 'UBL-DT-01').message).toBe(
      'Amounts (e.g. the document totals BG-22, VAT amounts BT-117 and line net amounts BT-131) may have at most two decimals: the invoice writes this amount (PayableAmount) with spaces or line breaks around the number 125.00, which count as decimals here: write the number alone.',
    );
    const three = change(validInvoice(), PAYABLE, PAYABLE.replace('125.00', '125.001'));
    expect(finding(three, 'UBL-DT-01').message).toContain(
      ': the invoice says 125.001 (PayableAmount).',
    );
  });

  it('a credit note says "the credit note"', () => {
    const xml = change(validCreditNote(), PAYABLE, PAYABLE.replace('125.00', '120.00'));
    expect(finding(xml, 'BR-CO-16').message).toContain(': the credit note says 120.00;');
  });

  it('BR-CO-10, BR-CO-13, BR-CO-14 and BR-CO-15 name the sums they compare', () => {
    const lines = change(
      validInvoice(),
      '<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>\n    <cbc:TaxExclusiveAmount',
      '<cbc:LineExtensionAmount currencyID="EUR">110.00</cbc:LineExtensionAmount>\n    <cbc:TaxExclusiveAmount',
    );
    expect(finding(lines, 'BR-CO-10').message).toContain(
      ': the invoice says 110.00; its lines add up to 100.00.',
    );
    expect(finding(lines, 'BR-CO-13').message).toContain(
      ': the invoice says 100.00; lines 110.00 − allowances 0.00 + charges 0.00 = 110.00.',
    );
    const vat = change(
      validInvoice(),
      '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">25.00</cbc:TaxAmount>',
      '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">25.50</cbc:TaxAmount>',
    );
    expect(finding(vat, 'BR-CO-14').message).toContain(
      ': the invoice says 25.50; its VAT breakdown adds up to 25.00.',
    );
    expect(finding(vat, 'BR-CO-15').message).toContain(
      ': the invoice says 125.00; total without VAT 100.00 + VAT 25.50 = 125.50.',
    );
  });

  it('the currency rules say when the document currency has spaces around its code, or which currency an amount is in (walk 16)', () => {
    const code = '<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>';
    const spaced = change(validInvoice(), code, code.replace('>EUR<', '> EUR <'));
    const words =
      ': the invoice writes its currency (BT-5) with spaces or line breaks around the code EUR, so no amount is in its currency: write the code alone.';
    expect(finding(spaced, 'PEPPOL-EN16931-R051').message).toBe(
      `Every amount must be in the invoice currency (BT-5), except the total VAT amount in accounting currency (BT-111)${words}`,
    );
    expect(finding(spaced, 'BR-CO-15').message).toContain(words);
    // The verdict is the official one: the rule compares the text as it is.
    const r = checkDocument(utf8(spaced));
    expect(r.ok && r.verdict.valid).toBe(false);
    // An amount in another currency says which.
    const usd = change(validInvoice(), PAYABLE, PAYABLE.replace('"EUR"', '"USD"'));
    expect(finding(usd, 'PEPPOL-EN16931-R051').message).toContain(
      ": this amount is in USD; the invoice's currency is EUR.",
    );
    const credit = change(validCreditNote(), code, code.replace('>EUR<', '>\n  EUR\n<'));
    expect(finding(credit, 'PEPPOL-EN16931-R051').message).toContain(
      ': the credit note writes its currency (BT-5) with spaces or line breaks around the code EUR,',
    );
  });

  // Walk 26 F9: a line's net amount off read "must equal quantity × (net price / price base
  // quantity) + line charges − line allowances." with no figures.
  it('PEPPOL-EN16931-R120 names the line and its sum', () => {
    const LINE_EXT =
      '<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>\n    <cac:Item>';
    const off = change(validInvoice(), LINE_EXT, LINE_EXT.replace('100.00', '57.50'));
    expect(finding(off, 'PEPPOL-EN16931-R120').message).toBe(
      'Invoice line net amount (BT-131) must equal quantity × (net price / price base quantity) + line charges − line allowances: line 1 says 57.50; quantity 2 × (net price 50.00 / base quantity 1) + charges 0.00 − allowances 0.00 = 100.00.',
    );
    const credit = change(validCreditNote(), LINE_EXT, LINE_EXT.replace('100.00', '99.00'));
    expect(finding(credit, 'PEPPOL-EN16931-R120').message).toContain(
      ': line 1 says 99.00; quantity 2 × (net price 50.00 / base quantity 1) + charges 0.00 − allowances 0.00 = 100.00.',
    );
  });

  it('an amount that is not a number gives the rule its own words only', () => {
    const xml = change(validInvoice(), PAYABLE, PAYABLE.replace('125.00', 'abc'));
    expect(finding(xml, 'BR-CO-16').message).toBe(
      'Amount due for payment (BT-115) must equal invoice total with VAT (BT-112) minus paid amount (BT-113) plus rounding amount (BT-114).',
    );
  });
});

// Walk 18: an issue date 2026-02-30, written year-month-day, was told "Dates must be written as
// year-month-day with dashes … Check the export settings". The verdict is the official one
// (F001: ten characters castable as xs:date); the words now say what is wrong with this date.
describe('PEPPOL-EN16931-F001 says what the file writes', () => {
  const ISSUE = '<cbc:IssueDate>2025-05-01</cbc:IssueDate>';
  const dated = (text: string) =>
    finding(
      change(validInvoice(), ISSUE, `<cbc:IssueDate>${text}</cbc:IssueDate>`),
      'PEPPOL-EN16931-F001',
    );
  it('a day that does not exist, written right', () => {
    const f = dated('2026-02-30');
    expect(f.message).toMatch(
      /: the invoice writes IssueDate 2026-02-30, which is not a day of the calendar\.$/,
    );
    expect(f.hint).toBe(
      'There is no such day: correct the date in the accounting system and export again.',
    );
    // The structure check's finding on the same date gives the same hint (walk 18b).
    const r = checkDocument(
      utf8(change(validInvoice(), ISSUE, '<cbc:IssueDate>2026-02-30</cbc:IssueDate>')),
    );
    if (!r.ok) throw new Error(r.error.message);
    const structural = r.verdict.findings.find((x) => x.rule === 'XSD-DATATYPE');
    expect(structural?.message).toMatch(/"2026-02-30" is not a day of the calendar\.$/);
    expect(structural?.hint).toBe(f.hint);
  });
  it('a date written another way, or with spaces around it', () => {
    const other = dated('30.02.2026');
    expect(other.message).toMatch(/: the invoice writes IssueDate "30\.02\.2026"\.$/);
    expect(other.hint).toMatch(/^Dates must be written as year-month-day with dashes/);
    const spaced = dated(' 2026-02-28\n');
    expect(spaced.message).toMatch(
      /: the invoice writes this date \(IssueDate\) with spaces or line breaks around 2026-02-28, which count here\.$/,
    );
    expect(spaced.hint).toMatch(/^Write the date alone, without spaces or line breaks around it/);
  });
});
