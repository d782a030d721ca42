/**
 * The document's own figures for the totals rules, added to a finding's message when the rule
 * fires (walk 13: "must equal invoice total with VAT (BT-112) minus paid amount (BT-113) plus
 * rounding amount (BT-114)" left the clerk to find which amount was off). Each gives what the
 * file says and what the rule computes from the file, e.g. "the invoice says 2419.99; total with
 * VAT 2420.00 − paid 0.00 + rounding 0.00 = 2420.00". Keyed by official rule id, as the hints
 * are; figures never judge (the rule does), and a value that is not a number gives no figures.
 */
import type { Ctx } from '../rule';
import type { XNode } from '../xml-tree';
import * as D from '../num';
import { dec, round2 } from '../num';
import { attr, child, children, str } from '../xpath';
import { isDateText10 } from './code-lists';
import { docAllowanceCharges, isAllowance, isCharge } from './common';
import { DAY_FORM } from './hints';
import { lineNetTerms } from './peppol';

/** The figures of one rule for the node it fired on, or undefined when there are none to give. */
export type Figures = (n: XNode, c: Ctx) => string | undefined;

/** An amount as money: at least two decimals ("2420" → "2420.00"); throws on a non-number. */
function money(d: D.D): string {
  if (d === null) throw new Error('not a number');
  return D.toText(d.s >= 2 ? d : { m: d.m * 10n ** BigInt(2 - d.s), s: 2 });
}

/** The amount of `q` under `n`, zero when it is absent (as the rules take it). */
function amountOr0(n: XNode, q: string): D.D {
  const x = child(n, q);
  return x === undefined ? D.ZERO : dec(x);
}

function what(c: Ctx): string {
  return c.isInvoice ? 'the invoice' : 'the credit note';
}

/** "the invoice says X" (or "gives none" when the element is absent). */
function says(c: Ctx, x: XNode | undefined): string {
  return x === undefined ? `${what(c)} gives none` : `${what(c)} says ${money(dec(x))}`;
}

const LINES = ['cac:InvoiceLine', 'cac:CreditNoteLine'] as const;

function lineTotal(c: Ctx): D.D {
  let t: D.D = D.ZERO;
  for (const q of LINES)
    for (const l of c.nodes(q))
      for (const a of children(l, 'cbc:LineExtensionAmount')) t = D.add(t, dec(a));
  return round2(t);
}

function docAC(c: Ctx, charge: boolean): D.D {
  let t: D.D = D.ZERO;
  for (const ac of docAllowanceCharges(c)) {
    if (charge ? !isCharge(ac) : !isAllowance(ac)) continue;
    for (const a of children(ac, 'cbc:Amount')) t = D.add(t, dec(a));
  }
  return round2(t);
}

/**
 * What a "may have at most 2 decimals" rule counted in the amount `q` (BR-DEC-09 to -18): the
 * official test counts every character after the point, so spaces or line breaks around the
 * number count as decimals (walk 15: a pretty-printed "⏎ 2420.00⏎ " read "may have at most 2
 * decimals", and the clerk looked for a third decimal that was not there).
 */
function decimalsOf(q: string): Figures {
  return (n, c) => {
    const x = child(n, q);
    if (x === undefined) return undefined;
    const raw = str(x);
    if (raw.trim() !== raw)
      return `${what(c)} writes it with spaces or line breaks around the number ${raw.trim()}, which count as decimals here: write the number alone`;
    return `${what(c)} says ${raw}`;
  };
}

/**
 * The document currency (BT-5) when it is written with spaces or line breaks around its code
 * (walk 16: " EUR " gave 17 findings that every amount and the total with VAT were wrong, and
 * no word about the spaces): what to say, or undefined when the code is written alone.
 */
function spacedCurrency(c: Ctx): string | undefined {
  const cur = child(c.root, 'cbc:DocumentCurrencyCode');
  if (cur === undefined) return undefined;
  const code = str(cur);
  if (code.trim() === code) return undefined;
  return `${what(c)} writes its currency (BT-5) with spaces or line breaks around the code ${code.trim()}, so no amount is in its currency: write the code alone`;
}

