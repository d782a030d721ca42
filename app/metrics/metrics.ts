// The one histogram class in use, not the package's index: that loads every variant, the log
// codecs and a WebAssembly build (about 100 ms of CPU at every start, for nothing used here).
import type { Registry } from 'prom-client';
import type Histogram from 'hdr-histogram-js/dist/Histogram';
import Int32Histogram from 'hdr-histogram-js/dist/Int32Histogram';
import type { MetricsSnapshot, Stage, StageLatency, StateCounts } from '../contract';
import { buildRegistry, StageBuckets } from './prom-registry';

const STAGES: Stage[] = ['validate', 'lookup', 'send', 'delivery'];
const WINDOW_SECONDS = 600;
/** How far back the charts' history goes (the 60-minute window after a reload). */
export const HISTORY_SECONDS = 3600;
/** Latency percentiles are kept per interval of this length, for the last WINDOW_SECONDS. */
export const LATENCY_INTERVAL_MS = 10_000;
const LATENCY_INTERVALS = (WINDOW_SECONDS * 1000) / LATENCY_INTERVAL_MS;
/** Intervals older than WINDOW_SECONDS keep only their percentiles, up to HISTORY_SECONDS. */
const ARCHIVED_INTERVALS = ((HISTORY_SECONDS - WINDOW_SECONDS) * 1000) / LATENCY_INTERVAL_MS;
/** Latencies are recorded in microseconds, up to one day, 3 significant digits. */
const MAX_MICROS = 24 * 3600 * 1_000_000;

/**
 * An interval's histogram: 2 significant digits (1 %, plenty for a chart) keep it small (about
 * 15 KB) with plain 32-bit counts, which merge quickly. Packed counts are smaller still, but
 * merging 60 of them took tens of ms to a second, once a second, on the engine's thread.
 */
function intervalHistogram(): Histogram {
  return histogram(2);
}

/** 32-bit counts from 1 µs to MAX_MICROS (as `hdr.build` made them: it resizes if need be). */
function histogram(significantDigits: number): Histogram {
  const h = new Int32Histogram(1, MAX_MICROS, significantDigits);
  h.autoResize = true;
  return h;
}

function percentiles(h: Histogram): StageLatency {
  if (h.totalCount === 0) return { count: 0, p50: 0, p95: 0, p99: 0 };
  const at = (p: number) => h.getValueAtPercentile(p) / 1000;
  return { count: h.totalCount, p50: at(50), p95: at(95), p99: at(99) };
}

/** One interval's latencies per stage; percentiles are computed once the interval is over. */
interface LatencyInterval {
  /** Start of the interval, ms since the epoch. */
  t: number;
  histograms: Map<Stage, Histogram>;
  closed: Record<Stage, StageLatency> | null;
}

/** What the send stage reports about itself, for the gauges. */
export interface SenderState {
  concurrencyLimit: number;
  inFlight: number;
  /** Requests/s the sender paces at; Infinity when unpaced. */
  rate: number;
  batching: boolean;
}

/**
 * Per-stage latency (HDR histograms per 10-second interval: percentiles per interval and over the
 * last 10 minutes, so a chart shows how latency moves, not a since-start average; intervals older
 * than 10 minutes keep only their percentiles, for an hour) and per-second throughput (a fixed ring
 * of one hour of seconds) for the charts: memory and work per snapshot are constant, plus the same figures and the sender's
 * requests as Prometheus metrics in a registry of their own (see `prometheus.ts`).
 */
