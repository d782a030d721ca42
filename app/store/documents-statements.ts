/**
 * The statements of DocumentsRepo on `documents`, `document_bodies` and `document_events`
 * (besides the list's, the state writes', the inserts' and the poll reads', which have files of
 * their own), prepared once per repository and named for what they do.
 */
import { FILTER_STATES } from '../contract';
import { BODY_LOST } from './body-files';
import type { Db } from './db';
import { CLAIM_COLUMNS, LIMIT_PARAM } from './document-record';

/** The states the Sent filter shows, as SQL (the header's Sent). */
const SENT_SQL = FILTER_STATES.sent.map((s) => `'${s}'`).join(', ');

/** The states the Needs attention filter shows, as SQL. */
const ATTENTION_SQL = FILTER_STATES.attention.map((s) => `'${s}'`).join(', ');

/**
 * Of the Sent and the Needs attention filters' documents, those of practice (migration 022);
 * with them, in the same statement, the failed documents Retry all leaves (migration 024).
 */
const PRACTICE_COUNTS_SQL = `SELECT
  coalesce(sum(CASE WHEN state IN (${SENT_SQL}) THEN n END), 0) AS sent,
  coalesce(sum(CASE WHEN state IN (${ATTENTION_SQL}) THEN n END), 0) AS attention,
  (SELECT coalesce(sum(n), 0) FROM failed_to_fix) AS failedToFix
  FROM practice_counts`;

/**
 * Documents that count for the duplicate guard: on their way to the access point, accepted or
 * delivered, or failed after attempts whose outcome is unknown (they may have been accepted).
 * Invalid, unreachable, cancelled, refused by the access point or failed in delivery do not
 * count: "fix the file and drop it again" must go through. Held ones wait for a decision and
 * are not counted either (the document they duplicate is).
 */
const LIVE_SQL = `(state IN ('ready', 'resolving', 'queued', 'sending', 'retry_wait', 'accepted', 'delivered',
  'acknowledged', 'in_process', 'under_query', 'conditionally_accepted', 'buyer_accepted', 'paid')
  OR (state = 'failed' AND send_outcome_unknown = 1)
  OR (state = 'handled' AND business_response IS NOT 'RE'))`;

/**
 * Practice documents (pinned to the built-in Sandbox, where nothing is really sent) that do not
 * stand for their file any more. When invoices go for real (the statement's `?`, 1), none does:
 * a file practised with first is added and sent as new, not "already known" nor held as a
 * duplicate of its practice (walk 9: a month-end folder practised with, then dropped with a real
 * key, was "0 added, 23 already known"), whether or not the Sandbox took it (walk 18: a file
 * whose practice was held or whose buyer was not found stayed "already known", and could only go
 * through its practice row). Practising, one the Sandbox has forgotten ("Add the file again to
 * practise with it once more"). The same for the same invoice number from the same seller
 * (findBusinessDuplicate).
 */
const PRACTICE_SQL = `(environment = 'sandbox' AND (? = 1
  OR (transaction_id IS NOT NULL AND problem_code IS 'DELIVERY_UNCONFIRMED')))`;

/**
 * Documents of the same bytes findKnownFile compares names with: bounded, so a drop of thousands
 * of copies of one file costs no more per file (past it, a copy is held as the same content).
 */
export const KNOWN_FILE_CANDIDATES = 64;

/**
 * Waiting to be sent (received, ready, queued, retry_wait) and pinned elsewhere than `@ap` in
 * environment `@env`: one provider address serves Test and Production (the API key chooses), so
 * invoices queued for Test are not sent with a Production key, nor the other way (a walk).
 */
const WAITING_ELSEWHERE_SQL = `state IN ('received', 'ready', 'queued', 'retry_wait')
  AND access_point IS NOT NULL AND (access_point <> @ap OR environment IS NOT @env)`;

/** The select list of the send stage's claims (see CLAIM_COLUMNS). */
const CLAIM_SQL = CLAIM_COLUMNS.join(', ');

