import type { Rule, Ctx } from '../rule';
import type { XNode } from '../xml-tree';
import { attr, child, children, first, has, norm, ntext, str, val, all } from '../xpath';
import * as D from '../num';
import { dec, eq, numberOf, round2, slack } from '../num';
import { bothGerman, profile } from './common';
import {
  gln,
  mod11,
  mod97be,
  codiceIpa,
  codiceFiscale,
  partitaIvaIT,
  seOrgnr,
  abn,
} from './checksums';

/** Peppol BIS Billing 3.0 transaction rules (PEPPOL-EN16931-R*) and ICD checks (PEPPOL-COMMON-R*). */

const AMOUNT_CONTEXTS = [
  'cbc:Amount',
  'cbc:BaseAmount',
  'cbc:PriceAmount',
  'cbc:TaxableAmount',
  'cbc:LineExtensionAmount',
  'cbc:TaxExclusiveAmount',
  'cbc:TaxInclusiveAmount',
  'cbc:AllowanceTotalAmount',
  'cbc:ChargeTotalAmount',
  'cbc:PrepaidAmount',
  'cbc:PayableRoundingAmount',
  'cbc:PayableAmount',
] as const;

function isDocOrLineAllowanceCharge(n: XNode, c: Ctx): boolean {
  const p = n.parent;
  if (p === null) return false;
  if (p === c.root) return true;
  return p.q === c.lineQ && p.parent === c.root;
}

/**
 * R120's terms for a line: its net amount (0 when absent), and quantity × (net price / base
 * quantity) + charges − allowances, as the rule computes them; null when the base quantity is
 * not a decimal (`xs:decimal(BaseQuantity) != 0` stops Saxon: the rule fails). The figures of its
 * finding (./figures) say the same terms.
 */
export function lineNetTerms(n: XNode, c: Ctx) {
  const lineN = child(n, 'cbc:LineExtensionAmount');
  const lineExt = lineN ? dec(lineN) : D.ZERO;
  const qn = c.isInvoice ? child(n, 'cbc:InvoicedQuantity') : child(n, 'cbc:CreditedQuantity');
  const qty = qn ? dec(qn) : D.ONE;
  const priceN = first(n, 'cac:Price', 'cbc:PriceAmount');
  const price = priceN ? dec(priceN) : D.ZERO;
  const bqN = first(n, 'cac:Price', 'cbc:BaseQuantity');
  const bqV = bqN ? dec(bqN) : null;
  if (bqN && bqV === null) return null;
  const bq = bqV !== null && bqV.m !== 0n ? bqV : D.ONE;
  const allowances = lineAllowancesRounded(n, 'false');
  const charges = lineAllowancesRounded(n, 'true');
  const expected = D.sub(D.add(D.mul(qty, D.div(price, bq)), charges), allowances);
  return { lineN, lineExt, qty, price, bq, allowances, charges, expected };
}

/** R120's `$allowancesTotal` / `$chargesTotal`: rounded decimal sum, 0 when there is none. */
function lineAllowancesRounded(line: XNode, indicator: string): D.D {
  let found = false;
  let t: D.D = D.ZERO;
  for (const ac of children(line, 'cac:AllowanceCharge')) {
    if (val(ac, 'cbc:ChargeIndicator') !== indicator) continue;
    found = true;
    for (const a of children(ac, 'cbc:Amount')) t = D.add(t, dec(a));
  }
  return found ? round2(t) : D.ZERO;
}

const HUNDRED = D.int(100);
const SLACK = D.lit('0.02');

/** An ICD identifier rule for one scheme (EndpointID, PartyIdentification/ID, CompanyID). */
function icd(
  id: string,
  scheme: string,
  flag: 'fatal' | 'warning',
  message: string,
  test: (v: string, n: XNode) => boolean,
  endpointOnly = false,
): Rule {
  return {
    id,
    flag,
    message,
    context: endpointOnly ? ['cbc:EndpointID'] : ['cbc:EndpointID', 'cbc:ID', 'cbc:CompanyID'],
    when: (n) =>
      attr(n, 'schemeID') === scheme &&
      (n.q !== 'cbc:ID' || n.parent?.q === 'cac:PartyIdentification'),
    test: (n) => test(norm(n), n),
  };
}

const DIGITS = /^[0-9]+$/;
const ONLY_DIGITS = /^[0-9]*$/;
const NINE = /^[0-9]{9}$/;
const TEN = /^[0-9]{10}$/;
const ELEVEN = /^[0-9]{11}$/;

