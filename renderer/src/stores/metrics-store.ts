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
   * Throughput per second for up to an hour: the engine's hour on load (`metrics:snapshot`), then
   * its last 10 minutes every second (`metrics:tick`), merged.
   */
  throughputHistory: ThroughputPoint[];
  stage: Stage;
  window: ChartWindow;
  setStage(stage: Stage): void;
  setWindow(window: ChartWindow): void;
  apply(snapshot: MetricsSnapshot): void;
  load(): Promise<void>;
}

/**
 * One history from two overlapping ones: where both have points, the newer snapshot's are kept
 * (they are authoritative); the other's points from before its first are kept too. So the hour
 * from `metrics:snapshot` fills in even when a 10-minute tick got there first. Sorted, at most
 * an hour old.
 */
function merge<T>(
  old: T[],
  fresh: T[],
  at: (p: T) => number,
  now: number,
  freshIsNewer: boolean,
): T[] {
  const [older, newer] = freshIsNewer ? [old, fresh] : [fresh, old];
  const firstNewer = newer.length > 0 ? at(newer[0]!) : Number.POSITIVE_INFINITY;
  const kept = older.filter((p) => at(p) < firstNewer && at(p) >= now - KEEP_MS);
  return kept.length === 0 ? newer : [...kept, ...newer];
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
    const newer = !s.snapshot || snapshot.at >= s.snapshot.at;
    const now = Math.max(snapshot.at, s.snapshot?.at ?? 0);
    const latencyHistory = merge(
      s.latencyHistory,
      snapshot.latencySeries.map((p) => ({ at: p.t, latency: p.stages })),
      (p) => p.at,
      now,
      newer,
    );
    const throughputHistory = merge(
      s.throughputHistory,
      snapshot.throughput,
      (p) => p.t,
      now,
      newer,
    );
    set({ snapshot: newer ? snapshot : s.snapshot, latencyHistory, throughputHistory });
  },
  async load() {
    const result = await getApi().invoke('metrics:snapshot', undefined);
    if (result.ok) get().apply(result.value);
  },
}));
