/**
 * The clerk's other moves on the PostgreSQL team store (undo a cancel, "send anyway", a
 * receiver found again; the list and the export are in ./list). Each move is ONE statement: it
 * locks the rows it may move in id order, moves only those still in the state it starts from (a
 * claimed row is in `sending` and never matches), writes a timeline row per document naming the
 * desk, and tells every desk in the same transaction.
 */
import type pg from 'pg';
import type { DocumentState } from '../../contract';
import { ACCESS_POINT_CHANGED } from '../../domain/problems';
import {
  ACCESS_POINT_BEFORE_SETTING,
  ACCESS_POINT_LABEL_SETTING,
  ACCESS_POINT_SETTING,
  retryHoldOf,
} from '../access-point';
import {
  cancelledToSendSql,
  CLERK_CANCEL_FROM,
  CLERK_SEND_ANYWAY_FROM,
  PRACTICE_FORGOTTEN_SQL,
  PRACTICE_SENT_FROM,
  PRACTICE_SENT_SQL,
  undoStateOf,
} from '../store-rows';
import { REFUSED_FOR_GOOD_SQL, REFUSED_RETRY_WORDS } from '../../domain/retry-policy';
import { handledFrom } from '../../domain/states';
import type { CancelledTeamDoc, TeamEvent, TeamProblem, TeamRetryResult } from '../store';
import { toTeamEvent, type TeamEventRow } from '../store-rows';
import {
  NUMBER_LOCK_SQL,
  retryDuplicates,
  type RetriedNumber,
  type RetryDuplicate,
} from '../number-guard';
import { takenNumbers } from './enqueue';
import { NOTIFY_CTE, READ_TIMELINE, clerkMoveSql } from './statements';

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;
type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

/**
 * Desk $1 puts ids $2 back in states $3 (each one of $4, the states a cancel takes) when still
 * cancelled; timeline words $5. A queued one goes back to its place in the queue.
 */
const UNCANCEL = `WITH back AS (
    SELECT DISTINCT ON (id) id, to_state FROM unnest($2::bigint[], $3::text[]) AS b(id, to_state)
    WHERE to_state = ANY($4::text[]) ORDER BY id
  ), old AS (
    SELECT d.id, back.to_state FROM team_documents d JOIN back ON back.id = d.id
    WHERE d.state = 'cancelled' ORDER BY d.id FOR UPDATE OF d
  ), moved AS (
    UPDATE team_documents d SET state = old.to_state, updated_at = team_now_ms(),
      next_attempt_at = NULL, due_at = CASE WHEN old.to_state = 'queued' THEN d.created_at END
    FROM old WHERE d.id = old.id AND d.state = 'cancelled' RETURNING d.id, old.to_state
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT id, team_now_ms(), $1, 'cancelled', to_state, $5 FROM moved ORDER BY id
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;

/**
 * Desk $1 moves ids $2 that are in states $3 (and pass `guard`) to the queue, in their place
 * (due since they were added), their problem cleared; timeline words $4. With `newRound`, one
 * held after the team moved gets a new key round (see SEND_ANYWAY).
 */
function requeueSql(guard: string, technical = 'NULL', newRound = false): string {
  // A refusal for good goes as a new submission too (refusedForGood: a 404's "not on Peppol").
  const anew = `${newRound ? `problem_code = '${ACCESS_POINT_CHANGED}' OR ` : ''}${REFUSED_FOR_GOOD_SQL}`;
  return `WITH old AS (
    SELECT id, state, ${anew} AS anew FROM team_documents
    WHERE id = ANY($2::bigint[]) AND state = ANY($3::text[]) ${guard}
    ORDER BY id FOR UPDATE
  ), moved AS (
    UPDATE team_documents d SET state = 'queued', updated_at = team_now_ms(),
      next_attempt_at = NULL, due_at = d.created_at,
      problem_code = NULL, problem_message = NULL, problem_action = NULL,
      key_round = d.key_round + CASE WHEN old.anew THEN 1 ELSE 0 END
    FROM old WHERE d.id = old.id RETURNING d.id, old.state AS was
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail, technical)
    SELECT id, team_now_ms(), $1, was, 'queued', $4, ${technical}::text FROM moved ORDER BY id
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;
}

