import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../app/contract';
import { HISTORY_SECONDS, LATENCY_INTERVAL_MS, Metrics } from '../../app/metrics/metrics';

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

describe('metrics history for the 60-minute chart window', () => {
  it('keeps an hour of throughput and latency for metrics:snapshot, 10 minutes in a tick', () => {
    let now = 1_700_000_000_000;
    const metrics = new Metrics(() => now);
    const started = Math.floor(now / 1000) * 1000;
    for (let i = 0; i < 40; i++) metrics.recordOutcome('accepted');
    metrics.recordOutcome('failed', 3);
    for (let i = 0; i < 40; i++) metrics.recordLatency('send', 250);

    // 50 minutes pass with a tick every second (as the engine does), no documents.
    for (let s = 0; s < 50 * 60; s++) {
      now += 1000;
      metrics.snapshot(emptyCounts());
    }
    metrics.recordOutcome('accepted', 5);
    metrics.recordLatency('send', 30);

    const tick = metrics.snapshot(emptyCounts());
    expect(tick.throughput.length).toBe(600);
    expect(tick.throughput.find((b) => b.t === started)).toBeUndefined();
    expect(tick.latencySeries.filter((p) => p.stages.send.count > 0)).toHaveLength(1);

    const hour = metrics.snapshot(emptyCounts(), HISTORY_SECONDS);
    // Every second from the first outcome to now, zeros included (idle throughput is 0, not a gap).
    expect(hour.throughput.length).toBe(50 * 60 + 1);
    expect(hour.throughput[0]).toEqual({ t: started, accepted: 40, failed: 3 });
    expect(hour.throughput.reduce((n, b) => n + b.accepted, 0)).toBe(45);
    const sends = hour.latencySeries.filter((p) => p.stages.send.count > 0);
    expect(sends.map((p) => p.stages.send.count)).toEqual([40, 1]);
    within1pc(sends[0]!.stages.send.p50, 250);
    expect(sends[0]!.t).toBe(Math.floor(started / LATENCY_INTERVAL_MS) * LATENCY_INTERVAL_MS);
    // Oldest first, no duplicates.
    const ts = hour.latencySeries.map((p) => p.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(new Set(ts).size).toBe(ts.length);
    // The 10-minute percentiles are unchanged by the longer history.
    expect(hour.latency.send.count).toBe(1);

    // Past the hour the first minute is gone.
    now += 11 * 60_000;
    const later = metrics.snapshot(emptyCounts(), HISTORY_SECONDS);
    expect(later.throughput.length).toBe(HISTORY_SECONDS);
    expect(later.throughput.reduce((n, b) => n + b.accepted, 0)).toBe(5);
    expect(later.latencySeries.filter((p) => p.stages.send.count > 0)).toHaveLength(1);
  });

  it('stays the same size however many documents and hours go by', () => {
    let now = 1_700_000_000_000;
    const metrics = new Metrics(() => now);
    // Three hours, a document every 100 ms with a latency, a tick every second.
    for (let s = 0; s < 3 * 3600; s++) {
      for (let i = 0; i < 10; i++) {
        metrics.recordOutcome(i % 7 === 0 ? 'failed' : 'accepted');
        metrics.recordLatency('validate', 5 + i);
        now += 100;
      }
      metrics.snapshot(emptyCounts());
    }
    const hour = metrics.snapshot(emptyCounts(), HISTORY_SECONDS);
    expect(hour.throughput.length).toBe(HISTORY_SECONDS);
    expect(hour.latencySeries.length).toBeLessThanOrEqual(HISTORY_SECONDS / 10);
    expect(hour.latencySeries.length).toBeGreaterThanOrEqual(HISTORY_SECONDS / 10 - 1);
    // The hour's 3,599 complete seconds (the current one has just begun): none lost, none older.
    expect(hour.throughput.reduce((n, b) => n + b.accepted + b.failed, 0)).toBe(
      (HISTORY_SECONDS - 1) * 10,
    );
    // Snapshots ask for at most an hour.
    expect(metrics.snapshot(emptyCounts(), 10 * HISTORY_SECONDS).throughput.length).toBe(
      HISTORY_SECONDS,
    );
  });
});

describe('metrics since the desk started', () => {
  it('say when they began counting, so the charts can tell a new run from an idle hour', () => {
    let now = 1_700_000_000_000;
    const started = now;
    const metrics = new Metrics(() => now);
    now += 90_000;
    metrics.recordOutcome('accepted', 3);
    expect(metrics.snapshot(emptyCounts()).since).toBe(started);
    now += 3_600_000;
    expect(metrics.snapshot(emptyCounts()).since).toBe(started);
  });
});
