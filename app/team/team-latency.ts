/**
 * Per-desk send latency for the team's charts, both halves:
 * - `DeskLatencyPublisher`: a desk publishes its own send latency per 10-second interval (count,
 *   p50, p95, p99 from app/metrics) to the team database every interval, only the intervals that
 *   changed since (the current one and, once, the one just closed), and at stop; a failed write
 *   is tried again at the next interval. A few small rows per desk per interval, never per
 *   document; the store prunes rows older than the hour.
 * - `TeamLatencyFigures`: what a desk read of everyone's rows (kept for the hour, refreshed with
 *   the team's accepted figures in ./team-metrics.ts), given on this machine's clock.
 */
import type { TeamDeskLatency } from '../contract';
import { HISTORY_SECONDS, LATENCY_INTERVAL_MS, type Metrics } from '../metrics/metrics';
import type { TeamLatencySeries, TeamShared } from './shared-store';

const HOUR_MS = HISTORY_SECONDS * 1000;
/** The intervals a publish looks at: the metrics keep 10 minutes of them. */
const LOOK_BACK_SECONDS = 600;

/** What the publisher needs. */
export interface PublisherDeps {
  shared: Pick<TeamShared, 'publishLatency'>;
  deskId: string;
  metrics: Pick<Metrics, 'latencySeries'>;
  /** The clock the metrics use (this desk's). */
  now(): number;
  /** False while the team database is known to be down: nothing is tried then. */
  reachable(): boolean;
  everyMs?: number;
}

/** This desk's side: publishes its send latency (see the file comment). */
export class DeskLatencyPublisher {
  /** Interval start → the count last published for it (the last 10 minutes). */
  private readonly published = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: PublisherDeps) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.publish(), this.deps.everyMs ?? LATENCY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Publish the intervals that changed since the last publish. Never throws. */
  publish(): Promise<void> {
    this.running ??= this.write().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A last publish (the interval in progress too), then no more. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.publish();
  }

  private async write(): Promise<void> {
    if (!this.deps.reachable()) return;
    const now = this.deps.now();
    const rows = [];
    for (const p of this.deps.metrics.latencySeries(LOOK_BACK_SECONDS)) {
      const send = p.stages.send;
      if (send.count === 0 || this.published.get(p.t) === send.count) continue;
      rows.push({ interval: p.t, ageMs: Math.max(0, now - p.t), ...send });
    }
    if (rows.length === 0) return;
    try {
      await this.deps.shared.publishLatency(this.deps.deskId, rows);
    } catch {
      return; // Tried again at the next interval: they still differ from what was published.
    }
    for (const r of rows) this.published.set(r.interval, r.count);
    const oldest = now - LOOK_BACK_SECONDS * 1000 - LATENCY_INTERVAL_MS;
    for (const t of this.published.keys()) if (t < oldest) this.published.delete(t);
  }
}

/** Everyone's published latency as this desk last read it (see the file comment). */
export class TeamLatencyFigures {
  /** Per desk: interval id → the row (its `t` on the database's clock). */
  private readonly perDesk = new Map<string, Map<number, TeamLatencySeries['rows'][number]>>();
  private readonly names = new Map<string, string>();

  /** Take a read: its rows replace what was kept for the same intervals; older than the hour goes. */
  apply(series: TeamLatencySeries): void {
    for (const r of series.rows) {
      let rows = this.perDesk.get(r.desk);
      if (!rows) this.perDesk.set(r.desk, (rows = new Map()));
      rows.set(r.interval, r);
      this.names.set(r.desk, r.name);
    }
    const oldest = series.now - HOUR_MS;
    for (const [desk, rows] of this.perDesk) {
      for (const [k, r] of rows) if (r.t < oldest) rows.delete(k);
      if (rows.size === 0) this.perDesk.delete(desk);
    }
  }

  /** Each desk's points from `from` on (this machine's clock = database's + `offsetMs`). */
  snapshot(from: number, offsetMs: number): TeamDeskLatency[] {
    const out: TeamDeskLatency[] = [];
    for (const [id, rows] of this.perDesk) {
      const points = [...rows.values()]
        .map((r) => ({ t: r.t + offsetMs, count: r.count, p50: r.p50, p95: r.p95, p99: r.p99 }))
        .filter((p) => p.t >= from - LATENCY_INTERVAL_MS)
        .sort((a, b) => a.t - b.t);
      if (points.length > 0) out.push({ id, name: this.names.get(id) ?? id, points });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}
