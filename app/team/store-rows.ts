/**
 * What both team store implementations share: the row shape of team_documents, how a row becomes
 * a TeamDocument, how a send's outcome becomes a write, and the clerk's rules. Keeping these in
 * one place is what makes the PostgreSQL and SQLite stores answer alike.
 */
import type { DocumentState, Environment } from '../contract';
import {
  isAllowedTransition,
  TEAM_SEND_AFTER_CANCEL_FROM,
  WENT_OUT_STATES,
} from '../domain/states';
import {
  TEAM_KEY_PREFIX,
  type ChangeNotice,
  type NewTeamDocument,
  type TeamDocument,
  type TeamEvent,
  type TeamProblem,
} from './store';
import type { TeamOutcome } from './outcome';

/** LISTEN/NOTIFY channel of document changes (PostgreSQL). */
export const TEAM_NOTIFY_CHANNEL = 'peppol_desk_documents';

/** A NOTIFY payload holds at most ~8,000 bytes: past this many ids, say "re-read" instead. */
export const MAX_NOTIFY_IDS = 500;
/**
 * The failed documents "Retry all" leaves as they are (NOT_RETRIED_ACTIONS), in the words of the
 * partial index that holds them (migration 013): a query must say exactly this to use it.
 */
export const FAILED_TO_FIX_WHERE =
  "state = 'failed' AND problem_action IN ('fix-file', 'add-again')";

/** team_documents as read (the body lives in team_document_bodies). */
export interface TeamDocumentRow {
  id: number;
  key: string;
  file_name: string;
  size: number;
  state: DocumentState;
  doc_type: 'Invoice' | 'CreditNote' | null;
  invoice_number: string | null;
  sender_id: string | null;
  receiver_id: string | null;
  buyer_name: string | null;
  amount: string | null;
  currency: string | null;
  issue_date: string | null;
  problem_code: string | null;
  problem_message: string | null;
  problem_action: string | null;
  attempts: number;
  transaction_id: string | null;
  added_by: string;
  sent_by: string | null;
  lease_owner: string | null;
  fence: number;
  created_at: number;
  updated_at: number;
  next_attempt_at: number | null;
  accepted_at: number | null;
  delivered_at: number | null;
  business_response: string | null;
  business_response_note: string | null;
  business_response_at: number | null;
  /** BOOLEAN on PostgreSQL, 0 / 1 on SQLite. */
  reached_maybe: boolean | number;
  seller_name: string | null;
  sent_via: string | null;
  sent_environment: Environment | null;
  duplicate_of: number | string | null;
}

/** The columns of TeamDocumentRow, for SELECTs (never the body). */
export const TEAM_DOCUMENT_COLUMNS = `id, key, file_name, size, state, doc_type, invoice_number,
  sender_id, receiver_id, buyer_name, amount, currency, issue_date, problem_code, problem_message,
  problem_action, attempts, transaction_id, added_by, sent_by, lease_owner, fence, created_at,
  updated_at, next_attempt_at, accepted_at, delivered_at, business_response,
  business_response_note, business_response_at, reached_maybe, seller_name, sent_via,
  sent_environment, duplicate_of`;

