/**
 * Delivery poll claims on the PostgreSQL team store (see TeamStore.claimPolls): one statement
 * picks with `FOR UPDATE SKIP LOCKED`; the lease is the row's next_poll_at on the database's
 * clock; a result is written under its fence with its timeline rows and notice in one
 * transaction.
 */
import type pg from 'pg';
import {
  POLL_CLAIM_COLUMNS,
  pollEvents,
  pollSets,
  toPollClaim,
  type PollClaimRow,
} from '../poll-rows';
import type { DocumentState } from '../../contract';
import type { PollClaim, PollRef, PollResult } from '../store';
import { NOTIFY_CTE } from './statements';
import { TEAM_NOTIFY_CHANNEL } from '../store-rows';
import { ACCESS_POINT_SETTING } from '../access-point';

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;
type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

/**
 * Claim due polls for desk $1: at most $2, lease $3 ms, in the order they became due; only while
 * the team's access point is $4 (when given): its transactions are known there only.
 */
const CLAIM_DUE_POLLS = `WITH due AS (
    SELECT id, next_poll_at FROM team_documents
    WHERE next_poll_at <= (SELECT team_now_ms()) AND ($4::text IS NULL OR EXISTS (
      SELECT 1 FROM team_settings WHERE key = '${ACCESS_POINT_SETTING}' AND value = $4::text))
    ORDER BY next_poll_at, id LIMIT $2
    FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE team_documents d SET poll_owner = $1, poll_fence = d.poll_fence + 1,
      next_poll_at = (SELECT team_now_ms()) + $3::bigint
    FROM due WHERE d.id = due.id
    RETURNING ${POLL_CLAIM_COLUMNS.split(',')
      .map((c) => `d.${c.trim()}`)
      .join(', ')}, due.next_poll_at AS was_due
  )
  SELECT * FROM claimed ORDER BY was_due, id`;

/** Write a poll's result (see finishPoll below for the parameters). */
const WRITE_POLL = `UPDATE team_documents SET state = $2, poll_owner = NULL,
    updated_at = team_now_ms(), next_poll_at = (SELECT team_now_ms()) + $3::bigint,
    delivered_at = COALESCE($4::bigint, delivered_at),
    business_response = CASE WHEN $5::boolean THEN $6 ELSE business_response END,
    business_response_note = CASE WHEN $5::boolean THEN $7 ELSE business_response_note END,
    business_response_at = CASE WHEN $5::boolean THEN $8::bigint ELSE business_response_at END,
    problem_code = CASE WHEN $9::boolean THEN $10 ELSE problem_code END,
    problem_message = CASE WHEN $9::boolean THEN $11 ELSE problem_message END,
    problem_action = CASE WHEN $9::boolean THEN $12 ELSE problem_action END
  WHERE id = $1`;

/** Give claims back (ids $2, fences $3 of desk $1): due at once. */
const RELEASE_POLLS = `WITH released AS (
    UPDATE team_documents d SET poll_owner = NULL, next_poll_at = (SELECT team_now_ms())
    FROM unnest($2::bigint[], $3::bigint[]) AS c(id, fence)
    WHERE d.id = c.id AND d.poll_fence = c.fence AND d.poll_owner = $1
      AND d.next_poll_at IS NOT NULL
    RETURNING d.id
  ), ${NOTIFY_CTE('released', '$1', `'n'`)}
  SELECT released.id, (SELECT count(*) FROM notified) AS notified FROM released`;

/** Claim due polls for `deskId` (see TeamStore.claimPolls). */
export async function claimPolls(
  q: Query,
  deskId: string,
  limit: number,
  leaseMs: number,
  accessPoint: string | null,
): Promise<PollClaim[]> {
  const rows = await q<PollClaimRow>(CLAIM_DUE_POLLS, [
    deskId,
    Math.max(0, Math.floor(limit)),
    Math.round(leaseMs),
    accessPoint,
  ]);
  return rows.map(toPollClaim);
}

/** Write a poll's result under its fence (see TeamStore.finishPoll). */
export async function finishPoll(
  tx: Tx,
  deskId: string,
  claim: PollRef,
  result: PollResult,
): Promise<boolean> {
  return tx(async (c) => {
    const held = await c.query<{ state: DocumentState }>(
      `SELECT state FROM team_documents WHERE id = $1 AND poll_fence = $2 AND poll_owner = $3
       FOR UPDATE`,
      [claim.id, claim.pollFence, deskId],
    );
    const row = held.rows[0];
    if (!row) return false;
    const { to, events } = pollEvents(row.state, result);
    const s = pollSets(result);
    await c.query(WRITE_POLL, [
      claim.id,
      to,
      s.nextPollInMs,
      s.deliveredAt,
      s.response !== null,
      s.response?.code ?? null,
      s.response?.note ?? null,
      s.response?.at ?? null,
      s.setProblem,
      s.problem?.code ?? null,
      s.problem?.message ?? null,
      s.problem?.action ?? null,
    ]);
    if (events.length > 0) {
      await c.query(
        `INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
         SELECT $1, team_now_ms(), $2, f, t, d
         FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(f, t, d, n)
         ORDER BY n`,
        [
          claim.id,
          deskId,
          events.map((e) => e.from),
          events.map((e) => e.to),
          events.map((e) => e.detail),
        ],
      );
      // A poll's result makes nothing due to send ('n'), but every desk's view follows it.
      await c.query('SELECT pg_notify($1, $2)', [TEAM_NOTIFY_CHANNEL, `n:${deskId}:${claim.id}`]);
    }
    return true;
  });
}

/** Give poll claims back, due at once (see TeamStore.releasePolls). */
export async function releasePolls(
  q: Query,
  deskId: string,
  claims: readonly PollRef[],
): Promise<number> {
  if (claims.length === 0) return 0;
  const rows = await q<{ id: number }>(RELEASE_POLLS, [
    deskId,
    claims.map((c) => c.id),
    claims.map((c) => c.pollFence),
  ]);
  return rows.length;
}
