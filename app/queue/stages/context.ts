import type { AccessPointClient, ApOutcome } from '../../access-point/client';
import type { Metrics } from '../../metrics/metrics';
import type { DocumentsRepo } from '../../store/documents-repo';
import type { CheckResult } from '../../validation/types';
import type { Lifecycle } from '../lifecycle';

/** Runs validation somewhere (a worker pool in the app, in-thread in small tools). */
export interface Validator {
  /** Cached verdicts are keyed by this (rule-set release and rules revision). */
  cacheKey: string;
  check(bytes: Uint8Array): Promise<CheckResult>;
}

/**
 * What every stage of the pipeline gets instead of calling back into it: reads, the lifecycle's
 * moves, the access point in use, metrics, the clock and the two hooks every stage needs.
 */
export interface StageContext {
  /** Reads, and the transactions that carry a stage's moves. */
  readonly repo: DocumentsRepo;
  /** Every state change is one of its named moves. */
  readonly lifecycle: Lifecycle;
  /** The access point in use (read at use: a reconnect swaps it). */
  readonly client: AccessPointClient;
  readonly metrics: Metrics;
  now(): number;
  /**
   * Register work in flight: stopping waits for it, its end looks for more work, and a throw
   * (a write refused) pauses the queue instead of being lost.
   */
  track(p: Promise<unknown>): void;
  /** What a call's outcome says about the connection (offline, throttled, online). */
  noteOutcome(outcome: ApOutcome<unknown>): void;
}