/** A row as the desks see it. */
export function toTeamDocument(r: TeamDocumentRow): TeamDocument {
  return {
    id: Number(r.id),
    key: r.key,
    fileName: r.file_name,
    size: Number(r.size),
    state: r.state,
    docType: r.doc_type,
    invoiceNumber: r.invoice_number,
    senderId: r.sender_id,
    receiverId: r.receiver_id,
    buyerName: r.buyer_name,
    amount: r.amount,
    currency: r.currency,
    issueDate: r.issue_date,
    problem: r.problem_code
      ? { code: r.problem_code, message: r.problem_message ?? '', action: r.problem_action }
      : null,
    attempts: Number(r.attempts),
    transactionId: r.transaction_id,
    addedBy: r.added_by,
    sentBy: r.sent_by,
    leaseOwner: r.lease_owner,
    fence: Number(r.fence),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    acceptedAt: r.accepted_at === null ? null : Number(r.accepted_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    businessResponse: r.business_response,
    businessResponseNote: r.business_response_note,
    businessResponseAt: r.business_response_at === null ? null : Number(r.business_response_at),
    reachedMaybe: Boolean(r.reached_maybe),
    sellerName: r.seller_name,
    sentVia: r.sent_via,
    sentEnvironment: r.sent_environment,
    duplicateOf: r.duplicate_of === null ? null : Number(r.duplicate_of),
  };
}

/** A timeline row as both stores read it (the desk's name, or its id when it is gone). */
export interface TeamEventRow {
  at: number;
  desk: string | null;
  from_state: DocumentState | null;
  to_state: DocumentState;
  detail: string | null;
  technical: string | null;
}

/** A timeline row as the desk sees it. */
export function toTeamEvent(r: TeamEventRow): TeamEvent {
  return {
    at: r.at,
    desk: r.desk,
    fromState: r.from_state,
    toState: r.to_state,
    detail: r.detail,
    technical: r.technical,
  };
}

/** The values an enqueue writes, in the order of the INSERT's columns (after the key). */
export function enqueueValues(d: NewTeamDocument): (string | number | null)[] {
  return [
    d.fileName,
    d.body.byteLength,
    d.state,
    d.docType,
    d.invoiceNumber,
    d.senderId,
    d.receiverId,
    d.buyerName,
    d.amount,
    d.currency,
    d.issueDate,
    d.problem?.code ?? null,
    d.problem?.message ?? null,
    d.problem?.action ?? null,
    d.sellerName ?? null,
    d.duplicateOf ?? null,
  ];
}

/** Refuses what a desk must never enqueue: a bad key or a state the queue does not start in. */
export function checkNewDocument(d: NewTeamDocument): void {
  if (
    !d.key.startsWith(TEAM_KEY_PREFIX) ||
    !/^[0-9a-f]{64}$/.test(d.key.slice(TEAM_KEY_PREFIX.length))
  ) {
    throw new Error(`Not a team key: ${JSON.stringify(d.key.slice(0, 80))} (use teamKeyOf).`);
  }
  if (!(['queued', 'invalid', 'unreachable', 'held'] as const).includes(d.state)) {
    throw new Error(`A document cannot join the team's queue in state ${String(d.state)}.`);
  }
}

/** What finish() writes for an outcome. */
export interface OutcomeWrite {
  to: DocumentState;
  transactionId: string | null;
  problem: TeamProblem | null;
  /** retry_wait: due this long after now (database clock). */
  delayMs: number | null;
  reachedMaybe: boolean;
  /** failed: `reached_maybe` cleared (see TeamOutcome's `settles`). */
  settles: boolean;
  /** accepted: this desk is the one that sent it. */
  sent: boolean;
  /** released: the attempt never happened, so it is not counted. */
  uncount: boolean;
  /** accepted: delivery is first asked about this long after now; null otherwise. */
  firstPollInMs: number | null;
  /** accepted: answered this long before now (accepted_at = now − this); null otherwise. */
  acceptedAgoMs: number | null;
  detail: string | null;
}

/** How a send's outcome is written back (always a move the state table allows from sending). */
export function outcomeWrite(outcome: TeamOutcome): OutcomeWrite {
  const base = {
    transactionId: null,
    problem: null,
    delayMs: null,
    reachedMaybe: false,
    settles: false,
    sent: false,
    uncount: false,
    firstPollInMs: null,
    acceptedAgoMs: null,
  };
  let w: OutcomeWrite;
  switch (outcome.kind) {
    case 'accepted':
      w = {
        ...base,
        to: 'accepted',
        transactionId: outcome.transactionId,
        sent: true,
        firstPollInMs: Math.max(0, Math.round(outcome.firstPollInMs ?? 0)),
        acceptedAgoMs: Math.max(0, Math.round(outcome.answeredMsAgo ?? 0)),
        detail: 'accepted by the access point',
      };
      break;
    case 'released':
      w = { ...base, to: 'queued', uncount: true, detail: 'not sent: back in the queue' };
      break;
    case 'retry':
      w = {
        ...base,
        to: 'retry_wait',
        problem: outcome.problem,
        delayMs: Math.max(0, Math.round(outcome.delayMs)),
        reachedMaybe: outcome.reachedMaybe,
        uncount: outcome.uncount === true,
        detail: outcome.problem.message,
      };
      break;
    case 'failed':
      w = {
        ...base,
        to: outcome.to ?? 'failed',
        problem: outcome.problem,
        reachedMaybe: outcome.reachedMaybe === true,
        settles: outcome.settles === true,
        detail: outcome.problem.message,
      };
      break;
  }
  if (!isAllowedTransition('sending', w.to)) throw new Error(`sending → ${w.to} is not allowed`);
  return w;
}

/**
 * The idempotency key a claim sends under: the document's key, with its round after a clerk's
 * retry of a failed delivery (team migration 006).
 */
export function sendKeySql(t = ''): string {
  return `CASE WHEN ${t}key_round = 0 THEN ${t}key ELSE ${t}key || '-r' || ${t}key_round END`;
}

/**
 * The clerk may cancel these (→ cancelled), unless an attempt may have reached the access point
 * (`reached_maybe`): cancelling then could hide an invoice the access point accepted. A
 * `retry_wait` one only waited after answers that did not reach it (429s).
 */
export const CLERK_CANCEL_FROM: readonly DocumentState[] = (
  ['queued', 'retry_wait', 'failed', 'invalid', 'unreachable', 'held'] as DocumentState[]
).filter((s) => isAllowedTransition(s, 'cancelled'));

/**
 * Where the Undo of a cancel puts a document cancelled from `was`: where it was, except that one
 * waiting to retry goes back to its place in the queue (its wait is not kept).
 */
export function undoStateOf(was: DocumentState): DocumentState {
  return was === 'retry_wait' ? 'queued' : was;
}

/**
 * SQL (both dialects): the document of table alias `t` (with its dot, or '') is cancelled and
 * was cancelled on its way out (TEAM_SEND_AFTER_CANCEL_FROM, read from its last move into
 * `cancelled`): a Retry sends it after all.
 */
export function cancelledToSendSql(t = ''): string {
  const from = TEAM_SEND_AFTER_CANCEL_FROM.map((s) => `'${s}'`).join(', ');
  return `(${t}state = 'cancelled' AND (SELECT e.from_state FROM team_events e
    WHERE e.document_id = ${t}id AND e.to_state = 'cancelled' ORDER BY e.seq DESC LIMIT 1)
    IN (${from}))`;
}

/** "Send anyway" releases these (the single desk's rule: held documents only) → queued. */
export const CLERK_SEND_ANYWAY_FROM: readonly DocumentState[] = ['held'];

/**
 * A document sent in practice: through the built-in Sandbox (`sent_environment` 'sandbox'), which
 * gave it a transaction. Added again once the team sends for real, it is sent for real
 * (TeamStore.sendPracticeForReal), as on a single desk (store/documents-statements
 * PRACTICE_SQL): nothing of it reached Peppol.
 */
export const PRACTICE_SENT_SQL = `sent_environment = 'sandbox' AND transaction_id IS NOT NULL`;

/** The states a document sent in practice may be in (went out, answered, or failed later). */
export const PRACTICE_SENT_FROM: readonly DocumentState[] = [
  ...WENT_OUT_STATES,
  'rejected',
  'handled',
  'failed',
];

/**
 * What sending a practice document for real clears, as SQL assignments: its transaction and all
 * that followed it (delivery, the buyer's answer, their polls), its attempts and where it went.
 * A new key round: it goes as a new submission. The timeline keeps the practice.
 */
export const PRACTICE_FORGOTTEN_SQL = `attempts = 0, next_attempt_at = NULL,
  problem_code = NULL, problem_message = NULL, problem_action = NULL,
  key_round = key_round + 1, transaction_id = NULL, sent_by = NULL, sent_via = NULL,
  sent_environment = NULL, accepted_at = NULL, delivered_at = NULL, business_response = NULL,
  business_response_note = NULL, business_response_at = NULL, next_poll_at = NULL,
  poll_owner = NULL, poll_fence = poll_fence + 1`;

/** Rows an export reads per statement. */
export const EXPORT_PAGE_ROWS = 1000;

/** A LIKE pattern that finds `search` anywhere, with the wildcards in it taken literally. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A NOTIFY payload: `<kind>:<desk>:<ids>`, kind `d` when documents may have become due to send
 * and `n` when none did (claims, final outcomes); ids "1,2,3" or "*" (too many: re-read
 * everything). Kind `s` (no ids) says the team's shared settings changed, kind `a` (no ids) that
 * the team's access point did, kind `p` (no ids) that a desk joined, paused or resumed. A bare id
 * list is read as ids only (everything may be due).
 */
export function parseNotice(payload: string | undefined): {
  ids: number[];
  notice?: ChangeNotice;
} {
  const m = /^([dnsap]):([^:]*):(.*)$/s.exec(payload ?? '');
  if (m?.[1] === 'p')
    return { ids: [], notice: { desk: m[2] || null, due: false, presence: true } };
  if (m?.[1] === 's')
    return { ids: [], notice: { desk: m[2] || null, due: false, settings: true } };
  if (m?.[1] === 'a')
    return { ids: [], notice: { desk: m[2] || null, due: false, accessPoint: true } };
  const list = m ? m[3]! : (payload ?? '');
  const ids =
    !list || list === '*'
      ? []
      : list
          .split(',')
          .map(Number)
          .filter((n) => Number.isSafeInteger(n) && n > 0);
  return m ? { ids, notice: { desk: m[2] || null, due: m[1] === 'd' } } : { ids };
}

/**
 * Timeline words of a document claimed again after the previous desk's lease ended: that desk
 * may be this one, restarted (walk 24: "taken over after the desk sending it stopped answering ·
 * deskA" read as deskA rescuing another desk's invoice, on deskA's own restart).
 */
export const IN_DOUBT_DETAIL =
  'taken over after the desk sending it stopped answering (perhaps this one, restarted); sent again with the same key';

/** Timeline words of a document put on the team's queue. */
export const ADDED_DETAIL = 'added to the team queue';

/**
 * The timeline row of a document's enqueue: its words (`detail`: its problem, else its note, else
 * "added") and its technical line (`technical`: the note's, if it has one).
 */
export function addedEvent(
  doc: Pick<NewTeamDocument, 'problem' | 'note' | 'noteTechnical' | 'keptMs'>,
): {
  detail: string;
  technical: string | null;
} {
  const kept = doc.keptMs === undefined ? '' : keptWords(doc.keptMs);
  if (doc.problem) return { detail: doc.problem.message + kept, technical: null };
  if (doc.note) return { detail: doc.note + kept, technical: doc.noteTechnical ?? null };
  return { detail: ADDED_DETAIL + kept, technical: null };
}

/**
 * After an enqueue's words, for a file dropped while the team database could not be reached: its
 * timeline began only at the hand-over (walk 24 B7). A duration, not a time of day (the engine's
 * stored words carry none: they would keep its time zone).
 */
export function keptWords(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const how =
    minutes < 1
      ? 'less than a minute'
      : minutes < 60
        ? `${minutes} min`
        : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return ` (dropped ${how} earlier while the team database could not be reached: kept on the desk that added it until the database was back)`;
}
