/**
 * The budget of status requests (delivery and buyer-response polls) to one access point: a rate
 * and a number in flight, apart from the sender's. Both desks use it (the single desk's
 * app/queue/stages/delivery.ts, the team's app/team/desk-poller.ts).
 *
 * Why these numbers. A month-end drop of 100,000 delivered documents asked about once a minute is
 * ~1,700 requests/s, far past any access point's limit, and those requests would queue in the
 * client's connection pool ahead of the sends. The provider documents 10 batches a minute and no
 * rate for status requests; 20 status requests a second (72,000 an hour) is a load an API like
 * this one is built for, and a few per cent of what the sender does at full speed (about 1,000
 * documents a second through the sandbox, a batch being one request). In flight: half the send
 * concurrency, at most 8 (20 a second at ≤ 400 ms per answer); the client's pool gets that many
 * connections more than the sender uses (`pollsInFlightFor`), so a poll never holds a send's
 * connection. A team shares the rate among the desks that send (`TeamDesk`).
 *
 * Sends keep priority: any 429 (a send's or a poll's) stops the polls for its Retry-After, or
 * without one for a backoff doubling from the time the header says "Throttled" (2 s, see
 * app/access-point/reachability.ts) up to a minute, with jitter; a poll's 429 also halves the
 * poll rate, which grows back by 5 % of the full rate a second. Polls that the budget cannot
 * afford now are not lost: they stay due and are asked in a later round.
 */
import type { ApOutcome } from '../access-point/client';

/** Status requests per second to one access point (a team's: shared by its sending desks). */
export const POLLS_PER_SECOND = 20;

/** A 429: the access point refused to answer now (nothing was learnt about the document). */
export function isThrottled(
  outcome: ApOutcome<unknown>,
): outcome is Extract<ApOutcome<unknown>, { kind: 'transient' }> {
  return outcome.kind === 'transient' && outcome.status === 429;
}
/** Status requests in flight to one access point at most. */
export const POLLS_IN_FLIGHT_MAX = 8;

/** Status requests in flight for a send concurrency: half of it (1 to 8; 'auto': 8). */
export function pollsInFlightFor(concurrency: number | 'auto'): number {
  if (concurrency === 'auto') return POLLS_IN_FLIGHT_MAX;
  return Math.max(1, Math.min(POLLS_IN_FLIGHT_MAX, Math.floor(concurrency / 2)));
}

/** Options of {@link PollBudget}. */
export interface PollBudgetOptions {
  /** Requests per second (default POLLS_PER_SECOND). */
  perSecond?: number;
  /** Requests in flight at most. */
  inFlight: number;
  /** Monotonic clock in ms (performance.now by default); injectable for tests. */
  now?: () => number;
  random?: () => number;
}

/** The first pause after a 429 without Retry-After (ms): the header's "Throttled" time. */
const BACKOFF_INITIAL_MS = 2_000;
const BACKOFF_MAX_MS = 60_000;
/** After a poll's 429 the rate grows back by this share of the full rate per second. */
const RECOVERY_PER_SECOND = 0.05;
const MIN_RATE = 0.5;

