import { describe, expect, it } from 'vitest';
import type { StageLatency } from '../../app/contract';
import type { DeskLatencyPut } from '../../app/team/shared-store';
import { DeskLatencyPublisher, TeamLatencyFigures } from '../../app/team/team-latency';

const lat = (count: number): StageLatency => ({ count, p50: 10, p95: 20, p99: 30 });
const none = lat(0);

/** Metrics whose send intervals are `series` (interval start → count). */
function fakeMetrics(series: Map<number, number>) {
  return {
    latencySeries: () =>
      [...series].map(([t, n]) => ({
        t,
        stages: { validate: none, lookup: none, send: lat(n), delivery: none },
      })),
  };
}

describe('DeskLatencyPublisher', () => {
  it('publishes only intervals that changed, tries a failed write again, and nothing while down', async () => {
    const series = new Map([[1_000_000, 3]]);
    const writes: DeskLatencyPut[][] = [];
    const state = { fail: false, reachable: true };
    const publisher = new DeskLatencyPublisher({
      shared: {
        publishLatency: async (_desk, rows) => {
          if (state.fail) throw new Error('connection refused');
          writes.push([...rows]);
        },
      },
      deskId: 'd',
      metrics: fakeMetrics(series),
      now: () => 1_025_000,
      reachable: () => state.reachable,
    });
    await publisher.publish();
    expect(writes).toEqual([
      [{ interval: 1_000_000, ageMs: 25_000, count: 3, p50: 10, p95: 20, p99: 30 }],
    ]);
    // Nothing changed: nothing written.
    await publisher.publish();
    expect(writes).toHaveLength(1);
    // The interval grew and a new one began: both, once.
    series.set(1_000_000, 4);
    series.set(1_010_000, 1);
    state.fail = true;
    await publisher.publish();
    expect(writes).toHaveLength(1);
    state.fail = false;
    state.reachable = false;
    await publisher.publish();
    expect(writes).toHaveLength(1);
    state.reachable = true;
    await publisher.stop();
    expect(writes[1]!.map((r) => [r.interval, r.count])).toEqual([
      [1_000_000, 4],
      [1_010_000, 1],
    ]);
  });
});

describe('TeamLatencyFigures', () => {
  it('keeps each desk interval once (the latest read wins), drops what is older than the hour', () => {
    const f = new TeamLatencyFigures();
    const row = (desk: string, interval: number, t: number, count: number) => ({
      desk,
      name: desk.toUpperCase(),
      interval,
      t,
      count,
      p50: 1,
      p95: 2,
      p99: 3,
    });
    f.apply({ now: 10_000_000, rows: [row('a', 1, 9_990_000, 2), row('b', 1, 6_000_000, 5)] });
    f.apply({ now: 10_010_000, rows: [row('a', 1, 9_990_000, 6), row('a', 2, 10_000_000, 1)] });
    // b's only interval is over an hour old by the database's clock now.
    const snap = f.snapshot(0, 2000);
    expect(snap.map((d) => [d.name, d.points.map((p) => [p.t, p.count])])).toEqual([
      [
        'A',
        [
          [9_992_000, 6],
          [10_002_000, 1],
        ],
      ],
    ]);
  });
});
