/**
 * The contract's metrics: throughput and latency per stage for the charts. Part of
 * app/contract.ts (import from there).
 */
import type { StateCounts } from './documents';

/** Latency percentiles of one stage, milliseconds. */
export interface StageLatency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Pipeline stages that are timed. */
export type Stage = 'validate' | 'lookup' | 'send' | 'delivery';

/**
 * The team's figures on a team outbox: documents accepted per second by each desk, read from the
 * team database every few seconds (never per document).
 */
export interface TeamMetrics {
  /** When the team database was last read (this machine's clock), ms; null before the first read. */
  readAt: number | null;
  /**
   * Start of the span this message covers, ms: the last 10 minutes in `metrics:tick`, the last 60
   * from `metrics:snapshot`. A second inside it with no point had no acceptance.
   */
  from: number;
  /** Each desk that had documents accepted in the span, by the name the team sees. */
  desks: {
    id: string;
    name: string;
    /** Seconds with at least one acceptance, oldest first; `t` on this machine's clock, ms. */
    throughput: { t: number; accepted: number }[];
  }[];
  /**
   * Each desk's send latency (ms) per 10-second interval with sends in the span, as each desk
   * published it to the team database; `t` is the interval's start on this machine's clock.
   * Desks sorted by name. Absent where the store has no such figures.
   */
  sendLatency?: TeamDeskLatency[];
}

/** One desk's send latency per 10-second interval, for the team's charts. */
export interface TeamDeskLatency {
  id: string;
  name: string;
  points: { t: number; count: number; p50: number; p95: number; p99: number }[];
}

/** Metrics for the charts. */
export interface MetricsSnapshot {
  at: number;
  /**
   * When this desk began counting (ms since the epoch; it starts again at each start): outcomes
   * and latencies from before, an earlier run's, are not in these figures.
   */
  since?: number;
  /**
   * Documents accepted and failed per second, one bucket per second, oldest first: the last 10
   * minutes in `metrics:tick`, the last 60 minutes from `metrics:snapshot` (so a reload still
   * shows the hour).
   */
  throughput: { t: number; accepted: number; failed: number }[];
  /** Percentiles per stage over the last 10 minutes. */
  latency: Record<Stage, StageLatency>;
  /**
   * Percentiles per stage for each 10-second interval that has data (and the current one), oldest
   * first; `t` is the interval's start. Same span as `throughput`: 10 minutes in a tick, 60 minutes
   * from `metrics:snapshot`.
   */
  latencySeries: { t: number; stages: Record<Stage, StageLatency> }[];
  counts: StateCounts;
  /** On a team outbox: the team's figures per desk (the rest of this snapshot is this desk's). */
  team?: TeamMetrics;
  /** Where validation runs; `in-thread` with a reason when the worker threads are unavailable. */
  validation?: { mode: 'workers' | 'in-thread'; reason: string | null };
}
