import type { Finding } from '../contract';

/** The file does not name Peppol BIS Billing 3.0 as its specification (BT-24). */
export const OTHER_FORMAT_RULE = 'PEPPOL-EN16931-R004';

/**
 * The finding a row names when there are several: a file that is in another format (an older EHF,
 * XRechnung, a national CIUS: {@link OTHER_FORMAT_RULE}) says so first, as every other finding
 * follows from it (real files of other projects led with "Legal registration identifier scheme
 * must be an ISO 6523 ICD code" for an EHF 2.0 invoice); then one about the file's structure
 * (XSD) or a code (a currency, a country, a unit: BR-CL-*, PEPPOL-…-CL*) before the rest, which
 * often follow from it. A clerk's walk: currency "EURO" led with a total (BR-CO-15, "Recalculate
 * the totals") that was right; the cause, the currency code, was the 19th. Otherwise the checks'
 * own order.
 */
export function leadFinding<F extends Pick<Finding, 'rule'>>(fatal: readonly F[]): F | undefined {
  const rank = (rule: string) =>
    rule === OTHER_FORMAT_RULE
      ? -1
      : rule.startsWith('XSD-')
        ? 0
        : /^BR-CL-|-CL\d/.test(rule)
          ? 1
          : 2;
  let lead: F | undefined;
  for (const f of fatal) if (lead === undefined || rank(f.rule) < rank(lead.rule)) lead = f;
  return lead;
}

/** A row's words for a file in another format ({@link OTHER_FORMAT_RULE}), `n` fatal findings. */
export function otherFormatWords(n: number): string {
  const count = n === 1 ? '' : `${n} problems found (the details list them all). `;
  return `${count}This file does not say it is in the Peppol BIS Billing 3.0 format (${OTHER_FORMAT_RULE}: its specification identifier, BT-24, is not 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'). It is probably in another format, such as an older EHF, XRechnung or a national one. Export it from your accounting system as Peppol BIS Billing 3.0 and drop it again.`;
}
