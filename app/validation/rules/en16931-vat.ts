import type { Ctx, Rule } from '../rule';
import type { XNode } from '../xml-tree';
import { all, child, children, has, str } from '../xpath';
import * as D from '../num';
import { dec, eq, numberOf, round2 } from '../num';
import { memo } from '../rule';
import {
  breakdownCategories,
  buyerLegalId,
  buyerVatId,
  catId,
  isAllowance,
  isCharge,
  isVat,
  sellerAnyTaxId,
  sellerVatId,
  taxRepVatId,
} from './common';

/**
 * EN 16931 VAT category rules: BR-S-*, BR-Z-*, BR-E-*, BR-AE-*, BR-IC-*, BR-G-*, BR-O-*,
 * BR-AF-* (IGIC, code L), BR-AG-* (IPSI, code M) and BR-B-* (split payment).
 */

type Cat = 'S' | 'Z' | 'E' | 'AE' | 'K' | 'G' | 'O' | 'L' | 'M';

const NAMES: Record<Cat, string> = {
  S: 'Standard rated',
  Z: 'Zero rated',
  E: 'Exempt from VAT',
  AE: 'Reverse charge',
  K: 'Intra-community supply',
  G: 'Export outside the EU',
  O: 'Not subject to VAT',
  L: 'IGIC (Canary Islands)',
  M: 'IPSI (Ceuta and Melilla)',
};

const PREFIX: Record<Cat, string> = {
  S: 'BR-S',
  Z: 'BR-Z',
  E: 'BR-E',
  AE: 'BR-AE',
  K: 'BR-IC',
  G: 'BR-G',
  O: 'BR-O',
  L: 'BR-AF',
  M: 'BR-AG',
};

interface CatIndex {
  /** //cac:TaxCategory and //cac:ClassifiedTaxCategory elements. */
  taxCats: XNode[];
  classified: XNode[];
}

function index(c: Ctx): CatIndex {
  return memo(c, 'vatIndex', () => ({
    taxCats: [...c.nodes('cac:TaxCategory')],
    classified: [...c.nodes('cac:ClassifiedTaxCategory')],
  }));
}

/** AllowanceCharge ancestor kind for a TaxCategory: 'A' allowance, 'C' charge, null otherwise. */
function acKind(tc: XNode): 'A' | 'C' | null {
  const p = tc.parent;
  if (p === null || p.q !== 'cac:AllowanceCharge') return null;
  if (isAllowance(p)) return 'A';
  if (isCharge(p)) return 'C';
  return null;
}

function isBreakdown(tc: XNode, c: Ctx): boolean {
  return (
    tc.parent?.q === 'cac:TaxSubtotal' &&
    tc.parent.parent?.q === 'cac:TaxTotal' &&
    tc.parent.parent.parent === c.root
  );
}

function lineClassified(tc: XNode): boolean {
  const item = tc.parent;
  const line = item?.parent;
  return (
    item?.q === 'cac:Item' && (line?.q === 'cac:InvoiceLine' || line?.q === 'cac:CreditNoteLine')
  );
}

/**
 * Sum used by BR-x-08, exactly as the official test writes it: the root's lines whose item has
 * a classified category `code` (and, with `rate`, some classified rate equal to it), plus the
 * root's charges minus allowances with such a tax category. Decimal, not rounded.
 */
function categoryBase(c: Ctx, lineQ: string, code: Cat, rate: D.Dec | null): D.D {
  let t: D.D = D.ZERO;
  for (const l of children(c.root, lineQ)) {
    const ctcs = all(l, 'cac:Item', 'cac:ClassifiedTaxCategory');
    if (!ctcs.some((x) => catId(x) === code)) continue;
    if (rate !== null && !someRate(ctcs, rate)) continue;
    for (const a of children(l, 'cbc:LineExtensionAmount')) t = D.add(t, dec(a));
  }
  for (const ac of children(c.root, 'cac:AllowanceCharge')) {
    const tcs = children(ac, 'cac:TaxCategory');
    if (!tcs.some((x) => catId(x) === code)) continue;
    if (rate !== null && !someRate(tcs, rate)) continue;
    if (isCharge(ac)) for (const a of children(ac, 'cbc:Amount')) t = D.add(t, dec(a));
    else if (isAllowance(ac)) for (const a of children(ac, 'cbc:Amount')) t = D.sub(t, dec(a));
  }
  return t;
}

