/** Options of {@link AdaptiveLimiter}. */
export interface AdaptiveLimiterOptions {
  /** Requests in flight to start with (conservative). */
  initial: number;
  min?: number;
  max: number;
  /**
   * A completion slower than `tolerance × the best recent round trip` (plus `slackMs`) counts as
   * queueing at the server: the limit stops growing and shrinks.
   */
  tolerance?: number;
  slackMs?: number;
  /** Multiplicative decrease on overload (default 0.7). */
  backoff?: number;
  /** A fixed limit: never adapts (CLI `--concurrency N`). */
  fixed?: boolean;
  /** Clock in ms (monotonic is best); injectable for tests. */
  now?: () => number;
}

/** Requests in flight (this one included) at which a request is not slowed by our own load. */
export const ALONE_IN_FLIGHT = 2;
/** Requests in a row sent alone and all slow that make their best round trip the best one. */
export const SLOW_WHEN_ALONE = 5;

/** Why a request is judged to have overloaded the access point. */
export type OverloadSignal = 'server-error' | 'timeout' | 'latency';

/**
 * How many requests may be in flight: additive increase, multiplicative decrease (AIMD) with a
 * slow start, driven by round-trip times and errors.
 *
 * - Slow start: +1 per healthy completion (doubling per round trip) until the first overload.
 * - Then congestion avoidance: +1 per `limit` healthy completions (one step per round trip).
 * - Overload (5xx, timeout, or latency far above the best recent round trip): × `backoff`, once
 *   per round trip: only a request sent after the last cut can cut again, so one burst of
 *   failures does not collapse the limit to 1.
 * - Growth only counts completions that ran while the limit was actually used (≥ half full);
 *   otherwise an idle sender would grow its limit without evidence.
 * - An access point that became slower for good (a busy month-end, a slower network) is learned
 *   again: when {@link SLOW_WHEN_ALONE} requests in a row sent with at most
 *   {@link ALONE_IN_FLIGHT} in flight (so not slowed by our own load) are all "queueing", their
 *   best round trip becomes the best one, and the limit grows back from where the old best had
 *   cut it, doubling per round trip. (Walk 15: with the best of a fast minute kept for good,
 *   300 ms answers were "queueing" for good; the limit stayed at 1 and sending at 3 invoices a
 *   second for 10 minutes, where a fresh start sent 33 a second.) A best round trip learned only
 *   from busy requests would creep up with the queue our own load makes.
 *
 * 429 is a rate signal, not a concurrency one: the pipeline hands it to the rate gate instead, and
 * releases its slot as `ignore` (a quick refusal says nothing of how long a send takes).
 */
export class AdaptiveLimiter {
  private limitValue: number;
  private readonly min: number;
  private readonly max: number;
  private readonly tolerance: number;
  private readonly slackMs: number;
  private readonly backoff: number;
  private fixed: boolean;
  private readonly now: () => number;
  private inFlightCount = 0;
  private slowStart = true;
  private credit = 0;
  private minRtt = Number.POSITIVE_INFINITY;
  /** Requests sent alone and slow in a row, and their best round trip. */
  private slowAlone = 0;
  private slowAloneBest = Number.POSITIVE_INFINITY;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;

  constructor(options: AdaptiveLimiterOptions) {
    this.min = Math.max(1, options.min ?? 1);
    this.max = Math.max(this.min, options.max);
    this.limitValue = clamp(options.initial, this.min, this.max);
    this.tolerance = options.tolerance ?? 2;
    this.slackMs = options.slackMs ?? 5;
    this.backoff = options.backoff ?? 0.7;
    this.fixed = options.fixed ?? false;
    this.now = options.now ?? (() => performance.now());
  }

  /** The current limit (whole requests). */
  get limit(): number {
    return Math.floor(this.limitValue);
  }

  /** True when the limit is fixed (no adaptation). */
  get isFixed(): boolean {
    return this.fixed;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Free slots now. */
  available(): number {
    return Math.max(0, this.limit - this.inFlightCount);
  }

  /** Take a slot; returns the token to hand back to `release`. */
  acquire(): { startedAt: number; inFlightAtStart: number } {
    this.inFlightCount++;
    return { startedAt: this.now(), inFlightAtStart: this.inFlightCount };
  }

  /**
   * Give a slot back with what happened: `ok` (any answer that is not an overload, including
   * permanent rejections and 429s), an overload signal, or `ignore` (no answer says anything
   * about load, e.g. the access point was unreachable).
   */
  release(
    token: { startedAt: number; inFlightAtStart: number },
    result: 'ok' | 'ignore' | OverloadSignal,
  ): void {
    this.inFlightCount = Math.max(0, this.inFlightCount - 1);
    if (this.fixed || result === 'ignore') return;
    const now = this.now();
    const rtt = now - token.startedAt;
    if (result !== 'ok') {
      this.decrease(now, token.startedAt);
      return;
    }
    this.noteRtt(rtt, token.inFlightAtStart);
    if (rtt > this.minRtt * this.tolerance + this.slackMs) {
      this.decrease(now, token.startedAt);
      return;
    }
    // Only grow on evidence: the limit was (nearly) used when this request started.
    if (token.inFlightAtStart * 2 < this.limit) return;
    if (this.slowStart) {
      this.limitValue = Math.min(this.max, this.limitValue + 1);
      return;
    }
    this.credit += 1;
    if (this.credit >= this.limitValue) {
      this.credit = 0;
      this.limitValue = Math.min(this.max, this.limitValue + 1);
    }
  }

  /** Fix the limit at `limit` (the user chose a number), or adapt again from here (`null`). */
  setFixed(limit: number | null): void {
    this.fixed = limit !== null;
    if (limit !== null) this.limitValue = Math.max(1, Math.floor(limit));
  }

  private decrease(now: number, startedAt: number): void {
    this.slowStart = false;
    this.credit = 0;
    // Once per round trip: a request sent before the last cut was sent at the old limit.
    if (startedAt < this.lastDecreaseAt) return;
    this.lastDecreaseAt = now;
    this.limitValue = Math.max(this.min, Math.floor(this.limitValue * this.backoff));
  }

  private noteRtt(rtt: number, inFlightAtStart: number): void {
    if (rtt < this.minRtt) {
      this.minRtt = rtt;
      this.slowAlone = 0;
      this.slowAloneBest = Number.POSITIVE_INFINITY;
      return;
    }
    if (inFlightAtStart > Math.max(ALONE_IN_FLIGHT, this.min)) return;
    if (rtt <= this.minRtt * this.tolerance + this.slackMs) {
      this.slowAlone = 0;
      this.slowAloneBest = Number.POSITIVE_INFINITY;
      return;
    }
    this.slowAlone++;
    this.slowAloneBest = Math.min(this.slowAloneBest, rtt);
    if (this.slowAlone < SLOW_WHEN_ALONE) return;
    // Slow although nearly nothing else was out: the access point is slower now, not queueing
    // our requests. What the old best cut was no overload: grow back as at the start.
    this.minRtt = this.slowAloneBest;
    this.slowAlone = 0;
    this.slowAloneBest = Number.POSITIVE_INFINITY;
    this.slowStart = true;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
