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

/** Why a request is judged to have overloaded the access point. */
export type OverloadSignal = 'server-error' | 'timeout' | 'latency';

/**
 * How many requests may be in flight: additive increase, multiplicative decrease (AIMD) with a
 * slow start, driven by round-trip times and errors.
 *
 * - Slow start: +1 per healthy completion (doubling per round trip) until the first overload.
 * - Then congestion avoidance: +1 per `limit` healthy completions (one step per round trip).
 * - Overload (5xx, timeout, or latency far above the best recent round trip): × `backoff`, at
 *   most once per round trip so one burst of failures does not collapse the limit to 1.
 * - Growth only counts completions that ran while the limit was actually used (≥ half full);
 *   otherwise an idle sender would grow its limit without evidence.
 *
 * 429 is a rate signal, not a concurrency one: the pipeline hands it to the rate gate instead.
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
  private minRttSamples = 0;
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
      this.decrease(now, rtt);
      return;
    }
    this.noteRtt(rtt);
    if (rtt > this.minRtt * this.tolerance + this.slackMs) {
      this.decrease(now, rtt);
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

  private decrease(now: number, rtt: number): void {
    this.slowStart = false;
    this.credit = 0;
    // Once per round trip: the requests already in flight were sent at the old limit.
    const roundTrip = Number.isFinite(this.minRtt) ? Math.max(this.minRtt, 1) : rtt;
    if (now - this.lastDecreaseAt < roundTrip) return;
    this.lastDecreaseAt = now;
    this.limitValue = Math.max(this.min, Math.floor(this.limitValue * this.backoff));
  }

  private noteRtt(rtt: number): void {
    // The best round trip, forgotten slowly so a permanently slower path is learned again.
    this.minRttSamples++;
    if (rtt < this.minRtt) this.minRtt = rtt;
    else if (this.minRttSamples >= 1000) {
      this.minRttSamples = 0;
      this.minRtt = this.minRtt * 0.5 + rtt * 0.5;
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
