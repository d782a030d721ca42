import type { Db } from '../store/db';
import type { Verdict } from '../validation/types';

/**
 * Verdicts keyed by (sha256 of content, rule-set version): re-dropping a file costs a hash, and a
 * new rule-set version invalidates old verdicts simply by not matching them.
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
    this.putStmt = db.prepare(
      'INSERT OR REPLACE INTO validation_cache (sha256, ruleset, verdict_json, created_at) VALUES (?, ?, ?, ?)',
    );
  }

  /** The cached verdict for this content under this rule set, if any. */
  get(sha256: string, ruleset: string): Verdict | null {
    const raw = this.getStmt.get(sha256, ruleset) as string | undefined;
    return raw ? (JSON.parse(raw) as Verdict) : null;
  }

  /** Remember a verdict. */
  put(sha256: string, verdict: Verdict): void {
    this.putStmt.run(sha256, verdict.ruleset, JSON.stringify(verdict), this.now());
  }
}
