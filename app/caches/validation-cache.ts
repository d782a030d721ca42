import type { Db } from '../store/db';
import type { DocumentSummary, Verdict } from '../validation/types';

/** What a cache hit gives: the verdict and the summary, so a hit needs no parsing at all. */
export interface CachedCheck {
  verdict: Verdict;
  summary: DocumentSummary;
}

/**
 * Verdicts (with the document's summary) keyed by (sha256 of content, cache key). The key is
 * the rule-set release plus the program's rules revision (`VALIDATION_CACHE_KEY`): a new release
 * or a rule fix within one invalidates old verdicts simply by not matching them. Re-dropping a
 * file costs a hash and this lookup.
 */
export class ValidationCache {
  private readonly getStmt;
  private readonly putStmt;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.getStmt = db
      .prepare('SELECT verdict_json FROM validation_cache WHERE sha256 = ? AND ruleset = ?')
      .pluck();
    // Appended (migration 015); a key already stored (a row older than summaries) is updated
    // in place.
    this.putStmt = db.prepare(
      `INSERT INTO validation_cache (sha256, ruleset, verdict_json, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (sha256, ruleset)
       DO UPDATE SET verdict_json = excluded.verdict_json, created_at = excluded.created_at`,
    );
  }

  /** The cached verdict and summary for this content under this key, if any. */
  get(sha256: string, key: string): CachedCheck | null {
    const raw = this.getStmt.get(sha256, key) as string | undefined;
    return raw ? parseCachedCheck(raw) : null;
  }

  /** Remember a verdict and summary under `key`. */
  put(sha256: string, key: string, entry: CachedCheck): void {
    this.putStmt.run(sha256, key, cachedCheckJson(entry), this.now());
  }
}

/** A verdict and summary as the cache stores them (here and on a team's store). */
export function cachedCheckJson(entry: CachedCheck): string {
  return JSON.stringify({ verdict: entry.verdict, summary: entry.summary });
}

/** A stored verdict and summary, or null when the row is damaged or older than summaries. */
export function parseCachedCheck(raw: string): CachedCheck | null {
  try {
    const entry = JSON.parse(raw) as Partial<CachedCheck> | null;
    // Rows written before summaries were cached hold a bare verdict: treat them as a miss.
    return entry?.verdict && entry.summary
      ? { verdict: entry.verdict, summary: entry.summary }
      : null;
  } catch {
    return null;
  }
}
