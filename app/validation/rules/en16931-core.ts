import type { Ctx, Rule } from '../rule';
import type { XNode } from '../xml-tree';
import { all, attr, child, children, has, norm, str, val } from '../xpath';
import * as D from '../num';
import { dec, eq, numberOf, round2 } from '../num';
import { isAllowance, isCharge, isVat, nonEmpty, docAllowanceCharges } from './common';

/**
 * EN 16931 core business rules (BR-01…BR-67, BR-CO-*, BR-DEC-*) as in CEN-EN16931-UBL.sch,
 * pattern "UBL-model" (VAT category rules live in en16931-vat.ts).
 */

const LINE = ['cac:InvoiceLine', 'cac:CreditNoteLine'] as const;

function isDocAC(n: XNode, c: Ctx): boolean {
  return n.parent === c.root;
}
function isLineAC(n: XNode): boolean {
  const p = n.parent;
  return p !== null && (p.q === 'cac:InvoiceLine' || p.q === 'cac:CreditNoteLine');
}
/** XPath `string-length(substring-after(path,'.')) <= 2` on the first node (XPath 2 takes the only one). */
function dec2(q: string): (n: XNode) => boolean {
  return (n) => {
    const x = child(n, q);
    if (x === undefined) return true;
    const s = str(x);
    const i = s.indexOf('.');
    return i < 0 || s.length - i - 1 <= 2;
  };
}
/** A value compared as a number, as XPath does with untyped values (NaN when not numeric). */
function num(n: XNode | undefined): number {
  return n === undefined ? NaN : numberOf(str(n));
}
function dateOf(n: XNode | undefined): string {
  return n === undefined ? '' : norm(n);
}
function sumDocAC(c: Ctx, charge: boolean): D.D {
  let t: D.D = D.ZERO;
  for (const ac of docAllowanceCharges(c)) {
    if (charge ? !isCharge(ac) : !isAllowance(ac)) continue;
    for (const a of children(ac, 'cbc:Amount')) t = D.add(t, dec(a));
  }
  return t;
}
function hasDocAC(c: Ctx, charge: boolean): boolean {
  return docAllowanceCharges(c).some((ac) => (charge ? isCharge(ac) : isAllowance(ac)));
}