export class Metrics {
  /** Since-start histograms (stageLatency; the charts use the intervals). */
  private readonly latency = new Map<Stage, Histogram>(STAGES.map((s) => [s, histogram(3)]));
  /** Throughput ring: slot `s % HISTORY_SECONDS` holds second `s` (when `second[slot] === s`). */
  private readonly second = new Float64Array(HISTORY_SECONDS).fill(-1);
  private readonly accepted = new Uint32Array(HISTORY_SECONDS);
  private readonly failed = new Uint32Array(HISTORY_SECONDS);
  /** The first second an outcome was counted in (the chart starts there, not an hour of zeros). */
  private firstSecond: number | null = null;
  /** The last LATENCY_INTERVALS intervals, oldest first. */
  private readonly intervals: LatencyInterval[] = [];
  /** Percentiles of the intervals dropped from `intervals` that had data, oldest first, up to an hour old. */
  private readonly archived: { t: number; stages: Record<Stage, StageLatency> }[] = [];
  /** Every closed interval still kept, merged (added when closed, subtracted when dropped). */
  private readonly closedWindow = new Map<Stage, Histogram>(
    STAGES.map((s) => [s, intervalHistogram()]),
  );
  /** What the Prometheus registry reads (see prom-registry.ts): kept here from the start. */
  private readonly promLatency = new Map<Stage, StageBuckets>(
    STAGES.map((s) => [s, new StageBuckets()]),
  );
  private readonly outcomes = { accepted: 0, failed: 0 };
  private readonly requests = new Map<string, { kind: string; status: string; n: number }>();
  private promRegistry: Promise<Registry> | null = null;
  private sender: (() => SenderState) | null = null;
  private counts: (() => StateCounts) | null = null;
  private validation: (() => NonNullable<MetricsSnapshot['validation']>) | null = null;

  /** When counting began (this run of the desk): the charts say so while it is inside their window. */
  private readonly startedAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  /**
   * The Prometheus registry with every Peppol Desk metric (not the global default registry),
   * built on first use: prom-client is loaded only by a desk that serves metrics.
   */
  registry(): Promise<Registry> {
    this.promRegistry ??= buildRegistry({
      latency: this.promLatency,
      outcomes: () => this.outcomes,
      requests: () => [...this.requests.values()],
      sender: () => this.sender?.(),
      counts: () => this.counts?.(),
      validation: () => this.validation?.(),
    });
    return this.promRegistry;
  }

  /** Where the gauges read the sender's state and the document counts. */
  attach(sources: {
    sender?: () => SenderState;
    counts?: () => StateCounts;
    validation?: () => NonNullable<MetricsSnapshot['validation']>;
  }): void {
    if (sources.sender) this.sender = sources.sender;
    if (sources.counts) this.counts = sources.counts;
    if (sources.validation) this.validation = sources.validation;
  }

  /** What the send stage says of itself now (its requests in flight), if attached. */
  senderState(): SenderState | null {
    return this.sender?.() ?? null;
  }

  /** Record how long one stage took for one document. */
  recordLatency(stage: Stage, ms: number): void {
    const micros = Math.min(MAX_MICROS, Math.max(1, Math.round(ms * 1000)));
    this.latency.get(stage)?.recordValue(micros);
    this.currentInterval().histograms.get(stage)?.recordValue(micros);
    this.promLatency.get(stage)?.observe(ms / 1000);
  }

  /** The interval `now` falls in, closing (and dropping) older ones. */
  private currentInterval(): LatencyInterval {
    const t = Math.floor(this.now() / LATENCY_INTERVAL_MS) * LATENCY_INTERVAL_MS;
    const last = this.intervals[this.intervals.length - 1];
    if (last && last.t === t) return last;
    this.closeIntervals(t);
    const next: LatencyInterval = {
      t,
      histograms: new Map(STAGES.map((s) => [s, intervalHistogram()])),
      closed: null,
    };
    this.intervals.push(next);
    return next;
  }

  /** Compute the percentiles of intervals before `t` once; drop intervals older than the window. */
  private closeIntervals(t: number): void {
    for (const i of this.intervals) {
      if (i.t < t && !i.closed) {
        i.closed = {} as Record<Stage, StageLatency>;
        for (const s of STAGES) {
          const h = i.histograms.get(s)!;
          i.closed[s] = percentiles(h);
          if (h.totalCount > 0) this.closedWindow.get(s)!.add(h);
        }
      }
    }
    const oldest = t - (LATENCY_INTERVALS - 1) * LATENCY_INTERVAL_MS;
    while (this.intervals.length && this.intervals[0]!.t < oldest) {
      const dropped = this.intervals.shift()!;
      for (const s of STAGES) {
        const h = dropped.histograms.get(s)!;
        if (dropped.closed && h.totalCount > 0) this.closedWindow.get(s)!.subtract(h);
        h.destroy();
      }
      if (dropped.closed && STAGES.some((s) => dropped.closed![s].count > 0)) {
        this.archived.push({ t: dropped.t, stages: dropped.closed });
      }
    }
    // At most ARCHIVED_INTERVALS entries (one per 10 s): the shift is over a small, bounded array.
    const oldestArchived = t - (LATENCY_INTERVALS + ARCHIVED_INTERVALS - 1) * LATENCY_INTERVAL_MS;
    while (this.archived.length && this.archived[0]!.t < oldestArchived) this.archived.shift();
  }