/** Peppol transaction and identifier rules. */
export const peppolRules: Rule[] = [
  {
    id: 'PEPPOL-EN16931-R008',
    flag: 'fatal',
    message: 'The document contains an empty element. Remove elements that have no value.',
    context: '*',
    when: (n) => n.children.length === 0 && norm(n) === '',
    test: () => false,
  },
  {
    id: 'PEPPOL-EN16931-R080',
    flag: 'fatal',
    bt: 'BT-11',
    message: 'Only one project reference (BT-11) is allowed on document level.',
    context: '/',
    when: (_n, c) => !c.isInvoice,
    test: (n) =>
      children(n, 'cac:AdditionalDocumentReference').filter((r) =>
        children(r, 'cbc:DocumentTypeCode').some((d) => d.text === '50'),
      ).length <= 1,
  },
  {
    id: 'PEPPOL-EN16931-R001',
    flag: 'fatal',
    bt: 'BT-23',
    message: 'Business process type (BT-23, cbc:ProfileID) is missing.',
    context: '/',
    test: (n) => has(n, 'cbc:ProfileID'),
  },
  {
    id: 'PEPPOL-EN16931-R007',
    flag: 'fatal',
    bt: 'BT-23',
    message:
      "Business process type (BT-23) must have the form 'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0' where NN is the process number.",
    context: '/',
    test: (_n, c) => profile(c) !== 'Unknown',
  },
  {
    id: 'PEPPOL-EN16931-R002',
    flag: 'fatal',
    bt: 'BT-22',
    message: 'No more than one invoice note (BT-22) is allowed on document level.',
    context: '/',
    test: (n, c) => children(n, 'cbc:Note').length <= 1 || bothGerman(c),
  },
  {
    id: 'PEPPOL-EN16931-R003',
    flag: 'fatal',
    bt: 'BT-10, BT-13',
    message: 'A buyer reference (BT-10) or purchase order reference (BT-13) must be provided.',
    context: '/',
    test: (n) => has(n, 'cbc:BuyerReference') || has(n, 'cac:OrderReference', 'cbc:ID'),
  },
  {
    id: 'PEPPOL-EN16931-R004',
    flag: 'fatal',
    bt: 'BT-24',
    message:
      "Specification identifier (BT-24) must be 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'.",
    context: '/',
    test: (n) => {
      const ci = child(n, 'cbc:CustomizationID');
      return (
        ci !== undefined &&
        ntext(ci).startsWith(
          'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
        )
      );
    },
  },
  {
    id: 'PEPPOL-EN16931-R053',
    flag: 'fatal',
    bt: 'BT-110',
    message: 'Exactly one tax total with VAT breakdown (BT-110 with BG-23) must be provided.',
    context: '/',
    test: (n) => children(n, 'cac:TaxTotal').filter((t) => has(t, 'cac:TaxSubtotal')).length === 1,
  },
  {
    id: 'PEPPOL-EN16931-R054',
    flag: 'fatal',
    bt: 'BT-111',
    message:
      'A tax total without breakdown (BT-111) must be provided exactly when a VAT accounting currency (BT-6) is given.',
    context: '/',
    test: (n) =>
      children(n, 'cac:TaxTotal').filter((t) => !has(t, 'cac:TaxSubtotal')).length ===
      (has(n, 'cbc:TaxCurrencyCode') ? 1 : 0),
  },
  {
    id: 'PEPPOL-EN16931-R055',
    flag: 'fatal',
    bt: 'BT-110, BT-111',
    message:
      'Invoice total VAT amount (BT-110) and the total VAT amount in accounting currency (BT-111) must have the same sign.',
    context: '/',
    test: (n) => {
      if (!has(n, 'cbc:TaxCurrencyCode')) return true;
      const taxCur = val(n, 'cbc:TaxCurrencyCode');
      const docCur = val(n, 'cbc:DocumentCurrencyCode');
      const amounts = all(n, 'cac:TaxTotal', 'cbc:TaxAmount');
      // Untyped values compared with 0: XPath casts them to xs:double.
      const inTax = amounts
        .filter((a) => attr(a, 'currencyID') === taxCur)
        .map((a) => numberOf(str(a)));
      const inDoc = amounts
        .filter((a) => attr(a, 'currencyID') === docCur)
        .map((a) => numberOf(str(a)));
      const le = (xs: number[]) => xs.some((x) => x <= 0);
      const gex = (xs: number[]) => xs.some((x) => x >= 0);
      return (le(inTax) && le(inDoc)) || (gex(inTax) && gex(inDoc));
    },
  },
  {
    id: 'PEPPOL-EN16931-R005',
    flag: 'fatal',
    bt: 'BT-6',
    message:
      'VAT accounting currency code (BT-6) must differ from the invoice currency code (BT-5).',
    context: 'cbc:TaxCurrencyCode',
    test: (n) => norm(n) !== val(n.parent ?? undefined, 'cbc:DocumentCurrencyCode'),
  },
  {
    id: 'PEPPOL-EN16931-R010',
    flag: 'fatal',
    bt: 'BT-49',
    message: 'Buyer electronic address (BT-49) is missing.',
    context: 'cac:Party',
    when: (n) => n.parent?.q === 'cac:AccountingCustomerParty',
    test: (n) => has(n, 'cbc:EndpointID'),
  },
  {
    id: 'PEPPOL-EN16931-R020',
    flag: 'fatal',
    bt: 'BT-34',
    message: 'Seller electronic address (BT-34) is missing.',
    context: 'cac:Party',
    when: (n) => n.parent?.q === 'cac:AccountingSupplierParty',
    test: (n) => has(n, 'cbc:EndpointID'),
  },
  {
    id: 'PEPPOL-EN16931-R041',
    flag: 'fatal',
    bt: 'BT-93, BT-99, BT-137, BT-142',
    message:
      'Allowance/charge base amount must be provided when an allowance/charge percentage is provided.',
    context: 'cac:AllowanceCharge',
    when: (n, c) =>
      isDocOrLineAllowanceCharge(n, c) &&
      has(n, 'cbc:MultiplierFactorNumeric') &&
      !has(n, 'cbc:BaseAmount'),
    test: () => false,
  },
  {
    id: 'PEPPOL-EN16931-R042',
    flag: 'fatal',
    bt: 'BT-94, BT-100, BT-138, BT-143',
    message:
      'Allowance/charge percentage must be provided when an allowance/charge base amount is provided.',
    context: 'cac:AllowanceCharge',
    when: (n, c) =>
      isDocOrLineAllowanceCharge(n, c) &&
      !has(n, 'cbc:MultiplierFactorNumeric') &&
      has(n, 'cbc:BaseAmount'),
    test: () => false,
  },
  {
    id: 'PEPPOL-EN16931-R040',
    flag: 'fatal',
    bt: 'BT-92, BT-99',
    message: 'Allowance/charge amount must equal base amount × percentage / 100.',
    context: 'cac:AllowanceCharge',
    when: (n, c) =>
      isDocOrLineAllowanceCharge(n, c) &&
      has(n, 'cbc:MultiplierFactorNumeric') === has(n, 'cbc:BaseAmount'),
    test: (n) => {
      const mfn = child(n, 'cbc:MultiplierFactorNumeric');
      const base = child(n, 'cbc:BaseAmount');
      if (mfn === undefined || base === undefined) return true;
      const amount = child(n, 'cbc:Amount') ? dec(child(n, 'cbc:Amount')) : D.ZERO;
      return slack(amount, D.div(D.mul(dec(base), dec(mfn)), HUNDRED), SLACK);
    },
  },
  {
    id: 'PEPPOL-EN16931-R043',
    flag: 'fatal',
    message:
      "The allowance/charge indicator of allowances and charges (BG-20, BG-21, BG-27, BG-28) must be 'true' or 'false'.",
    context: 'cac:AllowanceCharge',
    when: (n, c) =>
      isDocOrLineAllowanceCharge(n, c) &&
      has(n, 'cbc:MultiplierFactorNumeric') === has(n, 'cbc:BaseAmount'),
    test: (n) => {
      const v = ntext(child(n, 'cbc:ChargeIndicator'));
      return v === 'true' || v === 'false';
    },
  },
  {
    id: 'PEPPOL-EN16931-R061',
    flag: 'fatal',
    bt: 'BT-89',
    message: 'Mandate reference identifier (BT-89) must be provided for direct debit.',
    context: 'cac:PaymentMeans',
    when: (n) => {
      const code = val(n, 'cbc:PaymentMeansCode');
      return code === '49' || code === '59';
    },
    test: (n) => has(n, 'cac:PaymentMandate', 'cbc:ID'),
  },
  {
    id: 'PEPPOL-EN16931-R051',
    flag: 'fatal',
    bt: 'BT-5',
    message:
      'Every amount must be in the invoice currency (BT-5), except the total VAT amount in accounting currency (BT-111).',
    context: [...AMOUNT_CONTEXTS, 'cbc:TaxAmount'],
    when: (n) =>
      n.q !== 'cbc:TaxAmount' ||
      n.parent?.q === 'cac:TaxSubtotal' ||
      (n.parent?.q === 'cac:TaxTotal' && has(n.parent, 'cac:TaxSubtotal')),
    test: (n, c) => {
      const cur = child(c.root, 'cbc:DocumentCurrencyCode');
      return cur !== undefined && attr(n, 'currencyID') === str0(cur);
    },
  },
  {
    id: 'PEPPOL-EN16931-R110',
    flag: 'fatal',
    bt: 'BT-134',
    message: 'Invoice line period start date (BT-134) must be within the invoice period.',
    context: 'cbc:StartDate',
    when: (n, c) =>
      n.parent?.q === 'cac:InvoicePeriod' &&
      n.parent.parent?.q === c.lineQ &&
      n.parent.parent.parent === c.root &&
      has(c.root, 'cac:InvoicePeriod', 'cbc:StartDate'),
    test: (n, c) => n.text.trim() >= val(c.root, 'cac:InvoicePeriod', 'cbc:StartDate'),
  },
  {
    id: 'PEPPOL-EN16931-R111',
    flag: 'fatal',
    bt: 'BT-135',
    message: 'Invoice line period end date (BT-135) must be within the invoice period.',
    context: 'cbc:EndDate',
    when: (n, c) =>
      n.parent?.q === 'cac:InvoicePeriod' &&
      n.parent.parent?.q === c.lineQ &&
      n.parent.parent.parent === c.root &&
      has(c.root, 'cac:InvoicePeriod', 'cbc:EndDate'),
    test: (n, c) => n.text.trim() <= val(c.root, 'cac:InvoicePeriod', 'cbc:EndDate'),
  },
  {
    id: 'PEPPOL-EN16931-R120',
    flag: 'fatal',
    bt: 'BT-131',
    message:
      'Invoice line net amount (BT-131) must equal quantity × (net price / price base quantity) + line charges − line allowances.',
    context: ['cac:InvoiceLine', 'cac:CreditNoteLine'],
    test: (n, c) => {
      const t = lineNetTerms(n, c);
      return t !== null && slack(t.lineExt, t.expected, SLACK);
    },
  },
  {
    id: 'PEPPOL-EN16931-R121',
    flag: 'fatal',
    bt: 'BT-149',
    message: 'Item price base quantity (BT-149) must be a number above zero.',
    context: ['cac:InvoiceLine', 'cac:CreditNoteLine'],
    test: (n) => {
      const bq = first(n, 'cac:Price', 'cbc:BaseQuantity');
      return bq === undefined || D.gt(dec(bq), D.ZERO);
    },
  },
  {
    id: 'PEPPOL-EN16931-R100',
    flag: 'fatal',
    bt: 'BT-128',
    message: 'Only one invoiced object identifier (BT-128) is allowed per line.',
    context: ['cac:InvoiceLine', 'cac:CreditNoteLine'],
    test: (n) => children(n, 'cac:DocumentReference').length <= 1,
  },
  {
    id: 'PEPPOL-EN16931-R101',
    flag: 'fatal',
    bt: 'BT-128',
    message:
      "A line document reference can only be an invoiced object identifier (document type code '130').",
    context: ['cac:InvoiceLine', 'cac:CreditNoteLine'],
    test: (n) =>
      !has(n, 'cac:DocumentReference') ||
      all(n, 'cac:DocumentReference', 'cbc:DocumentTypeCode').some((d) => d.text === '130'),
  },
  {
    id: 'PEPPOL-EN16931-R044',
    flag: 'fatal',
    bt: 'BT-147',
    message:
      "A charge on price level is not allowed: the price allowance indicator must be 'false'.",
    context: 'cac:AllowanceCharge',
    when: (n) => n.parent?.q === 'cac:Price',
    test: (n) => val(n, 'cbc:ChargeIndicator') === 'false',
  },
  {
    id: 'PEPPOL-EN16931-R046',
    flag: 'fatal',
    bt: 'BT-146, BT-147, BT-148',
    message:
      'Item net price (BT-146) must equal gross price (BT-148) minus price discount (BT-147).',
    context: 'cac:AllowanceCharge',
    when: (n) => n.parent?.q === 'cac:Price',
    test: (n) => {
      const base = child(n, 'cbc:BaseAmount');
      if (base === undefined) return true;
      return eq(
        dec(child(n.parent!, 'cbc:PriceAmount')),
        D.sub(dec(base), dec(child(n, 'cbc:Amount'))),
      );
    },
  },
  {
    id: 'PEPPOL-EN16931-R130',
    flag: 'fatal',
    bt: 'BT-150',
    message:
      'Unit of the price base quantity (BT-150) must be the same as the invoiced quantity unit (BT-130).',
    context: 'cbc:BaseQuantity',
    when: (n) => n.parent?.q === 'cac:Price' && attr(n, 'unitCode') !== undefined,
    test: (n, c) => {
      const line = n.parent?.parent;
      const hasQ = has(line, 'cbc:InvoicedQuantity') || has(line, 'cbc:CreditedQuantity');
      if (!hasQ) return true;
      const q = c.isInvoice
        ? children(line, 'cbc:InvoicedQuantity')
        : children(line, 'cbc:CreditedQuantity');
      return q.some((x) => attr(x, 'unitCode') === attr(n, 'unitCode'));
    },
  },
  icd(
    'PEPPOL-COMMON-R040',
    '0088',
    'fatal',
    'A GLN (scheme 0088) used as an identifier (e.g. electronic address BT-34/BT-49, party identifier BT-29/BT-46) must have the GS1 format and check digit.',
    (v) => DIGITS.test(v) && gln(v),
  ),
  icd(
    'PEPPOL-COMMON-R041',
    '0192',
    'fatal',
    'A Norwegian organization number (scheme 0192) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be nine digits with a valid check digit.',
    (v) => NINE.test(v) && mod11(v),
  ),
  icd(
    'PEPPOL-COMMON-R042',
    '0184',
    'fatal',
    'A Danish organization number (CVR, scheme 0184) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be DK followed by eight digits.',
    (_v, n) => {
      // 3.0.19 accepts the CVR number with or without its DK prefix.
      const t = n.text;
      if (t.length === 8) return ONLY_DIGITS.test(t);
      return t.length === 10 && t.substring(0, 2) === 'DK' && ONLY_DIGITS.test(t.substring(2));
    },
  ),
  icd(
    'PEPPOL-COMMON-R043',
    '0208',
    'fatal',
    'A Belgian enterprise number (scheme 0208) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be ten digits with valid check digits.',
    (v) => TEN.test(v) && mod97be(v),
  ),
  icd(
    'PEPPOL-COMMON-R044',
    '0201',
    'warning',
    'An IPA code (Codice Univoco Unità Organizzativa, scheme 0201) used as an identifier (e.g. electronic address BT-34/BT-49) must be six letters or digits.',
    (v) => codiceIpa(v),
  ),
  icd(
    'PEPPOL-COMMON-R045',
    '0210',
    'warning',
    'An Italian tax code (Codice Fiscale) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be in the correct format.',
    (v) => codiceFiscale(v),
  ),
  icd(
    'PEPPOL-COMMON-R046',
    '9907',
    'warning',
    'An Italian tax code (Codice Fiscale) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be in the correct format.',
    (v) => codiceFiscale(v),
    true,
  ),
  icd(
    'PEPPOL-COMMON-R047',
    '0211',
    'warning',
    'An Italian VAT number (Partita IVA) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be in the correct format.',
    (v) => partitaIvaIT(v),
  ),
  icd(
    'PEPPOL-COMMON-R049',
    '0007',
    'fatal',
    'A Swedish organization number (scheme 0007) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be ten digits with a valid check digit.',
    (v) => v.length === 10 && !Number.isNaN(Number(v)) && seOrgnr(v),
  ),
  icd(
    'PEPPOL-COMMON-R050',
    '0151',
    'fatal',
    'An Australian Business Number (ABN, scheme 0151) used as an identifier (e.g. electronic address BT-34/BT-49, legal registration identifier BT-30/BT-47) must be eleven digits with valid check digits.',
    (v) => ELEVEN.test(v) && abn(v),
  ),
];

function str0(n: XNode): string {
  return n.text;
}