/** See the file comment. */
export class PollBudget {
  private base: number;
  readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** The rate right after the last cut, and when it was cut (null: not cut). */
  private cut: { rate: number; at: number } | null = null;
  /** When the next request may leave (strict pacing: one every 1/rate). */
  private nextAt = Number.NEGATIVE_INFINITY;
  private pauseEnd = 0;
  private backoffMs = 0;
  private active = 0;
  private readonly waiters: ((granted: boolean) => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Requests let through since the start (tests, diagnostics). */
  granted = 0;

  constructor(options: PollBudgetOptions) {
    this.base = Math.max(MIN_RATE, options.perSecond ?? POLLS_PER_SECOND);
    this.maxInFlight = Math.max(1, Math.floor(options.inFlight));
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
  }

  /** Requests per second now (lower than the full rate for a while after a poll's 429). */
  get rate(): number {
    if (!this.cut) return this.base;
    const grown =
      this.cut.rate + ((this.now() - this.cut.at) / 1000) * RECOVERY_PER_SECOND * this.base;
    if (grown < this.base) return grown;
    this.cut = null;
    return this.base;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a turn. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** How long no poll may start yet (after a 429), ms; 0 when none. */
  pauseLeftMs(): number {
    return Math.max(0, this.pauseEnd - this.now());
  }

  /** Whether polls are stopped now (a 429 was answered less than its pause ago). */
  paused(now = this.now()): boolean {
    return now < this.pauseEnd;
  }

  /** About one second of requests: how many polls one round asks singly. */
  perRound(): number {
    return Math.max(this.maxInFlight, Math.ceil(this.rate));
  }

  /** Change the full rate (a team desk: the team's rate shared by the desks that send). */
  setRate(perSecond: number): void {
    this.base = Math.max(MIN_RATE, perSecond);
    if (this.cut && this.cut.rate > this.base) this.cut = null;
  }

  /**
   * Wait for a turn: a slot in flight and the pace. Resolves true when the request may leave (it
   * then holds a slot until `release`), false when polls were paused or cancelled meanwhile.
   */
  take(): Promise<boolean> {
    if (this.paused()) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.dispatch();
    });
  }

  /** A request let through by `take` was answered (or failed): its slot is free. */
  release(): void {
    this.active = Math.max(0, this.active - 1);
    this.dispatch();
  }

  /** Every caller waiting for a turn gets none (a stop, a switch of access point, a hold). */
  cancelWaiting(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiters.splice(0)) w(false);
  }

  /**
   * One buyer-response poll within the budget: waits for a turn (null when none is given: paused
   * or cancelled meanwhile), makes `call`, notes its answer here first (a poll's 429 halves the
   * rate), then tells `heard` (the connection's or the desk's health), and frees its slot.
   */
  async ask<T>(
    call: () => Promise<ApOutcome<T>>,
    heard: (outcome: ApOutcome<T>) => void,
  ): Promise<ApOutcome<T> | null> {
    if (!(await this.take())) return null;
    try {
      const outcome = await call();
      this.note(outcome, true);
      heard(outcome);
      return outcome;
    } finally {
      this.release();
    }
  }

  /**
   * What a request to this access point (a poll or a send) was answered: a 429 stops the polls
   * for its Retry-After, or a backoff (see the file comment); a poll's 429 also halves the rate.
   * Any other answer from the access point ends the backoff.
   */
  note(outcome: ApOutcome<unknown>, poll: boolean): void {
    if (isThrottled(outcome)) {
      const now = this.now();
      // Refusals of requests that were in flight together are one signal: one step of backoff.
      const pausedAlready = this.paused(now);
      let wait = outcome.retryAfterMs;
      if (wait === null) {
        if (pausedAlready) return;
        this.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_INITIAL_MS, this.backoffMs * 2));
        // Jitter: desks (and documents) refused together do not all come back together.
        wait = this.backoffMs * (0.5 + this.random() / 2);
      }
      this.pauseEnd = Math.max(this.pauseEnd, now + wait);
      if (poll && !pausedAlready) this.cut = { rate: Math.max(MIN_RATE, this.rate / 2), at: now };
      this.cancelWaiting();
      return;
    }
    if (outcome.kind === 'ok' || outcome.kind === 'permanent') this.backoffMs = 0;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.active < this.maxInFlight) {
      const now = this.now();
      if (this.paused(now)) return this.cancelWaiting();
      if (now < this.nextAt) {
        this.wakeAt(this.nextAt - now);
        return;
      }
      this.nextAt = now + 1000 / this.rate;
      this.active++;
      this.granted++;
      this.waiters.shift()!(true);
    }
  }

  private wakeAt(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.dispatch();
      },
      Math.max(1, Math.ceil(ms)),
    );
  }
}
