import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../app/contract';
import { HISTORY_SECONDS, Metrics } from '../../app/metrics/metrics';
import { useMetricsStore } from '../../renderer/src/stores/metrics-store';

describe('the charts store after a reload', () => {
  it('keeps the hour from metrics:snapshot even when a 10-minute tick arrived first', () => {
    let now = 1_700_000_000_000;
    const metrics = new Metrics(() => now);
    const first = Math.floor(now / 1000) * 1000;
    metrics.recordOutcome('accepted', 7);
    metrics.recordLatency('send', 40);
    for (let s = 0; s < 45 * 60; s++) {
      now += 1000;
      metrics.snapshot(emptyCounts());
    }
    // The window asks for the hour; a tick (10 minutes, one second later) is heard before the answer.
    const hour = metrics.snapshot(emptyCounts(), HISTORY_SECONDS);
    now += 1000;
    const tick = metrics.snapshot(emptyCounts());
    expect(tick.throughput.some((b) => b.t === first)).toBe(false);

    const store = useMetricsStore.getState();
    store.apply(tick);
    store.apply(hour);
    const after = useMetricsStore.getState();
    expect(after.snapshot).toBe(tick);
    expect(after.throughputHistory[0]).toEqual({ t: first, accepted: 7, failed: 0 });
    const ts = after.throughputHistory.map((p) => p.t);
    expect(new Set(ts).size).toBe(ts.length);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(ts[ts.length - 1]).toBe(tick.throughput[tick.throughput.length - 1]!.t);
    expect(after.latencyHistory.filter((p) => p.latency.send.count > 0)).toHaveLength(1);
    expect(after.latencyHistory[0]!.at).toBeLessThanOrEqual(first);

    // Later ticks keep the older part.
    now += 1000;
    useMetricsStore.getState().apply(metrics.snapshot(emptyCounts()));
    expect(useMetricsStore.getState().throughputHistory[0]!.t).toBe(first);
  });
});

describe('the team latency in the charts store', () => {
  it('keeps one point per desk and interval, the newer message winning, an hour at most', () => {
    const at = 1_800_000_000_000;
    const base = new Metrics(() => at).snapshot(emptyCounts());
    const p = (t: number, count: number) => ({ t, count, p50: count, p95: count, p99: count });
    const team = (
      snapshotAt: number,
      sendLatency: { id: string; name: string; points: ReturnType<typeof p>[] }[],
    ) => ({
      ...base,
      at: snapshotAt,
      team: { readAt: snapshotAt, from: snapshotAt - 600_000, desks: [], sendLatency },
    });
    useMetricsStore.setState({ snapshot: null, teamLatency: null });
    const store = useMetricsStore.getState();
    store.apply(
      team(at, [
        { id: 'b', name: 'Ben', points: [p(at - 4000_000, 1), p(at - 20_000, 2)] },
        { id: 'a', name: 'Anna', points: [p(at - 10_000, 3)] },
      ]),
    );
    // A later message: Anna's interval grew, Ben renamed; an older one arriving late loses.
    store.apply(
      team(at + 5000, [
        { id: 'a', name: 'Anna', points: [p(at - 10_000, 5)] },
        { id: 'b', name: 'Benno', points: [] },
      ]),
    );
    store.apply(team(at - 5000, [{ id: 'a', name: 'Anna', points: [p(at - 10_000, 4)] }]));
    const latency = useMetricsStore.getState().teamLatency!;
    expect(latency.map((d) => [d.name, d.points.map((x) => [x.t, x.count])])).toEqual([
      ['Anna', [[at - 10_000, 5]]],
      // Ben's point older than the hour is gone.
      ['Benno', [[at - 20_000, 2]]],
    ]);
  });
});
