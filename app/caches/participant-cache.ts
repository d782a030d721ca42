import { LRUCache } from 'lru-cache';
import type { Db } from '../store/db';
import { DurableCommits } from '../store/durable-commits';
import type { LookupAnswer } from '../access-point/client';

/** A cached lookup answer and when it was fetched. */
export interface CachedLookup {
  answer: LookupAnswer;
  fetchedAt: number;
  expiresAt: number;
}

/** Time to live of lookup answers. */
export interface LookupTtl {
  foundMs: number;
  notFoundMs: number;
}

/** Found answers live 1 h, not-found answers 5 min. */
export const DEFAULT_LOOKUP_TTL: LookupTtl = { foundMs: 60 * 60_000, notFoundMs: 5 * 60_000 };

/** Canonical participant id (the domain's rule, re-exported for the cache's callers). */
export { canonicalParticipantId } from '../domain/peppol-id';

/**
 * Receiver lookups: SQLite plus an in-memory LRU, per access point, with single flight (many
 * documents for one receiver cause one request in flight) and a refresh that bypasses the cache.
 */
export class ParticipantCache {
  private readonly lru = new LRUCache<string, CachedLookup>({ max: 10_000 });
  private readonly inFlight = new Map<string, Promise<CachedLookup | null>>();
  private readonly getStmt;
  private readonly putStmt;
  private readonly deleteStmt;
  /**
   * Answers are written without a sync of their own (`txRedoable`): a cached answer lost to a
   * power cut is only asked for again. An autocommit at the connection's FULL level fsynced the
   * log on the engine's thread between the lookup's answer and the first claim, tens of ms while
   * the first add's sync was running (issue 9 point 2, docs/performance.md).
   */
  private readonly commits: DurableCommits;

  constructor(
    db: Db,
    /** The access point the answers are from (what keys them, here and on a team). */
    readonly accessPoint: string,
    private ttl: LookupTtl = DEFAULT_LOOKUP_TTL,
    private readonly now: () => number = Date.now,
  ) {
    this.commits = new DurableCommits(db);
    this.getStmt = db.prepare(
      'SELECT answer_json, fetched_at, expires_at FROM participant_cache WHERE access_point = ? AND participant_id = ?',
    );
    this.deleteStmt = db.prepare(
      'DELETE FROM participant_cache WHERE access_point = ? AND participant_id = ?',
    );
    this.putStmt = db.prepare(
      `INSERT OR REPLACE INTO participant_cache
       (access_point, participant_id, found, answer_json, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Change the time to live of answers fetched from now on (settings `lookup…TtlMs`). */
  setTtl(ttl: LookupTtl): void {
    this.ttl = ttl;
  }

  /**
   * The answer for `participantId`, from memory, SQLite, or `fetch` (one fetch in flight per id).
   * `fetch` returns null when the access point could not answer (nothing is cached then).
   */
  async get(
    participantId: string,
    fetch: () => Promise<LookupAnswer | null>,
    options: { refresh?: boolean } = {},
  ): Promise<CachedLookup | null> {
    const now = this.now();
    if (!options.refresh) {
      const hit = this.peek(participantId, now);
      if (hit) return hit;
    }
    const pending = this.inFlight.get(participantId);
    if (pending) return pending;
    const p = (async () => {
      try {
        const answer = await fetch();
        if (!answer) return null;
        const fetchedAt = this.now();
        const entry: CachedLookup = {
          answer,
          fetchedAt,
          expiresAt: fetchedAt + (answer.found ? this.ttl.foundMs : this.ttl.notFoundMs),
        };
        this.lru.set(participantId, entry);
        this.store(participantId, entry);
        return entry;
      } finally {
        this.inFlight.delete(participantId);
      }
    })();
    this.inFlight.set(participantId, p);
    return p;
  }

  /**
   * Keep an answer another desk of the team learnt: it lives `remainingMs` from now (the time the
   * team database's clock gave it), whatever this computer's clock says.
   */
  seed(participantId: string, answer: LookupAnswer, remainingMs: number, ageMs = 0): CachedLookup {
    const now = this.now();
    const entry: CachedLookup = { answer, fetchedAt: now - ageMs, expiresAt: now + remainingMs };
    this.lru.set(participantId, entry);
    this.store(participantId, entry);
    return entry;
  }

  /** Write an answer to SQLite, without a sync of its own (see `commits`). */
  private store(participantId: string, entry: CachedLookup): void {
    this.commits.txRedoable(() =>
      this.putStmt.run(
        this.accessPoint,
        participantId,
        entry.answer.found ? 1 : 0,
        JSON.stringify(entry.answer),
        entry.fetchedAt,
        entry.expiresAt,
      ),
    );
  }

  /** Drop the cached answer for `participantId` (the next `get` asks the access point). */
  forget(participantId: string): void {
    this.lru.delete(participantId);
    this.deleteStmt.run(this.accessPoint, participantId);
  }

  /** A fresh cached answer without fetching, or null. */
  peek(participantId: string, now = this.now()): CachedLookup | null {
    const mem = this.lru.get(participantId);
    if (mem && mem.expiresAt > now) return mem;
    const row = this.getStmt.get(this.accessPoint, participantId) as
      { answer_json: string; fetched_at: number; expires_at: number } | undefined;
    if (row && row.expires_at > now) {
      const answer = parseStoredAnswer(row.answer_json);
      // A damaged row (or one written by an older version) is a miss: the receiver is looked up again.
      if (answer === null) return null;
      const entry = { answer, fetchedAt: row.fetched_at, expiresAt: row.expires_at };
      this.lru.set(participantId, entry);
      return entry;
    }
    return null;
  }
}

/** A stored answer if it has the shape the pipeline relies on, else null. */
export function parseStoredAnswer(json: string): LookupAnswer | null {
  try {
    const a = JSON.parse(json) as Partial<LookupAnswer> | null;
    if (typeof a !== 'object' || a === null || typeof a.found !== 'boolean') return null;
    if (typeof a.participantId !== 'string') return null;
    if (a.capabilities !== null && a.capabilities !== undefined) {
      if (!Array.isArray(a.capabilities)) return null;
      if (!a.capabilities.every((c) => typeof c?.document_type === 'string')) return null;
    }
    return {
      found: a.found,
      participantId: a.participantId,
      name: typeof a.name === 'string' ? a.name : null,
      capabilities: a.capabilities ?? null,
      raw: a.raw ?? null,
    };
  } catch {
    return null;
  }
}
