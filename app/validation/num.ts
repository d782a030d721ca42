import type { XNode } from './xml-tree';
import { norm, str } from './xpath';

/**
 * Exact xs:decimal arithmetic as the official rules compute it (Schematron on Saxon): a value is
 * an integer `m` scaled by 10^-`s`, so sums and products never lose a cent, whatever the size or
 * the number of lines. `null` stands for a value that cannot be cast to xs:decimal (absent where a
 * value was needed, text, an exponent): Saxon stops with a dynamic error there, so the rule has no
 * clean pass, and every comparison involving `null` is false (the assertion fires).
 */
export interface Dec {
  readonly m: bigint;
  readonly s: number;
}

/** A decimal, or null for "not a decimal" (see {@link Dec}). */
export type D = Dec | null;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^-?INF$/;

/** The decimal 0 (what `sum(())` returns). */
export const ZERO: Dec = { m: 0n, s: 0 };
/** The decimal 1. */
export const ONE: Dec = { m: 1n, s: 0 };

const POW10: bigint[] = [1n];
function p10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/** xs:decimal(string) of an already whitespace-normalised lexical value; null when invalid. */
export function decStr(t: string): D {
  if (!DECIMAL.test(t)) return null;
  let i = 0;
  let neg = false;
  const c0 = t.charCodeAt(0);
  if (c0 === 45 /* - */) {
    neg = true;
    i = 1;
  } else if (c0 === 43 /* + */) i = 1;
  const dot = t.indexOf('.');
  let digits: string;
  let s = 0;
  if (dot < 0) digits = t.substring(i);
  else {
    const frac = t.substring(dot + 1);
    digits = t.substring(i, dot) + frac;
    s = frac.length;
  }
  const m = BigInt(digits === '' ? '0' : digits);
  return { m: neg ? -m : m, s };
}

const XML_WS = /[ \t\r\n]+/g;

/**
 * The whitespace facet of a cast from an untyped value: XML whitespace (space, tab, CR, LF) only.
 * A no-break space is content, so `5&#xA0;` is not a number (String.trim() would strip it).
 */
function collapse(s: string): string {
  const c = s.replace(XML_WS, ' ');
  const from = c.charCodeAt(0) === 32 ? 1 : 0;
  const to = c.length > from && c.charCodeAt(c.length - 1) === 32 ? c.length - 1 : c.length;
  return c.slice(from, to);
}

/** xs:decimal(node): the node's text cast to a decimal; null when absent or not a decimal. */
export function dec(n: XNode | null | undefined): D {
  if (n == null) return null;
  const t = str(n);
  const a = t.charCodeAt(0);
  const b = t.charCodeAt(t.length - 1);
  // Fast path: most amounts carry no whitespace at all.
  return decStr(a > 32 && b > 32 ? t : collapse(t));
}

/** An integer as a decimal. */
export function int(v: number): Dec {
  return { m: BigInt(v), s: 0 };
}

/** A literal such as `0.02` (programmer-written, always valid). */
export function lit(t: string): Dec {
  return decStr(t)!;
}

/**
 * xs:decimal(xs:double): the exact value of the binary double, as Java's BigDecimal(double)
 * gives it (Saxon). NaN and infinities cannot be cast: null.
 */
export function fromDouble(x: number): D {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return { m: BigInt(x), s: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  // x = mant * 2^e with e < 0 (x is not an integer): mant * 5^-e / 10^-e.
  let m = mant * 5n ** BigInt(-e);
  let s = -e;
  while (s > 0 && m % 10n === 0n) {
    m /= 10n;
    s--;
  }
  return { m: neg ? -m : m, s };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  if (a.s === b.s) return [a.m, b.m, a.s];
  if (a.s > b.s) return [a.m, b.m * p10(a.s - b.s), a.s];
  return [a.m * p10(b.s - a.s), b.m, b.s];
}

/** a + b. */
export function add(a: D, b: D): D {
  if (a === null || b === null) return null;
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  if (a.s === b.s) return { m: a.m + b.m, s: a.s };
  const [x, y, s] = align(a, b);
  return { m: x + y, s };
}

/** a - b. */
export function sub(a: D, b: D): D {
  if (a === null || b === null) return null;
  if (b.m === 0n) return a;
  if (a.s === b.s) return { m: a.m - b.m, s: a.s };
  const [x, y, s] = align(a, b);
  return { m: x - y, s };
}

/** a * b. */
export function mul(a: D, b: D): D {
  if (a === null || b === null) return null;
  // Fast path: a quantity of 1 (the usual case) allocates nothing.
  if (b.m === 1n && b.s === 0) return a;
  if (a.m === 1n && a.s === 0) return b;
  return { m: a.m * b.m, s: a.s + b.s };
}

/** Digits Saxon keeps at least in a decimal division (BigDecimalValue.DIVIDE_PRECISION). */
const DIVIDE_PRECISION = 18;

/**
 * a div b as Saxon computes xs:decimal division: scale max(18, scale(a), scale(b)), rounded half
 * towards zero (Java RoundingMode.HALF_DOWN). Division by zero is an error: null.
 */
export function div(a: D, b: D): D {
  if (a === null || b === null || b.m === 0n) return null;
  // Dividing by 1 (no price base quantity) keeps the value; only the scale would differ.
  if (b.m === 1n && b.s === 0) return a;
  const s = Math.max(DIVIDE_PRECISION, a.s, b.s);
  // a/b = (a.m / 10^a.s) / (b.m / 10^b.s); scaled by 10^s: a.m * 10^(s - a.s + b.s) / b.m.
  const n = a.m * p10(s - a.s + b.s);
  const d = b.m;
  let q = n / d;
  const r = n % d;
  if (r !== 0n) {
    const r2 = (r < 0n ? -r : r) * 2n;
    const ad = d < 0n ? -d : d;
    if (r2 > ad) q += n < 0n !== d < 0n ? -1n : 1n;
  }
  return { m: q, s };
}

/** abs(a). */
export function abs(a: D): D {
  if (a === null) return null;
  return a.m < 0n ? { m: -a.m, s: a.s } : a;
}

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q;
}

