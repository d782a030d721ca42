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
