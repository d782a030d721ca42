/**
 * Exact arithmetic of the sum/product rules (issue 10 item 2). Our verdicts come from
 * app/validation (xs:decimal as BigInt with a per-value scale). The expected verdicts here come
 * from a second formulation written straight from the official XPath, on a different code path:
 * every value is a BigInt count of 10^-20 (one fixed scale, no alignment), rounding and the
 * xs:double steps are done with their own helpers below. Nothing here imports app/validation/num.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { SAMPLE_INVOICE } from '../helpers/invoices';

// ---------------------------------------------------------------------------------------------
// The second formulation: fixed-point decimals with 20 fraction digits.

const S = 20n;
const UNIT = 10n ** S;

/** A decimal literal ("-12.5", "+.50", "007") as a count of 10^-20; null when not xs:decimal. */
function fx(text: string): bigint | null {
  const t = text.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  const int = m?.[2] ?? '';
  const frac = (m?.[3] ?? '').padEnd(Number(S), '0');
  if (m === null || (int === '' && m[3] === undefined) || (int === '' && m[3] === '')) return null;
  if (frac.length > Number(S)) return null; // the generators never write more than 4 decimals
  const v = BigInt(int === '' ? '0' : int) * UNIT + BigInt(frac);
  return m[1] === '-' ? -v : v;
}

