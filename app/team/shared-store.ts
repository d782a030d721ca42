/**
 * What the desks of a team share besides the queue (`TeamStore.shared`): the lookup and
 * validation caches, and each desk's send-latency summary for the team's charts.
 *
 * - Lookup answers are kept as the single desk keeps them (the answer's JSON), per access point
 *   and receiver, with an expiry measured by the database's clock: the desk that learnt the
 *   answer says how long it lives (its settings' found / not-found times to live), the store
 *   dates it. A read returns only answers the database's clock still holds fresh, with the time
 *   they have left, so a desk whose own clock is wrong keeps them exactly that long.
 * - Verdicts are kept as app/caches/validation-cache.ts keeps them (verdict and summary as JSON),
 *   per sha256 of the bytes and cache key (rule-set release plus RULES_REVISION).
 * - Each desk publishes its send latency per 10-second interval (count, p50, p95, p99): one small
 *   row per desk and interval, pruned by age, so every desk's charts show every desk's latency.
 *
 * Reads and writes take many keys in one statement. None of it is needed to send: a desk that
 * cannot reach the database uses its own caches only (see ./shared-caches.ts).
 */

/** A lookup answer a desk learnt, to share. */
export interface SharedLookupPut {
  participantId: string;
  found: boolean;
  /** The answer as the single desk caches it (JSON of LookupAnswer). */
  answerJson: string;
  /** How long it lives from now (database clock), ms. */
  ttlMs: number;
}

/** A fresh shared lookup answer. */
export interface SharedLookupHit {
  answerJson: string;
  /** How long it still lives by the database's clock, ms (> 0). */
  remainingMs: number;
  /** How long ago it was learnt, by the database's clock, ms. */
  ageMs: number;
}

/** A verdict a desk computed, to share (JSON of { verdict, summary }, as the local cache keeps it). */
export interface SharedVerdictPut {
  sha256: string;
  json: string;
}

/** One interval of a desk's send latency, as it publishes it. */
export interface DeskLatencyPut {
  /** The interval's start on the desk's own clock, ms: only what identifies the row. */
  interval: number;
  /** How long ago the interval started (desk's monotonic view), ms: dated by the database. */
  ageMs: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Each desk's published send latency, read for the charts. */
export interface TeamLatencySeries {
  /** The database's clock when it was read, ms since the epoch. */
  now: number;
  /** Oldest first; `t` is the interval's start on the database's clock. */
  rows: {
    desk: string;
    name: string;
    interval: number;
    t: number;
    count: number;
    p50: number;
    p95: number;
    p99: number;
  }[];
}

/** How long published latency rows are kept (the charts' hour). */
export const DESK_LATENCY_KEEP_MS = 3600_000;
/** Shared verdicts older than this are pruned (a rules revision makes old ones useless anyway). */
export const SHARED_VERDICT_KEEP_MS = 30 * 24 * 3600_000;
/** Rows pruned per write at most: a write's cost stays bounded whatever has piled up. */
export const PRUNE_LIMIT = 1000;

/** The shared part of a team store (PostgreSQL and SQLite implement it; see the file comment). */
export interface TeamShared {
  /** Fresh answers for these receivers at this access point, in one statement. */
  lookups(
    accessPoint: string,
    participantIds: readonly string[],
  ): Promise<Map<string, SharedLookupHit>>;
  /** Remember answers (insert or replace), dated by the database; prunes expired ones. */
  putLookups(accessPoint: string, entries: readonly SharedLookupPut[]): Promise<void>;
  /** Cached verdicts of these sha256s under this cache key, in one statement (JSON by sha256). */
  verdicts(cacheKey: string, sha256s: readonly string[]): Promise<Map<string, string>>;
  /** Remember verdicts (insert or replace); prunes old ones. */
  putVerdicts(cacheKey: string, entries: readonly SharedVerdictPut[]): Promise<void>;
  /** Publish (insert or replace) this desk's latency intervals; prunes rows older than the hour. */
  publishLatency(deskId: string, rows: readonly DeskLatencyPut[]): Promise<void>;
  /** Every desk's intervals written within the last `withinMs` (database clock). */
  latency(withinMs: number): Promise<TeamLatencySeries>;
}

/** Distinct entries by `key`, the last one winning, sorted (two desks' upserts cannot deadlock). */
export function distinctSorted<T>(entries: readonly T[], key: (e: T) => string): T[] {
  const m = new Map<string, T>();
  for (const e of entries) m.set(key(e), e);
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}
