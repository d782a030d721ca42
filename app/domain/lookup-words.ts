/**
 * The timeline's words when a buyer's lookup could not be made, and what the details say of it.
 * Shared by the engine (which writes them: app/queue/lifecycle/checking.ts, a team desk's intake
 * and Retry) and the renderer (which reads them back: walk 24 B12, the details said "Not looked up
 * yet" beside a timeline that said the buyer could not be checked).
 */

/**
 * The timeline's words when the buyer's lookup could not be made and the document is sent anyway
 * (a single desk's lookupUnavailable step; a team desk's intake says the same).
 */
export const BUYER_NOT_CHECKED_DETAIL =
  'The buyer could not be checked on the Peppol network now; sending (the access point checks the buyer itself)';

/**
 * The timeline's words when the buyer could not be looked up because the provider URL leads to
 * no access point: nothing is sent there, so "sending (the access point checks the buyer itself)"
 * was not true (walk 24b); once the URL is corrected the buyer is looked up again first.
 */
export const BUYER_NOT_CHECKED_NOWHERE_DETAIL =
  'The buyer could not be checked: the provider URL leads to no access point. Nothing is sent until it is corrected, and the buyer is looked up then';

/** The details' words for a document whose last lookup could not be made (no answer known). */
export const LOOKUP_FAILED_WORDS = {
  unavailable:
    'Could not be looked up: the access point did not answer the lookup (the timeline says when). The access point checks the buyer itself when the invoice is sent; Check now asks again.',
  nowhere:
    'Could not be looked up: the provider URL leads to no access point. Correct it in Settings; the buyer is looked up then.',
} as const;

/**
 * Whether a document's latest lookup, as its timeline tells it, could not be made: the kind of the
 * latest such line, unless a later line names the buyer's answer (found, not registered, does not
 * take the document). Null when no line says a lookup failed.
 */
export function lastLookupFailure(
  timeline: readonly { at: number; detail: string | null }[],
): keyof typeof LOOKUP_FAILED_WORDS | null {
  let latest: { at: number; kind: keyof typeof LOOKUP_FAILED_WORDS | null } | null = null;
  for (const e of timeline) {
    const kind =
      e.detail === BUYER_NOT_CHECKED_DETAIL
        ? 'unavailable'
        : e.detail === BUYER_NOT_CHECKED_NOWHERE_DETAIL
          ? 'nowhere'
          : answered(e.detail)
            ? null
            : undefined;
    if (kind === undefined) continue;
    // The latest line wins; of two at the same millisecond, the one listed later.
    if (!latest || e.at >= latest.at) latest = { at: e.at, kind };
  }
  return latest?.kind ?? null;
}

/** A timeline line that gives the buyer's lookup answer (app/queue/lifecycle/checking.ts). */
function answered(detail: string | null): boolean {
  if (!detail) return false;
  return (
    detail.startsWith('Receiver found') ||
    detail.includes('not registered on the Peppol network') ||
    detail.includes(' is on Peppol') ||
    detail === 'Receiver does not accept this document type'
  );
}
