/**
 * The throughput chart's arithmetic (pure): per-second counts from the engine turned into the
 * plotted points and the caption's "now".
 */

/** A second's outcomes as the engine counts them (`t` in ms, or s: either is tolerated). */
export interface SecondCounts {
  t: number;
  accepted: number;
  failed: number;
}

/** Engine timestamps are milliseconds; uPlot wants seconds. Tolerate either. */
export const toSeconds = (t: number): number => (t > 1e11 ? t / 1000 : t);

/**
 * Per-second buckets averaged into points of `step` seconds (complete ones only, so the last
 * point is never a half-filled bucket).
 */
export function bucketRates(
  points: readonly SecondCounts[],
  step: number,
  from: number,
  nowS: number,
): { t: number[]; accepted: number[]; failed: number[] } {
  const sums = new Map<number, { a: number; f: number }>();
  const lastComplete = Math.floor(nowS / step) * step - step;
  for (const p of points) {
    const s = toSeconds(p.t);
    const b = Math.floor(s / step) * step;
    if (b < from || b > lastComplete) continue;
    const cur = sums.get(b) ?? { a: 0, f: 0 };
    cur.a += p.accepted;
    cur.f += p.failed;
    sums.set(b, cur);
  }
  const keys = [...sums.keys()].sort((a, b) => a - b);
  return {
    t: keys.map((k) => k + step),
    accepted: keys.map((k) => sums.get(k)!.a / step),
    failed: keys.map((k) => sums.get(k)!.f / step),
  };
}

/**
 * Accepted per second over the `step` whole seconds before `nowS` (the engine's last tick): what
 * "now … (average of the last 10 s)" says. Points are oldest first; only the newest are read.
 */
export function recentRate(points: readonly SecondCounts[], step: number, nowS: number): number {
  let sum = 0;
  for (let i = points.length - 1; i >= 0; i--) {
    const s = Math.floor(toSeconds(points[i]!.t));
    if (s < nowS - step) break;
    if (s < nowS) sum += points[i]!.accepted;
  }
  return sum / step;
}
