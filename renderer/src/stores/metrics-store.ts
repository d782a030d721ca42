import { create } from 'zustand';
import type { MetricsSnapshot, Stage, StageLatency } from '../../../app/contract';
import { getApi } from '../bridge';

/** One point of latency history, kept in the renderer because snapshots carry only "now". */
export interface LatencyPoint {
  at: number;
  latency: Record<Stage, StageLatency>;
}

/** Ten minutes of history at one tick per second is plenty for the chart. */
const HISTORY_LIMIT = 600;

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
    const history = get().latencyHistory;
    const last = history[history.length - 1];
    const next =
      last && last.at >= snapshot.at
        ? history
        : [...history, { at: snapshot.at, latency: snapshot.latency }].slice(-HISTORY_LIMIT);
    set({ snapshot, latencyHistory: next });
  },
  async load() {
    const result = await getApi().invoke('metrics:snapshot', undefined);
    if (result.ok) get().apply(result.value);
  },
}));
