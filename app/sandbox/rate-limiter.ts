/**
 * A token bucket: `capacity` tokens, refilled continuously at `perMs` tokens per millisecond.
 * The sandbox uses one for requests per second and one for batches per minute.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param capacity burst size (tokens available at once)
   * @param refillPerSecond tokens added per second
   * @param now clock in epoch milliseconds
   */
  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /**
   * Take one token. Returns 0 when granted, otherwise the whole number of seconds (≥ 1) after
   * which a token will be available — HTTP's Retry-After allows no fractions.
   */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((t - this.last) / 1000) * this.refillPerSecond,
    );
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.refillPerSecond));
  }
}