/** EN 16931 core rules. */
export const en16931CoreRules: Rule[] = [
  {
    id: 'BR-52',
    flag: 'fatal',
    bt: 'BT-122',
    message:
      'Each additional supporting document (BG-24) must have a supporting document reference (BT-122).',
    context: 'cac:AdditionalDocumentReference',
    test: (n) => nonEmpty(n, 'cbc:ID'),
  },
  {
    id: 'BR-CO-25',
    flag: 'fatal',
    bt: 'BT-9, BT-20',
    message:
      'When the amount due for payment (BT-115) is positive, a payment due date (BT-9) or payment terms (BT-20) must be given.',
    context: 'cbc:PayableAmount',
    when: (n, c) =>
      c.isInvoice && n.parent?.q === 'cac:LegalMonetaryTotal' && n.parent.parent === c.root,
    test: (n, c) => {
      const v = num(n);
      if (v <= 0) return true;
      return (
        v > 0 &&
        (c.nodes('cbc:DueDate').length > 0 ||
          c.nodes('cbc:Note').some((x) => x.parent?.q === 'cac:PaymentTerms'))
      );
    },
  },
  {
    id: 'BR-63',
    flag: 'fatal',
    bt: 'BT-49-1',
    message: 'Buyer electronic address (BT-49) must have a scheme identifier.',
    context: 'cbc:EndpointID',
    when: (n) =>
      n.parent?.q === 'cac:Party' && n.parent.parent?.q === 'cac:AccountingCustomerParty',
    test: (n) => attr(n, 'schemeID') !== undefined,
  },
  {
    id: 'BR-11',
    flag: 'fatal',
    bt: 'BT-55',
    message: 'Buyer postal address (BG-8) must contain a buyer country code (BT-55).',
    context: 'cac:PostalAddress',
    when: (n) =>
      n.parent?.q === 'cac:Party' && n.parent.parent?.q === 'cac:AccountingCustomerParty',
    test: (n) => nonEmpty(n, 'cac:Country', 'cbc:IdentificationCode'),
  },
  {
    id: 'BR-51',
    flag: 'warning',
    bt: 'BT-87',
    message:
      'The last 4 to 6 digits of the payment card primary account number (BT-87) should be given.',
    context: 'cac:CardAccount',
    when: (n) => n.parent?.q === 'cac:PaymentMeans',
    test: (n) => {
      const l = str(child(n, 'cbc:PrimaryAccountNumberID')).length;
      return l >= 4 && l <= 6;
    },
  },
  {
    id: 'BR-57',
    flag: 'fatal',
    bt: 'BT-80',
    message: 'Each deliver-to address (BG-15) must contain a deliver-to country code (BT-80).',
    context: 'cac:Address',
    when: (n) => n.parent?.q === 'cac:DeliveryLocation' && n.parent.parent?.q === 'cac:Delivery',
    test: (n) => has(n, 'cac:Country', 'cbc:IdentificationCode'),
  },
  // Document level allowances (BG-20)
  ...docAllowanceRules(),
  {
    id: 'BR-12',
    flag: 'fatal',
    bt: 'BT-106',
    message: 'Sum of invoice line net amounts (BT-106) is missing.',
    context: 'cac:LegalMonetaryTotal',
    test: (n) => has(n, 'cbc:LineExtensionAmount'),
  },
  {
    id: 'BR-13',
    flag: 'fatal',
    bt: 'BT-109',
    message: 'Invoice total amount without VAT (BT-109) is missing.',
    context: 'cac:LegalMonetaryTotal',
    test: (n) => has(n, 'cbc:TaxExclusiveAmount'),
  },
  {
    id: 'BR-14',
    flag: 'fatal',
    bt: 'BT-112',
    message: 'Invoice total amount with VAT (BT-112) is missing.',
    context: 'cac:LegalMonetaryTotal',
    test: (n) => has(n, 'cbc:TaxInclusiveAmount'),
  },
  {
    id: 'BR-15',
    flag: 'fatal',
    bt: 'BT-115',
    message: 'Amount due for payment (BT-115) is missing.',
    context: 'cac:LegalMonetaryTotal',
    test: (n) => has(n, 'cbc:PayableAmount'),
  },
  {
    id: 'BR-CO-10',
    flag: 'fatal',
    bt: 'BT-106, BT-131',
    message:
      'Sum of invoice line net amounts (BT-106) must equal the total of the line net amounts (BT-131).',
    context: 'cac:LegalMonetaryTotal',
    test: (n, c) => {
      const x = child(n, 'cbc:LineExtensionAmount');
      if (x === undefined) return false;
      let t: D.D = D.ZERO;
      for (const q of LINE)
        for (const l of c.nodes(q))
          for (const a of children(l, 'cbc:LineExtensionAmount')) t = D.add(t, dec(a));
      return eq(dec(x), round2(t));
    },
  },
  {
    id: 'BR-CO-11',
    flag: 'fatal',
    bt: 'BT-107',
    message:
      'Sum of allowances on document level (BT-107) must equal the total of the document level allowance amounts (BT-92).',
    context: 'cac:LegalMonetaryTotal',
    test: (n, c) => {
      const x = child(n, 'cbc:AllowanceTotalAmount');
      if (x !== undefined && eq(dec(x), round2(sumDocAC(c, false)))) return true;
      return x === undefined && !hasDocAC(c, false);
    },
  },
  {
    id: 'BR-CO-12',
    flag: 'fatal',
    bt: 'BT-108',
    message:
      'Sum of charges on document level (BT-108) must equal the total of the document level charge amounts (BT-99).',
    context: 'cac:LegalMonetaryTotal',
    test: (n, c) => {
      const x = child(n, 'cbc:ChargeTotalAmount');
      if (x !== undefined && eq(dec(x), round2(sumDocAC(c, true)))) return true;
      return x === undefined && !hasDocAC(c, true);
    },
  },
  {
    id: 'BR-CO-13',
    flag: 'fatal',
    bt: 'BT-109',
    message:
      'Invoice total amount without VAT (BT-109) must equal the sum of line net amounts (BT-106) minus document allowances (BT-107) plus document charges (BT-108).',
    context: 'cac:LegalMonetaryTotal',
    test: (n) => {
      const excl = dec(child(n, 'cbc:TaxExclusiveAmount'));
      const line = dec(child(n, 'cbc:LineExtensionAmount'));
      const ch = child(n, 'cbc:ChargeTotalAmount');
      const al = child(n, 'cbc:AllowanceTotalAmount');
      if (ch && al) return eq(excl, round2(D.sub(D.add(line, dec(ch)), dec(al))));
      if (!ch && al) return eq(excl, round2(D.sub(line, dec(al))));
      if (ch && !al) return eq(excl, round2(D.add(line, dec(ch))));
      return eq(excl, line);
    },
  },
  {
    id: 'BR-CO-16',
    flag: 'fatal',
    bt: 'BT-115',
    message:
      'Amount due for payment (BT-115) must equal invoice total with VAT (BT-112) minus paid amount (BT-113) plus rounding amount (BT-114).',
    context: 'cac:LegalMonetaryTotal',
    test: (n) => {
      const pre = child(n, 'cbc:PrepaidAmount');
      const rnd = child(n, 'cbc:PayableRoundingAmount');
      const pay = dec(child(n, 'cbc:PayableAmount'));
      const incl = dec(child(n, 'cbc:TaxInclusiveAmount'));
      if (pre && !rnd) return eq(pay, round2(D.sub(incl, dec(pre))));
      if (!pre && !rnd) return eq(pay, incl);
      if (pre && rnd) return eq(round2(D.sub(pay, dec(rnd))), round2(D.sub(incl, dec(pre))));
      return eq(round2(D.sub(pay, dec(rnd))), incl);
    },
  },
  ...(
    [
      ['BR-DEC-09', 'cbc:LineExtensionAmount', 'Sum of invoice line net amounts (BT-106)'],
      ['BR-DEC-10', 'cbc:AllowanceTotalAmount', 'Sum of allowances on document level (BT-107)'],
      ['BR-DEC-11', 'cbc:ChargeTotalAmount', 'Sum of charges on document level (BT-108)'],
      ['BR-DEC-12', 'cbc:TaxExclusiveAmount', 'Invoice total amount without VAT (BT-109)'],
      ['BR-DEC-14', 'cbc:TaxInclusiveAmount', 'Invoice total amount with VAT (BT-112)'],
      ['BR-DEC-16', 'cbc:PrepaidAmount', 'Paid amount (BT-113)'],
      ['BR-DEC-17', 'cbc:PayableRoundingAmount', 'Rounding amount (BT-114)'],
      ['BR-DEC-18', 'cbc:PayableAmount', 'Amount due for payment (BT-115)'],
    ] as const
  ).map(([id, q, term]): Rule => ({
    id,
    flag: 'fatal',
    message: `${term} may have at most 2 decimals.`,
    context: 'cac:LegalMonetaryTotal',
    test: dec2(q),
  })),
  // Document level (root)
  rootRule('BR-01', 'BT-24', 'Specification identifier (BT-24) is missing.', (n) =>
    nonEmpty(n, 'cbc:CustomizationID'),
  ),
  rootRule('BR-02', 'BT-1', 'Invoice number (BT-1) is missing.', (n) => nonEmpty(n, 'cbc:ID')),
  rootRule('BR-03', 'BT-2', 'Invoice issue date (BT-2) is missing.', (n) =>
    nonEmpty(n, 'cbc:IssueDate'),
  ),
  rootRule(
    'BR-04',
    'BT-3',
    'Invoice type code (BT-3) is missing.',
    (n) => nonEmpty(n, 'cbc:InvoiceTypeCode') || nonEmpty(n, 'cbc:CreditNoteTypeCode'),
  ),
  rootRule('BR-05', 'BT-5', 'Invoice currency code (BT-5) is missing.', (n) =>
    nonEmpty(n, 'cbc:DocumentCurrencyCode'),
  ),
  rootRule('BR-06', 'BT-27', 'Seller name (BT-27) is missing.', (n) =>
    nonEmpty(
      n,
      'cac:AccountingSupplierParty',
      'cac:Party',
      'cac:PartyLegalEntity',
      'cbc:RegistrationName',
    ),
  ),
  rootRule('BR-07', 'BT-44', 'Buyer name (BT-44) is missing.', (n) =>
    nonEmpty(
      n,
      'cac:AccountingCustomerParty',
      'cac:Party',
      'cac:PartyLegalEntity',
      'cbc:RegistrationName',
    ),
  ),
  rootRule('BR-08', 'BG-5', 'Seller postal address (BG-5) is missing.', (n) =>
    has(n, 'cac:AccountingSupplierParty', 'cac:Party', 'cac:PostalAddress'),
  ),
  rootRule('BR-10', 'BG-8', 'Buyer postal address (BG-8) is missing.', (n) =>
    has(n, 'cac:AccountingCustomerParty', 'cac:Party', 'cac:PostalAddress'),
  ),
  rootRule(
    'BR-16',
    'BG-25',
    'The invoice has no invoice line (BG-25).',
    (n) => has(n, 'cac:InvoiceLine') || has(n, 'cac:CreditNoteLine'),
  ),
  rootRule(
    'BR-53',
    'BT-111',
    'When a VAT accounting currency (BT-6) is given, the total VAT amount in that currency (BT-111) must be provided.',
    (n, c) =>
      children(n, 'cbc:TaxCurrencyCode').every((tc) => {
        const cur = str(tc);
        return c
          .nodes('cbc:TaxAmount')
          .some((a) => a.parent?.q === 'cac:TaxTotal' && attr(a, 'currencyID') === cur);
      }),
  ),
  rootRule(
    'BR-66',
    'BG-18',
    'An invoice may contain at most one payment card account (BG-18).',
    (n) => all(n, 'cac:PaymentMeans', 'cac:CardAccount').length <= 1,
  ),
  rootRule(
    'BR-67',
    'BG-19',
    'An invoice may contain at most one payment mandate (BG-19).',
    (n) => all(n, 'cac:PaymentMeans', 'cac:PaymentMandate').length <= 1,
  ),
  rootRule(
    'BR-CO-03',
    'BT-7, BT-8',
    'Value added tax point date (BT-7) and value added tax point date code (BT-8) cannot both be given.',
    (n) => !(has(n, 'cbc:TaxPointDate') && has(n, 'cac:InvoicePeriod', 'cbc:DescriptionCode')),
  ),
  rootRule(
    'BR-CO-15',
    'BT-112',
    'Invoice total amount with VAT (BT-112) must equal total without VAT (BT-109) plus total VAT amount (BT-110).',
    (n) =>
      children(n, 'cbc:DocumentCurrencyCode').every((dc) => {
        const cur = str(dc);
        const incl = all(n, 'cac:LegalMonetaryTotal', 'cbc:TaxInclusiveAmount');
        const excl = all(n, 'cac:LegalMonetaryTotal', 'cbc:TaxExclusiveAmount');
        const tax = all(n, 'cac:TaxTotal', 'cbc:TaxAmount').filter(
          (a) => attr(a, 'currencyID') === cur,
        );
        if (incl.length !== 1 || excl.length !== 1 || tax.length !== 1) return false;
        return eq(dec(incl[0]), round2(D.add(dec(excl[0]), dec(tax[0]))));
      }),
  ),
  rootRule('BR-CO-18', 'BG-23', 'The invoice must have at least one VAT breakdown (BG-23).', (n) =>
    has(n, 'cac:TaxTotal', 'cac:TaxSubtotal'),
  ),
  // Lines
  lineRule(
    'BR-21',
    'BT-126',
    'Each invoice line (BG-25) must have an invoice line identifier (BT-126).',
    (n) => nonEmpty(n, 'cbc:ID'),
  ),
  lineRule(
    'BR-22',
    'BT-129',
    'Each invoice line (BG-25) must have an invoiced quantity (BT-129).',
    (n) => has(n, 'cbc:InvoicedQuantity') || has(n, 'cbc:CreditedQuantity'),
  ),
  lineRule(
    'BR-23',
    'BT-130',
    'Each invoice line (BG-25) must have a unit of measure code for the invoiced quantity (BT-130).',
    (n) =>
      [...children(n, 'cbc:InvoicedQuantity'), ...children(n, 'cbc:CreditedQuantity')].some(
        (q) => attr(q, 'unitCode') !== undefined,
      ),
  ),
  lineRule(
    'BR-24',
    'BT-131',
    'Each invoice line (BG-25) must have an invoice line net amount (BT-131).',
    (n) => has(n, 'cbc:LineExtensionAmount'),
  ),
  lineRule('BR-25', 'BT-153', 'Each invoice line (BG-25) must have an item name (BT-153).', (n) =>
    nonEmpty(n, 'cac:Item', 'cbc:Name'),
  ),
  lineRule(
    'BR-26',
    'BT-146',
    'Each invoice line (BG-25) must have an item net price (BT-146).',
    (n) => has(n, 'cac:Price', 'cbc:PriceAmount'),
  ),
  lineRule('BR-27', 'BT-146', 'Item net price (BT-146) must not be negative.', (n) =>
    all(n, 'cac:Price', 'cbc:PriceAmount').some((p) => num(p) >= 0),
  ),
  lineRule('BR-28', 'BT-148', 'Item gross price (BT-148) must not be negative.', (n) => {
    const b = all(n, 'cac:Price', 'cac:AllowanceCharge', 'cbc:BaseAmount');
    return b.length === 0 || b.some((x) => num(x) >= 0);
  }),
  lineRule(
    'BR-CO-04',
    'BT-151',
    'Each invoice line (BG-25) must have an invoiced item VAT category code (BT-151).',
    (n) =>
      all(n, 'cac:Item', 'cac:ClassifiedTaxCategory').some((t) => isVat(t) && has(t, 'cbc:ID')),
  ),
  lineRule(
    'BR-DEC-23',
    'BT-131',
    'Invoice line net amount (BT-131) may have at most 2 decimals.',
    dec2('cbc:LineExtensionAmount'),
  ),
  ...lineAllowanceRules(),
  {
    id: 'BR-30',
    flag: 'fatal',
    bt: 'BT-134, BT-135',
    message: 'Invoice line period end date (BT-135) must be on or after the start date (BT-134).',
    context: 'cac:InvoicePeriod',
    when: (n) => isLineChild(n),
    test: (n) => {
      const s = child(n, 'cbc:StartDate');
      const e = child(n, 'cbc:EndDate');
      return !s || !e || dateOf(e) >= dateOf(s);
    },
  },
  {
    id: 'BR-CO-20',
    flag: 'fatal',
    bt: 'BG-26',
    message:
      'An invoice line period (BG-26) must have a start date (BT-134) or an end date (BT-135).',
    context: 'cac:InvoicePeriod',
    when: (n) => isLineChild(n),
    test: (n) => has(n, 'cbc:StartDate') || has(n, 'cbc:EndDate'),
  },
  {
    id: 'BR-29',
    flag: 'fatal',
    bt: 'BT-73, BT-74',
    message: 'Invoicing period end date (BT-74) must be on or after the start date (BT-73).',
    context: 'cac:InvoicePeriod',
    when: (n) => !isLineChild(n),
    test: (n) => {
      const s = child(n, 'cbc:StartDate');
      const e = child(n, 'cbc:EndDate');
      return !s || !e || dateOf(e) >= dateOf(s);
    },
  },
  {
    id: 'BR-CO-19',
    flag: 'fatal',
    bt: 'BG-14',
    message:
      'An invoicing period (BG-14) must have a start date (BT-73) or an end date (BT-74), or else only a tax point date code (BT-8).',
    context: 'cac:InvoicePeriod',
    when: (n) => !isLineChild(n),
    test: (n) => {
      return has(n, 'cbc:StartDate') || has(n, 'cbc:EndDate') || has(n, 'cbc:DescriptionCode');
    },
  },
  {
    id: 'BR-54',
    flag: 'fatal',
    bt: 'BT-160, BT-161',
    message: 'Each item attribute (BG-32) must have a name (BT-160) and a value (BT-161).',
    context: 'cac:AdditionalItemProperty',
    test: (n) => has(n, 'cbc:Name') && has(n, 'cbc:Value'),
  },
  {
    id: 'BR-65',
    flag: 'fatal',
    bt: 'BT-158',
    message: 'Item classification identifier (BT-158) must have a scheme identifier (listID).',
    context: 'cbc:ItemClassificationCode',
    when: (n) => {
      const item = n.parent?.parent;
      return (
        n.parent?.q === 'cac:CommodityClassification' && item?.q === 'cac:Item' && isLineChild(item)
      );
    },
    test: (n) => attr(n, 'listID') !== undefined,
  },
  {
    id: 'BR-64',
    flag: 'fatal',
    bt: 'BT-157',
    message: 'Item standard identifier (BT-157) must have a scheme identifier.',
    context: 'cbc:ID',
    when: (n) => {
      const item = n.parent?.parent;
      return (
        n.parent?.q === 'cac:StandardItemIdentification' &&
        item?.q === 'cac:Item' &&
        isLineChild(item)
      );
    },
    test: (n) => attr(n, 'schemeID') !== undefined,
  },
  {
    id: 'BR-CL-08',
    flag: 'fatal',
    bt: 'BT-21',
    message: 'Invoice note subject code (BT-21) must be a code from UNCL 4451.',
    context: 'cbc:Note',
    when: (n, c) => n.parent === c.root,
    test: (n) => {
      const s = str(n);
      const i = s.indexOf('#');
      if (i < 0) return true;
      const rest = s.substring(i + 1);
      const j = rest.indexOf('#');
      const code = j < 0 ? '' : rest.substring(0, j);
      if (code.length !== 3) return true;
      return UNCL4451.has(code);
    },
  },
  {
    id: 'BR-17',
    flag: 'fatal',
    bt: 'BT-59',
    message: 'Payee name (BT-59) must be given when the payee (BG-10) differs from the seller.',
    context: 'cac:PayeeParty',
    test: (n) => {
      const names = all(n, 'cac:PartyName', 'cbc:Name');
      if (names.length === 0) return false;
      const sup = n.parent;
      const sNames = new Set(
        all(
          sup ?? undefined,
          'cac:AccountingSupplierParty',
          'cac:Party',
          'cac:PartyName',
          'cbc:Name',
        ).map(str),
      );
      const sIds = new Set(
        all(
          sup ?? undefined,
          'cac:AccountingSupplierParty',
          'cac:Party',
          'cac:PartyIdentification',
          'cbc:ID',
        ).map(str),
      );
      if (names.some((x) => sNames.has(str(x)))) return false;
      return !all(n, 'cac:PartyIdentification', 'cbc:ID').some((x) => sIds.has(str(x)));
    },
  },
  {
    id: 'BR-50',
    flag: 'fatal',
    bt: 'BT-84',
    message: 'Payment account identifier (BT-84) must be given for a credit transfer (BG-17).',
    context: 'cac:PayeeFinancialAccount',
    when: (n) =>
      n.parent?.q === 'cac:PaymentMeans' &&
      children(n.parent, 'cbc:PaymentMeansCode').some((x) => str(x) === '30' || str(x) === '58'),
    test: (n) => nonEmpty(n, 'cbc:ID'),
  },
  {
    id: 'BR-49',
    flag: 'fatal',
    bt: 'BT-81',
    message: 'Each payment instruction (BG-16) must have a payment means type code (BT-81).',
    context: 'cac:PaymentMeans',
    test: (n) => has(n, 'cbc:PaymentMeansCode'),
  },
  {
    id: 'BR-61',
    flag: 'fatal',
    bt: 'BT-84',
    message:
      'For a credit transfer (payment means 30 or 58) the payment account identifier (BT-84) must be given.',
    context: 'cac:PaymentMeans',
    test: (n) => {
      const code = val(n, 'cbc:PaymentMeansCode');
      if (code !== '30' && code !== '58') return true;
      return has(n, 'cac:PayeeFinancialAccount', 'cbc:ID');
    },
  },
  {
    id: 'BR-55',
    flag: 'fatal',
    bt: 'BT-25',
    message:
      'Each preceding invoice reference (BG-3) must contain the preceding invoice number (BT-25).',
    context: 'cac:BillingReference',
    test: (n) => has(n, 'cac:InvoiceDocumentReference', 'cbc:ID'),
  },
  {
    id: 'BR-CO-26',
    flag: 'fatal',
    bt: 'BT-29, BT-30, BT-31',
    message:
      'The seller must be identified by a seller identifier (BT-29), legal registration identifier (BT-30) or VAT identifier (BT-31).',
    context: 'cac:AccountingSupplierParty',
    test: (n) =>
      all(n, 'cac:Party', 'cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID')) ||
      has(n, 'cac:Party', 'cac:PartyIdentification', 'cbc:ID') ||
      has(n, 'cac:Party', 'cac:PartyLegalEntity', 'cbc:CompanyID'),
  },
  {
    id: 'BR-62',
    flag: 'fatal',
    bt: 'BT-34-1',
    message: 'Seller electronic address (BT-34) must have a scheme identifier.',
    context: 'cbc:EndpointID',
    when: (n) =>
      n.parent?.q === 'cac:Party' && n.parent.parent?.q === 'cac:AccountingSupplierParty',
    test: (n) => attr(n, 'schemeID') !== undefined,
  },
  {
    id: 'BR-09',
    flag: 'fatal',
    bt: 'BT-40',
    message: 'Seller postal address (BG-5) must contain a seller country code (BT-40).',
    context: 'cac:PostalAddress',
    when: (n) =>
      n.parent?.q === 'cac:Party' && n.parent.parent?.q === 'cac:AccountingSupplierParty',
    test: (n) => nonEmpty(n, 'cac:Country', 'cbc:IdentificationCode'),
  },
  {
    id: 'BR-18',
    flag: 'fatal',
    bt: 'BT-62',
    message: 'Seller tax representative name (BT-62) must be given.',
    context: 'cac:TaxRepresentativeParty',
    test: (n) => nonEmpty(n, 'cac:PartyName', 'cbc:Name'),
  },
  {
    id: 'BR-19',
    flag: 'fatal',
    bt: 'BG-12',
    message: 'Seller tax representative postal address (BG-12) must be given.',
    context: 'cac:TaxRepresentativeParty',
    test: (n) => has(n, 'cac:PostalAddress'),
  },
  {
    id: 'BR-56',
    flag: 'fatal',
    bt: 'BT-63',
    message: 'Seller tax representative VAT identifier (BT-63) must be given.',
    context: 'cac:TaxRepresentativeParty',
    test: (n) => children(n, 'cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID')),
  },
  {
    id: 'BR-20',
    flag: 'fatal',
    bt: 'BT-69',
    message:
      'Seller tax representative postal address (BG-12) must contain a country code (BT-69).',
    context: 'cac:PostalAddress',
    when: (n) => n.parent?.q === 'cac:TaxRepresentativeParty',
    test: (n) => nonEmpty(n, 'cac:Country', 'cbc:IdentificationCode'),
  },
  {
    id: 'BR-CO-14',
    flag: 'fatal',
    bt: 'BT-110, BT-117',
    message:
      'Invoice total VAT amount (BT-110) must equal the sum of the VAT category tax amounts (BT-117).',
    context: 'cac:TaxTotal',
    when: (n, c) => n.parent === c.root,
    test: (n) => {
      const subs = children(n, 'cac:TaxSubtotal');
      if (subs.length === 0) return true;
      const ta = children(n, 'cbc:TaxAmount');
      if (ta.length !== 1) return false;
      let t: D.D = D.ZERO;
      for (const s of subs) for (const a of children(s, 'cbc:TaxAmount')) t = D.add(t, dec(a));
      return eq(dec(ta[0]), round2(t));
    },
  },
  ...taxSubtotalRules(),
  {
    id: 'BR-CO-09',
    flag: 'fatal',
    bt: 'BT-31, BT-48, BT-63',
    message:
      'VAT identifiers (BT-31, BT-48, BT-63) must start with an ISO 3166-1 country code prefix (Greece may use EL).',
    context: 'cac:PartyTaxScheme',
    when: (n) => isVat(n),
    test: (n) => {
      const ids = children(n, 'cbc:CompanyID');
      const prefix = ids.length === 0 ? '' : str(ids[0]).substring(0, 2);
      return VAT_PREFIXES.includes(prefix);
    },
  },
];

