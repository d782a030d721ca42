import type { AccessPointClient, ApOutcome } from '../../access-point/client';
import type { Metrics } from '../../metrics/metrics';
import type { DocumentsRepo } from '../../store/documents-repo';
import type { Lifecycle } from '../lifecycle';
import type { RequestKind, SendSubject } from '../../access-point/reachability';

/**
 * What every stage of the queue works with, built once by the pipeline: the stage reads through
 * the repository, changes states only through the lifecycle, talks through the client, and
 * hands its work in flight back with `track`. No stage calls back into the pipeline otherwise.
 */
export interface StageContext {
  /** Reads, and the transactions a stage's writes share (moves run inside them). */
  readonly repo: DocumentsRepo;
  /** Every state change is one of its named moves. */
  readonly lifecycle: Lifecycle;
  /** The access point in use (read at use: a switch of access point swaps it). */
  readonly client: AccessPointClient;
  readonly metrics: Metrics;
  readonly now: () => number;
  readonly random: () => number;
  /**
   * Register work in flight: stopping waits for it, its end looks for more work, and a throw
   * (a write refused) pauses the queue instead of going unhandled.
   */
  track(p: Promise<unknown>): void;
  /** Look for work soon (coalesced). */
  kick(): void;
  /**
   * The connection's health from any call's outcome (offline, throttled, online); `request`:
   * 'send' when it sent invoices (see app/access-point/reachability.ts); `subject`: the
   * documents the send carried (a single send's, or a batch's).
   */
  noteOutcome(outcome: ApOutcome<unknown>, request?: RequestKind, subject?: SendSubject): void;
}
