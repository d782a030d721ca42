import { create } from 'zustand';
import type { MetricsSnapshot, Stage, StageLatency } from '../../../app/contract';
import { getApi } from '../bridge';

/** One point of latency history: the percentiles of one 10-second interval. */
export interface LatencyPoint {
  at: number;
  latency: Record<Stage, StageLatency>;
}

interface MetricsState {
  snapshot: MetricsSnapshot | null;
  latencyHistory: LatencyPoint[];
  stage: Stage;
  setStage(stage: Stage): void;
  apply(snapshot: MetricsSnapshot): void;
  load(): Promise<void>;
}

export const useMetricsStore = create<MetricsState>()((set, get) => ({
  snapshot: null,
  latencyHistory: [],
  stage: 'send',
  setStage(stage) {
    set({ stage });
  },
  apply(snapshot) {
    const current = get().snapshot;
    if (current && current.at > snapshot.at) return;
    // The engine keeps the last 10 minutes per interval: a reload shows them all at once.
    const latencyHistory = snapshot.latencySeries.map((p) => ({ at: p.t, latency: p.stages }));
    set({ snapshot, latencyHistory });
  },
  async load() {
    const result = await getApi().invoke('metrics:snapshot', undefined);
    if (result.ok) get().apply(result.value);
  },
}));