function isLineChild(n: XNode): boolean {
  const p = n.parent;
  return p !== null && (p.q === 'cac:InvoiceLine' || p.q === 'cac:CreditNoteLine');
}

function rootRule(
  id: string,
  bt: string,
  message: string,
  test: (n: XNode, c: Ctx) => boolean,
): Rule {
  return { id, flag: 'fatal', bt, message, context: '/', test };
}

function lineRule(
  id: string,
  bt: string,
  message: string,
  test: (n: XNode, c: Ctx) => boolean,
): Rule {
  return { id, flag: 'fatal', bt, message, context: [...LINE], test };
}

function docAllowanceRules(): Rule[] {
  const out: Rule[] = [];
  for (const charge of [false, true]) {
    const kind = charge ? 'charge' : 'allowance';
    const bg = charge ? 'BG-21' : 'BG-20';
    const when = (n: XNode, c: Ctx) => isDocAC(n, c) && (charge ? isCharge(n) : isAllowance(n));
    const ids = charge
      ? {
          amount: 'BR-36',
          cat: 'BR-37',
          reason: 'BR-38',
          co: 'BR-CO-22',
          d1: 'BR-DEC-05',
          d2: 'BR-DEC-06',
        }
      : {
          amount: 'BR-31',
          cat: 'BR-32',
          reason: 'BR-33',
          co: 'BR-CO-21',
          d1: 'BR-DEC-01',
          d2: 'BR-DEC-02',
        };
    const bts = charge
      ? { amount: 'BT-99', cat: 'BT-102', reason: 'BT-104', code: 'BT-105', base: 'BT-100' }
      : { amount: 'BT-92', cat: 'BT-95', reason: 'BT-97', code: 'BT-98', base: 'BT-93' };
    const reason = (n: XNode) =>
      has(n, 'cbc:AllowanceChargeReason') || has(n, 'cbc:AllowanceChargeReasonCode');
    out.push(
      {
        id: ids.amount,
        flag: 'fatal',
        bt: bts.amount,
        message: `Each document level ${kind} (${bg}) must have an amount (${bts.amount}).`,
        context: 'cac:AllowanceCharge',
        when,
        test: (n) => has(n, 'cbc:Amount'),
      },
      {
        id: ids.cat,
        flag: 'fatal',
        bt: bts.cat,
        message: `Each document level ${kind} (${bg}) must have a VAT category code (${bts.cat}).`,
        context: 'cac:AllowanceCharge',
        when,
        test: (n) => children(n, 'cac:TaxCategory').some((t) => isVat(t) && has(t, 'cbc:ID')),
      },
      {
        id: ids.reason,
        flag: 'fatal',
        bt: `${bts.reason}, ${bts.code}`,
        message: `Each document level ${kind} (${bg}) must have a reason (${bts.reason}) or reason code (${bts.code}).`,
        context: 'cac:AllowanceCharge',
        when,
        test: reason,
      },
      {
        id: ids.co,
        flag: 'fatal',
        bt: `${bts.reason}, ${bts.code}`,
        message: `Each document level ${kind} (${bg}) must have a reason (${bts.reason}) or reason code (${bts.code}), or both.`,
        context: 'cac:AllowanceCharge',
        when,
        test: reason,
      },
      {
        id: ids.d1,
        flag: 'fatal',
        bt: bts.amount,
        message: `Document level ${kind} amount (${bts.amount}) may have at most 2 decimals.`,
        context: 'cac:AllowanceCharge',
        when,
        test: dec2('cbc:Amount'),
      },
      {
        id: ids.d2,
        flag: 'fatal',
        bt: bts.base,
        message: `Document level ${kind} base amount (${bts.base}) may have at most 2 decimals.`,
        context: 'cac:AllowanceCharge',
        when,
        test: dec2('cbc:BaseAmount'),
      },
    );
  }
  return out;
}

