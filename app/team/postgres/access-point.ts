/**
 * The team's access point on PostgreSQL (see app/team/access-point.ts). A change takes the
 * setting's row FOR UPDATE, which waits for every claim under way (each claim holds it FOR KEY
 * SHARE, see CLAIM_DUE_DOCUMENTS) and holds off the next ones, then counts what may still be at
 * the old access point: a claim is either counted or made after the change, never missed.
 */
import type pg from 'pg';
import {
  ACCESS_POINT_BEFORE_SETTING,
  ACCESS_POINT_LABEL_SETTING,
  ACCESS_POINT_SETTING,
  IN_DOUBT_AT_ACCESS_POINT,
  accessPointBeforeValue,
  deliveryNotFollowedWords,
  teamAccessPointOf,
  type AccessPointRef,
  type AdoptAccessPointResult,
  type TeamAccessPoint,
} from '../access-point';
import { TEAM_NOTIFY_CHANNEL } from '../store-rows';

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;
type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

// pg_advisory_xact_lock key: desks recording the first access point at once, one after the other.
const ACCESS_POINT_LOCK = 1_414_000_015;

const READ = `SELECT key, value, updated_by, updated_at FROM team_settings
  WHERE key IN ('${ACCESS_POINT_SETTING}', '${ACCESS_POINT_LABEL_SETTING}')`;

/**
 * Write the team's access point; every desk hears of it on the change channel (`a:<desk>:`, see
 * parseNotice) when the transaction commits, and compares its own with it at once.
 */
const WRITE = `WITH written AS (
    INSERT INTO team_settings (key, value, updated_by, updated_at)
    VALUES ('${ACCESS_POINT_SETTING}', $1, $3::text, team_now_ms()),
           ('${ACCESS_POINT_LABEL_SETTING}', $2, $3::text, team_now_ms())
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
      updated_at = excluded.updated_at
    RETURNING key
  )
  SELECT pg_notify('${TEAM_NOTIFY_CHANNEL}', 'a:' || $3::text || ':')
    FROM (SELECT 1 FROM written LIMIT 1) AS any_written`;

/** Desk $2 records the access point the team leaves ($1, see ACCESS_POINT_BEFORE_SETTING). */
const WRITE_BEFORE = `INSERT INTO team_settings (key, value, updated_by, updated_at)
  VALUES ('${ACCESS_POINT_BEFORE_SETTING}', $1, $2::text, team_now_ms())
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
    updated_at = excluded.updated_at`;

/**
 * Desk $1 moved the team to another access point: documents accepted at the old one are not
 * asked about any more (their poll fence moves on, so a poll under way writes nothing), each
 * with a timeline line $2. Their "Last change" stays: the invoice did not change (walk 17b: every
 * delivered invoice's jumped to the time of the move).
 */
const STOP_FOLLOWING = `WITH stopped AS (
    UPDATE team_documents SET next_poll_at = NULL, poll_owner = NULL, poll_fence = poll_fence + 1
    WHERE next_poll_at IS NOT NULL RETURNING id, state
  )
  INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
  SELECT id, team_now_ms(), $1, state, state, $2 FROM stopped ORDER BY id`;

/** See TeamStore.accessPoint. */
export async function readAccessPoint(q: Query): Promise<TeamAccessPoint | null> {
  return teamAccessPointOf(await q(READ));
}

/**
 * See TeamStore.adoptAccessPoint. Every desk asks at each heartbeat: when the answer needs no
 * write (the team's is already this one, or another one kept), it comes from a plain read,
 * without the lock that would hold off every desk's claims meanwhile.
 */
export async function adoptAccessPoint(
  q: Query,
  tx: Tx,
  deskId: string,
  ap: AccessPointRef,
  replace: boolean,
): Promise<AdoptAccessPointResult> {
  const seen = await readAccessPoint(q);
  if (seen && seen.id === ap.id) return { ok: true, accessPoint: seen };
  if (seen && !replace) return { ok: false, accessPoint: seen, unfinished: 0 };
  return tx(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [ACCESS_POINT_LOCK]);
    const current = teamAccessPointOf((await c.query(`${READ} FOR UPDATE`)).rows);
    if (current && current.id === ap.id) return { ok: true, accessPoint: current };
    if (current && !replace) return { ok: false, accessPoint: current, unfinished: 0 };
    if (current) {
      const r = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM team_documents WHERE ${IN_DOUBT_AT_ACCESS_POINT}`,
      );
      const unfinished = Number(r.rows[0]?.n ?? 0);
      if (unfinished > 0) return { ok: false, accessPoint: current, unfinished };
    }
    if (current) await c.query(WRITE_BEFORE, [accessPointBeforeValue(current), deskId]);
    await c.query(WRITE, [ap.id, ap.label, deskId]);
    const stopped = current
      ? await c.query(STOP_FOLLOWING, [deskId, deliveryNotFollowedWords(current.label, ap.label)])
      : { rowCount: 0 };
    const now = teamAccessPointOf((await c.query(READ)).rows);
    return { ok: true, accessPoint: now!, notFollowed: stopped.rowCount ?? 0 };
  });
}
