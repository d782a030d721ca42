/**
 * The team's access point on the SQLite team store (see app/team/access-point.ts). Claims and
 * changes are immediate transactions on one file: a change sees every claim made before it, and
 * every claim after it sees the change.
 */
import type Database from 'better-sqlite3';
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
import { INSERT_EVENT, NOW } from './statements';

type Prepare = (sql: string) => Database.Statement;

const READ = `SELECT key, value, updated_by, updated_at FROM team_settings
  WHERE key IN ('${ACCESS_POINT_SETTING}', '${ACCESS_POINT_LABEL_SETTING}')`;

/** See TeamStore.accessPoint. */
export function readAccessPoint(stmt: Prepare): TeamAccessPoint | null {
  return teamAccessPointOf(stmt(READ).all() as Parameters<typeof teamAccessPointOf>[0]);
}

/**
 * See TeamStore.adoptAccessPoint. Every desk asks at each heartbeat: when the answer needs no
 * write it comes from a plain read, without taking the file's write lock.
 */
export function adoptAccessPoint(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ap: AccessPointRef,
  replace: boolean,
): AdoptAccessPointResult {
  const write = stmt(`INSERT INTO team_settings (key, value, updated_by, updated_at)
    VALUES (?, ?, ?, ${NOW})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
      updated_at = excluded.updated_at`);
  const unfinished = stmt(
    `SELECT count(*) FROM team_documents WHERE ${IN_DOUBT_AT_ACCESS_POINT}`,
  ).pluck();
  const seen = readAccessPoint(stmt);
  if (seen && seen.id === ap.id) return { ok: true, accessPoint: seen };
  if (seen && !replace) return { ok: false, accessPoint: seen, unfinished: 0 };
  return db
    .transaction((): AdoptAccessPointResult => {
      const current = readAccessPoint(stmt);
      if (current && current.id === ap.id) return { ok: true, accessPoint: current };
      if (current && !replace) return { ok: false, accessPoint: current, unfinished: 0 };
      const n = current ? Number(unfinished.get()) : 0;
      if (current && n > 0) return { ok: false, accessPoint: current, unfinished: n };
      // The one it leaves, named by a Retry that holds a document that may be there.
      if (current) write.run(ACCESS_POINT_BEFORE_SETTING, accessPointBeforeValue(current), deskId);
      write.run(ACCESS_POINT_SETTING, ap.id, deskId);
      write.run(ACCESS_POINT_LABEL_SETTING, ap.label, deskId);
      // Accepted at the old one: not asked about any more (a poll under way writes nothing).
      // Their "Last change" stays: the invoice did not change (see the PostgreSQL store's).
      const stopped = current
        ? (stmt(`UPDATE team_documents SET next_poll_at = NULL, poll_owner = NULL,
              poll_fence = poll_fence + 1
            WHERE next_poll_at IS NOT NULL RETURNING id, state`).all() as {
            id: number;
            state: string;
          }[])
        : [];
      const note = stmt(INSERT_EVENT);
      const words = current ? deliveryNotFollowedWords(current.label, ap.label) : '';
      for (const r of stopped) note.run(r.id, deskId, r.state, r.state, words, null);
      return { ok: true, accessPoint: readAccessPoint(stmt)!, notFollowed: stopped.length };
    })
    .immediate();
}

/** The claim's guard: the team's access point is `ap` (SQL on one `?`, the fingerprint). */
export const CLAIM_GUARD = `EXISTS (SELECT 1 FROM team_settings
  WHERE key = '${ACCESS_POINT_SETTING}' AND value = ?)`;