/**
 * Desk $1 retries ids $2 that failed or wait to retry, or were cancelled on their way out
 * (cancelledToSendSql): back to their place in the queue with a full set of
 * attempts and no problem. One whose delivery failed after the access point accepted it is sent
 * as a new submission: a new key round (the old key would only replay the failed transaction),
 * and so is one the access point refused for good (refusedForGood: it would replay the refusal),
 * its transaction and delivery forgotten (the timeline keeps them). One whose last attempt may
 * have reached an earlier access point of the team (it failed at or before $3, when the team's
 * access point was set; see retryHoldOf) is held instead, with problem words $5 ($6 when it
 * failed at or before $4, since when the access point named in $5 was the team's: in the same
 * millisecond it may have failed at the one before, and the unnamed words are true either way): its timeline says
 * "Retry requested", then why it is held. `reached_maybe` is cleared then: nothing of it reached
 * the team's access point now, and the clerk may cancel it once the earlier one said it arrived.
 * Ids $7 are held instead as second versions of ids $8 (../number-guard retryDuplicates), problem
 * words $9, timeline words $10; their `reached_maybe` stays (their attempts were at this one).
 */
const RETRY_FAILED = `WITH dup AS (
    SELECT * FROM unnest($7::bigint[], $8::bigint[], $9::text[], $10::text[])
      AS u(id, of, message, detail)
  ), old AS (
    SELECT t.id, t.state AS was, t.problem_code = 'DELIVERY_FAILED' AS anew, t.transaction_id,
      (t.state IN ('failed', 'cancelled')
        AND ${REFUSED_FOR_GOOD_SQL.replace(/problem_code/g, 't.problem_code')}) AS refused,
      COALESCE(t.reached_maybe AND t.problem_code IS DISTINCT FROM 'DELIVERY_FAILED'
        AND NOT ${REFUSED_FOR_GOOD_SQL.replace(/problem_code/g, 't.problem_code')}
        AND t.updated_at <= $3::bigint, FALSE) AS ap_hold,
      dup.of AS dup_of, dup.detail AS dup_detail,
      CASE WHEN t.updated_at > $4::bigint THEN $5::text ELSE $6::text END AS ap_why,
      dup.message AS dup_why
    FROM team_documents t LEFT JOIN dup ON dup.id = t.id
    WHERE t.id = ANY($2::bigint[])
      AND (t.state IN ('failed', 'retry_wait') OR ${cancelledToSendSql('t.')})
    ORDER BY t.id FOR UPDATE OF t
  ), old2 AS (
    SELECT old.*, ap_hold OR dup_of IS NOT NULL AS hold,
      CASE WHEN ap_hold THEN ap_why ELSE dup_why END AS why,
      dup_of IS NOT NULL AND NOT ap_hold AS dup
    FROM old
  ), moved AS (
    UPDATE team_documents d SET state = CASE WHEN old.hold THEN 'held' ELSE 'queued' END,
      updated_at = team_now_ms(), next_attempt_at = NULL,
      due_at = CASE WHEN old.hold THEN NULL ELSE d.created_at END, attempts = 0,
      problem_code = CASE WHEN old.ap_hold THEN '${ACCESS_POINT_CHANGED}'
        WHEN old.dup THEN 'DUPLICATE' END,
      problem_message = CASE WHEN old.hold THEN old.why END,
      problem_action = CASE WHEN old.hold THEN 'decide' END,
      duplicate_of = CASE WHEN old.dup THEN old.dup_of ELSE d.duplicate_of END,
      key_round = d.key_round + CASE WHEN old.anew OR old.refused THEN 1 ELSE 0 END,
      reached_maybe = d.reached_maybe AND NOT old.anew AND NOT old.refused AND NOT old.ap_hold,
      transaction_id = CASE WHEN old.anew THEN NULL ELSE d.transaction_id END,
      accepted_at = CASE WHEN old.anew THEN NULL ELSE d.accepted_at END,
      delivered_at = CASE WHEN old.anew THEN NULL ELSE d.delivered_at END,
      business_response = CASE WHEN old.anew THEN NULL ELSE d.business_response END,
      business_response_note = CASE WHEN old.anew THEN NULL ELSE d.business_response_note END,
      business_response_at = CASE WHEN old.anew THEN NULL ELSE d.business_response_at END,
      next_poll_at = NULL
    FROM old2 old WHERE d.id = old.id
    RETURNING d.id, old.was, old.anew, old.refused, old.hold, old.why, old.transaction_id, old.dup,
      old.dup_detail
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT id, team_now_ms(), $1, from_state, to_state, detail FROM (
      SELECT id, 0 AS step, was AS from_state, 'queued' AS to_state, CASE WHEN anew
        THEN 'Retry requested after the delivery failed (transaction ' || COALESCE(transaction_id, '?')
          || '): sent again as a new submission'
        WHEN refused THEN '${REFUSED_RETRY_WORDS}'
        ELSE 'Retry requested' END AS detail FROM moved
      UNION ALL SELECT id, 1, 'queued', 'held', CASE WHEN dup THEN dup_detail ELSE why END
        FROM moved WHERE hold
    ) e ORDER BY id, step
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, moved.hold, moved.why, (SELECT count(*) FROM notified) AS notified FROM moved`;

