/**
 * Delivery poll claims on the PostgreSQL team store (see TeamStore.claimPolls): one statement
 * picks with `FOR UPDATE SKIP LOCKED`; the lease is the row's next_poll_at on the database's
 * clock; a result is written under its fence with its timeline rows and notice in one
 * statement when the claim says the state it read (checked in the statement), else (or when the
 * state moved since) in a transaction that reads the state first.
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
import type { PollClaim, PollKind, PollRef, PollResult } from '../store';
import { NOTIFY_CTE } from './statements';
import { TEAM_NOTIFY_CHANNEL } from '../store-rows';
import { ACCESS_POINT_SETTING } from '../access-point';

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;
type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

/**
 * Claim due polls for desk $1: at most $2, lease $3 ms, in the order they became due; only while
 * the team's access point is $4 (when given): its transactions are known there only. One text per
 * kind (TeamStore.claimPolls), so that each is planned on its own index: delivery polls (the
 * accepted documents) on team_documents_delivery_poll (migration 009), the buyer-response polls
 * on team_documents_poll skipping the few accepted ones due — never a walk through a month-end's
 * response backlog to find the deliveries.
 */
function claimDuePolls(kind: PollKind | undefined): string {
  const only =
    kind === 'delivery'
      ? `AND state = 'accepted' AND next_poll_at IS NOT NULL`
      : kind === 'response'
        ? `AND state <> 'accepted'`
        : '';
  return `WITH due AS (
    SELECT id, next_poll_at FROM team_documents
    WHERE next_poll_at <= (SELECT team_now_ms()) ${only}
      AND ($4::text IS NULL OR EXISTS (
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
}
export const CLAIM_DUE_POLLS: Record<PollKind | 'any', string> = {
  any: claimDuePolls(undefined),
  delivery: claimDuePolls('delivery'),
  response: claimDuePolls('response'),
};

/**
 * Write a poll's result (see finishPoll below for the parameters). The last change moves only
 * when something the clerk sees changed (a walk: "Last change" moved at every quiet poll).
 */
const WRITE_POLL = `UPDATE team_documents SET state = $2, poll_owner = NULL,
    updated_at = CASE WHEN state <> $2 OR $5::boolean OR $9::boolean OR $4::bigint IS NOT NULL
      THEN team_now_ms() ELSE updated_at END,
    next_poll_at = (SELECT team_now_ms()) + $3::bigint,
    delivered_at = COALESCE($4::bigint, delivered_at),
    business_response = CASE WHEN $5::boolean THEN $6 ELSE business_response END,
    business_response_note = CASE WHEN $5::boolean THEN $7 ELSE business_response_note END,
    business_response_at = CASE WHEN $5::boolean THEN $8::bigint ELSE business_response_at END,
    problem_code = CASE WHEN $9::boolean THEN $10 ELSE problem_code END,
    problem_message = CASE WHEN $9::boolean THEN $11 ELSE problem_message END,
    problem_action = CASE WHEN $9::boolean THEN $12 ELSE problem_action END
  WHERE id = $1`;

/**
 * A poll's result in one statement: WRITE_POLL's parameters, under the poll fence $14 of desk
 * $13 and only while the state is still $15 (the claim's); timeline rows $16..$18 (from, to,
 * words, in order) and the notice only when there are any. No row back: nothing was written.
 */
function writePollAtOnce(withEvents: boolean): string {
  const moved = `moved AS (
    ${WRITE_POLL} AND poll_fence = $14 AND poll_owner = $13 AND state = $15 RETURNING id
  )`;
  if (!withEvents) return `WITH ${moved} SELECT id FROM moved`;
  return `WITH ${moved}, logged AS (
    INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
    SELECT moved.id, team_now_ms(), $13, f, t, d
    FROM moved, unnest($16::text[], $17::text[], $18::text[]) WITH ORDINALITY AS e(f, t, d, n)
    ORDER BY n
  ), ${NOTIFY_CTE('moved', '$13', `'n'`)}
  SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;
}
const WRITE_POLL_AT_ONCE = writePollAtOnce(false);
const WRITE_POLL_AND_LOG_AT_ONCE = writePollAtOnce(true);

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
  kind?: PollKind,
): Promise<PollClaim[]> {
  const rows = await q<PollClaimRow>(CLAIM_DUE_POLLS[kind ?? 'any'], [
    deskId,
    Math.max(0, Math.floor(limit)),
    Math.round(leaseMs),
    accessPoint,
  ]);
  return rows.map(toPollClaim);
}

/** WRITE_POLL's parameters $1..$12 for `result` (timeline state `to`). */
function writeParams(id: number, to: DocumentState, result: PollResult): unknown[] {
  const s = pollSets(result);
  return [
    id,
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
  ];
}

/** The result's moves from `from`, or null when the state table refuses them from there. */
function eventsFrom(from: DocumentState, result: PollResult): ReturnType<typeof pollEvents> | null {
  try {
    return pollEvents(from, result);
  } catch {
    return null;
  }
}

/**
 * Write a poll's result under its fence (see TeamStore.finishPoll): in one statement when the
 * claim says its state; when that wrote nothing (fence lost, or the state moved since), the
 * transaction below decides with the state read under lock.
 */
export async function finishPoll(
  q: Query,
  tx: Tx,
  deskId: string,
  claim: PollRef,
  result: PollResult,
): Promise<boolean> {
  const planned = claim.state === undefined ? null : eventsFrom(claim.state, result);
  if (claim.state !== undefined && planned) {
    const { to, events } = planned;
    const rows = await q<{ id: number }>(
      events.length > 0 ? WRITE_POLL_AND_LOG_AT_ONCE : WRITE_POLL_AT_ONCE,
      [
        ...writeParams(claim.id, to, result),
        deskId,
        claim.pollFence,
        claim.state,
        ...(events.length > 0
          ? [events.map((e) => e.from), events.map((e) => e.to), events.map((e) => e.detail)]
          : []),
      ],
    );
    if (rows.length > 0) return true;
  }
  return finishPollInTransaction(tx, deskId, claim, result);
}

/** Write a poll's result reading the state under lock first (see finishPoll). */
async function finishPollInTransaction(
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
    await c.query(WRITE_POLL, writeParams(claim.id, to, result));
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