/** Prepare every statement of {@link DocumentStatements} on `db`. */
export function prepareDocumentStatements(db: Db) {
  let practiceCounts: ReturnType<Db['prepare']> | null = null;
  let unreadable: ReturnType<Db['prepare']> | null = null;
  return {
    // Prepared at first use: a repository may be opened on a database migrated only so far.
    get practiceCounts() {
      return (practiceCounts ??= db.prepare(PRACTICE_COUNTS_SQL));
    },
    // Uses the partial index of migration 023 (its WHERE is this one's); a bounded few.
    get findUnreadableByNumber() {
      return (unreadable ??= db.prepare(
        `SELECT * FROM documents WHERE unread_number = ? AND state = 'invalid'
         AND unread_number IS NOT NULL AND id <> ? ORDER BY id LIMIT 64`,
      ));
    },
    findBySha: db.prepare('SELECT id FROM documents WHERE sha256 = ? ORDER BY id LIMIT 1'),
    findKnownFile: db.prepare(
      // A document whose kept copy was lost is not the file: adding it again stores it anew. The
      // names are compared by the repository (their last part); a bounded few of the same bytes.
      `SELECT id, file_name, state FROM documents WHERE sha256 = ?
         AND problem_code IS NOT '${BODY_LOST}' AND NOT ${PRACTICE_SQL}
         ORDER BY id LIMIT ${KNOWN_FILE_CANDIDATES}`,
    ),
    findContentDuplicate: db.prepare(
      `SELECT * FROM documents WHERE sha256 = ? AND id <> ? AND ${LIVE_SQL}
         AND NOT ${PRACTICE_SQL} ORDER BY id LIMIT 1`,
    ),
    scheduleUntrackedPolls: db.prepare(
      `UPDATE documents SET next_poll_at = ?
       WHERE state = 'accepted' AND next_poll_at IS NULL AND problem_code IS NULL`,
    ),
    insert: db.prepare(`INSERT INTO documents
      (file_name, sha256, size, state, idempotency_key, created_at, updated_at, access_point, environment)
      VALUES (@fileName, @sha256, @size, 'received', @idempotencyKey, @now, @now, @accessPoint, @environment)`),
    pinUnpinned: db.prepare(
      'UPDATE documents SET access_point = ?, environment = ? WHERE access_point IS NULL',
    ),
    repinWaiting: db.prepare(
      `UPDATE documents SET environment = @to WHERE access_point = @ap AND environment = @from
       AND state IN ('received', 'validating', 'ready', 'resolving', 'queued', 'retry_wait')`,
    ),
    waitingFor: db.prepare(`SELECT * FROM documents WHERE ${WAITING_ELSEWHERE_SQL} ORDER BY id`),
    waitingForAmong: db.prepare(
      `SELECT * FROM documents WHERE id IN (SELECT value FROM json_each(@ids))
       AND ${WAITING_ELSEWHERE_SQL} ORDER BY id`,
    ),
    heldFor: db.prepare(
      `SELECT id FROM documents WHERE state = 'held' AND problem_code = 'ACCESS_POINT_CHANGED'
       AND (@ap IS NULL OR access_point = @ap) ORDER BY id`,
    ),
    releasableFor: db.prepare(
      `SELECT * FROM documents WHERE state = 'held' AND problem_code = 'ACCESS_POINT_CHANGED'
       AND access_point = @ap AND environment IS @env AND send_outcome_unknown = 0
       AND batch_key IS NULL ORDER BY id`,
    ),
    heldElsewhere: db.prepare(
      `SELECT access_point, environment, COUNT(*) AS n,
         SUM(send_outcome_unknown = 1 OR batch_key IS NOT NULL) AS doubt FROM documents
       WHERE state = 'held' AND problem_code = 'ACCESS_POINT_CHANGED'
       GROUP BY access_point, environment ORDER BY access_point`,
    ),
    insertBody: db.prepare('INSERT INTO document_bodies (document_id, body) VALUES (?, ?)'),
    get: db.prepare('SELECT * FROM documents WHERE id = ?'),
    getBody: db.prepare('SELECT body FROM document_bodies WHERE document_id = ?').pluck(),
    inState: db.prepare(`SELECT * FROM documents WHERE state = ? ORDER BY id ${LIMIT_PARAM}`),
    claimQueued: db.prepare(
      `SELECT ${CLAIM_SQL} FROM documents WHERE state = 'queued' ORDER BY id ${LIMIT_PARAM}`,
    ),
    claimDueRetries: db.prepare(
      `SELECT ${CLAIM_SQL} FROM documents WHERE state = 'retry_wait' AND next_attempt_at <= ?
       ORDER BY next_attempt_at, id ${LIMIT_PARAM}`,
    ),
    nextRetryAt: db
      .prepare(`SELECT MIN(next_attempt_at) FROM documents WHERE state = 'retry_wait'`)
      .pluck(),
    // Kept by triggers (migration 010): a few rows, whatever the number of documents.
    counts: db.prepare('SELECT state, n FROM state_counts'),
    briefs: db.prepare(
      `SELECT id, file_name, state, problem_code, problem_message, accepted_at FROM documents
       WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    timeline: db.prepare(
      'SELECT at, from_state, to_state, detail, technical FROM document_events WHERE document_id = ? ORDER BY id',
    ),
    findBusinessDuplicate: db.prepare(
      `SELECT id FROM documents WHERE seller_id = ? AND invoice_number = ? AND doc_type = ?
       AND id <> ? AND ${LIVE_SQL} AND NOT ${PRACTICE_SQL}
       ORDER BY id LIMIT 1`,
    ),
    findSupersedable: db.prepare(
      `SELECT * FROM documents WHERE seller_id = ? AND invoice_number = ? AND doc_type = ?
       AND id <> ? AND (state IN ('invalid', 'unreachable', 'rejected')
         OR (state = 'handled' AND business_response = 'RE')
         OR (state = 'failed' AND send_outcome_unknown = 0 AND batch_key IS NULL))
       ORDER BY id`,
    ),
    findReplaceableWaiting: db.prepare(
      `SELECT * FROM documents WHERE seller_id = ? AND invoice_number = ? AND doc_type = ?
       AND id <> ? AND file_name = ?
       AND (state IN ('ready', 'resolving', 'queued')
         OR (state = 'retry_wait' AND send_outcome_unknown = 0 AND batch_key IS NULL))
       ORDER BY id`,
    ),
    claimBatch: db.prepare(
      `SELECT ${CLAIM_SQL} FROM documents WHERE batch_key = ? AND state IN ('queued', 'retry_wait')
       ORDER BY id`,
    ),
    idsInStates: db.prepare(
      'SELECT id FROM documents WHERE state IN (SELECT value FROM json_each(?)) ORDER BY id',
    ),
  };
}

/** The repository's prepared statements, by name. */
export type DocumentStatements = ReturnType<typeof prepareDocumentStatements>;
