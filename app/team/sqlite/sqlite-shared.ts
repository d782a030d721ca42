/**
 * The shared caches and the desks' latency on the SQLite team store (see ../shared-store.ts):
 * many keys in one statement (a JSON array read with json_each); times read inside SQL, the
 * clock all desks of the machine share.
 */
import type Database from 'better-sqlite3';
import {
  DESK_LATENCY_KEEP_MS,
  PRUNE_LIMIT,
  SHARED_VERDICT_KEEP_MS,
  distinctSorted,
  type DeskLatencyPut,
  type SharedLookupHit,
  type SharedLookupPut,
  type SharedVerdictPut,
  type TeamLatencySeries,
  type TeamShared,
} from '../shared-store';
import { NOW } from './statements';

type Prepare = (sql: string) => Database.Statement;

/** TeamShared on SQLite (see the file comment). */
export class SqliteTeamShared implements TeamShared {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Prepare,
  ) {}

  async lookups(
    accessPoint: string,
    participantIds: readonly string[],
  ): Promise<Map<string, SharedLookupHit>> {
    if (participantIds.length === 0) return new Map();
    const rows = this.stmt(
      `SELECT participant_id, answer_json, expires_at - c.now AS remaining_ms,
          c.now - fetched_at AS age_ms
        FROM team_lookup_cache, (SELECT ${NOW} AS now) c
        WHERE access_point = ? AND participant_id IN (SELECT value FROM json_each(?))
          AND expires_at > c.now`,
    ).all(accessPoint, JSON.stringify([...new Set(participantIds)])) as {
      participant_id: string;
      answer_json: string;
      remaining_ms: number;
      age_ms: number;
    }[];
    return new Map(
      rows.map((r) => [
        r.participant_id,
        { answerJson: r.answer_json, remainingMs: r.remaining_ms, ageMs: Math.max(0, r.age_ms) },
      ]),
    );
  }

  async putLookups(accessPoint: string, entries: readonly SharedLookupPut[]): Promise<void> {
    const rows = distinctSorted(entries, (e) => e.participantId);
    if (rows.length === 0) return;
    const put = this.stmt(
      `INSERT INTO team_lookup_cache
          (access_point, participant_id, found, answer_json, fetched_at, expires_at)
        SELECT ?, json_extract(value, '$.p'), json_extract(value, '$.f'),
          json_extract(value, '$.j'), c.now, c.now + json_extract(value, '$.t')
        FROM json_each(?), (SELECT ${NOW} AS now) c WHERE true
        ON CONFLICT (access_point, participant_id) DO UPDATE SET found = excluded.found,
          answer_json = excluded.answer_json, fetched_at = excluded.fetched_at,
          expires_at = excluded.expires_at`,
    );
    const prune = this.stmt(
      `DELETE FROM team_lookup_cache WHERE rowid IN (SELECT rowid FROM team_lookup_cache
        WHERE expires_at <= ${NOW} ORDER BY expires_at LIMIT ${PRUNE_LIMIT})`,
    );
    const json = JSON.stringify(
      rows.map((e) => ({
        p: e.participantId,
        f: e.found ? 1 : 0,
        j: e.answerJson,
        t: Math.max(0, Math.round(e.ttlMs)),
      })),
    );
    this.db
      .transaction(() => {
        put.run(accessPoint, json);
        prune.run();
      })
      .immediate();
  }

  async verdicts(cacheKey: string, sha256s: readonly string[]): Promise<Map<string, string>> {
    if (sha256s.length === 0) return new Map();
    const rows = this.stmt(
      `SELECT sha256, verdict_json FROM team_validation_cache
        WHERE cache_key = ? AND sha256 IN (SELECT value FROM json_each(?))`,
    ).all(cacheKey, JSON.stringify([...new Set(sha256s)])) as {
      sha256: string;
      verdict_json: string;
    }[];
    return new Map(rows.map((r) => [r.sha256, r.verdict_json]));
  }

  async putVerdicts(cacheKey: string, entries: readonly SharedVerdictPut[]): Promise<void> {
    const rows = distinctSorted(entries, (e) => e.sha256);
    if (rows.length === 0) return;
    const put = this.stmt(
      `INSERT INTO team_validation_cache (sha256, cache_key, verdict_json, created_at)
        SELECT json_extract(value, '$.s'), ?, json_extract(value, '$.j'), ${NOW}
        FROM json_each(?) WHERE true
        ON CONFLICT (sha256, cache_key) DO UPDATE SET verdict_json = excluded.verdict_json,
          created_at = excluded.created_at`,
    );
    const prune = this.stmt(
      `DELETE FROM team_validation_cache WHERE rowid IN (SELECT rowid FROM team_validation_cache
        WHERE created_at < ${NOW} - ${SHARED_VERDICT_KEEP_MS} ORDER BY created_at
        LIMIT ${PRUNE_LIMIT})`,
    );
    const json = JSON.stringify(rows.map((e) => ({ s: e.sha256, j: e.json })));
    this.db
      .transaction(() => {
        put.run(cacheKey, json);
        prune.run();
      })
      .immediate();
  }

  async publishLatency(deskId: string, rows: readonly DeskLatencyPut[]): Promise<void> {
    const list = distinctSorted(rows, (r) => String(r.interval).padStart(16, '0'));
    if (list.length === 0) return;
    const put = this.stmt(
      `INSERT INTO team_desk_latency (desk, interval_start, at, updated_at, count, p50, p95, p99)
        SELECT ?, json_extract(value, '$.i'), c.now - json_extract(value, '$.a'), c.now,
          json_extract(value, '$.n'), json_extract(value, '$.p50'),
          json_extract(value, '$.p95'), json_extract(value, '$.p99')
        FROM json_each(?), (SELECT ${NOW} AS now) c WHERE true
        ON CONFLICT (desk, interval_start) DO UPDATE SET at = excluded.at,
          updated_at = excluded.updated_at, count = excluded.count, p50 = excluded.p50,
          p95 = excluded.p95, p99 = excluded.p99`,
    );
    const prune = this.stmt(
      `DELETE FROM team_desk_latency WHERE rowid IN (SELECT rowid FROM team_desk_latency
        WHERE updated_at < ${NOW} - ${DESK_LATENCY_KEEP_MS} ORDER BY updated_at
        LIMIT ${PRUNE_LIMIT})`,
    );
    const json = JSON.stringify(
      list.map((r) => ({
        i: Math.round(r.interval),
        a: Math.max(0, Math.round(r.ageMs)),
        n: Math.round(r.count),
        p50: r.p50,
        p95: r.p95,
        p99: r.p99,
      })),
    );
    this.db
      .transaction(() => {
        put.run(deskId, json);
        prune.run();
      })
      .immediate();
  }

  async latency(withinMs: number): Promise<TeamLatencySeries> {
    return this.db.transaction(() => {
      const now = this.stmt(`SELECT ${NOW}`).pluck().get() as number;
      const rows = this.stmt(
        `SELECT l.desk, COALESCE(d.name, l.desk) AS name, l.interval_start AS interval, l.at AS t,
            l.count, l.p50, l.p95, l.p99
          FROM team_desk_latency l LEFT JOIN team_desks d ON d.id = l.desk
          WHERE l.updated_at >= ? ORDER BY l.at, l.desk`,
      ).all(now - Math.max(0, Math.floor(withinMs))) as TeamLatencySeries['rows'];
      return { now, rows };
    })();
  }
}
