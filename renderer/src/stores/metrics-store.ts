import { create } from 'zustand';
import type {
  MetricsSnapshot,
  Stage,
  StageLatency,
  TeamDeskLatency,
  TeamMetrics,
} from '../../../app/contract';
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

/** One desk's accepted documents per second on a team outbox (seconds with none left out). */
export interface TeamDeskHistory {
  id: string;
  name: string;
  points: { t: number; accepted: number }[];
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
  /** On a team outbox: each desk's throughput for up to an hour; null on a single desk. */
  teamHistory: TeamDeskHistory[] | null;
  /** Where the newest team figures start (older points come from earlier messages). */
  teamFrom: number;
  /** On a team outbox: each desk's send latency per 10-second interval, up to an hour. */
  teamLatency: TeamDeskLatency[] | null;
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

/**
 * Each desk's points from two messages: the newer one is authoritative from its `from` on, the
 * other adds what it has before that. Desks sorted by name, at most an hour old.
 */
function mergeTeam(
  old: TeamDeskHistory[] | null,
  oldFrom: number,
  team: TeamMetrics,
  now: number,
  teamIsNewer: boolean,
): TeamDeskHistory[] {
  const byId = new Map<string, TeamDeskHistory>();
  const cut = teamIsNewer ? team.from : oldFrom;
  const add = (
    id: string,
    name: string,
    points: TeamDeskHistory['points'],
    keep: (t: number) => boolean,
  ) => {
    const d = byId.get(id) ?? { id, name, points: [] };
    d.points.push(...points.filter((p) => keep(p.t) && p.t >= now - KEEP_MS));
    byId.set(id, d);
  };
  const older = teamIsNewer ? (old ?? []) : team.desks.map((d) => ({ ...d, points: d.throughput }));
  const newer = teamIsNewer ? team.desks.map((d) => ({ ...d, points: d.throughput })) : (old ?? []);
  for (const d of older) add(d.id, d.name, d.points, (t) => t < cut);
  // The newer message's name wins (a desk renamed in Settings).
  for (const d of newer) {
    add(d.id, d.name, d.points, () => true);
    byId.get(d.id)!.name = d.name;
  }
  const out = [...byId.values()].filter((d) => d.points.length > 0);
  for (const d of out) d.points.sort((a, b) => a.t - b.t);
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * Each desk's latency points from two messages: one point per desk and interval, the newer
 * message's winning (an interval grows until it is over). Desks sorted by name, at most an hour old.
 */
function mergeTeamLatency(
  old: TeamDeskLatency[] | null,
  fresh: TeamDeskLatency[],
  now: number,
  freshIsNewer: boolean,
): TeamDeskLatency[] {
  const byId = new Map<
    string,
    { name: string; points: Map<number, TeamDeskLatency['points'][number]> }
  >();
  const add = (list: TeamDeskLatency[]) => {
    for (const d of list) {
      const entry = byId.get(d.id) ?? { name: d.name, points: new Map() };
      entry.name = d.name;
      for (const p of d.points) if (p.t >= now - KEEP_MS) entry.points.set(p.t, p);
      byId.set(d.id, entry);
    }
  };
  add(freshIsNewer ? (old ?? []) : fresh);
  add(freshIsNewer ? fresh : (old ?? []));
  return [...byId.entries()]
    .map(([id, d]) => ({
      id,
      name: d.name,
      points: [...d.points.values()].sort((a, b) => a.t - b.t),
    }))
    .filter((d) => d.points.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export const useMetricsStore = create<MetricsState>()((set, get) => ({
  snapshot: null,
  latencyHistory: [],
  throughputHistory: [],
  teamHistory: null,
  teamFrom: 0,
  teamLatency: null,
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
    const team = snapshot.team;
    const teamHistory = team
      ? mergeTeam(s.teamHistory, s.teamFrom, team, now, newer)
      : s.teamHistory;
    const teamFrom = team && (newer || s.teamHistory === null) ? team.from : s.teamFrom;
    const teamLatency = team?.sendLatency
      ? mergeTeamLatency(s.teamLatency, team.sendLatency, now, newer)
      : s.teamLatency;
    set({
      snapshot: newer ? snapshot : s.snapshot,
      latencyHistory,
      throughputHistory,
      teamHistory,
      teamFrom,
      teamLatency,
    });
  },
  async load() {
    const result = await getApi().invoke('metrics:snapshot', undefined);
    if (result.ok) get().apply(result.value);
  },
}));