/** XPath round(): nearest integer, halves towards positive infinity (round(-2.5) = -2). */
export function round(a: D): D {
  if (a === null) return null;
  if (a.s === 0) return a;
  const u = p10(a.s);
  return { m: floorDiv(a.m * 2n + u, u * 2n), s: 0 };
}

/** XPath `round(x * 10 * 10) div 100`: x rounded to cents, halves towards positive infinity. */
export function round2(a: D): D {
  if (a === null) return null;
  if (a.s <= 2) return a;
  const u = p10(a.s - 2);
  return { m: floorDiv(a.m * 2n + u, u * 2n), s: 2 };
}

/** Compare: -1, 0, 1, or null when either side is not a decimal. */
export function cmp(a: D, b: D): -1 | 0 | 1 | null {
  if (a === null || b === null) return null;
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a = b (false when either is not a decimal). */
export function eq(a: D, b: D): boolean {
  return cmp(a, b) === 0;
}

/** a != b (false when either is not a decimal: a cast error never passes a rule). */
export function ne(a: D, b: D): boolean {
  const c = cmp(a, b);
  return c !== null && c !== 0;
}

/** a < b. */
export function lt(a: D, b: D): boolean {
  return cmp(a, b) === -1;
}

/** a > b. */
export function gt(a: D, b: D): boolean {
  return cmp(a, b) === 1;
}

/** a <= b. */
export function le(a: D, b: D): boolean {
  const c = cmp(a, b);
  return c === -1 || c === 0;
}

/** a >= b. */
export function ge(a: D, b: D): boolean {
  const c = cmp(a, b);
  return c === 1 || c === 0;
}

/** Peppol u:slack(exp, val, slack): exp - slack <= val <= exp + slack, in decimals. */
export function slack(exp: D, val: D, s: D): boolean {
  // Same as `exp + s >= val and exp - s <= val` on exact decimals, with one subtraction.
  return le(abs(sub(val, exp)), s);
}

/** sum(nodes/xs:decimal(.)): 0 for no nodes, null when one of them is not a decimal. */
export function sum(nodes: readonly XNode[]): D {
  let t: D = ZERO;
  for (const n of nodes) t = add(t, dec(n));
  return t;
}

/** The decimal as a JS number (for messages and tests only; never for judging). */
export function toNumber(a: D): number {
  if (a === null) return NaN;
  return Number(a.m) / 10 ** a.s;
}

/** The decimal as a plain string, e.g. "-12.50" keeps its scale. */
export function toText(a: D): string {
  if (a === null) return 'NaN';
  const neg = a.m < 0n;
  let digits = (neg ? -a.m : a.m).toString();
  if (a.s > 0) {
    digits = digits.padStart(a.s + 1, '0');
    digits = digits.slice(0, digits.length - a.s) + '.' + digits.slice(digits.length - a.s);
  }
  return (neg ? '-' : '') + digits;
}

/**
 * XPath number()/xs:double of text, used where the official rules compare an untyped value with
 * a number (`cbc:Percent > 0`): also accepts exponents and INF; NaN otherwise.
 */
export function numberOf(s: string): number {
  const t = collapse(s);
  if (t === '' || !NUMBER.test(t)) return NaN;
  if (t === 'INF') return Infinity;
  if (t === '-INF') return -Infinity;
  return Number(t);
}

/** Number of fraction digits in the lexical value (for BR-DEC rules). */
export function fractionDigits(n: XNode | null | undefined): number {
  if (n == null) return 0;
  const s = norm(n);
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}
