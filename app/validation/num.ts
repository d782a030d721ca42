import type { XNode } from './xml-tree';
import { norm } from './xpath';

/**
 * Decimal helpers with XPath 2.0 semantics close enough for invoice amounts. Values are JS
 * numbers; rounding nudges by a relative epsilon so that decimal halves (1.005) round the way
 * xs:decimal does instead of the way binary floating point would.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^-?INF$/;

/** xs:decimal(text) of a node, or NaN when absent or not a decimal. */
export function dec(n: XNode | null | undefined): number {
  if (n == null) return NaN;
  return decStr(norm(n));
}

/** xs:decimal(string) or NaN. */
export function decStr(s: string): number {
  if (!DECIMAL.test(s)) return NaN;
  return Number(s);
}

/** xs:decimal of the node, or `dflt` when absent/invalid. */
export function decOr(n: XNode | null | undefined, dflt: number): number {
  const v = dec(n);
  return Number.isNaN(v) ? dflt : v;
}

/** XPath number(): like decimal, but also accepts exponents; NaN otherwise. */
export function numberOf(s: string): number {
  const t = s.trim();
  if (t === '' || !NUMBER.test(t)) return NaN;
  if (t === 'INF') return Infinity;
  if (t === '-INF') return -Infinity;
  return Number(t);
}

/** XPath `round(x * 10 * 10) div 100` on xs:decimal. */
export function round2(x: number): number {
  const y = x * 100;
  return Math.round(y + 1e-9 * Math.max(1, Math.abs(y))) / 100;
}

/** Decimal equality robust to binary floating point noise. */
export function eq(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** a >= b with the same tolerance. */
export function ge(a: number, b: number): boolean {
  return a > b || eq(a, b);
}

/** Peppol u:slack: |exp - val| <= slack. */
export function slack(exp: number, val: number, s: number): boolean {
  return ge(exp + s, val) && ge(val, exp - s);
}

/** Number of fraction digits in the lexical value (for BR-DEC rules). */
export function fractionDigits(n: XNode | null | undefined): number {
  if (n == null) return 0;
  const s = norm(n);
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** Sum of xs:decimal over nodes (NaN-safe: invalid values count as NaN). */
export function sum(nodes: readonly XNode[]): number {
  let t = 0;
  for (const n of nodes) t += dec(n);
  return t;
}