/** The team's access point rows a Retry reads, held FOR KEY SHARE until it commits. */
const READ_ACCESS_POINT_FOR_RETRY = `SELECT key, value, updated_by, updated_at FROM team_settings
  WHERE key IN ('${ACCESS_POINT_SETTING}', '${ACCESS_POINT_LABEL_SETTING}',
    '${ACCESS_POINT_BEFORE_SETTING}')
  FOR KEY SHARE`;

const CANCEL = clerkMoveSql('AND NOT reached_maybe');

/** See TeamStore.cancel: never a document that may have reached the access point. */
export async function cancel(
  q: Query,
  deskId: string,
  ids: readonly number[],
): Promise<CancelledTeamDoc[]> {
  if (ids.length === 0) return [];
  const rows = await q<{ id: number; was: DocumentState }>(CANCEL, [
    deskId,
    'cancelled',
    [...new Set(ids)],
    [...CLERK_CANCEL_FROM],
    'cancelled',
  ]);
  return rows.map((r) => ({ id: Number(r.id), from: undoStateOf(r.was) }));
}

/**
 * See TeamStore.retry. One transaction: the team's access point is read FOR KEY SHARE (as a claim
 * does), so a change (FOR UPDATE) either waits for this Retry and then counts what it queued in
 * doubt, or is committed before the read and the Retry holds by it.
 */
export async function retryFailed(
  tx: Tx,
  deskId: string,
  ids: readonly number[],
  real: boolean,
): Promise<TeamRetryResult> {
  if (ids.length === 0) return { queued: 0, held: [] };
  const unique = [...new Set(ids)];
  return tx(async (c) => {
    const hold = retryHoldOf((await c.query(READ_ACCESS_POINT_FOR_RETRY)).rows);
    const dups = [...(await secondVersions(c, unique, real))];
    const rows = (
      await c.query<{ id: number; hold: boolean; why: string }>(RETRY_FAILED, [
        deskId,
        unique,
        hold?.setAt ?? null,
        hold?.since ?? null,
        hold?.words ?? null,
        hold?.wordsUnnamed ?? null,
        dups.map(([id]) => id),
        dups.map(([, d]) => d.of),
        dups.map(([, d]) => d.message),
        dups.map(([, d]) => d.detail),
      ])
    ).rows;
    const held = rows.filter((r) => r.hold).map((r) => ({ id: Number(r.id), message: r.why }));
    return { queued: rows.length - held.length, held };
  });
}

/** The failed documents of ids $1 that have a number (a Retry's, see retryDuplicates). */
const RETRIED_NUMBERS = `SELECT id, key, sender_id, invoice_number, doc_type FROM team_documents
  WHERE id = ANY($1::bigint[]) AND state IN ('failed', 'retry_wait', 'cancelled')
    AND sender_id IS NOT NULL
    AND invoice_number IS NOT NULL AND doc_type IS NOT NULL`;

/**
 * Of failed `ids`, those a Retry holds as second versions (../number-guard retryDuplicates):
 * their numbers' transaction locks taken first, as an enqueue takes them, so that a version
 * added meanwhile by another desk is either seen here or holds itself behind this one.
 */
async function secondVersions(
  c: pg.PoolClient,
  ids: readonly number[],
  real: boolean,
): Promise<Map<number, RetryDuplicate>> {
  const retried = (await c.query<RetriedNumber>(RETRIED_NUMBERS, [ids])).rows.map((r) => ({
    ...r,
    id: Number(r.id),
  }));
  if (retried.length === 0) return new Map();
  const cols = [
    retried.map((r) => r.sender_id),
    retried.map((r) => r.invoice_number),
    retried.map((r) => r.doc_type),
  ];
  await c.query(NUMBER_LOCK_SQL, cols);
  return retryDuplicates(retried, await takenNumbers(c, cols, real, ids));
}