/** The same words for an amount that is itself the rule's context (UBL-DT-01: any amount). */
const decimalsHere: Figures = (n, c) => {
  const raw = str(n);
  if (raw.trim() !== raw)
    return `${what(c)} writes this amount (${n.local}) with spaces or line breaks around the number ${raw.trim()}, which count as decimals here: write the number alone`;
  return `${what(c)} says ${raw} (${n.local})`;
};

/** Figures by rule id (context nodes as in ./en16931-core). */
export const RULE_FIGURES: Readonly<Record<string, Figures>> = {
  'BR-DEC-09': decimalsOf('cbc:LineExtensionAmount'),
  'BR-DEC-10': decimalsOf('cbc:AllowanceTotalAmount'),
  'BR-DEC-11': decimalsOf('cbc:ChargeTotalAmount'),
  'BR-DEC-12': decimalsOf('cbc:TaxExclusiveAmount'),
  'BR-DEC-14': decimalsOf('cbc:TaxInclusiveAmount'),
  'BR-DEC-16': decimalsOf('cbc:PrepaidAmount'),
  'BR-DEC-17': decimalsOf('cbc:PayableRoundingAmount'),
  'BR-DEC-18': decimalsOf('cbc:PayableAmount'),
  'UBL-DT-01': decimalsHere,
  // cac:LegalMonetaryTotal
  'BR-CO-10': (n, c) =>
    `${says(c, child(n, 'cbc:LineExtensionAmount'))}; its lines add up to ${money(lineTotal(c))}`,
  'BR-CO-11': (n, c) =>
    `${says(c, child(n, 'cbc:AllowanceTotalAmount'))}; its allowances add up to ${money(docAC(c, false))}`,
  'BR-CO-12': (n, c) =>
    `${says(c, child(n, 'cbc:ChargeTotalAmount'))}; its charges add up to ${money(docAC(c, true))}`,
  'BR-CO-13': (n, c) => {
    const line = dec(child(n, 'cbc:LineExtensionAmount'));
    const al = amountOr0(n, 'cbc:AllowanceTotalAmount');
    const ch = amountOr0(n, 'cbc:ChargeTotalAmount');
    const r = round2(D.add(D.sub(line, al), ch));
    return `${says(c, child(n, 'cbc:TaxExclusiveAmount'))}; lines ${money(line)} − allowances ${money(al)} + charges ${money(ch)} = ${money(r)}`;
  },
  'BR-CO-16': (n, c) => {
    const incl = dec(child(n, 'cbc:TaxInclusiveAmount'));
    const pre = amountOr0(n, 'cbc:PrepaidAmount');
    const rnd = amountOr0(n, 'cbc:PayableRoundingAmount');
    const r = round2(D.add(D.sub(incl, pre), rnd));
    return `${says(c, child(n, 'cbc:PayableAmount'))}; total with VAT ${money(incl)} − paid ${money(pre)} + rounding ${money(rnd)} = ${money(r)}`;
  },
  // cac:TaxTotal (the document's)
  'BR-CO-14': (n, c) => {
    let t: D.D = D.ZERO;
    for (const s of children(n, 'cac:TaxSubtotal'))
      for (const a of children(s, 'cbc:TaxAmount')) t = D.add(t, dec(a));
    const total = children(n, 'cbc:TaxAmount');
    if (total.length !== 1) return undefined;
    return `${says(c, total[0])}; its VAT breakdown adds up to ${money(round2(t))}`;
  },
  // An invoice or credit note line (../peppol R120; walk 26 F9: "must equal quantity × (net price
  // / price base quantity) + …" with no figures, where the totals rules give theirs).
  'PEPPOL-EN16931-R120': (n, c) => {
    const t = lineNetTerms(n, c);
    if (t === null || t.qty === null || t.price === null) return undefined;
    const id = child(n, 'cbc:ID');
    const which = id ? `line ${str(id).trim()}` : 'the line';
    const said = t.lineN ? `${which} says ${money(t.lineExt)}` : `${which} gives none`;
    return `${said}; quantity ${D.toText(t.qty)} × (net price ${D.toText(t.price)} / base quantity ${D.toText(t.bq)}) + charges ${money(t.charges)} − allowances ${money(t.allowances)} = ${money(round2(t.expected))}`;
  },
  // Any date of its list (./code-lists): what the file writes there.
  'PEPPOL-EN16931-F001': (n, c) => {
    const t = n.text.trim();
    if (t !== n.text && isDateText10(t))
      return `${what(c)} writes this date (${n.local}) with spaces or line breaks around ${t}, which count here`;
    return DAY_FORM.test(t)
      ? `${what(c)} writes ${n.local} ${t}, which is not a day of the calendar`
      : `${what(c)} writes ${n.local} "${t}"`;
  },
  // Any amount (../peppol): the currency it is in against the document's.
  'PEPPOL-EN16931-R051': (n, c) => {
    const spaced = spacedCurrency(c);
    if (spaced) return spaced;
    const cur = child(c.root, 'cbc:DocumentCurrencyCode');
    const id = attr(n, 'currencyID');
    if (cur === undefined || id === undefined) return undefined;
    const written = id.trim() === id ? id : `'${id}' (with spaces)`;
    return `this amount is in ${written}; ${what(c)}'s currency is ${str(cur)}`;
  },
  // The document (root), in its document currency.
  'BR-CO-15': (n, c) => {
    const spaced = spacedCurrency(c);
    if (spaced) return spaced;
    const cur = child(n, 'cbc:DocumentCurrencyCode');
    const total = child(n, 'cac:LegalMonetaryTotal');
    if (cur === undefined || total === undefined) return undefined;
    const incl = children(total, 'cbc:TaxInclusiveAmount');
    const excl = children(total, 'cbc:TaxExclusiveAmount');
    const code = str(cur);
    const tax = children(n, 'cac:TaxTotal')
      .flatMap((t) => children(t, 'cbc:TaxAmount'))
      .filter((a) => attr(a, 'currencyID') === code);
    // None in the document's currency (walk 25 B4: a currency code written "eur" or "XXQ", the
    // amounts in EUR): said, not a sum that looks right (2420.00 = 2000.00 + 420.00).
    if (incl.length === 1 && excl.length === 1 && tax.length === 0) {
      const others = [
        ...new Set(
          children(n, 'cac:TaxTotal')
            .flatMap((t) => children(t, 'cbc:TaxAmount'))
            .map((a) => attr(a, 'currencyID'))
            .filter((id): id is string => id !== undefined),
        ),
      ];
      const where = others.length > 0 ? ` (its VAT total is in ${others.join(', ')})` : '';
      return `${what(c)} has no VAT total (BT-110) in its currency ${code}${where}, so its total with VAT ${money(dec(incl[0]))} cannot be checked against its total without VAT ${money(dec(excl[0]))}`;
    }
    if (incl.length !== 1 || excl.length !== 1 || tax.length !== 1) return undefined;
    const r = round2(D.add(dec(excl[0]), dec(tax[0])));
    return `${says(c, incl[0])}; total without VAT ${money(dec(excl[0]))} + VAT ${money(dec(tax[0]))} = ${money(r)}`;
  },
};

/**
 * `message` with the figures of `f` for `n` ("…(BT-114): the invoice says …"), or as it is when
 * there are none: a value that is not a number, or content a figure trips over (never an error:
 * the rule has judged already).
 */
export function withFigures(message: string, f: Figures, n: XNode, c: Ctx): string {
  let figures: string | undefined;
  try {
    figures = f(n, c);
  } catch {
    figures = undefined;
  }
  return figures ? `${message.replace(/\.$/, '')}: ${figures}.` : message;
}
