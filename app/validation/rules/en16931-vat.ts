import type { Ctx, Rule } from '../rule';
import type { XNode } from '../xml-tree';
import { all, child, children, has, str } from '../xpath';
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

/** Sum used by BR-x-08: lines + charges − allowances of one category (optionally one rate). */
function categoryBase(c: Ctx, lineQ: string, code: Cat, rate: number | null): number {
  let t = 0;
  for (const l of children(c.root, lineQ)) {
    const ctcs = all(l, 'cac:Item', 'cac:ClassifiedTaxCategory');
    if (!ctcs.some((x) => catId(x) === code)) continue;
    if (
      rate !== null &&
      !ctcs.some((x) => children(x, 'cbc:Percent').some((p) => eq(dec(p), rate)))
    )
      continue;
    for (const a of children(l, 'cbc:LineExtensionAmount')) t += dec(a);
  }
  for (const ac of children(c.root, 'cac:AllowanceCharge')) {
    const tcs = children(ac, 'cac:TaxCategory');
    if (!tcs.some((x) => catId(x) === code)) continue;
    if (rate !== null && !tcs.some((x) => children(x, 'cbc:Percent').some((p) => eq(dec(p), rate))))
      continue;
    const sign = isCharge(ac) ? 1 : isAllowance(ac) ? -1 : 0;
    for (const a of children(ac, 'cbc:Amount')) t += sign * dec(a);
  }
  return t;
}

function rateBaseMatches(tc: XNode, c: Ctx, code: Cat, requireUse: boolean): boolean {
  const pcts = children(tc, 'cbc:Percent');
  const taxable = dec(child(tc.parent ?? undefined, 'cbc:TaxableAmount'));
  for (const p of pcts) {
    const rate = dec(p);
    let ok = false;
    for (const lineQ of ['cac:InvoiceLine', 'cac:CreditNoteLine']) {
      if (!has(c.root, lineQ) && !requireUse) continue;
      if (requireUse) {
        const used =
          c
            .nodes(lineQ)
            .some((l) =>
              all(l, 'cac:Item', 'cac:ClassifiedTaxCategory').some(
                (x) =>
                  catId(x) === code && children(x, 'cbc:Percent').some((pp) => eq(dec(pp), rate)),
              ),
            ) ||
          c
            .nodes('cac:AllowanceCharge')
            .some((ac) =>
              children(ac, 'cac:TaxCategory').some(
                (x) =>
                  catId(x) === code && children(x, 'cbc:Percent').some((pp) => eq(dec(pp), rate)),
              ),
            );
        if (!used) continue;
      }
      const base = categoryBase(c, lineQ, code, rate);
      if (taxable - 1 < base && taxable + 1 > base) ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

function rateTax(tc: XNode): boolean {
  const sub = tc.parent;
  const tax = Math.abs(dec(child(sub ?? undefined, 'cbc:TaxAmount')));
  const pcts = children(tc, 'cbc:Percent');
  if (pcts.length !== 1) return false;
  const expect = round2(
    Math.abs(dec(child(sub ?? undefined, 'cbc:TaxableAmount'))) * (dec(pcts[0]) / 100),
  );
  return tax - 1 < expect && tax + 1 > expect;
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
        // BR-S-02 checks presence without the VAT scheme condition; the others with it.
        // Quirk kept from the official rule: BR-AF-04 tests absence on the raw (not normalised) code.
        const idOf =
          code === 'L' && suffix === '04' ? (t: XNode) => str(child(t, 'cbc:ID')) : catId;
        const present = pool.some(
          (t) => sel(t, c) && idOf(t) === code && (isVat(t) || (code === 'S' && suffix === '02')),
        );
        return !present || sellerCondition(code, c);
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
        return pct.length === 1 && eq(dec(pct[0]), 0);
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
  rules.push(
    {
      id: `${p}-05`,
      flag: 'fatal',
      bt: 'BT-152',
      message: `In an invoice line with VAT category "${name}" the invoiced item VAT rate (BT-152) ${rateMsg}.`,
      context: 'cac:ClassifiedTaxCategory',
      when: (t) => lineClassified(t) && catId(t) === code && isVat(t),
      test: rateTest,
    },
    {
      id: `${p}-06`,
      flag: 'fatal',
      bt: 'BT-96',
      message: `In a document level allowance with VAT category "${name}" the allowance VAT rate (BT-96) ${rateMsg}.`,
      context: 'cac:TaxCategory',
      when: (t) => acKind(t) === 'A' && catId(t) === code && isVat(t),
      test: rateTest,
    },
    {
      id: `${p}-07`,
      flag: 'fatal',
      bt: 'BT-103',
      message: `In a document level charge with VAT category "${name}" the charge VAT rate (BT-103) ${rateMsg}.`,
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
      const taxable = child(t.parent ?? undefined, 'cbc:TaxableAmount');
      if (taxable === undefined) return false;
      for (const lineQ of ['cac:InvoiceLine', 'cac:CreditNoteLine']) {
        if (c.nodes(lineQ).length === 0) continue;
        if (eq(dec(taxable), categoryBase(c, lineQ, code, null))) return true;
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
      const a = child(t.parent ?? undefined, 'cbc:TaxAmount');
      return a !== undefined && eq(dec(a), 0);
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
    test: (_n, c) => {
      const ix = index(c);
      const any = (code: string) =>
        ix.taxCats.some((t) => children(t, 'cbc:ID').some((x) => str(x) === code)) ||
        ix.classified.some((t) => children(t, 'cbc:ID').some((x) => str(x) === code));
      return !any('B') || !any('S');
    },
  },
];