// A document a Retry held after the team moved (sentBeforeTeamMoved) goes as a new submission.
const SEND_ANYWAY = requeueSql('', 'NULL', true);
const REQUEUE_UNREACHABLE = requeueSql('AND receiver_id = $5', '$6');

/** See TeamStore.timeline. */
export async function timeline(q: Query, id: number): Promise<TeamEvent[]> {
  return (await q<TeamEventRow>(READ_TIMELINE, [id])).map(toTeamEvent);
}

/** See TeamStore.states. */
export async function states(
  q: Query,
  ids: readonly number[],
): Promise<Map<number, DocumentState>> {
  if (ids.length === 0) return new Map();
  const rows = await q<{ id: number; state: DocumentState }>(
    'SELECT id, state FROM team_documents WHERE id = ANY($1::bigint[])',
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r.state]));
}

/** See TeamStore.notFollowed. */
export async function notFollowed(q: Query, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await q<{ id: number }>(
    `SELECT id FROM team_documents WHERE id = ANY($1::bigint[])
       AND state = 'accepted' AND next_poll_at IS NULL`,
    [[...new Set(ids)]],
  );
  return new Set(rows.map((r) => Number(r.id)));
}

/** See TeamStore.uncancel. */
export async function uncancel(
  q: Query,
  deskId: string,
  docs: readonly CancelledTeamDoc[],
  detail: string,
): Promise<number> {
  if (docs.length === 0) return 0;
  const rows = await q<{ id: number }>(UNCANCEL, [
    deskId,
    docs.map((d) => d.id),
    docs.map((d) => d.from),
    [...CLERK_CANCEL_FROM],
    detail,
  ]);
  return rows.length;
}

/** See TeamStore.sendAnyway. */
export async function sendAnyway(
  q: Query,
  deskId: string,
  ids: readonly number[],
  detail: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await q<{ id: number }>(SEND_ANYWAY, [
    deskId,
    [...new Set(ids)],
    [...CLERK_SEND_ANYWAY_FROM],
    detail,
  ]);
  return rows.length;
}

/** See TeamStore.requeueUnreachable. */
export async function requeueUnreachable(
  q: Query,
  deskId: string,
  receiverId: string,
  ids: readonly number[],
  detail: string,
  technical: string | null = null,
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await q<{ id: number }>(REQUEUE_UNREACHABLE, [
    deskId,
    [...new Set(ids)],
    ['unreachable' satisfies DocumentState],
    detail,
    receiverId,
    technical,
  ]);
  return rows.map((r) => Number(r.id));
}

/**
 * Desk $1 notes on ids $2 still unreachable to receiver $3 (their state unchanged, held against a
 * change until the rows are written) a timeline row saying $4.
 */
const NOTE_UNREACHABLE = `WITH still AS (
    SELECT id FROM team_documents
    WHERE id = ANY($2::bigint[]) AND state = 'unreachable' AND receiver_id = $3::text
    ORDER BY id FOR SHARE
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT id, team_now_ms(), $1, 'unreachable', 'unreachable', $4::text FROM still ORDER BY id
  ), ${NOTIFY_CTE('still', '$1')}
  SELECT still.id, (SELECT count(*) FROM notified) AS notified FROM still`;

/** See TeamStore.noteUnreachable. */
export async function noteUnreachable(
  q: Query,
  deskId: string,
  receiverId: string,
  ids: readonly number[],
  detail: string,
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await q<{ id: number }>(NOTE_UNREACHABLE, [
    deskId,
    [...new Set(ids)],
    receiverId,
    detail,
  ]);
  return rows.map((r) => Number(r.id));
}

/**
 * Desk $1 moves ids $2 still failed at delivery to receiver $3 → unreachable with problem $4..$6,
 * not sent: a new key round, the transaction and what followed it forgotten (as RETRY_FAILED's
 * `anew`); timeline "Retry requested after the delivery failed (transaction …): " and $7.
 */
