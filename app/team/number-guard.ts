/**
 * The team's number guard, the single desk's findBusinessDuplicate on the team's queue: a
 * document that would be queued while another live document has the same seller, invoice number
 * and type (with other content: the same bytes are one document already) is held for the clerk,
 * "Send anyway" or cancel, with the words of a single desk. Without it, a corrected invoice
 * saved under a new name, or two versions exported into one drop, both went to the buyer.
 *
 * Both stores run the guard inside the enqueue's transaction, so two desks adding two versions
 * at once cannot both queue theirs: PostgreSQL first takes a transaction lock per number
 * (`NUMBER_LOCK_SQL`), SQLite's writes are one at a time.
 */
import type { DocumentState } from '../contract';
import { duplicateNumber, retriedDuplicateWords, versionWentOut } from '../domain/duplicate-number';
import { WENT_OUT_STATES } from '../domain/states';
import { failureWhich, replacesWords } from '../domain/replaced-words';
import type { NewTeamDocument } from './store';

/** States in which a document counts for the guard whatever else is true of it. */
export const NUMBER_LIVE_STATES: readonly DocumentState[] = [
  'queued',
  'sending',
  'retry_wait',
  ...WENT_OUT_STATES,
];

/**
 * Documents that count, as on a single desk (store/documents-statements LIVE_SQL): on their way,
 * accepted or later, or failed after an attempt that may have reached the access point. Invalid,
 * unreachable, cancelled, refused, held ones do not ("fix the file and drop it again" must go
 * through). `real` is the statement's parameter placeholder: when the team sends for real, what
 * the built-in Sandbox took in practice does not count either, nor, practising, one the Sandbox
 * has forgotten (PRACTICE_SQL).
 */
export function numberLiveSql(real: string): string {
  return `(state IN (${NUMBER_LIVE_STATES.map((x) => `'${x}'`).join(', ')})
    OR (state = 'failed' AND reached_maybe)
    OR (state = 'handled' AND coalesce(business_response, '') <> 'RE'))
    AND NOT (coalesce(sent_environment, '') = 'sandbox' AND transaction_id IS NOT NULL
      AND (${real} OR coalesce(problem_code, '') = 'DELIVERY_UNCONFIRMED'))`;
}

/**
 * Numbers share this many transaction locks on PostgreSQL: an enqueue holds at most this many,
 * however many documents it adds (each lock takes a slot of the server's shared lock table,
 * 64 × max_connections by default); two numbers on one lock only take turns.
 */
export const NUMBER_LOCKS = 1024;

/**
 * PostgreSQL: the transaction locks of the sellers, numbers and types $1, $2, $3 (arrays), taken
 * in one order so that two desks never wait on each other crosswise; held until the enqueue
 * commits.
 */
export const NUMBER_LOCK_SQL = `SELECT count(pg_advisory_xact_lock(1414000011, h)) FROM (
    SELECT DISTINCT hashtext(s || chr(31) || n || chr(31) || t) & ${NUMBER_LOCKS - 1} AS h
    FROM unnest($1::text[], $2::text[], $3::text[]) AS u(s, n, t) ORDER BY h) AS locks`;

/** The live document that has a number already. */
export interface NumberTaken {
  id: number;
  key: string;
  state: DocumentState;
}

/** The seller, number and type a document is guarded by, or null when it is not guarded. */
export function numberOf(d: NewTeamDocument): string | null {
  if (d.state !== 'queued' || !d.senderId || !d.invoiceNumber || !d.docType) return null;
  return numberKey(d.senderId, d.invoiceNumber, d.docType);
}

/** `d` held as a second version of `taken`, or `d` as it was (`taken` null or the same bytes). */
export function guardNumber(d: NewTeamDocument, taken: NumberTaken | null): NewTeamDocument {
  if (taken === null || taken.key === d.key || numberOf(d) === null) return d;
  const sent = versionWentOut(taken.state);
  const p = duplicateNumber(taken.id, d.invoiceNumber ?? '', d.docType, sent);
  return {
    ...d,
    state: 'held',
    problem: { code: p.code, message: p.message, action: p.action },
    duplicateOf: taken.id,
  };
}

/**
 * Of `docs`, in order, those that come after another of the same number with other bytes in the
 * same call (`later`; guarded once the first has its id), and the rest (`first`).
 */
