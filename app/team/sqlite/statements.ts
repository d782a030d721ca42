/** Statements of the SQLite team store kept apart from it: the clock, the claim's due read, the fenced finish. */

import { LIMIT_PARAM } from '../../store/document-record';

// Milliseconds since the epoch from the machine's clock, read by SQLite (never Date.now()).
export const NOW = `CAST(unixepoch('subsec') * 1000 AS INTEGER)`;
/**
 * A row of a document's timeline: document id, desk, from state, to state, the clerk's words and
 * the technical line (null when there is none); the time is the database's.
 */
export const INSERT_EVENT = `INSERT INTO team_events
  (document_id, at, desk, from_state, to_state, detail, technical)
  VALUES (?, ${NOW}, ?, ?, ?, ?, ?)`;
/**
 * The due documents (queued, due retry_wait, sending with an ended lease) in the order they
 * became due. INDEXED BY: read the due index's range up to now and stop at the limit; the
 * planner would rather read every due row by state and sort them, a cost that grows with the
 * queue.
 */
export const CLAIM_DUE_DOCUMENTS = `SELECT id, state FROM team_documents INDEXED BY team_documents_due
       WHERE due_at <= ${NOW} AND state IN ('queued', 'retry_wait', 'sending')
       ORDER BY due_at, id ${LIMIT_PARAM}`;

/**
 * Write an outcome under its claim's fence (to, transaction id, sent, desk, delay ×2, to,
 * delay, problem code / message / action, settles, reached maybe, uncount, first poll in ms,
 * accepted ms ago ×2, id, fence, desk); no row when the fence moved.
 */
export const FINISH_UNDER_FENCE = `UPDATE team_documents SET state = ?, lease_owner = NULL, lease_until = NULL,
         updated_at = ${NOW},
         transaction_id = COALESCE(?, transaction_id),
         sent_by = CASE WHEN ? THEN ? ELSE sent_by END,
         next_attempt_at = CASE WHEN ? IS NULL THEN NULL ELSE ${NOW} + ? END,
         due_at = CASE ? WHEN 'queued' THEN created_at WHEN 'retry_wait' THEN ${NOW} + ? END,
         problem_code = ?, problem_message = ?, problem_action = ?,
         reached_maybe = CASE WHEN ? THEN 0 ELSE reached_maybe OR ? END,
         attempts = CASE WHEN ? THEN MAX(attempts - 1, 0) ELSE attempts END,
         next_poll_at = ${NOW} + ?, accepted_at = CASE WHEN ? IS NULL THEN accepted_at ELSE ${NOW} - ? END
       WHERE id = ? AND fence = ? AND state = 'sending' AND lease_owner = ? RETURNING id`;
