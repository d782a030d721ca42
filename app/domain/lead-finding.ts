import type { Finding } from '../contract';

/**
 * The finding a row names when there are several: one about the file's structure (XSD) or a code
 * (a currency, a country, a unit: BR-CL-*, PEPPOL-…-CL*) before the rest, which often follow from
 * it. A clerk's walk: currency "EURO" led with a total (BR-CO-15, "Recalculate the totals") that
 * was right; the cause, the currency code, was the 19th. Otherwise the checks' own order.
 */
export function leadFinding<F extends Pick<Finding, 'rule'>>(fatal: readonly F[]): F | undefined {
  const rank = (rule: string) => (rule.startsWith('XSD-') ? 0 : /^BR-CL-|-CL\d/.test(rule) ? 1 : 2);
  let lead: F | undefined;
  for (const f of fatal) if (lead === undefined || rank(f.rule) < rank(lead.rule)) lead = f;
  return lead;
}
