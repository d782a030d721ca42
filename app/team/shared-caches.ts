/**
 * A desk's side of the team's shared caches (see ./shared-store.ts): before checking new files
 * the desk reads its own caches, then asks the team for what they miss (one statement for all the
 * files of an add, never one per document), and keeps what the team knew in its own caches; what
 * it learnt itself (a verdict, a lookup answer) is queued and written to the team in batches a
 * moment later, off the intake and send paths.
 *
 * Nothing here may stop a desk: while the team database cannot be reached (or a shared read or
 * write fails for any reason) the desk works from its own caches only, and what it learnt waits
 * (a bounded number, the newest kept) to be written once the database answers.
 */
import { parseStoredAnswer, type ParticipantCache } from '../caches/participant-cache';
import {
  cachedCheckJson,
  parseCachedCheck,
  type CachedCheck,
  type ValidationCache,
} from '../caches/validation-cache';
import type { LookupAnswer } from '../access-point/client';
import type { SharedLookupHit, SharedLookupPut, TeamShared } from './shared-store';
import { groupBy } from '../domain/group-by';

/** Written to the team this long after the first new entry (a few adds' worth in one statement). */
export const SHARED_FLUSH_MS = 100;
/** Entries waiting at most, per kind (the oldest dropped beyond it: they are only caches). */
export const MAX_PENDING = 5000;
/** Entries per write statement. */
const WRITE_CHUNK = 500;
/** After a failed write, wait this long before the next (doubling up to the max). */
const RETRY_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Reads of many keys with at most one in flight: keys asked for meanwhile wait and go together in
 * the next read. Files added one at a time (a hot folder) then share reads under load instead of
 * costing one round trip each.
 */
export class CoalescedReader<V> {
  private waiting = new Map<string, ((v: V | undefined) => void)[]>();
  private waitingFailed: ((err: unknown) => void)[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly read: (keys: string[]) => Promise<Map<string, V>>) {}

  /** The values found for `keys` (absent keys left out). */
  async get(keys: readonly string[]): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    if (keys.length === 0) return out;
    const parts = await new Promise<(readonly [string, V | undefined])[]>((resolve, reject) => {
      let left = keys.length;
      const got: (readonly [string, V | undefined])[] = [];
      for (const k of keys) {
        const list = this.waiting.get(k) ?? [];
        list.push((v) => {
          got.push([k, v]);
          if (--left === 0) resolve(got);
        });
        this.waiting.set(k, list);
      }
      this.waitingFailed.push(reject);
      this.start();
    });
    for (const [k, v] of parts) if (v !== undefined) out.set(k, v);
    return out;
  }

  private start(): void {
    if (this.running) return;
    this.running = (async () => {
      while (this.waiting.size > 0) {
        const batch = this.waiting;
        const failed = this.waitingFailed;
        this.waiting = new Map();
        this.waitingFailed = [];
        try {
          const found = await this.read([...batch.keys()]);
          for (const [k, resolvers] of batch) for (const r of resolvers) r(found.get(k));
        } catch (err) {
          for (const f of failed) f(err);
        }
      }
    })().finally(() => {
      this.running = null;
    });
  }
}

/** What the sharing works with (read at use: a settings change may swap the caches). */
export interface SharingDeps {
  shared: TeamShared;
  /** The validation cache key in use (rule-set release + rules revision). */
  cacheKey: string;
  verdicts: ValidationCache;
  participants(): ParticipantCache;
  /**
   * False while the desk knows the team database is down: nothing is written then. (Reads come
   * right after the desk's `known` read succeeded, so they are always tried; a failure is a miss.)
   */
  reachable(): boolean;
  /**
   * Run local cache writes together in one transaction that need not reach the disk at once
   * (a verdict or answer lost to a power cut is simply asked again); default: as they come.
   */
  redoable?(fn: () => void): void;
  /** Told once of an unexpected failure (a bug, not the database being down). */
  log?(message: string): void;
  flushMs?: number;
}

/** One desk's use of the team's shared caches (see the file comment). */
export class TeamCacheSharing {
  private readonly lookups = new Map<string, SharedLookupPut & { accessPoint: string }>();
  private readonly verdicts = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private retryMs = RETRY_MS;
  private logged = false;
  private stopped = false;
  /** Figures for tests and the bench: team hits, team reads and writes that failed. */
  readonly stats = { verdictHits: 0, lookupHits: 0, readFailures: 0, writeFailures: 0 };

  private readonly verdictReader: CoalescedReader<string>;
  private readonly lookupReader: CoalescedReader<SharedLookupHit>;

  constructor(private readonly deps: SharingDeps) {
    this.verdictReader = new CoalescedReader((shas) =>
      this.deps.shared.verdicts(this.deps.cacheKey, shas),
    );
    // Keys are "access point \n receiver": one read per access point in a batch (almost always one).
    this.lookupReader = new CoalescedReader(async (keys) => {
      const byAp = groupBy(
        keys,
        (k) => k.slice(0, k.indexOf('\n')),
        (k) => k.slice(k.indexOf('\n') + 1),
      );
      const out = new Map<string, SharedLookupHit>();
      for (const [ap, ids] of byAp) {
        for (const [id, hit] of await this.deps.shared.lookups(ap, ids))
          out.set(`${ap}\n${id}`, hit);
      }
      return out;
    });
  }