function lineAllowanceRules(): Rule[] {
  const out: Rule[] = [];
  for (const charge of [false, true]) {
    const kind = charge ? 'charge' : 'allowance';
    const bg = charge ? 'BG-28' : 'BG-27';
    const when = (n: XNode) => isLineAC(n) && (charge ? isCharge(n) : isAllowance(n));
    const ids = charge
      ? { amount: 'BR-43', reason: 'BR-44', co: 'BR-CO-24', d1: 'BR-DEC-27', d2: 'BR-DEC-28' }
      : { amount: 'BR-41', reason: 'BR-42', co: 'BR-CO-23', d1: 'BR-DEC-24', d2: 'BR-DEC-25' };
    const bts = charge
      ? { amount: 'BT-141', reason: 'BT-144', code: 'BT-145', base: 'BT-142' }
      : { amount: 'BT-136', reason: 'BT-139', code: 'BT-140', base: 'BT-137' };
    const reason = (n: XNode) =>
      has(n, 'cbc:AllowanceChargeReason') || has(n, 'cbc:AllowanceChargeReasonCode');
    out.push(
      {
        id: ids.amount,
        flag: 'fatal',
        bt: bts.amount,
        message: `Each invoice line ${kind} (${bg}) must have an amount (${bts.amount}).`,
        context: 'cac:AllowanceCharge',
        when,
        test: (n) => has(n, 'cbc:Amount'),
      },
      {
        id: ids.reason,
        flag: 'fatal',
        bt: `${bts.reason}, ${bts.code}`,
        message: `Each invoice line ${kind} (${bg}) must have a reason (${bts.reason}) or reason code (${bts.code}).`,
        context: 'cac:AllowanceCharge',
        when,
        test: reason,
      },
      {
        id: ids.co,
        flag: 'fatal',
        bt: `${bts.reason}, ${bts.code}`,
        message: `Each invoice line ${kind} (${bg}) must have a reason (${bts.reason}) or reason code (${bts.code}), or both.`,
        context: 'cac:AllowanceCharge',
        when,
        test: reason,
      },
      {
        id: ids.d1,
        flag: 'fatal',
        bt: bts.amount,
        message: `Invoice line ${kind} amount (${bts.amount}) may have at most 2 decimals.`,
        context: 'cac:AllowanceCharge',
        when,
        test: dec2('cbc:Amount'),
      },
      {
        id: ids.d2,
        flag: 'fatal',
        bt: bts.base,
        message: `Invoice line ${kind} base amount (${bts.base}) may have at most 2 decimals.`,
        context: 'cac:AllowanceCharge',
        when,
        test: dec2('cbc:BaseAmount'),
      },
    );
  }
  return out;
}

