import { create } from 'zustand';
import type { MetricsSnapshot, Stage, StageLatency } from '../../../app/contract';
import { getApi } from '../bridge';

/** One point of latency history: the percentiles of one 10-second interval. */
export interface LatencyPoint {
  at: number;
  latency: Record<Stage, StageLatency>;
}

/** One second of throughput. */
export interface ThroughputPoint {
  t: number;
  accepted: number;
  failed: number;
}

/** Time windows the charts offer, in seconds. */
export const CHART_WINDOWS = [60, 600, 3600] as const;
export type ChartWindow = (typeof CHART_WINDOWS)[number];
/** The longest window: history older than this is dropped. */
const KEEP_MS = 3600 * 1000;

interface MetricsState {
  snapshot: MetricsSnapshot | null;
  latencyHistory: LatencyPoint[];
  /**
   * Throughput per second. The engine reports the last 10 minutes; the window keeps what it has
   * seen for up to an hour, so the 60-minute view fills while the app is open.
   */
  throughputHistory: ThroughputPoint[];
  stage: Stage;
  window: ChartWindow;
  setStage(stage: Stage): void;
  setWindow(window: ChartWindow): void;
  apply(snapshot: MetricsSnapshot): void;
  load(): Promise<void>;
}

/** Older points kept, newer ones replaced by the snapshot's (which are authoritative), sorted. */
function merge<T>(old: T[], fresh: T[], at: (p: T) => number, now: number): T[] {
  const firstFresh = fresh.length > 0 ? at(fresh[0]!) : Number.POSITIVE_INFINITY;
  const kept = old.filter((p) => at(p) < firstFresh && at(p) >= now - KEEP_MS);
  return kept.length === 0 ? fresh : [...kept, ...fresh];
}

export const useMetricsStore = create<MetricsState>()((set, get) => ({
  snapshot: null,
  latencyHistory: [],
  throughputHistory: [],
  stage: 'send',
  window: 600,
  setStage(stage) {
    set({ stage });
  },
  setWindow(window) {
    set({ window });
  },
  apply(snapshot) {
    const s = get();
    if (s.snapshot && s.snapshot.at > snapshot.at) return;
    const latencyHistory = merge(
      s.latencyHistory,
      snapshot.latencySeries.map((p) => ({ at: p.t, latency: p.stages })),
      (p) => p.at,
      snapshot.at,
    );
    const throughputHistory = merge(
      s.throughputHistory,
      snapshot.throughput,
      (p) => p.t,
      snapshot.at,
    );
    set({ snapshot, latencyHistory, throughputHistory });
  },
  async load() {
    const result = await getApi().invoke('metrics:snapshot', undefined);
    if (result.ok) get().apply(result.value);
  },
}));
