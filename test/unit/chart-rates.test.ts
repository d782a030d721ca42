import { describe, expect, it } from 'vitest';
import { bucketRates, recentRate } from '../../renderer/src/features/charts/rates';

// Seconds since the epoch (a December 2026 second, a multiple of 10); the engine's points are ms.
const T = 1_796_000_000;
const at = (s: number, accepted: number) => ({ t: (T + s) * 1000, accepted, failed: 0 });

describe('the throughput chart\'s "now"', () => {
  it('is the average of the whole seconds just before the tick, not of the last complete bucket', () => {
    // 200 invoices accepted in the 3 seconds before the tick at T + 5 (the 10-second bucket
    // T … T + 9 is not over yet: the chart has no point for it).
    const points = [at(-10, 7), at(2, 50), at(3, 100), at(4, 50)];
    const nowS = T + 5;
    expect(recentRate(points, 10, nowS)).toBe(20);
    const plotted = bucketRates(points, 10, nowS - 600, nowS);
    // The chart's last point is the bucket before (0.7 /s): "now" used to be that figure.
    expect(plotted.accepted.at(-1)).toBeCloseTo(0.7);
    // Seconds before the window and the second still running are left out.
    expect(recentRate([at(-6, 30), at(5, 40)], 10, nowS)).toBe(0);
    expect(recentRate([at(-5, 30)], 10, nowS)).toBe(3);
    expect(recentRate([], 60, nowS)).toBe(0);
  });
});
