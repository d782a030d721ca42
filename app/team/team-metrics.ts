/**
 * The team's charts: documents accepted per second by each desk over the last hour, kept here and
 * refreshed from the team database at most every few seconds. The first read takes the hour;
 * each later one only the seconds since the last read (plus a little overlap for events committed
 * late), so a refresh costs what was accepted meanwhile, never the size of the queue. Each desk's
 * published send latency (./team-latency.ts) is read along, the same way: the rows written since.
 */
import type { TeamMetrics } from '../contract';
import { HISTORY_SECONDS } from '../metrics/metrics';
import type { TeamShared } from './shared-store';
import type { TeamStore } from './store';
import { TeamLatencyFigures } from './team-latency';

/** How often the team database is read for the charts, at most. */
export const TEAM_METRICS_REFRESH_MS = 5000;
/** A `metrics:tick` carries the last 10 minutes, as this desk's own series does. */
export const TEAM_TICK_SECONDS = 600;
const HOUR_MS = HISTORY_SECONDS * 1000;
// Re-read this much before the last read: an acceptance committed just after a read is counted
// in the next one, with the database time at which it was written.
const OVERLAP_MS = 15_000;

/** The team's accepted-per-second figures per desk, for `metrics:snapshot` and `metrics:tick`. */
export class TeamMetricsReader {
  /** Per desk: second (database clock, ms) → documents accepted in it. */
  private readonly perDesk = new Map<string, Map<number, number>>();
  private readonly names = new Map<string, string>();
  private lastReadAt: number | null = null;
  /** This machine's clock minus the database's, whole seconds (so buckets stay on seconds). */
  private offsetMs = 0;
  private reading: Promise<void> | null = null;
  private readonly latency = new TeamLatencyFigures();

  constructor(
    private readonly store: Pick<TeamStore, 'acceptedPerSecond'> & {
      shared?: Pick<TeamShared, 'latency'>;
    },
    private readonly now: () => number = Date.now,
    private readonly refreshMs = TEAM_METRICS_REFRESH_MS,
  ) {}

  /**
   * Read the team database if the last read is older than the refresh interval. A failed read
   * (the database unreachable) keeps the figures as they were; the next call tries again.
   */
  refresh(): Promise<void> {
    if (this.reading) return this.reading;
    const started = this.now();
    if (this.lastReadAt !== null && started - this.lastReadAt < this.refreshMs) {
      return Promise.resolve();
    }
    const withinMs =
      this.lastReadAt === null
        ? HOUR_MS
        : Math.min(HOUR_MS, started - this.lastReadAt + OVERLAP_MS);
    this.reading = this.store
      .acceptedPerSecond(withinMs)
      .then((series) => {
        // Seconds wholly inside the range are replaced; the first, partly read one is kept.
        const firstWhole = Math.ceil((series.now - withinMs) / 1000) * 1000;
        const oldest = series.now - HOUR_MS;
        for (const [desk, seconds] of this.perDesk) {
          for (const t of seconds.keys()) if (t >= firstWhole || t < oldest) seconds.delete(t);
          if (seconds.size === 0) this.perDesk.delete(desk);
        }
        for (const b of series.buckets) {
          if (b.t < firstWhole) continue;
          let seconds = this.perDesk.get(b.desk);
          if (!seconds) this.perDesk.set(b.desk, (seconds = new Map()));
          seconds.set(b.t, b.accepted);
          this.names.set(b.desk, b.name);
        }
        this.offsetMs = Math.round((this.now() - series.now) / 1000) * 1000;
      })
      .then(async () => {
        if (this.store.shared) this.latency.apply(await this.store.shared.latency(withinMs));
        this.lastReadAt = started;
      })
      .catch(() => undefined)
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  /** The last `seconds` of the figures, on this machine's clock; desks sorted by name. */
  snapshot(seconds: number): TeamMetrics {
    const from = this.now() - Math.min(HISTORY_SECONDS, seconds) * 1000;
    const desks: TeamMetrics['desks'] = [];
    for (const [id, perSecond] of this.perDesk) {
      const throughput: { t: number; accepted: number }[] = [];
      for (const [t, accepted] of perSecond) {
        if (t + this.offsetMs >= from) throughput.push({ t: t + this.offsetMs, accepted });
      }
      if (throughput.length === 0) continue;
      throughput.sort((a, b) => a.t - b.t);
      desks.push({ id, name: this.names.get(id) ?? id, throughput });
    }
    desks.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const sendLatency = this.latency.snapshot(from, this.offsetMs);
    return { readAt: this.lastReadAt, from, desks, ...(this.store.shared ? { sendLatency } : {}) };
  }
}
