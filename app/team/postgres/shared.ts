/**
 * The shared caches and the desks' latency on the PostgreSQL team store (see ../shared-store.ts):
 * each read and each write is one statement over arrays, whatever the number of keys; times come
 * from the database's clock (team_now_ms()) only. Upserts are sorted by key, so two desks writing
 * overlapping keys at once take their row locks in the same order and never deadlock.
 */
import type pg from 'pg';
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

type Query = <R extends pg.QueryResultRow>(
  text: string,
  values?: unknown[],
  name?: string,
) => Promise<R[]>;

const READ_LOOKUPS = `SELECT participant_id, answer_json, expires_at - c.now AS remaining_ms,
    c.now - fetched_at AS age_ms
  FROM team_lookup_cache, (SELECT team_now_ms() AS now) c
  WHERE access_point = $1 AND participant_id = ANY($2::text[]) AND expires_at > c.now`;

const PUT_LOOKUPS = `INSERT INTO team_lookup_cache
    (access_point, participant_id, found, answer_json, fetched_at, expires_at)
  SELECT $1, p, f, j, c.now, c.now + ttl
  FROM unnest($2::text[], $3::boolean[], $4::text[], $5::bigint[]) AS t(p, f, j, ttl),
    (SELECT team_now_ms() AS now) c
  ON CONFLICT (access_point, participant_id) DO UPDATE SET found = excluded.found,
    answer_json = excluded.answer_json, fetched_at = excluded.fetched_at,
    expires_at = excluded.expires_at`;

// Bounded: at most PRUNE_LIMIT rows per write, read from the expiry index.
const PRUNE_LOOKUPS = `DELETE FROM team_lookup_cache WHERE (access_point, participant_id) IN (
    SELECT access_point, participant_id FROM team_lookup_cache
    WHERE expires_at <= team_now_ms() ORDER BY expires_at LIMIT ${PRUNE_LIMIT})`;

const READ_VERDICTS = `SELECT sha256, verdict_json FROM team_validation_cache
  WHERE cache_key = $1 AND sha256 = ANY($2::text[])`;

const PUT_VERDICTS = `INSERT INTO team_validation_cache (sha256, cache_key, verdict_json, created_at)
  SELECT s, $1, j, team_now_ms() FROM unnest($2::text[], $3::text[]) AS t(s, j)
  ON CONFLICT (sha256, cache_key) DO UPDATE SET verdict_json = excluded.verdict_json,
    created_at = excluded.created_at`;

const PRUNE_VERDICTS = `DELETE FROM team_validation_cache WHERE (sha256, cache_key) IN (
    SELECT sha256, cache_key FROM team_validation_cache
    WHERE created_at < team_now_ms() - ${SHARED_VERDICT_KEEP_MS}
    ORDER BY created_at LIMIT ${PRUNE_LIMIT})`;

const PUT_LATENCY = `INSERT INTO team_desk_latency
    (desk, interval_start, at, updated_at, count, p50, p95, p99)
  SELECT $1, i, c.now - age, c.now, n, a, b, d
  FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::float8[], $6::float8[], $7::float8[])
    AS t(i, age, n, a, b, d),
    (SELECT team_now_ms() AS now) c
  ON CONFLICT (desk, interval_start) DO UPDATE SET at = excluded.at,
    updated_at = excluded.updated_at, count = excluded.count, p50 = excluded.p50,
    p95 = excluded.p95, p99 = excluded.p99`;

const PRUNE_LATENCY = `DELETE FROM team_desk_latency WHERE (desk, interval_start) IN (
    SELECT desk, interval_start FROM team_desk_latency
    WHERE updated_at < team_now_ms() - ${DESK_LATENCY_KEEP_MS}
    ORDER BY updated_at LIMIT ${PRUNE_LIMIT})`;

