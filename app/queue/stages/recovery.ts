import type { Environment } from '../../contract';
import { mayHaveReachedAccessPoint } from '../../domain/states';
import { URL_CORRECTED_WHY } from '../lifecycle/clerk';
import type { StageContext } from './context';

/** What recovery needs besides the common context. */
export interface RecoveryContext extends StageContext {
  /** The access point in use as documents are pinned to it (read at use: a reconnect swaps it). */
  readonly accessPoint: string | undefined;
  /** The environment in use (read at use). */
  readonly environment: Environment;
  /** Whether accepted documents are tracked, and when the first poll comes after acceptance. */
  readonly trackDelivery: boolean;
  readonly pollInitialMs: number;
  /** See PipelineDeps.ledNowhereFrom. */
  ledNowhereFrom(): string | null;
}

/** Documents in these states are being worked on by a live engine; after a crash they restart. */
const RECOVERY: [
  from: 'validating' | 'resolving' | 'sending',
  to: 'received' | 'ready' | 'queued',
][] = [
  ['validating', 'received'],
  ['resolving', 'ready'],
  ['sending', 'queued'],
];

/**
 * Recovery: what a crash, a failed commit or a change of access point left half done is put back
 * where it can go on without losing or doubling a document (a send cut off goes again under the
 * same idempotency key; a document that may have reached another access point waits for the
 * clerk).
 */
export class Recovery {
  constructor(private readonly ctx: RecoveryContext) {}

  /**
   * On start: put interrupted work back one step, track what was accepted while tracking was
   * off, and pin unpinned documents to the access point in use. One transaction.
   */
  recoverOnStart(): void {
    const { repo } = this.ctx;
    repo.tx(() => {
      for (const [from, to] of RECOVERY) {
        // A send cut off mid-flight may have been accepted: it goes again under the same key.
        for (const doc of repo.inState(from, Number.MAX_SAFE_INTEGER)) {
          this.ctx.lifecycle.recoverInterrupted(doc, from, to);
        }
      }
      // Documents accepted while tracking was off (e.g. `peppol-desk send` without
      // --wait-delivery on the shared data folder) are tracked from now on.
      if (this.ctx.trackDelivery)
        repo.scheduleUntrackedPolls(this.ctx.now() + this.ctx.pollInitialMs);
      if (this.ctx.accessPoint !== undefined) {
        repo.pinUnpinned(this.ctx.accessPoint, this.ctx.environment);
      }
    });
  }

  /**
   * Put documents left in `sending` with no request of this process in flight back to `queued`
   * (same idempotency key, so a re-send that did reach the access point is answered with the
   * first result). This happens when the send stage could not record outcomes (its group commit
   * failed): the requests ended but the rows stayed `sending`. Call it after such a failure to
   * recover at once. Returns the ids put back.
   */
  recoverStuckSending(): number[] {
    const { repo, lifecycle } = this.ctx;
    const stuck = repo.idsInStates(['sending']).filter((id) => !lifecycle.isClaimed(id));
    if (stuck.length === 0) return [];
    return repo.tx(() => stuck.filter((id) => lifecycle.recoverUnrecorded(id)));
  }

  /**
   * Before talking to another access point: a document whose last attempt may have reached the
   * previous one (answer lost, or waiting to retry) is held, not sent again there under the same
   * key — the new access point has never seen that key, so it could deliver the invoice a second
   * time. The clerk checks the previous access point, then sends it anyway or cancels it.
   */
  holdUnconfirmed(previousUrl: string, previousEnvironment: Environment): void {
    const { repo } = this.ctx;
    const where =
      previousEnvironment === 'sandbox'
        ? 'the built-in Sandbox'
        : `the access point at ${previousUrl}`;
    const unconfirmed = [
      ...repo.inState('queued', Number.MAX_SAFE_INTEGER),
      ...repo.inState('retry_wait', Number.MAX_SAFE_INTEGER),
    ].filter(mayHaveReachedAccessPoint);
    repo.tx(() => {
      for (const d of unconfirmed) this.ctx.lifecycle.holdUnconfirmed(d, where, previousUrl);
    });
  }

  /**
   * Hold every document waiting to be sent (received, ready, queued, retry_wait) that is pinned
   * to another access point than the one in use: changing the provider never moves queued
   * documents. The clerk sends them through the new one (reroute) or cancels them. Those held so
   * for the access point in use (a switch back to it) go back on their way. Returns the ids
   * moved.
   */
  holdPinnedElsewhere(): number[] {
    return [...this.releaseHeldHere(), ...this.holdWaitingElsewhere()];
  }

  /**
   * Documents held because they were queued for an access point not in use go back on their way
   * once it is in use again (a walk: back on the built-in Sandbox, its rows still said "Peppol
   * Desk now uses another access point" and waited for a decision). Not one whose last attempt
   * may have reached it: that one waits for the clerk's check, as its words say.
   */
  private releaseHeldHere(): number[] {
    const { repo, lifecycle } = this.ctx;
    const current = this.ctx.accessPoint;
    if (current === undefined) return [];
    const held = repo.releasableFor(current, this.ctx.environment);
    if (held.length === 0) return [];
    return repo.tx(() => held.filter((d) => lifecycle.backOnItsWay(d)).map((d) => d.id));
  }

  /**
   * {@link holdPinnedElsewhere} for these documents only (one statement reads which of them are
   * pinned elsewhere): for documents just put back on their way, e.g. a slice of a retry, held in
   * the caller's transaction before the pipeline can claim them. Returns the held ids.
   */
  holdPinnedElsewhereAmong(ids: readonly number[]): number[] {
    return ids.length === 0 ? [] : this.holdWaitingElsewhere(ids);
  }

  /**
   * Hold what waits pinned to another access point than the one in use (of `among`, if given);
   * what waits for a provider URL that led to no access point (and cannot have reached one
   * there) goes on through the one in use instead (see PipelineDeps.ledNowhereFrom).
   */
  private holdWaitingElsewhere(among?: readonly number[]): number[] {
    const { repo, lifecycle, environment } = this.ctx;
    const current = this.ctx.accessPoint;
    if (current === undefined) return [];
    const waiting = repo.waitingForOtherAccessPoint(current, environment, among);
    if (waiting.length === 0) return [];
    const nowhere = this.ctx.ledNowhereFrom();
    const here = { accessPoint: current, environment };
    return repo.tx(() =>
      waiting
        .filter((d) => {
          if (d.access_point !== nowhere || mayHaveReachedAccessPoint(d))
            return lifecycle.holdForAccessPoint(d, here);
          lifecycle.moveOn(d, { ...here, why: URL_CORRECTED_WHY });
          return false;
        })
        .map((d) => d.id),
    );
  }
}