  /**
   * Put into this desk's validation cache the team's verdicts for these sha256s that it lacks
   * (one read for all of them). Never throws.
   */
  async prefetchVerdicts(sha256s: readonly string[]): Promise<void> {
    const { verdicts, cacheKey } = this.deps;
    const missing = [...new Set(sha256s)].filter((s) => verdicts.get(s, cacheKey) === null);
    if (missing.length === 0) return;
    let found: Map<string, string>;
    try {
      found = await this.verdictReader.get(missing);
    } catch (err) {
      this.readFailed(err);
      return;
    }
    this.local(() => {
      for (const [sha, json] of found) {
        const entry = parseCachedCheck(json);
        if (!entry) continue;
        verdicts.put(sha, cacheKey, entry);
        this.stats.verdictHits++;
      }
    });
  }

  /**
   * Put into this desk's lookup cache the team's fresh answers for these receivers that it lacks
   * (one read for all of them), each living as long as the team database's clock gives it.
   * Never throws.
   */
  async prefetchLookups(participantIds: readonly string[]): Promise<void> {
    const cache = this.deps.participants();
    const missing = [...new Set(participantIds)].filter((id) => cache.peek(id) === null);
    if (missing.length === 0) return;
    let found: Map<string, SharedLookupHit>;
    try {
      found = await this.lookupReader.get(missing.map((id) => `${cache.accessPoint}\n${id}`));
    } catch (err) {
      this.readFailed(err);
      return;
    }
    this.local(() => {
      for (const [key, hit] of found) {
        const id = key.slice(key.indexOf('\n') + 1);
        const answer = parseStoredAnswer(hit.answerJson);
        if (!answer || hit.remainingMs <= 0) continue;
        cache.seed(id, answer, hit.remainingMs, hit.ageMs);
        this.stats.lookupHits++;
      }
    });
  }

  /** This desk checked a file: share the verdict (written a moment later). */
  learntVerdict(sha256: string, entry: CachedCheck): void {
    this.verdicts.delete(sha256);
    this.verdicts.set(sha256, cachedCheckJson(entry));
    trim(this.verdicts);
    this.schedule();
  }

  /** This desk asked the access point about a receiver: share the answer for its time to live. */
  learntLookup(
    accessPoint: string,
    participantId: string,
    answer: LookupAnswer,
    ttlMs: number,
  ): void {
    const key = `${accessPoint}\n${participantId}`;
    this.lookups.delete(key);
    this.lookups.set(key, {
      accessPoint,
      participantId,
      found: answer.found,
      answerJson: JSON.stringify(answer),
      ttlMs,
    });
    trim(this.lookups);
    this.schedule();
  }

  /** Entries waiting to be written. */
  get pending(): number {
    return this.lookups.size + this.verdicts.size;
  }

  /** Write what waits now (once; a failure keeps it for later). Never throws. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writing ??= this.write().finally(() => {
      this.writing = null;
      if (this.pending > 0) this.schedule(this.deps.reachable() ? undefined : RETRY_MS);
    });
    return this.writing;
  }

  /** A last write of what waits (a failure is left: caches only), then nothing more. */
  async stop(): Promise<void> {
    await this.writing;
    if (this.pending > 0 && this.deps.reachable()) await this.flush();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delay = this.deps.flushMs ?? SHARED_FLUSH_MS): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    if (!this.deps.reachable()) return;
    const lookups = [...this.lookups.entries()];
    const verdicts = [...this.verdicts.entries()];
    this.lookups.clear();
    this.verdicts.clear();
    try {
      const byAccessPoint = new Map<string, SharedLookupPut[]>();
      for (const [, e] of lookups) {
        const list = byAccessPoint.get(e.accessPoint) ?? [];
        list.push({
          participantId: e.participantId,
          found: e.found,
          answerJson: e.answerJson,
          ttlMs: e.ttlMs,
        });
        byAccessPoint.set(e.accessPoint, list);
      }
      for (const [ap, list] of byAccessPoint) {
        for (let i = 0; i < list.length; i += WRITE_CHUNK) {
          await this.deps.shared.putLookups(ap, list.slice(i, i + WRITE_CHUNK));
        }
      }
      lookups.length = 0;
      const rows = verdicts.map(([sha256, json]) => ({ sha256, json }));
      for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
        await this.deps.shared.putVerdicts(this.deps.cacheKey, rows.slice(i, i + WRITE_CHUNK));
      }
      this.retryMs = RETRY_MS;
    } catch (err) {
      this.stats.writeFailures++;
      this.unexpected(err);
      // Put back what was not written, behind anything learnt meanwhile (newer wins).
      for (const [k, v] of lookups) if (!this.lookups.has(k)) this.lookups.set(k, v);
      for (const [k, v] of verdicts) if (!this.verdicts.has(k)) this.verdicts.set(k, v);
      trim(this.lookups);
      trim(this.verdicts);
      const wait = this.retryMs;
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.schedule(wait);
    }
  }

  private local(fn: () => void): void {
    if (this.deps.redoable) this.deps.redoable(fn);
    else fn();
  }

  private readFailed(err: unknown): void {
    this.stats.readFailures++;
    this.unexpected(err);
  }

  /** A failure other than the database being down is logged once (the desk goes on). */
  private unexpected(err: unknown): void {
    if ((err as { code?: unknown } | null)?.code === 'TEAM_STORE_UNAVAILABLE' || this.logged)
      return;
    this.logged = true;
    this.deps.log?.(
      `Team caches: ${(err as Error)?.message ?? String(err)} (this desk's own caches are used)`,
    );
  }
}

/** Drop the oldest entries beyond MAX_PENDING (a Map iterates in insertion order). */
function trim<K, V>(m: Map<K, V>): void {
  for (const k of m.keys()) {
    if (m.size <= MAX_PENDING) return;
    m.delete(k);
  }
}