const RETRY_NOT_ON_PEPPOL = `WITH old AS (
    SELECT id, transaction_id FROM team_documents
    WHERE id = ANY($2::bigint[]) AND state = 'failed' AND problem_code = 'DELIVERY_FAILED'
      AND receiver_id = $3::text
    ORDER BY id FOR UPDATE
  ), moved AS (
    UPDATE team_documents d SET state = 'unreachable', updated_at = team_now_ms(),
      next_attempt_at = NULL, due_at = NULL, attempts = 0,
      problem_code = $4::text, problem_message = $5::text, problem_action = $6::text,
      key_round = d.key_round + 1, reached_maybe = FALSE, transaction_id = NULL,
      accepted_at = NULL, delivered_at = NULL, business_response = NULL,
      business_response_note = NULL, business_response_at = NULL, next_poll_at = NULL
    FROM old WHERE d.id = old.id RETURNING d.id, old.transaction_id
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT id, team_now_ms(), $1, 'failed', 'unreachable',
      'Retry requested after the delivery failed (transaction ' || COALESCE(transaction_id, '?')
        || '): ' || $7::text
    FROM moved ORDER BY id
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;

/** See TeamStore.retryNotOnPeppol. */
export async function retryNotOnPeppol(
  q: Query,
  deskId: string,
  receiverId: string,
  ids: readonly number[],
  problem: TeamProblem,
  detail: string,
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await q<{ id: number }>(RETRY_NOT_ON_PEPPOL, [
    deskId,
    [...new Set(ids)],
    receiverId,
    problem.code,
    problem.message,
    problem.action,
    detail,
  ]);
  return rows.map((r) => Number(r.id));
}

/**
 * Desk $1 marks ids $2 in states $3 as handled ($5 true: → handled) or back to the buyer's answer
 * they carry ($5 false: a rejection → rejected, a condition → conditionally_accepted, a query →
 * under_query), timeline words $4 (domain/states handledTo is the same rule).
 */
const MARK_HANDLED = `WITH old AS (
    SELECT id, state, business_response = 'RE' AS rejected, business_response = 'CA' AS condition
    FROM team_documents
    WHERE id = ANY($2::bigint[]) AND state = ANY($3::text[]) ORDER BY id FOR UPDATE
  ), moved AS (
    UPDATE team_documents d SET updated_at = team_now_ms(),
      state = CASE WHEN $5::boolean THEN 'handled'
        WHEN COALESCE(old.rejected, FALSE) THEN 'rejected'
        WHEN COALESCE(old.condition, FALSE) THEN 'conditionally_accepted' ELSE 'under_query' END,
      problem_action = CASE WHEN NOT $5::boolean AND COALESCE(old.rejected, FALSE)
        THEN 'fix-file' ELSE 'none' END
    FROM old WHERE d.id = old.id RETURNING d.id, old.state AS was, d.state AS now
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT id, team_now_ms(), $1, was, now, $4 FROM moved ORDER BY id
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;

/** See TeamStore.markHandled. */
export async function markHandled(
  q: Query,
  deskId: string,
  ids: readonly number[],
  handled: boolean,
  detail: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await q<{ id: number }>(MARK_HANDLED, [
    deskId,
    [...new Set(ids)],
    [...handledFrom(handled)],
    detail,
    handled,
  ]);
  return rows.length;
}

/**
 * Desk $1 sends ids $2 that were sent in practice (states $3, PRACTICE_SENT_SQL) for real: back
 * to their place in the queue as a new submission (PRACTICE_FORGOTTEN_SQL); timeline words $4.
 */
const SEND_PRACTICE_FOR_REAL = `WITH old AS (
    SELECT id, state FROM team_documents
    WHERE id = ANY($2::bigint[]) AND state = ANY($3::text[]) AND ${PRACTICE_SENT_SQL}
    ORDER BY id FOR UPDATE
  ), moved AS (
    UPDATE team_documents d SET state = 'queued', updated_at = team_now_ms(),
      due_at = d.created_at, reached_maybe = FALSE, ${PRACTICE_FORGOTTEN_SQL}
    FROM old WHERE d.id = old.id RETURNING d.id, old.state AS was
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT id, team_now_ms(), $1, was, 'queued', $4 FROM moved ORDER BY id
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;

/** See TeamStore.sendPracticeForReal. */
export async function sendPracticeForReal(
  q: Query,
  deskId: string,
  ids: readonly number[],
  detail: string,
): Promise<number[]> {
  if (ids.length === 0) return [];
  const moved = await q<{ id: number }>(SEND_PRACTICE_FOR_REAL, [
    deskId,
    [...new Set(ids)],
    [...PRACTICE_SENT_FROM],
    detail,
  ]);
  return moved.map((r) => Number(r.id));
}
