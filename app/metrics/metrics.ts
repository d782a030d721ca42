import type { MetricsSnapshot, Stage, StageLatency, StateCounts } from '../contract';

const STAGES: Stage[] = ['validate', 'lookup', 'send', 'delivery'];
const WINDOW_SECONDS = 600;
const SAMPLES = 4096;

/** Latency samples of one stage: a ring of the most recent values. */
class LatencyRing {
  private readonly values = new Float64Array(SAMPLES);
  private n = 0;
  count = 0;

  record(ms: number): void {
    this.values[this.n % SAMPLES] = ms;
    this.n++;
    this.count++;
  }

  summary(): StageLatency {
    const len = Math.min(this.n, SAMPLES);
    if (len === 0) return { count: 0, p50: 0, p95: 0, p99: 0 };
    const sorted = Array.from(this.values.subarray(0, len)).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(len - 1, Math.floor(q * len))] ?? 0;
    return { count: this.count, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}

/** Per-stage latency and per-second throughput for the charts (last 10 minutes). */
export class Metrics {
  private readonly latency = new Map<Stage, LatencyRing>(STAGES.map((s) => [s, new LatencyRing()]));
  private readonly buckets = new Map<number, { accepted: number; failed: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Record how long one stage took for one document (or one request). */
  recordLatency(stage: Stage, ms: number): void {
    this.latency.get(stage)?.record(ms);
  }

  /** Count an outcome in the current second's bucket. */
  recordOutcome(kind: 'accepted' | 'failed', n = 1): void {
    const t = Math.floor(this.now() / 1000);
    let b = this.buckets.get(t);
    if (!b) {
      b = { accepted: 0, failed: 0 };
      this.buckets.set(t, b);
      for (const key of this.buckets.keys()) if (key < t - WINDOW_SECONDS) this.buckets.delete(key);
    }
    b[kind] += n;
  }

  /** Everything the charts need. */
  snapshot(counts: StateCounts): MetricsSnapshot {
    const now = this.now();
    const t1 = Math.floor(now / 1000);
    const throughput: MetricsSnapshot['throughput'] = [];
    const first = Math.min(...this.buckets.keys(), t1);
    for (let t = Math.max(first, t1 - WINDOW_SECONDS + 1); t <= t1; t++) {
      const b = this.buckets.get(t);
      throughput.push({ t: t * 1000, accepted: b?.accepted ?? 0, failed: b?.failed ?? 0 });
    }
    const latency = {} as Record<Stage, StageLatency>;
    for (const s of STAGES) latency[s] = this.latency.get(s)!.summary();
    return { at: now, throughput, latency, counts };
  }
}