/** XPath `cats/xs:decimal(cbc:Percent) = $rate` (general comparison: some rate equals). */
function someRate(cats: readonly XNode[], rate: D.Dec): boolean {
  return cats.some((x) => children(x, 'cbc:Percent').some((p) => eq(dec(p), rate)));
}

/** `xs:decimal(cbc:TaxableAmount ± 1)`: the untyped value takes part as an xs:double. */
function taxableShifted(sub: XNode | undefined, delta: number): D.D {
  const t = child(sub, 'cbc:TaxableAmount');
  return t === undefined ? null : D.fromDouble(numberOf(str(t)) + delta);
}

/**
 * BR-S-08 / BR-AF-08 / BR-AG-08: for every rate of the breakdown, TaxableAmount - 1 < base <
 * TaxableAmount + 1 for the invoice lines or for the credit note lines. BR-S-08 also requires a
 * line or allowance/charge anywhere with that category and rate; the others only that lines of
 * that kind exist.
 */
function rateBaseMatches(tc: XNode, c: Ctx, code: Cat, requireUse: boolean): boolean {
  const sub = tc.parent ?? undefined;
  const lo = taxableShifted(sub, -1);
  const hi = taxableShifted(sub, 1);
  for (const p of children(tc, 'cbc:Percent')) {
    const rate = dec(p);
    if (rate === null) return false;
    let ok = false;
    for (const lineQ of ['cac:InvoiceLine', 'cac:CreditNoteLine']) {
      if (requireUse) {
        const used =
          c.nodes(lineQ).some((l) => {
            const ctcs = all(l, 'cac:Item', 'cac:ClassifiedTaxCategory');
            return ctcs.some((x) => catId(x) === code) && someRate(ctcs, rate);
          }) ||
          c.nodes('cac:AllowanceCharge').some((ac) => {
            const tcs = children(ac, 'cac:TaxCategory');
            return tcs.some((x) => catId(x) === code) && someRate(tcs, rate);
          });
        if (!used) continue;
      } else if (c.nodes(lineQ).length === 0) continue;
      const base = categoryBase(c, lineQ, code, rate);
      if (D.lt(lo, base) && D.gt(hi, base)) ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

const HUNDRED = D.int(100);

/** BR-S-09 / BR-AF-09 / BR-AG-09: |tax| - 1 < round2(|taxable| × rate / 100) < |tax| + 1. */
function rateTax(tc: XNode): boolean {
  const sub = tc.parent ?? undefined;
  const pcts = children(tc, 'cbc:Percent');
  if (pcts.length !== 1) return false;
  const tax = D.abs(dec(child(sub, 'cbc:TaxAmount')));
  const taxable = D.abs(dec(child(sub, 'cbc:TaxableAmount')));
  const expect = round2(D.mul(taxable, D.div(dec(pcts[0]), HUNDRED)));
  return D.lt(D.sub(tax, D.ONE), expect) && D.gt(D.add(tax, D.ONE), expect);
}

function sellerCondition(code: Cat, c: Ctx): boolean {
  switch (code) {
    case 'G':
      return sellerVatId(c) || taxRepVatId(c);
    case 'K':
      return (sellerVatId(c) || taxRepVatId(c)) && buyerVatId(c);
    case 'AE':
      return (sellerAnyTaxId(c) || taxRepVatId(c)) && (buyerVatId(c) || buyerLegalId(c));
    case 'O':
      return !sellerVatId(c) && !taxRepVatId(c) && !buyerVatId(c);
    default:
      return sellerAnyTaxId(c) || taxRepVatId(c);
  }
}

function categoryRules(code: Cat): Rule[] {
  const p = PREFIX[code];
  const name = NAMES[code];
  const rules: Rule[] = [];
  // x-01: breakdown present for the category.
  rules.push({
    id: `${p}-01`,
    flag: 'fatal',
    bt: 'BT-118',
    message: `The invoice uses VAT category "${name}" on a line, allowance or charge, so the VAT breakdown (BG-23) must contain that category (BT-118)${code === 'S' || code === 'L' || code === 'M' ? '' : ' exactly once'}.`,
    context: '/',
    test: (_n, c) => {
      const ix = index(c);
      const bd = breakdownCategories(c);
      if (code === 'S' || code === 'L' || code === 'M') {
        const vatCheck = code !== 'S';
        const used =
          ix.taxCats.filter(
            (t) =>
              t.parent?.q === 'cac:AllowanceCharge' && catId(t) === code && (!vatCheck || isVat(t)),
          ).length +
          ix.classified.filter((t) => catId(t) === code && (!vatCheck || isVat(t))).length;
        const inBd = bd.filter((t) => catId(t) === code && (!vatCheck || isVat(t))).length;
        return (used > 0 && inBd > 0) || (used === 0 && inBd === 0);
      }
      const any =
        ix.taxCats.some((t) => isVat(t) && catId(t) === code) ||
        ix.classified.some((t) => isVat(t) && catId(t) === code);
      const inBd = bd.filter((t) => isVat(t) && catId(t) === code).length;
      return (any && inBd === 1) || !any;
    },
  });
  // x-02 / x-03 / x-04: parties' VAT identifiers.
  const partyMsg =
    code === 'O'
      ? `must not contain the seller VAT identifier (BT-31), the tax representative VAT identifier (BT-63) or the buyer VAT identifier (BT-48).`
      : code === 'K'
        ? 'must contain the seller VAT identifier (BT-31) or tax representative VAT identifier (BT-63), and the buyer VAT identifier (BT-48).'
        : code === 'AE'
          ? 'must contain the seller VAT identifier (BT-31), tax registration identifier (BT-32) or tax representative VAT identifier (BT-63), and the buyer VAT identifier (BT-48) or legal registration identifier (BT-47).'
          : code === 'G'
            ? 'must contain the seller VAT identifier (BT-31) or the tax representative VAT identifier (BT-63).'
            : 'must contain the seller VAT identifier (BT-31), tax registration identifier (BT-32) or tax representative VAT identifier (BT-63).';
  const where: [string, string, (t: XNode, c: Ctx) => boolean][] = [
    ['02', 'An invoice line (BG-25) with VAT category', (t) => t.q === 'cac:ClassifiedTaxCategory'],
    [
      '03',
      'A document level allowance (BG-20) with VAT category',
      (t, c) => acKind(t) === 'A' && (code !== 'O' || t.parent?.parent === c.root),
    ],
    [
      '04',
      'A document level charge (BG-21) with VAT category',
      (t, c) => acKind(t) === 'C' && (code !== 'O' || t.parent?.parent === c.root),
    ],
  ];
  for (const [suffix, what, sel] of where) {
    rules.push({
      id: `${p}-${suffix}`,
      flag: 'fatal',
      message: `${what} "${name}" ${partyMsg.replace(/^must/, 'means the invoice must')}`,
      context: '/',
      test: (_n, c) => {
        const ix = index(c);
        const pool = suffix === '02' ? ix.classified : ix.taxCats;
        // The official test is `(exists(A) and parties) or not(exists(B))`. A and B differ in
        // three rules: BR-S-02's B has no VAT scheme condition (a standard rated line whose
        // category is not in the VAT scheme fails it whatever the parties), BR-G-03/04's A has
        // none (same result as with it), BR-AF-04's B compares the raw, not normalised, code.
        const idOfB =
          code === 'L' && suffix === '04' ? (t: XNode) => str(child(t, 'cbc:ID')) : catId;
        const vatInB = !(code === 'S' && suffix === '02');
        const inA = pool.some((t) => sel(t, c) && catId(t) === code && isVat(t));
        const inB = pool.some((t) => sel(t, c) && idOfB(t) === code && (!vatInB || isVat(t)));
        return (inA && sellerCondition(code, c)) || !inB;
      },
    });
  }
  // x-05 / x-06 / x-07: rates on lines, allowances, charges.
  const rateTest = (t: XNode): boolean => {
    const pct = children(t, 'cbc:Percent');
    switch (code) {
      case 'S':
        return pct.some((x) => numberOf(str(x)) > 0);
      case 'L':
      case 'M':
        return pct.some((x) => numberOf(str(x)) >= 0);
      case 'O':
        return pct.length === 0;
      default:
        return pct.length === 1 && eq(dec(pct[0]), D.ZERO);
    }
  };
  const rateMsg =
    code === 'S'
      ? 'must be greater than zero'
      : code === 'O'
        ? 'must not be given'
        : code === 'L' || code === 'M'
          ? 'must be zero or greater'
          : 'must be 0 (zero)';
  // Walk 22: a line of category Z at 21 % was told only that "the rate must be 0", steering the
  // clerk to the rate when the category was the mistake.
  const rateOrCategory = '; if the rate is right, the VAT category is not.';
  rules.push(
    {
      id: `${p}-05`,
      flag: 'fatal',
      bt: 'BT-152',
      message: `In an invoice line with VAT category "${name}" the invoiced item VAT rate (BT-152) ${rateMsg}${rateOrCategory}`,
      context: 'cac:ClassifiedTaxCategory',
      when: (t) => lineClassified(t) && catId(t) === code && isVat(t),
      test: rateTest,
    },
    {
      id: `${p}-06`,
      flag: 'fatal',
      bt: 'BT-96',
      message: `In a document level allowance with VAT category "${name}" the allowance VAT rate (BT-96) ${rateMsg}${rateOrCategory}`,
      context: 'cac:TaxCategory',
      when: (t) => acKind(t) === 'A' && catId(t) === code && isVat(t),
      test: rateTest,
    },
    {
      id: `${p}-07`,
      flag: 'fatal',
      bt: 'BT-103',
      message: `In a document level charge with VAT category "${name}" the charge VAT rate (BT-103) ${rateMsg}${rateOrCategory}`,
      context: 'cac:TaxCategory',
      when: (t) => acKind(t) === 'C' && catId(t) === code && isVat(t),
      test: rateTest,
    },
  );
  // x-08 / x-09 / x-10 on the breakdown.
  const bdWhen = (t: XNode, c: Ctx) => isBreakdown(t, c) && catId(t) === code && isVat(t);
  const perRate = code === 'S' || code === 'L' || code === 'M';
  rules.push({
    id: `${p}-08`,
    flag: 'fatal',
    bt: 'BT-116',
    message: `VAT category taxable amount (BT-116) for "${name}" must equal the line net amounts plus charges minus allowances in that category${perRate ? ' and rate' : ''}.`,
    context: 'cac:TaxCategory',
    when: bdWhen,
    test: (t, c) => {
      if (perRate) return rateBaseMatches(t, c, code, code === 'S');
      const taxable = dec(child(t.parent ?? undefined, 'cbc:TaxableAmount'));
      for (const lineQ of ['cac:InvoiceLine', 'cac:CreditNoteLine']) {
        if (c.nodes(lineQ).length === 0) continue;
        if (eq(taxable, categoryBase(c, lineQ, code, null))) return true;
      }
      return false;
    },
  });
  rules.push({
    id: `${p}-09`,
    flag: 'fatal',
    bt: 'BT-117',
    message: perRate
      ? `VAT category tax amount (BT-117) for "${name}" must equal the taxable amount (BT-116) × the rate (BT-119).`
      : `VAT category tax amount (BT-117) for "${name}" must be 0 (zero).`,
    context: 'cac:TaxCategory',
    when: bdWhen,
    test: (t) => {
      if (perRate) return rateTax(t);
      return eq(dec(child(t.parent ?? undefined, 'cbc:TaxAmount')), D.ZERO);
    },
  });
  const mustHaveReason = !(code === 'S' || code === 'Z' || code === 'L' || code === 'M');
  rules.push({
    id: `${p}-10`,
    flag: 'fatal',
    bt: 'BT-120, BT-121',
    message: mustHaveReason
      ? `A VAT breakdown with category "${name}" must have a VAT exemption reason code (BT-121) or text (BT-120).`
      : `A VAT breakdown with category "${name}" must not have a VAT exemption reason code (BT-121) or text (BT-120).`,
    context: 'cac:TaxCategory',
    when: bdWhen,
    test: (t) => {
      const r = has(t, 'cbc:TaxExemptionReason') || has(t, 'cbc:TaxExemptionReasonCode');
      return mustHaveReason ? r : !r;
    },
  });
  return rules;
}

function oExclusive(id: string, message: string, others: (c: Ctx) => XNode[]): Rule {
  return {
    id,
    flag: 'fatal',
    message,
    context: '/',
    test: (_n, c) => {
      const hasO = breakdownCategories(c).some((t) => isVat(t) && catId(t) === 'O');
      if (!hasO) return true;
      return !others(c).some((t) => isVat(t) && catId(t) !== 'O');
    },
  };
}

/** VAT category rules for every category. */
export const en16931VatRules: Rule[] = [
  ...(['AE', 'E', 'G', 'K', 'O', 'S', 'Z', 'L', 'M'] as const).flatMap(categoryRules),
  {
    id: 'BR-IC-11',
    flag: 'fatal',
    bt: 'BT-72, BG-14',
    message:
      'With VAT category "Intra-community supply" the actual delivery date (BT-72) or the invoicing period (BG-14) must be given.',
    context: '/',
    test: (n, c) => {
      if (!breakdownCategories(c).some((t) => isVat(t) && catId(t) === 'K')) return true;
      const d = all(n, 'cac:Delivery', 'cbc:ActualDeliveryDate');
      return (
        (d.length > 0 && str(d[0]).length > 1) ||
        all(n, 'cac:InvoicePeriod').some((p) => p.children.length > 0)
      );
    },
  },
  {
    id: 'BR-IC-12',
    flag: 'fatal',
    bt: 'BT-80',
    message:
      'With VAT category "Intra-community supply" the deliver-to country code (BT-80) must be given.',
    context: '/',
    test: (n, c) => {
      if (!breakdownCategories(c).some((t) => isVat(t) && catId(t) === 'K')) return true;
      const d = all(
        n,
        'cac:Delivery',
        'cac:DeliveryLocation',
        'cac:Address',
        'cac:Country',
        'cbc:IdentificationCode',
      );
      return d.length > 0 && str(d[0]).length > 1;
    },
  },
  oExclusive(
    'BR-O-11',
    'An invoice with VAT category "Not subject to VAT" in the VAT breakdown must not contain other VAT breakdowns (BG-23).',
    (c) => breakdownCategories(c),
  ),
  oExclusive(
    'BR-O-12',
    'An invoice with VAT category "Not subject to VAT" in the VAT breakdown must not have lines with another VAT category (BT-151).',
    (c) => index(c).classified,
  ),
  oExclusive(
    'BR-O-13',
    'An invoice with VAT category "Not subject to VAT" in the VAT breakdown must not have document level allowances with another VAT category (BT-95).',
    (c) => index(c).taxCats.filter((t) => acKind(t) === 'A'),
  ),
  oExclusive(
    'BR-O-14',
    'An invoice with VAT category "Not subject to VAT" in the VAT breakdown must not have document level charges with another VAT category (BT-102).',
    (c) => index(c).taxCats.filter((t) => acKind(t) === 'C'),
  ),
  {
    id: 'BR-B-01',
    flag: 'fatal',
    message:
      'An invoice with VAT category code (BT-151, BT-95 or BT-102) "Split payment" must be a domestic Italian invoice (seller and buyer in Italy).',
    context: '/',
    test: (_n, c) => {
      const ix = index(c);
      const b =
        ix.taxCats.some((t) => str(child(t, 'cbc:ID')) === 'B') ||
        ix.classified.some((t) => str(child(t, 'cbc:ID')) === 'B');
      if (!b) return true;
      return !c.nodes('cbc:IdentificationCode').some((x) => str(x) !== 'IT');
    },
  },
  {
    id: 'BR-B-02',
    flag: 'fatal',
    message:
      'An invoice with VAT category code (BT-151, BT-95 or BT-102) "Split payment" must not also use "Standard rated" on lines (BG-25), document allowances (BG-20) or charges (BG-21).',
    context: '/',
    test: (n, c) => {
      // Official paths: the root's VAT breakdown and allowances/charges, and every line
      // category; a category under cac:WithholdingTaxTotal or on a price is not looked at.
      // The "S" side reads cac:TaxSubtotal/cbc:ID (not .../cac:TaxCategory/cbc:ID) in the
      // official rule, so a standard rated breakdown alone never trips it.
      const ids = (xs: readonly XNode[], code: string) =>
        xs.some((t) => children(t, 'cbc:ID').some((x) => str(x) === code));
      const acCats = all(n, 'cac:AllowanceCharge', 'cac:TaxCategory');
      const classified = index(c).classified;
      const b =
        ids(all(n, 'cac:TaxTotal', 'cac:TaxSubtotal', 'cac:TaxCategory'), 'B') ||
        ids(acCats, 'B') ||
        ids(classified, 'B');
      if (!b) return true;
      const s =
        ids(all(n, 'cac:TaxTotal', 'cac:TaxSubtotal'), 'S') ||
        ids(acCats, 'S') ||
        ids(classified, 'S');
      return !s;
    },
  },
];
