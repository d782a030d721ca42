/**
 * The clerk's other moves on the PostgreSQL team store (undo a cancel, "send anyway", a
 * receiver found again; the list and the export are in ./list). Each move is ONE statement: it
 * locks the rows it may move in id order, moves only those still in the state it starts from (a
 * claimed row is in `sending` and never matches), writes a timeline row per document naming the
 * desk, and tells every desk in the same transaction.
 */
import type pg from 'pg';
import type { DocumentState } from '../../contract';
import { CLERK_CANCEL_FROM, CLERK_SEND_ANYWAY_FROM } from '../store-rows';
import type { CancelledTeamDoc } from '../store';
import { NOTIFY_CTE, clerkMoveSql } from './statements';

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

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
 * (due since they were added), their problem cleared; timeline words $4.
 */
function requeueSql(guard: string, technical = 'NULL'): string {
  return `WITH old AS (
    SELECT id, state FROM team_documents
    WHERE id = ANY($2::bigint[]) AND state = ANY($3::text[]) ${guard}
    ORDER BY id FOR UPDATE
  ), moved AS (
    UPDATE team_documents d SET state = 'queued', updated_at = team_now_ms(),
      next_attempt_at = NULL, due_at = d.created_at,
      problem_code = NULL, problem_message = NULL, problem_action = NULL
    FROM old WHERE d.id = old.id RETURNING d.id, old.state AS was
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail, technical)
    SELECT id, team_now_ms(), $1, was, 'queued', $4, ${technical}::text FROM moved ORDER BY id
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;
}

/**
 * Desk $1 retries ids $2 that failed: back to their place in the queue with a full set of
 * attempts and no problem. One whose delivery failed after the access point accepted it is sent
 * as a new submission: a new key round (the old key would only replay the failed transaction),
 * its transaction and delivery forgotten (the timeline keeps them).
 */
const RETRY_FAILED = `WITH old AS (
    SELECT id, problem_code = 'DELIVERY_FAILED' AS anew, transaction_id FROM team_documents
    WHERE id = ANY($2::bigint[]) AND state = 'failed' ORDER BY id FOR UPDATE
  ), moved AS (
    UPDATE team_documents d SET state = 'queued', updated_at = team_now_ms(),
      next_attempt_at = NULL, due_at = d.created_at, attempts = 0,
      problem_code = NULL, problem_message = NULL, problem_action = NULL,
      key_round = d.key_round + CASE WHEN old.anew THEN 1 ELSE 0 END,
      reached_maybe = d.reached_maybe AND NOT old.anew,
      transaction_id = CASE WHEN old.anew THEN NULL ELSE d.transaction_id END,
      accepted_at = CASE WHEN old.anew THEN NULL ELSE d.accepted_at END,
      delivered_at = CASE WHEN old.anew THEN NULL ELSE d.delivered_at END,
      business_response = CASE WHEN old.anew THEN NULL ELSE d.business_response END,
      business_response_note = CASE WHEN old.anew THEN NULL ELSE d.business_response_note END,
      business_response_at = CASE WHEN old.anew THEN NULL ELSE d.business_response_at END,
      next_poll_at = NULL
    FROM old WHERE d.id = old.id RETURNING d.id, old.anew, old.transaction_id
  ), logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT id, team_now_ms(), $1, 'failed', 'queued', CASE WHEN anew
      THEN 'Retry requested after the delivery failed (transaction ' || COALESCE(transaction_id, '?')
        || '): sent again as a new submission'
      ELSE 'Retry requested' END FROM moved ORDER BY id
  ), ${NOTIFY_CTE('moved', '$1')}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;

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
  return rows.map((r) => ({ id: Number(r.id), from: r.was }));
}

/** See TeamStore.retry. */
export async function retryFailed(q: Query, deskId: string, ids: readonly number[]) {
  if (ids.length === 0) return 0;
  return (await q<{ id: number }>(RETRY_FAILED, [deskId, [...new Set(ids)]])).length;
}

const SEND_ANYWAY = requeueSql('');
const REQUEUE_UNREACHABLE = requeueSql('AND receiver_id = $5', '$6');

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