  /** Count an outcome in the current second's bucket. */
  recordOutcome(kind: 'accepted' | 'failed', n = 1): void {
    const t = Math.floor(this.now() / 1000);
    const slot = t % HISTORY_SECONDS;
    if (this.second[slot] !== t) {
      this.second[slot] = t;
      this.accepted[slot] = 0;
      this.failed[slot] = 0;
    }
    (kind === 'accepted' ? this.accepted : this.failed)[slot]! += n;
    if (this.firstSecond === null) this.firstSecond = t;
    this.outcomes[kind] += n;
  }

  /** Count one send request by kind and status (a number, or 'network' / 'offline'). */
  recordRequest(kind: 'single' | 'batch', status: string): void {
    const key = `${kind} ${status}`;
    const r = this.requests.get(key);
    if (r) r.n++;
    else this.requests.set(key, { kind, status, n: 1 });
  }

  /** Latency percentiles of one stage since start, ms. */
  stageLatency(stage: Stage): StageLatency {
    return percentiles(this.latency.get(stage)!);
  }

  /** Latency percentiles per stage over the last 10 minutes (every interval still kept), ms. */
  windowLatency(): Record<Stage, StageLatency> {
    const current = this.currentInterval();
    const out = {} as Record<Stage, StageLatency>;
    for (const s of STAGES) {
      const closed = this.closedWindow.get(s)!;
      const now = current.histograms.get(s)!;
      if (now.totalCount === 0) {
        out[s] = percentiles(closed);
        continue;
      }
      const merged = intervalHistogram();
      merged.add(closed);
      merged.add(now);
      out[s] = percentiles(merged);
      merged.destroy();
    }
    return out;
  }

  /**
   * Percentiles per 10-second interval over the last 10 minutes (or `seconds`, up to an hour),
   * oldest first (intervals without data are left out).
   */
  latencySeries(seconds = WINDOW_SECONDS): MetricsSnapshot['latencySeries'] {
    const current = this.currentInterval();
    const from = current.t - (seconds * 1000 - LATENCY_INTERVAL_MS);
    const older = this.archived.filter((p) => p.t >= from);
    const recent = this.intervals
      .map((i) => {
        let stages = i.closed;
        if (!stages) {
          stages = {} as Record<Stage, StageLatency>;
          for (const s of STAGES) stages[s] = percentiles(i.histograms.get(s)!);
        }
        return { t: i.t, stages };
      })
      .filter(
        (p) => p.t >= from && (p.t === current.t || STAGES.some((s) => p.stages[s].count > 0)),
      );
    return older.length === 0 ? recent : [...older, ...recent];
  }

  /**
   * Everything the charts need: the series cover the last 10 minutes (the once-a-second tick), or
   * `historySeconds` up to an hour (asked once when a window opens or reloads).
   */
  snapshot(counts: StateCounts, historySeconds = WINDOW_SECONDS): MetricsSnapshot {
    const now = this.now();
    const seconds = Math.min(HISTORY_SECONDS, Math.max(1, Math.floor(historySeconds)));
    const t1 = Math.floor(now / 1000);
    const throughput: MetricsSnapshot['throughput'] = [];
    const first = Math.max(this.firstSecond ?? t1, t1 - seconds + 1);
    for (let t = first; t <= t1; t++) {
      const slot = t % HISTORY_SECONDS;
      const kept = this.second[slot] === t;
      throughput.push({
        t: t * 1000,
        accepted: kept ? this.accepted[slot]! : 0,
        failed: kept ? this.failed[slot]! : 0,
      });
    }
    const validation = this.validation?.();
    return {
      at: now,
      since: this.startedAt,
      throughput,
      latency: this.windowLatency(),
      latencySeries: this.latencySeries(seconds),
      counts,
      ...(validation ? { validation } : {}),
    };
  }
}
