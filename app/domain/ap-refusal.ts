// What an access point said when it refused a document, kept whole: its code and message, the
// details it listed (`{rule, location, message}` each, or a string) and its request id (walk 6:
// a 422 naming BR-CO-15 and where reached the clerk as "Document failed Peppol validation" only,
// with "Fix the file" and nothing to fix by).
import { readsAsWords } from './plain-words';

/** An access point's error as the contract gives it. */
export interface RefusalLike {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  requestId?: string | null;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** The details of a refusal, each as "RULE at LOCATION: MESSAGE" (what of them is there). */
export function refusalDetails(error: RefusalLike): string[] {
  if (typeof error.details === 'string') return error.details.trim() ? [error.details.trim()] : [];
  if (!Array.isArray(error.details)) return [];
  return error.details
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
    .map((d) => {
      const [rule, at, message] = [text(d.rule), text(d.location), text(d.message)];
      const head = [rule, at && `at ${at}`].filter(Boolean).join(' ');
      return head && message ? `${head}: ${message}` : head || message;
    })
    .filter(Boolean);
}

/** What the access point said exactly, for the technical details (never shown as the reason). */
export function apErrorTechnical(error: RefusalLike): string {
  const details = refusalDetails(error).slice(0, 20);
  return (
    `${error.status} ${error.code}: ${error.message}` +
    (details.length ? `; ${details.join('; ')}` : '') +
    (error.requestId ? ` (request ${error.requestId})` : '')
  );
}

/**
 * The words in brackets after "The access point refused this invoice": its message and the first
 * detail it gave (the rest are in the technical details), or nothing when it said nothing readable.
 */
export function refusedBecause(error: RefusalLike): string {
  const said = readsAsWords(error.message) ? error.message.trim() : '';
  const details = refusalDetails(error);
  const first = details[0] ?? '';
  const more = details.length > 1 ? `; ${details.length - 1} more in the technical details` : '';
  const all = [said, first].filter(Boolean).join(': ');
  return all ? ` (${all}${more})` : '';
}