export function splitSecondVersions(docs: readonly NewTeamDocument[]): {
  first: NewTeamDocument[];
  later: NewTeamDocument[];
} {
  const seen = new Map<string, string>();
  const first: NewTeamDocument[] = [];
  const later: NewTeamDocument[] = [];
  for (const d of docs) {
    const n = numberOf(d);
    const key = n === null ? undefined : seen.get(n);
    if (n !== null && key !== undefined && key !== d.key) later.push(d);
    else {
      if (n !== null && key === undefined) seen.set(n, d.key);
      first.push(d);
    }
  }
  return { first, later };
}

/**
 * The same seller, number and type saved again under the same file name while its first version
 * still waits to be sent (queued, or waiting for a retry that no attempt may have reached the
 * access point with): the correction replaces it, as on a single desk (store findReplaceableWaiting),
 * instead of the old content going out and the correction being held. A claimed one (`sending`)
 * is not replaced: the guard holds the correction.
 */
export function replaceableWhile(state: DocumentState, reachedMaybe: boolean): boolean {
  return state === 'queued' || (state === 'retry_wait' && !reachedMaybe);
}

/** The SQL of {@link replaceableWhile} on a team_documents row (alias `d`). */
export const REPLACEABLE_SQL = `(d.state = 'queued' OR (d.state = 'retry_wait' AND NOT d.reached_maybe))`;

/**
 * A corrected file replaces the failures of its number (any file name): needed fixing, buyer
 * not on Peppol, rejected by the buyer, or failed with no attempt that may have reached the
 * access point: they leave Needs attention and cannot be retried into a second version (walk 14:
 * a Retry of the old one sent both), as on a single desk (store findSupersedable).
 */
export const FIXED_SQL = `(d.state IN ('invalid', 'unreachable', 'rejected')
  OR (d.state = 'handled' AND d.business_response = 'RE')
  OR (d.state = 'failed' AND NOT d.reached_maybe))`;

/** A document a new one replaced, as its timeline words need it. */
export interface ReplacedDoc {
  id: number;
  fileName: string;
  /** Its state before it was replaced. */
  state: DocumentState;
}

/**
 * The new document's timeline words: what it replaced, in the single desk's words, and "was
 * waiting to be sent" for a first version replaced while it waited. (A team replaces `handled`
 * documents only when the buyer rejected them: FIXED_SQL.)
 */
export function replacesWordsOf(old: readonly ReplacedDoc[]): string {
  return old
    .map((o) => replacesWords(o, failureWhich(o.state, o.state === 'handled' ? 'RE' : null)))
    .join('; ');
}

/** The replaced document's timeline words (the single desk's). */
export { replacedByWords } from '../domain/replaced-words';

/** A failed document a Retry would queue, with the number it is guarded by. */
export interface RetriedNumber {
  id: number;
  key: string;
  sender_id: string;
  invoice_number: string;
  doc_type: string;
}

/** A retried document held instead: the live version it duplicates, the problem and timeline words. */
export interface RetryDuplicate {
  of: number;
  message: string;
  detail: string;
}

/** The key of a seller, number and type (what {@link numberOf} returns). */
function numberKey(seller: string, number: string, type: string): string {
  return `${seller}\u001f${number}\u001f${type}`;
}

/** The number of a row read from the store (a retried document, a live one), as numberOf keys it. */
export function numberOfRow(
  r: Pick<RetriedNumber, 'sender_id' | 'invoice_number' | 'doc_type'>,
): string {
  return numberKey(r.sender_id, r.invoice_number, r.doc_type);
}

/**
 * The guard on a Retry, as on a single desk (walk 14: a correction held beside a failed first
 * version was sent anyway, then the first one retried: the buyer got both). Of `retried`, those
 * whose number a live document outside the Retry has (`taken`, by numberOfRow) are held as
 * its second version; of two versions retried together, the lower id goes and the other is held.
 */
export function retryDuplicates(
  retried: readonly RetriedNumber[],
  taken: ReadonlyMap<string, NumberTaken>,
): Map<number, RetryDuplicate> {
  const held = new Map<number, RetryDuplicate>();
  const going = new Map<string, { id: number; key: string }>();
  for (const r of [...retried].sort((a, b) => a.id - b.id)) {
    const n = numberOfRow(r);
    const t = taken.get(n);
    const other = t && t.key !== r.key ? t : undefined;
    const first = going.get(n);
    if (other || (first && first.key !== r.key)) {
      const of = other?.id ?? first!.id;
      const sent = !!other && versionWentOut(other.state);
      const p = duplicateNumber(of, r.invoice_number, r.doc_type, sent);
      held.set(r.id, { of, message: p.message, detail: retriedDuplicateWords(of, sent) });
    } else if (!first) going.set(n, { id: r.id, key: r.key });
  }
  return held;
}
