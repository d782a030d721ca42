import type { Db } from '../store/db';
import { DurableCommits } from '../store/durable-commits';
import type { AccessPointClient, ApOutcome, RemoteVerdict } from '../access-point/client';

/** Remote verdicts live 24 h: the provider's rules change only with a release. */
export const REMOTE_VALIDATION_TTL_MS = 24 * 60 * 60_000;

/** The access point's `/validate` answers, keyed by (access point, sha256 of content), 24 h TTL. */
export class RemoteValidationCache {
  private readonly getStmt;
  private readonly putStmt;
  /** Answers are written without a sync of their own: a lost one is only asked for again. */
  private readonly commits: DurableCommits;

  constructor(
    db: Db,
    private readonly accessPoint: string,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = REMOTE_VALIDATION_TTL_MS,
  ) {
    this.commits = new DurableCommits(db);
    this.getStmt = db.prepare(
      'SELECT answer_json, fetched_at FROM remote_validation_cache WHERE access_point = ? AND sha256 = ?',
    );
    this.putStmt = db.prepare(
      'INSERT OR REPLACE INTO remote_validation_cache (access_point, sha256, answer_json, fetched_at) VALUES (?, ?, ?, ?)',
    );
  }

  /** A fresh cached answer, or null. */
  get(sha256: string): RemoteVerdict | null {
    const row = this.getStmt.get(this.accessPoint, sha256) as
      { answer_json: string; fetched_at: number } | undefined;
    if (!row || this.now() - row.fetched_at >= this.ttlMs) return null;
    return JSON.parse(row.answer_json) as RemoteVerdict;
  }

  /** Remember an answer. */
  put(sha256: string, verdict: RemoteVerdict): void {
    this.commits.txRedoable(() =>
      this.putStmt.run(this.accessPoint, sha256, JSON.stringify(verdict), this.now()),
    );
  }
}

/**
 * The access point's own verdict on `body` (its sha256 given): the cached answer, or the access
 * point's, then cached. Null when it cannot answer (not cached: the next file asks again); every
 * answer asked for is told to `noteOutcome`. A single desk's validation and a team desk's intake
 * both ask this way.
 */
export async function remoteVerdictThroughCache(
  cache: RemoteValidationCache | undefined,
  client: AccessPointClient,
  sha256: string,
  body: Uint8Array,
  noteOutcome?: (outcome: ApOutcome<RemoteVerdict>) => void,
): Promise<RemoteVerdict | null> {
  const cached = cache?.get(sha256) ?? null;
  if (cached) return cached;
  const outcome = await client.validate(body);
  noteOutcome?.(outcome);
  if (outcome.kind !== 'ok') return null;
  cache?.put(sha256, outcome.value);
  return outcome.value;
}
