/**
 * A desk's outcome writes on a team outbox (group commit): each outcome is written under its
 * claim's fence; outcomes wait `writeLingerMs` for others, and those that arrive while a write is
 * under way go together in the next statement. The wait costs no send: the slot is free already;
 * a crash meanwhile leaves the claim in doubt, sent again under the same key. A claim the store
 * no longer gives this desk (its lease ended and another desk took it) is dropped silently; when
 * the database cannot be reached the outcomes go to the desk's spool.
 */
import type { Metrics } from '../metrics/metrics';
import { isStoreUnavailable } from './store';
import type { ClaimRef, FinishItem, TeamOutcome, TeamStore } from './store';

/** What the writes need from the desk's send loop (a part of its SenderDeps). */
export interface WriteDeps {
  store: TeamStore;
  deskId: string;
  metrics: Metrics;
  /** How long an outcome waits for others to be written with it, ms (default 25). */
  writeLingerMs?: number;
  /** An outcome could not be written (database down): keep it for later. */
  spoolOutcome(claim: ClaimRef, outcome: TeamOutcome, answeredAt: number): void;
  /** The database could not be reached. */
  onUnavailable(err: unknown): void;
  onChanged(ids: readonly number[]): void;
}

/** An outcome waiting for the next `finishMany`. */
interface PendingWrite extends FinishItem {
  /** When it was queued for writing (performance.now()): just after the answer came. */
  at: number;
  done(err?: unknown): void;
}

/** Outcomes written together (see the file comment). */
export class DeskWrites {
  /** Outcomes the store refused: the claim was lost (another desk holds the document now). */
  lost = 0;
  /** Outcomes written. */
  finished = 0;
  /** Outcomes answered while a `finishMany` was under way: written together by the next one. */
  private pending: PendingWrite[] = [];
  private lingerTimer: NodeJS.Timeout | null = null;
  private writing = false;

  constructor(private readonly deps: WriteDeps) {}

  /** Write `outcome` under `claim`'s fence; resolves once written, dropped or spooled. */
  write(claim: ClaimRef, outcome: TeamOutcome): Promise<void> {
    const ref = { id: claim.id, fence: claim.fence };
    return new Promise<void>((resolve, reject) => {
      this.pending.push({
        claim: ref,
        outcome,
        at: performance.now(),
        done: (err) => (err === undefined ? resolve() : reject(err)),
      });
      const linger = this.deps.writeLingerMs ?? 25;
      // Released claims (a stop, a pause) and full windows go at once.
      if (linger <= 0 || outcome.kind === 'released' || this.pending.length >= 64) {
        void this.rounds();
      } else {
        this.lingerTimer ??= setTimeout(() => void this.rounds(), linger);
      }
    });
  }

  private async rounds(): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.writeBatch(batch);
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeBatch(batch: readonly PendingWrite[]): Promise<void> {
    let written: Set<number>;
    try {
      // An acceptance is dated when the answer came, not when it is written.
      const now = performance.now();
      written = await this.deps.store.finishMany(
        this.deps.deskId,
        batch.map(({ claim, outcome, at }) => ({
          claim,
          outcome: outcome.kind === 'accepted' ? { ...outcome, answeredMsAgo: now - at } : outcome,
        })),
      );
    } catch (err) {
      if (!isStoreUnavailable(err)) {
        for (const p of batch) p.done(err);
        return;
      }
      // Kept with the wall-clock moment the answer came: written later (a walk: minutes later,
      // after an outage), it is still dated then (Spool.outcomes turns it back into an age).
      const wall = Date.now() - performance.now();
      for (const p of batch) this.deps.spoolOutcome(p.claim, p.outcome, wall + p.at);
      this.deps.onUnavailable(err);
      for (const p of batch) p.done();
      return;
    }
    const changed: number[] = [];
    for (const p of batch) {
      if (!written.has(p.claim.id)) {
        this.lost++;
        continue;
      }
      this.finished++;
      if (p.outcome.kind === 'accepted') this.deps.metrics.recordOutcome('accepted');
      else if (p.outcome.kind === 'failed') this.deps.metrics.recordOutcome('failed');
      changed.push(p.claim.id);
    }
    if (changed.length > 0) this.deps.onChanged(changed);
    for (const p of batch) p.done();
  }
}