/** floor(a / b) for b > 0. */
function floorBy(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** XPath round(): floor(x + 0.5). */
function xround(v: bigint): bigint {
  return floorBy(v + UNIT / 2n, UNIT) * UNIT;
}

/** round(x * 10 * 10) div 100. */
function xround2(v: bigint): bigint {
  return xround(v * 100n) / 100n;
}

/** x * y on fixed point (exact for the inputs the generators make). */
function times(a: bigint, b: bigint): bigint {
  return (a * b) / UNIT;
}

/** x div y where the quotient terminates within 20 digits (the generators only make those). */
function over(a: bigint, b: bigint): bigint {
  return (a * UNIT) / b;
}

function absv(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/**
 * The exact value of `double(text) + delta` compared with a fixed-point value:
 * -1, 0 or 1. Scales the double by powers of two until it is an integer (exact in binary).
 */
function cmpDouble(text: string, delta: number, v: bigint): number {
  let d = Number(text.trim()) + delta;
  let k = 0n;
  while (!Number.isInteger(d)) {
    d *= 2;
    k++;
  }
  const left = BigInt(d) * UNIT; // (double * 2^k) * 10^20
  const right = v * 2n ** k;
  return left < right ? -1 : left > right ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Invoices built from numeric parts.

interface Line {
  qty: string;
  price: string;
  baseQty?: string;
  amount: string;
  allowance?: string;
  charge?: string;
}

interface Parts {
  lines: Line[];
  rate: string;
  docAllowance?: string;
  docCharge?: string;
  allowanceTotal?: string;
  chargeTotal?: string;
  lineTotal: string;
  taxExclusive: string;
  taxable: string;
  subTax: string;
  taxTotal: string;
  taxInclusive: string;
  prepaid?: string;
  rounding?: string;
  payable: string;
}

const HEAD = SAMPLE_INVOICE.slice(0, SAMPLE_INVOICE.indexOf('<cac:TaxTotal>'));

function cat(tag: string, rate: string): string {
  return `<cac:${tag}><cbc:ID>S</cbc:ID><cbc:Percent>${rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:${tag}>`;
}

function ac(charge: boolean, amount: string, rate: string | null): string {
  const reason = charge ? 'Freight' : 'Discount';
  const tc = rate === null ? '' : cat('TaxCategory', rate);
  return `<cac:AllowanceCharge><cbc:ChargeIndicator>${charge}</cbc:ChargeIndicator><cbc:AllowanceChargeReason>${reason}</cbc:AllowanceChargeReason><cbc:Amount currencyID="EUR">${amount}</cbc:Amount>${tc}</cac:AllowanceCharge>`;
}

function eur(tag: string, v: string | undefined): string {
  return v === undefined ? '' : `<cbc:${tag} currencyID="EUR">${v}</cbc:${tag}>`;
}

function buildInvoice(p: Parts): Uint8Array {
  const docAc =
    (p.docAllowance === undefined ? '' : ac(false, p.docAllowance, p.rate)) +
    (p.docCharge === undefined ? '' : ac(true, p.docCharge, p.rate));
  const lines = p.lines
    .map(
      (l, i) =>
        `<cac:InvoiceLine><cbc:ID>${i + 1}</cbc:ID><cbc:InvoicedQuantity unitCode="EA">${l.qty}</cbc:InvoicedQuantity>${eur('LineExtensionAmount', l.amount)}` +
        (l.allowance === undefined ? '' : ac(false, l.allowance, null)) +
        (l.charge === undefined ? '' : ac(true, l.charge, null)) +
        `<cac:Item><cbc:Name>Article ${i + 1}</cbc:Name>${cat('ClassifiedTaxCategory', p.rate)}</cac:Item>` +
        `<cac:Price>${eur('PriceAmount', l.price)}${l.baseQty === undefined ? '' : `<cbc:BaseQuantity unitCode="EA">${l.baseQty}</cbc:BaseQuantity>`}</cac:Price></cac:InvoiceLine>`,
    )
    .join('\n');
  const xml =
    HEAD +
    docAc +
    `<cac:TaxTotal>${eur('TaxAmount', p.taxTotal)}<cac:TaxSubtotal>${eur('TaxableAmount', p.taxable)}${eur('TaxAmount', p.subTax)}${cat('TaxCategory', p.rate)}</cac:TaxSubtotal></cac:TaxTotal>` +
    `<cac:LegalMonetaryTotal>${eur('LineExtensionAmount', p.lineTotal)}${eur('TaxExclusiveAmount', p.taxExclusive)}${eur('TaxInclusiveAmount', p.taxInclusive)}${eur('AllowanceTotalAmount', p.allowanceTotal)}${eur('ChargeTotalAmount', p.chargeTotal)}${eur('PrepaidAmount', p.prepaid)}${eur('PayableRoundingAmount', p.rounding)}${eur('PayableAmount', p.payable)}</cac:LegalMonetaryTotal>\n` +
    lines +
    '</Invoice>\n';
  return new TextEncoder().encode(xml);
}

/** The arithmetic rules judged here. */
const RULES = [
  'BR-CO-10',
  'BR-CO-11',
  'BR-CO-12',
  'BR-CO-13',
  'BR-CO-14',
  'BR-CO-15',
  'BR-CO-16',
  'BR-CO-17',
  'BR-S-08',
  'BR-S-09',
  'PEPPOL-EN16931-R120',
] as const;

function ours(bytes: Uint8Array): Set<string> {
  const r = checkDocument(bytes);
  if (!r.ok) throw new Error(r.error.message);
  return new Set(r.verdict.findings.filter((f) => f.flag === 'fatal').map((f) => f.rule));
}

const sumOf = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

/** The official verdict of each rule (true = fires), from the XPath text, on fixed point. */
function expected(p: Parts): Record<(typeof RULES)[number], boolean> {
  const v = (t: string) => fx(t)!;
  const lineSum = sumOf(p.lines.map((l) => v(l.amount)));
  const A = p.docAllowance === undefined ? 0n : v(p.docAllowance);
  const C = p.docCharge === undefined ? 0n : v(p.docCharge);
  const LEA = v(p.lineTotal);
  const TE = v(p.taxExclusive);
  const TI = v(p.taxInclusive);
  const TT = v(p.taxTotal);
  const TA = v(p.subTax);
  const rate = v(p.rate);
  const pay = v(p.payable);
  // BR-CO-13 reads the totals of allowances/charges (BT-107/108), not the allowances themselves.
  const ATA = p.allowanceTotal === undefined ? null : v(p.allowanceTotal);
  const CTA = p.chargeTotal === undefined ? null : v(p.chargeTotal);
  let co13: boolean;
  if (CTA !== null && ATA !== null) co13 = TE === xround2(LEA + CTA - ATA);
  else if (ATA !== null) co13 = TE === xround2(LEA - ATA);
  else if (CTA !== null) co13 = TE === xround2(LEA + CTA);
  else co13 = TE === LEA;
  const pre = p.prepaid === undefined ? null : v(p.prepaid);
  const rnd = p.rounding === undefined ? null : v(p.rounding);
  let co16: boolean;
  if (pre !== null && rnd === null) co16 = pay === xround2(TI - pre);
  else if (pre === null && rnd === null) co16 = pay === TI;
  else if (pre !== null && rnd !== null) co16 = xround2(pay - rnd) === xround2(TI - pre);
  else co16 = xround2(pay - rnd!) === TI;
  const expectTax = xround2(times(absv(v(p.taxable)), over(rate, 100n * UNIT)));
  const near = absv(TA) - UNIT < expectTax && absv(TA) + UNIT > expectTax;
  const co17 = xround(rate) === 0n ? xround(TA) === 0n : near; // one VAT rate is always present here
  const base = lineSum + C - A;
  const s08 = cmpDouble(p.taxable, -1, base) < 0 && cmpDouble(p.taxable, 1, base) > 0;
  const r120 = p.lines.every((l) => {
    const qty = v(l.qty);
    const price = v(l.price);
    const bqv = l.baseQty === undefined ? 0n : v(l.baseQty);
    const bq = bqv === 0n ? UNIT : bqv;
    const al = l.allowance === undefined ? 0n : xround2(v(l.allowance));
    const ch = l.charge === undefined ? 0n : xround2(v(l.charge));
    const exp = v(l.amount);
    const val = times(qty, over(price, bq)) + ch - al;
    const slack = 2n * (UNIT / 100n);
    return exp + slack >= val && exp - slack <= val;
  });
  return {
    'BR-CO-10': LEA !== xround2(lineSum),
    // Without allowances the sum is 0, so an AllowanceTotalAmount of 0 also passes.
    'BR-CO-11':
      !(ATA !== null && ATA === xround2(A)) && !(ATA === null && p.docAllowance === undefined),
    'BR-CO-12':
      !(CTA !== null && CTA === xround2(C)) && !(CTA === null && p.docCharge === undefined),
    'BR-CO-13': !co13,
    'BR-CO-14': TT !== xround2(TA),
    'BR-CO-15': TI !== xround2(TE + TT),
    'BR-CO-16': !co16,
    'BR-CO-17': !co17,
    'BR-S-08': !s08,
    'BR-S-09': !near,
    'PEPPOL-EN16931-R120': !r120,
  };
}

/** How often each rule fired / passed in the expected verdicts (the properties must reach both). */
const seen = new Map<string, { fires: number; passes: number }>(
  RULES.map((r) => [r, { fires: 0, passes: 0 }]),
);

function agree(p: Parts): void {
  const got = ours(buildInvoice(p));
  const want = expected(p);
  for (const r of RULES) seen.get(r)![want[r] ? 'fires' : 'passes']++;
  const diff = RULES.filter((r) => got.has(r) !== want[r]).map(
    (r) =>
      `${r}: ours ${got.has(r) ? 'fires' : 'passes'}, official ${want[r] ? 'fires' : 'passes'}`,
  );
  expect(diff, JSON.stringify(p)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Text of fixed-point values (the generators write totals the way real invoices do).

function text(v: bigint, decimals: number): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const unit = 10n ** (S - BigInt(decimals));
  const q = a / unit; // the callers only pass values with at most `decimals` digits
  let s = q.toString();
  if (decimals > 0) {
    s = s.padStart(decimals + 1, '0');
    s = `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  }
  return (neg ? '-' : '') + s;
}

const cent = UNIT / 100n;

/** A consistent invoice: every total computed as the official rules compute it. */
function consistent(
  lines: Line[],
  rate: string,
  docAllowance?: string,
  docCharge?: string,
  prepaid?: string,
): Parts {
  const v = (t: string) => fx(t)!;
  const lineTotal = xround2(sumOf(lines.map((l) => v(l.amount))));
  const A = docAllowance === undefined ? undefined : xround2(v(docAllowance));
  const C = docCharge === undefined ? undefined : xround2(v(docCharge));
  const te = xround2(lineTotal + (C ?? 0n) - (A ?? 0n));
  const tax = xround2(times(absv(te), over(v(rate), 100n * UNIT)));
  const ti = xround2(te + tax);
  const pay = prepaid === undefined ? ti : xround2(ti - v(prepaid));
  return {
    lines,
    rate,
    docAllowance,
    docCharge,
    allowanceTotal: A === undefined ? undefined : text(A, 2),
    chargeTotal: C === undefined ? undefined : text(C, 2),
    lineTotal: text(lineTotal, 2),
    taxExclusive: text(te, 2),
    taxable: text(te, 2),
    subTax: text(tax, 2),
    taxTotal: text(tax, 2),
    taxInclusive: text(ti, 2),
    prepaid,
    payable: text(pay, 2),
  };
}

function simpleLine(amount: string): Line {
  return { qty: '1', price: amount.startsWith('-') ? amount.slice(1) : amount, amount };
}

// ---------------------------------------------------------------------------------------------

describe('exact arithmetic: named regressions (issue 10)', () => {
  const millions = ['1000000.00', '4999999.99', '5000000.00', '10000000.00', '25000000.00'];
  for (const total of millions) {
    it(`a correct invoice of ${total} EUR passes every arithmetic rule`, () => {
      const p = consistent([simpleLine(total)], '21');
      const fired = ours(buildInvoice(p));
      expect(RULES.filter((r) => fired.has(r))).toEqual([]);
      agree(p);
    });
  }

  for (const n of [3000, 5000]) {
    it(`a correct invoice of ${n} lines of 1,000.01 EUR passes every arithmetic rule`, () => {
      const p = consistent(
        Array.from({ length: n }, () => simpleLine('1000.01')),
        '21',
      );
      const fired = ours(buildInvoice(p));
      expect(RULES.filter((r) => fired.has(r))).toEqual([]);
    });
  }

  it('one cent off on a 25 million invoice is still caught (BR-CO-10, -13, -15)', () => {
    const p = consistent([simpleLine('25000000.00')], '21');
    const wrong = { ...p, lineTotal: '25000000.01' };
    const fired = ours(buildInvoice(wrong));
    expect(fired.has('BR-CO-10')).toBe(true);
    expect(fired.has('BR-CO-13')).toBe(true);
    const wrongTotal = { ...p, taxInclusive: '30250000.01', payable: '30250000.01' };
    expect(ours(buildInvoice(wrongTotal)).has('BR-CO-15')).toBe(true);
  });

  it('rounds halves towards positive infinity like XPath round(): 0.005 → 0.01, -0.005 → 0.00', () => {
    const up = consistent([simpleLine('0.005')], '21');
    expect(up.lineTotal).toBe('0.01');
    agree(up);
    expect(ours(buildInvoice(up)).has('BR-CO-10')).toBe(false);
    const down = consistent([simpleLine('-0.005')], '21');
    expect(down.lineTotal).toBe('0.00');
    expect(ours(buildInvoice(down)).has('BR-CO-10')).toBe(false);
    expect(ours(buildInvoice({ ...down, lineTotal: '-0.01' })).has('BR-CO-10')).toBe(true);
  });

  it('BR-S-08 compares TaxableAmount ± 1 as xs:double, exactly at the edge', () => {
    const p = consistent([simpleLine('100.10')], '21');
    // Taxable 101.10: 101.1 - 1 as a double is 100.09999999999999431566..., just below 100.10.
    agree({ ...p, taxable: '101.10' });
    expect(ours(buildInvoice({ ...p, taxable: '101.10' })).has('BR-S-08')).toBe(false);
    // Taxable 101.11: 100.11 > 100.10, the sum is outside the window.
    agree({ ...p, taxable: '101.11' });
    expect(ours(buildInvoice({ ...p, taxable: '101.11' })).has('BR-S-08')).toBe(true);
  });

  it('a value that is not an xs:decimal never passes the rule that computes with it', () => {
    const p = consistent([simpleLine('10.00')], '21');
    // A no-break space is not XML whitespace: '10.00\u00a0' is not a decimal officially.
    for (const bad of ['1e1', 'ten', '10,00', '', '10.00\u00a0', '\u00a010.00']) {
      const fired = ours(buildInvoice({ ...p, lineTotal: bad }));
      expect(fired.has('BR-CO-10'), bad).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: amounts at the rounding boundaries, huge and negative amounts, 0–4 decimals.

const SEED = 20261201;

/** A fixed-point amount with `decimals` fraction digits, magnitude up to 10^12. */
const amount = (maxDecimals: number): fc.Arbitrary<string> =>
  fc
    .record({
      decimals: fc.integer({ min: 0, max: maxDecimals }),
      magnitude: fc.constantFrom(1n, 100n, 10_000n, 1_000_000n, 100_000_000n, 1_000_000_000_000n),
      neg: fc.boolean(),
      tail: fc.constantFrom('', '5', '49999', '50001', '995', '005'),
      digits: fc.bigInt({ min: 0n, max: 10n ** 16n }),
    })
    .map(({ decimals, magnitude, neg, tail, digits }) => {
      const units = 10n ** BigInt(decimals);
      let v = digits % (magnitude * units);
      // Force a rounding boundary in the last digits where the number of decimals allows.
      if (tail !== '' && decimals >= tail.length) {
        const t = 10n ** BigInt(tail.length);
        v = (v / t) * t + BigInt(tail);
      }
      const s = v.toString().padStart(decimals + 1, '0');
      const body =
        decimals === 0 ? s : `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
      return (neg && v !== 0n ? '-' : '') + body;
    });

const rate = fc.constantFrom('21', '19', '7.7', '5.5', '25', '0.5', '0.4', '12.345', '6');
const delta = fc.constantFrom(
  0n,
  0n,
  0n,
  cent,
  -cent,
  cent / 2n,
  99n * cent,
  100n * cent,
  101n * cent,
);
const lexical = fc.constantFrom('plain', 'plain', 'trailing', 'plus', 'spaces');

function styled(t: string, how: string): string {
  if (how === 'trailing') return t.includes('.') ? `${t}00` : `${t}.000`;
  if (how === 'plus') return t.startsWith('-') ? t : `+${t}`;
  if (how === 'spaces') return ` ${t}\n`;
  return t;
}

function bump(t: string, d: bigint, how: string): string {
  const v = fx(t)! + d;
  return styled(text(v, d % cent === 0n ? 2 : 3), how);
}

const lineArb = fc
  .record({
    price: amount(4),
    qty: fc.constantFrom('1', '2', '3', '0.5', '1.25', '1000', '7.125'),
    baseQty: fc.constantFrom(undefined, '1', '10', '100', '0.5', '4', '0'),
    allowance: fc.option(amount(2), { nil: undefined }),
    charge: fc.option(amount(2), { nil: undefined }),
    off: fc.constantFrom(0n, 0n, 0n, cent, 2n * cent, 3n * cent, -2n * cent),
  })
  .map(({ price, qty, baseQty, allowance, charge, off }) => {
    const p = price.replace('-', '');
    const bq = baseQty === undefined || baseQty === '0' ? UNIT : fx(baseQty)!;
    const exact =
      times(fx(qty)!, over(fx(p)!, bq)) +
      (charge === undefined ? 0n : xround2(fx(charge)!)) -
      (allowance === undefined ? 0n : xround2(fx(allowance)!));
    const line: Line = {
      qty,
      price: p,
      baseQty,
      amount: text(xround2(exact) + off, 2),
      allowance,
      charge,
    };
    return line;
  });

describe('exact arithmetic: our verdicts equal the second formulation', () => {
  it(`random invoices at the rounding boundaries (fast-check seed ${SEED})`, () => {
    console.log(`validation-arithmetic property seed: ${SEED}`);
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        rate,
        fc.option(amount(2), { nil: undefined }),
        fc.option(amount(2), { nil: undefined }),
        fc.option(amount(2), { nil: undefined }),
        fc.array(delta, { minLength: 9, maxLength: 9 }),
        fc.array(lexical, { minLength: 9, maxLength: 9 }),
        fc.boolean(),
        (lines, r, docA, docC, prepaid, d, how, withRounding) => {
          const base = consistent(
            lines,
            r,
            docA?.replace('-', ''),
            docC?.replace('-', ''),
            prepaid,
          );
          const p: Parts = {
            ...base,
            lineTotal: bump(base.lineTotal, d[0]!, how[0]!),
            taxExclusive: bump(base.taxExclusive, d[1]!, how[1]!),
            taxable: bump(base.taxable, d[2]!, how[2]!),
            subTax: bump(base.subTax, d[3]!, how[3]!),
            taxTotal: bump(base.taxTotal, d[4]!, how[4]!),
            taxInclusive: bump(base.taxInclusive, d[5]!, how[5]!),
            payable: bump(base.payable, d[6]!, how[6]!),
            allowanceTotal:
              base.allowanceTotal === undefined
                ? undefined
                : bump(base.allowanceTotal, d[7]!, how[7]!),
            chargeTotal:
              base.chargeTotal === undefined ? undefined : bump(base.chargeTotal, d[8]!, how[8]!),
            rounding: withRounding ? bump('0.00', d[8]!, how[0]!) : undefined,
          };
          agree(p);
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });

  it(`single totals near the half cent, 0–4 decimals, up to 10^12 (fast-check seed ${SEED + 1})`, () => {
    fc.assert(
      fc.property(fc.array(amount(4), { minLength: 1, maxLength: 12 }), rate, (amounts, r) => {
        const p = consistent(amounts.map(simpleLine), r);
        agree(p);
        agree({ ...p, lineTotal: bump(p.lineTotal, cent, 'plain') });
        agree({ ...p, lineTotal: bump(p.lineTotal, -cent, 'plain') });
      }),
      { seed: SEED + 1, numRuns: 300 },
    );
  });

  it('the generated cases reached both sides of every rule', () => {
    const counts = Object.fromEntries(seen);
    console.log(`validation-arithmetic coverage: ${JSON.stringify(counts)}`);
    for (const r of RULES) {
      expect(seen.get(r)!.fires, r).toBeGreaterThan(20);
      expect(seen.get(r)!.passes, r).toBeGreaterThan(20);
    }
  });
});