// The clock row comes back even when no desk published: LEFT JOIN from it.
const READ_LATENCY = `SELECT c.now, l.desk, COALESCE(d.name, l.desk) AS name, l.interval_start,
    l.at, l.count, l.p50, l.p95, l.p99
  FROM (SELECT team_now_ms() AS now) c
  LEFT JOIN team_desk_latency l ON l.updated_at >= c.now - $1::bigint
  LEFT JOIN team_desks d ON d.id = l.desk
  ORDER BY l.at, l.desk`;

/** TeamShared on PostgreSQL (see the file comment). */
export class PostgresTeamShared implements TeamShared {
  constructor(private readonly q: Query) {}

  async lookups(
    accessPoint: string,
    participantIds: readonly string[],
  ): Promise<Map<string, SharedLookupHit>> {
    if (participantIds.length === 0) return new Map();
    const rows = await this.q<{
      participant_id: string;
      answer_json: string;
      remaining_ms: number;
      age_ms: number;
    }>(READ_LOOKUPS, [accessPoint, [...new Set(participantIds)]], 'readSharedLookups');
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
    await this.q(
      PUT_LOOKUPS,
      [
        accessPoint,
        rows.map((e) => e.participantId),
        rows.map((e) => e.found),
        rows.map((e) => e.answerJson),
        rows.map((e) => Math.max(0, Math.round(e.ttlMs))),
      ],
      'putSharedLookups',
    );
    await this.q(PRUNE_LOOKUPS, [], 'pruneSharedLookups');
  }

  async verdicts(cacheKey: string, sha256s: readonly string[]): Promise<Map<string, string>> {
    if (sha256s.length === 0) return new Map();
    const rows = await this.q<{ sha256: string; verdict_json: string }>(
      READ_VERDICTS,
      [cacheKey, [...new Set(sha256s)]],
      'readSharedVerdicts',
    );
    return new Map(rows.map((r) => [r.sha256, r.verdict_json]));
  }

  async putVerdicts(cacheKey: string, entries: readonly SharedVerdictPut[]): Promise<void> {
    const rows = distinctSorted(entries, (e) => e.sha256);
    if (rows.length === 0) return;
    await this.q(
      PUT_VERDICTS,
      [cacheKey, rows.map((e) => e.sha256), rows.map((e) => e.json)],
      'putSharedVerdicts',
    );
    await this.q(PRUNE_VERDICTS, [], 'pruneSharedVerdicts');
  }

  async publishLatency(deskId: string, rows: readonly DeskLatencyPut[]): Promise<void> {
    const list = distinctSorted(rows, (r) => String(r.interval).padStart(16, '0'));
    if (list.length === 0) return;
    await this.q(
      PUT_LATENCY,
      [
        deskId,
        list.map((r) => Math.round(r.interval)),
        list.map((r) => Math.max(0, Math.round(r.ageMs))),
        list.map((r) => Math.round(r.count)),
        list.map((r) => r.p50),
        list.map((r) => r.p95),
        list.map((r) => r.p99),
      ],
      'putDeskLatency',
    );
    await this.q(PRUNE_LATENCY, [], 'pruneDeskLatency');
  }

  async latency(withinMs: number): Promise<TeamLatencySeries> {
    const rows = await this.q<{
      now: number;
      desk: string | null;
      name: string | null;
      interval_start: number | null;
      at: number | null;
      count: number | null;
      p50: number | null;
      p95: number | null;
      p99: number | null;
    }>(READ_LATENCY, [Math.max(0, Math.floor(withinMs))], 'readDeskLatency');
    const out: TeamLatencySeries['rows'] = [];
    for (const r of rows) {
      if (r.desk === null || r.at === null || r.interval_start === null) continue;
      out.push({
        desk: r.desk,
        name: r.name ?? r.desk,
        interval: r.interval_start,
        t: r.at,
        count: r.count ?? 0,
        p50: r.p50 ?? 0,
        p95: r.p95 ?? 0,
        p99: r.p99 ?? 0,
      });
    }
    return { now: rows[0]!.now, rows: out };
  }
}
