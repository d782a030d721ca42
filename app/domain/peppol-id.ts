// Peppol identifiers: participant ids (`<ICD/EAS scheme>:<value>`) and the Peppol BIS Billing 3.0
// document type and process ids. One home for the rules the engine, the sandbox and the caches share.

/** A Peppol participant identifier split into its parts, e.g. `0208` and `0123456789`. */
export interface ParticipantId {
  scheme: string;
  value: string;
}

/** Peppol BIS Billing 3.0 document type id of a UBL Invoice. */
export const INVOICE_DOCUMENT_TYPE =
  'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1';
/** Peppol BIS Billing 3.0 document type id of a UBL CreditNote. */
export const CREDIT_NOTE_DOCUMENT_TYPE =
  'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1';
/** Peppol BIS Billing 3.0 process id. */
export const BILLING_PROCESS_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

const SCHEME_PATTERN = /^\d{4}$/;
// Printable ASCII without spaces; Peppol allows at most 50 characters in practice, we are lenient.
const VALUE_PATTERN = /^[\x21-\x7e]{1,135}$/;
const PEPPOL_PREFIX = 'iso6523-actorid-upis::';

/**
 * Parse `<scheme>:<value>` (optionally prefixed `iso6523-actorid-upis::`). Returns null when the
 * scheme is not four digits or the value is empty or contains spaces.
 */
export function parseParticipantId(text: string): ParticipantId | null {
  let s = text.trim();
  if (s.toLowerCase().startsWith(PEPPOL_PREFIX)) s = s.slice(PEPPOL_PREFIX.length);
  const colon = s.indexOf(':');
  if (colon < 0) return null;
  return makeParticipantId(s.slice(0, colon), s.slice(colon + 1));
}

/** Validate and build a participant id from separate scheme and value. */
export function makeParticipantId(scheme: string, value: string): ParticipantId | null {
  const sc = scheme.trim();
  const v = value.trim();
  if (!SCHEME_PATTERN.test(sc) || !VALUE_PATTERN.test(v)) return null;
  return { scheme: sc, value: v };
}

/** `<scheme>:<value>`, with the value lower-cased: Peppol compares values case-insensitively. */
export function participantKey(id: ParticipantId): string {
  return canonicalParticipantId(id.scheme, id.value);
}

/**
 * Canonical participant id of a scheme and value as written (not checked): scheme trimmed, value
 * trimmed and lower-cased. Equal for two ids Peppol treats as the same participant.
 */
export function canonicalParticipantId(scheme: string, value: string): string {
  return `${scheme.trim()}:${value.trim().toLowerCase()}`;
}
