import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../app/contract';
import { LATENCY_INTERVAL_MS, Metrics } from '../../app/metrics/metrics';

/** Interval histograms keep 2 significant digits: within 1 %. */
const within1pc = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.01);

describe('metrics latency over time', () => {
  it('keeps percentiles per 10-second interval and over the last 10 minutes only', () => {
    let now = 1_700_000_000_000;
    const metrics = new Metrics(() => now);
    // A slow start: 100 sends of 500 ms.
    for (let i = 0; i < 100; i++) metrics.recordLatency('send', 500);
    now += 3 * LATENCY_INTERVAL_MS;
    // Then fast: 100 sends of 20 ms.
    for (let i = 0; i < 100; i++) metrics.recordLatency('send', 20);

    let snap = metrics.snapshot(emptyCounts());
    const withSends = snap.latencySeries.filter((p) => p.stages.send.count > 0);
    expect(withSends).toHaveLength(2);
    within1pc(withSends[0]!.stages.send.p50, 500);
    within1pc(withSends[1]!.stages.send.p50, 20);
    expect(withSends[1]!.t - withSends[0]!.t).toBe(3 * LATENCY_INTERVAL_MS);
    expect(snap.latency.send.count).toBe(200);
    within1pc(snap.latency.send.p99, 500);

    // Eight minutes later the slow start is still in the window…
    now += 8 * 60_000;
    snap = metrics.snapshot(emptyCounts());
    expect(snap.latency.send.count).toBe(200);
    // …and after ten minutes it is gone: the percentiles describe the last 10 minutes only.
    now += 2 * 60_000 - 2 * LATENCY_INTERVAL_MS;
    snap = metrics.snapshot(emptyCounts());
    expect(snap.latency.send.count).toBe(100);
    within1pc(snap.latency.send.p99, 20);
    expect(snap.latencySeries.every((p) => now - p.t < 10 * 60_000)).toBe(true);
    // The since-start figure (Prometheus, stageLatency) still counts everything.
    expect(metrics.stageLatency('send').count).toBe(200);

    now += 10 * 60_000;
    snap = metrics.snapshot(emptyCounts());
    expect(snap.latency.send.count).toBe(0);
    expect(snap.latencySeries.filter((p) => p.stages.send.count > 0)).toHaveLength(0);
  });
});