function vatCategoryOf(sub: XNode): XNode[] {
  return children(sub, 'cac:TaxCategory').filter((t) => isVat(t));
}

const HUNDRED = D.int(100);

function taxSubtotalRules(): Rule[] {
  const when = (n: XNode) => n.parent?.q === 'cac:TaxTotal';
  return [
    {
      id: 'BR-45',
      flag: 'fatal',
      bt: 'BT-116',
      message: 'Each VAT breakdown (BG-23) must have a VAT category taxable amount (BT-116).',
      context: 'cac:TaxSubtotal',
      when,
      test: (n) => has(n, 'cbc:TaxableAmount'),
    },
    {
      id: 'BR-46',
      flag: 'fatal',
      bt: 'BT-117',
      message: 'Each VAT breakdown (BG-23) must have a VAT category tax amount (BT-117).',
      context: 'cac:TaxSubtotal',
      when,
      test: (n) => has(n, 'cbc:TaxAmount'),
    },
    {
      id: 'BR-47',
      flag: 'fatal',
      bt: 'BT-118',
      message: 'Each VAT breakdown (BG-23) must have a VAT category code (BT-118).',
      context: 'cac:TaxSubtotal',
      when,
      test: (n) => vatCategoryOf(n).some((t) => has(t, 'cbc:ID')),
    },
    {
      id: 'BR-48',
      flag: 'fatal',
      bt: 'BT-119',
      message:
        'Each VAT breakdown (BG-23) must have a VAT category rate (BT-119), unless the invoice is not subject to VAT.',
      context: 'cac:TaxSubtotal',
      when,
      test: (n) => {
        const cats = vatCategoryOf(n);
        return (
          cats.some((t) => has(t, 'cbc:Percent')) || cats.some((t) => val(t, 'cbc:ID') === 'O')
        );
      },
    },
    {
      id: 'BR-CO-17',
      flag: 'fatal',
      bt: 'BT-117',
      message:
        'VAT category tax amount (BT-117) must equal the taxable amount (BT-116) × VAT rate (BT-119) / 100, rounded to 2 decimals.',
      context: 'cac:TaxSubtotal',
      when,
      test: (n) => {
        const pcts = vatCategoryOf(n).flatMap((t) => children(t, 'cbc:Percent'));
        const taxN = child(n, 'cbc:TaxAmount');
        const tax = dec(taxN);
        // round() of more than one rate is a type error on Saxon: no pass.
        if (pcts.length > 1) return false;
        if (pcts.length === 0) return eq(D.round(tax), D.ZERO);
        const pct = dec(pcts[0]);
        if (eq(D.round(pct), D.ZERO)) return eq(D.round(tax), D.ZERO);
        if (!D.ne(D.round(pct), D.ZERO)) return false;
        const taxable = D.abs(dec(child(n, 'cbc:TaxableAmount')));
        const expect = round2(D.mul(taxable, D.div(pct, HUNDRED)));
        const t = D.abs(tax);
        return D.lt(D.sub(t, D.ONE), expect) && D.gt(D.add(t, D.ONE), expect);
      },
    },
    {
      id: 'BR-DEC-19',
      flag: 'fatal',
      bt: 'BT-116',
      message: 'VAT category taxable amount (BT-116) may have at most 2 decimals.',
      context: 'cac:TaxSubtotal',
      when,
      test: dec2('cbc:TaxableAmount'),
    },
    {
      id: 'BR-DEC-20',
      flag: 'fatal',
      bt: 'BT-117',
      message: 'VAT category tax amount (BT-117) may have at most 2 decimals.',
      context: 'cac:TaxSubtotal',
      when,
      test: dec2('cbc:TaxAmount'),
    },
  ];
}

