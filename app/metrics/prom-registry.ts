/**
 * The Prometheus side of {@link Metrics}: a prom-client registry built only when an endpoint is
 * first turned on. Loading prom-client costs about 100 ms of CPU, which every command paid at
 * start (before its first request) although few ever serve metrics; so `Metrics` keeps its
 * figures itself (a few counters and the stage histogram's buckets, cumulative since start) and
 * the registry reads them at each scrape — the figures are the same whenever it is built.
 */
import type { Metric, Registry } from 'prom-client';
import type { MetricsSnapshot, Stage, StateCounts } from '../contract';
import { DOCUMENT_STATES } from '../contract';

/** Upper bounds (seconds) of `peppol_desk_stage_duration_seconds`. */
export const LATENCY_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
] as const;

/** One stage's histogram since start: counts per bucket (not cumulative), sum and count. */
export class StageBuckets {
  readonly counts = new Float64Array(LATENCY_BUCKETS_S.length);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS_S.length; i++) {
      if (seconds <= LATENCY_BUCKETS_S[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

/** What the registry reads at each scrape. */
export interface PromSources {
  latency: ReadonlyMap<Stage, StageBuckets>;
  outcomes: () => { accepted: number; failed: number };
  /** Send requests by kind and status. */
  requests: () => ReadonlyArray<{ kind: string; status: string; n: number }>;
  sender: () => { concurrencyLimit: number; inFlight: number; rate: number } | undefined;
  counts: () => StateCounts | undefined;
  validation: () => MetricsSnapshot['validation'] | undefined;
}

const LATENCY_NAME = 'peppol_desk_stage_duration_seconds';
const LATENCY_HELP =
  'Time one document spent in a pipeline stage (validate, lookup, send, delivery).';

/** A registry of every Peppol Desk metric (not prom-client's global one), reading `src`. */
export async function buildRegistry(src: PromSources): Promise<Registry> {
  const { Counter, Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  // The histogram as prom-client's own Histogram exports it (same names, labels and order),
  // from the buckets Metrics kept: a prom-client Histogram cannot be given counts, only values.
  const histogram = {
    name: LATENCY_NAME,
    help: LATENCY_HELP,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: unknown[] = [];
      for (const [stage, b] of src.latency) {
        if (b.count === 0) continue;
        let acc = 0;
        LATENCY_BUCKETS_S.forEach((le, i) => {
          acc += b.counts[i]!;
          values.push(pair({ le }, acc, `${LATENCY_NAME}_bucket`, stage));
        });
        values.push(pair({ le: '+Inf' }, b.count, `${LATENCY_NAME}_bucket`, stage));
        values.push(pair({}, b.sum, `${LATENCY_NAME}_sum`, stage));
        values.push(pair({}, b.count, `${LATENCY_NAME}_count`, stage));
      }
      return {
        name: LATENCY_NAME,
        help: LATENCY_HELP,
        type: 'histogram',
        values,
        aggregator: 'sum',
      };
    },
  };
  registry.registerMetric(histogram as unknown as Metric);
  new Counter({
    name: 'peppol_desk_documents_total',
    help: 'Documents that reached a final send outcome (accepted by the access point, or failed).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const o = src.outcomes();
      this.reset();
      if (o.accepted > 0) this.inc({ outcome: 'accepted' }, o.accepted);
      if (o.failed > 0) this.inc({ outcome: 'failed' }, o.failed);
    },
  });
  new Counter({
    name: 'peppol_desk_send_requests_total',
    help: 'Send requests to the access point by kind (single, batch) and HTTP status.',
    labelNames: ['kind', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of src.requests()) this.inc({ kind: r.kind, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'peppol_desk_send_concurrency_limit',
    help: 'Requests the sender allows in flight now (adaptive or fixed).',
    registers: [registry],
    collect() {
      this.set(src.sender()?.concurrencyLimit ?? 0);
    },
  });
  new Gauge({
    name: 'peppol_desk_send_in_flight',
    help: 'Send requests in flight now.',
    registers: [registry],
    collect() {
      this.set(src.sender()?.inFlight ?? 0);
    },
  });
  new Gauge({
    name: 'peppol_desk_send_rate_limit',
    help: 'Requests per second the sender paces at (learned from 429 answers or capped); 0 = unpaced.',
    registers: [registry],
    collect() {
      const rate = src.sender()?.rate ?? Number.POSITIVE_INFINITY;
      this.set(Number.isFinite(rate) ? rate : 0);
    },
  });
  new Gauge({
    name: 'peppol_desk_validation_in_thread',
    help: '1 when validation runs on the main thread (worker threads unavailable), else 0.',
    registers: [registry],
    collect() {
      this.set(src.validation()?.mode === 'in-thread' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'peppol_desk_documents',
    help: 'Documents per state now.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const now = src.counts();
      if (!now) return;
      for (const s of DOCUMENT_STATES) this.set({ state: s }, now[s]);
    },
  });
  return registry;
}

/** One exported value, shaped as prom-client's histogram shapes it (`le` first, then `stage`). */
function pair(
  labels: Record<string, number | string>,
  value: number,
  metricName: string,
  stage: Stage,
) {
  return { labels, sharedLabels: { stage }, value, metricName };
}