const VAT_PREFIXES =
  'AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BL BJ BM BN BO BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CX CY CZ DE DJ DK DM DO DZ EC EE EG EH EL ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR ST SV SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW';

const UNCL4451 = new Set(
  'AAA AAB AAC AAD AAE AAF AAG AAI AAJ AAK AAL AAM AAN AAO AAP AAQ AAR AAS AAT AAU AAV AAW AAX AAY AAZ ABA ABB ABC ABD ABE ABF ABG ABH ABI ABJ ABK ABL ABM ABN ABO ABP ABQ ABR ABS ABT ABU ABV ABW ABX ABZ ACA ACB ACC ACD ACE ACF ACG ACH ACI ACJ ACK ACL ACM ACN ACO ACP ACQ ACR ACS ACT ACU ACV ACW ACX ACY ACZ ADA ADB ADC ADD ADE ADF ADG ADH ADI ADJ ADK ADL ADM ADN ADO ADP ADQ ADR ADS ADT ADU ADV ADW ADX ADY ADZ AEA AEB AEC AED AEE AEF AEG AEH AEI AEJ AEK AEL AEM AEN AEO AEP AEQ AER AES AET AEU AEV AEW AEX AEY AEZ AFA AFB AFC AFD AFE AFF AFG AFH AFI AFJ AFK AFL AFM AFN AFO AFP AFQ AFR AFS AFT AFU AFV AFW AFX AFY AFZ AGA AGB AGC AGD AGE AGF AGG AGH AGI AGJ AGK AGL AGM AGN AGO AGP AGQ AGR AGS AGT AGU AGV AGW AGX AGY AGZ AHA AHB AHC AHD AHE AHF AHG AHH AHI AHJ AHK AHL AHM AHN AHO AHP AHQ AHR AHS AHT AHU AHV AHW AHX AHY AHZ AIA AIB AIC AID AIE AIF AIG AIH AII AIJ AIK AIL AIM AIN AIO AIP AIQ AIR AIS AIT AIU AIV AIW AIX AIY AIZ AJA AJB ALC ALD ALE ALF ALG ALH ALI ALJ ALK ALL ALM ALN ALO ALP ALQ ARR ARS AUT AUU AUV AUW AUX AUY AUZ AVA AVB AVC AVD AVE AVF BAG BAH BAI BAJ BAK BAL BAM BAN BAO BAP BAQ BAR BAS BLC BLD BLE BLF BLG BLH BLI BLJ BLK BLL BLM BLN BLO BLP BLQ BLR BLS BLT BLU BLV BLW BLX BLY BLZ BMA BMB BMC BMD BME CCI CEX CHG CIP CLP CLR COI CUR CUS DAR DCL DEL DIN DOC DUT EUR FBC GBL GEN GS7 HAN HAZ ICN IIN IMI IND INS INV IRP ITR ITS LAN LIN LOI MCO MDH MKS ORI OSI PAC PAI PAY PKG PKT PMD PMT PRD PRF PRI PUR QIN QQD QUT RAH REG RET REV RQR SAF SIC SIN SLR SPA SPG SPH SPP SPT SRN SSR SUR TCA TDT TRA TRR TXD WHI ZZZ'.split(
    ' ',
  ),
);
