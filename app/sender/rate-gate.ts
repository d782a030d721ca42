import { CutTrials, type TrialVerdict } from './cut-trials';

/** Options of {@link RateGate}. */
export interface RateGateOptions {
  /** Hard cap on requests per second (CLI `--rate`); null = none. */
  requestsPerSecond?: number | null;
  /** Hard cap on batch requests per minute (the provider documents 10); null = none. */
  batchesPerMinute?: number | null;
  /** Learn the access point's rate from its 429 answers (default true). */
  adaptive?: boolean;
  /** Lowest learned rate, requests per second (default 0.5). */
  minRate?: number;
  /** Share of the measured rate kept after a 429 (default 0.95). */
  cutFactor?: number;
  /** Additive increase of the learned rate per second without 429, as a share (default 0.05). */
  growthPerSecond?: number;
  /**
   * Until the first 429, requests/s start here and double every 100 ms while requests are held
   * back (a slow start in rate, default 100): the burst of an unknown server is found without
   * firing a whole window of requests past it. null: unpaced until the first 429 (for a fixed
   * concurrency, which bounds that burst by itself).
   */
  startRate?: number | null;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

/** What a request is, for the caps: a batch counts once against requests/s and batches/min. */
export type RequestKind = 'single' | 'batch';

/**
 * A token bucket refilled continuously. `take` at most when `available() ≥ 1`.
 * Separate from the sandbox's bucket on purpose: this one paces the client.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private capacity: number,
    private perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Change the refill rate and capacity, keeping the tokens already earned (up to capacity). */
  configure(capacity: number, perSecond: number, now: number): void {
    this.refill(now);
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.tokens = Math.min(this.tokens, capacity);
  }

  /** Milliseconds until one token is available (0 = now). */
  waitMs(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Spend every token: the next one comes after 1 / rate. */
  drain(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Use one token (may go negative when forced). */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  private refill(now: number): void {
    const dt = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + (dt / 1000) * this.perSecond);
  }
}

const WINDOW_MS = 1000;
/**
 * A second cut may follow this soon when 429s go on (measured since the first cut): at least
 * 100 ms, and long enough for about ten answers at the rate just set.
 */
const FOLLOW_UP_CUT_MS = 100;
const FOLLOW_UP_ANSWERS = 10;
const SLOW_START_STEP_MS = 100;
const MAX_RATE = 1_000_000;
const SLOT_MS = 100;
/** Growth stops this close below the rate the last 429 came at (its plateau). */
const PLATEAU_SHARE = 0.97;
/** Above the plateau, growth (probing for a higher limit) waits this long after the last cut. */
const PROBE_AFTER_MS = 20_000;
/** Probing growth per second, as a share of the rate. */
const PROBE_GROWTH = 0.01;
/**
 * A limit not met for this long may have gone (an access point's busy hour over, its incident
 * fixed): while the gate holds requests back the rate grows {@link PROBE_GROWTH_UNMET} a second,
 * below its plateau or past it. The next 429 finds the limit again if it is still there.
 */
const LIMIT_UNMET_MS = 30_000;
const PROBE_GROWTH_UNMET = 0.25;
/** Nothing sent this long (a drop done), and no 429 for a while: what was learned is forgotten. */
const IDLE_FORGET_MS = 10_000;
/** Until the plateau is confirmed, the rate doubles this often while the gate holds back. */
const UNCONFIRMED_DOUBLING_MS = 250;
const SLOTS = WINDOW_MS / SLOT_MS;
/**
 * A batch refused with 429 holds new batches back (documents go singly meanwhile): for its
 * Retry-After, else this long at first, doubled while batches are refused again (up to the max)
 * and halved after each batch that goes through.
 */
const BATCH_HOLD_MIN_MS = 1000;
const BATCH_HOLD_MAX_MS = 60_000;
/** A Retry-After this short is a request rate's (a quota of 10 batches a minute asks for 6 s). */
const SHORT_WAIT_MS = 1000;
/** A single send refused this recently says the request rate is what the access point limits. */
const RATE_MET_MS = 2000;

/**
 * When the next request may leave: optional hard caps (requests/s, batches/minute) plus a rate
 * learned from the access point's 429 answers.
 *
 * The learned rate starts unlimited. On a 429 it drops to `cutFactor ×` the rate the access
 * point actually answered without 429 over the last second (a token-bucket server lets exactly
 * its rate through once its burst is spent, so that is the best estimate of its limit), at most
 * once per second and never below half the previous rate. Without 429s it grows by
 * `growthPerSecond` of itself per second up to just below that measured limit (its plateau), but
 * only while the gate is what holds requests back — otherwise there is no evidence the server
 * takes more. Above the plateau it probes slowly (1 %/s), and only 20 s after the last cut: an
 * access point's limit rarely moves, and every probe past it costs a 429. Requests are paced with
 * a small burst so the server's bucket refills between them; after a 429 the pacer starts empty
 * (the server's bucket is empty too).
 *
 * Each cut is tried ({@link CutTrials}): an access point that refuses some requests at random, at
 * any rate, would otherwise have every 429 cut the rate again, down to a crawl. Such cuts are
 * undone, and from then on only clearly more 429s than the random share cut.
 *
 * A 429 on a batch is not taken as the access point's rate: the provider documents a quota of
 * batches per minute apart from its request rate, so it holds batches back for a while (see
 * {@link RateGate.batchesHeldMs}) and documents go singly meanwhile. Where the limit is really the
 * request rate, the single sends meet it too: their 429s teach the rate as above and end the
 * hold (batches carry the most documents per request).
 */
export class RateGate {
  private readonly now: () => number;
  private readonly adaptive: boolean;
  private readonly minRate: number;
  private readonly cutFactor: number;
  private readonly growth: number;
  private capRps: number | null;
  private readonly batchBucket: TokenBucket | null;
  private learned = Number.POSITIVE_INFINITY;
  /** The rate the access point answered without 429 when it last refused (its limit, measured). */
  private plateau = Number.POSITIVE_INFINITY;
  /**
   * Whether the plateau is the access point's limit: 429s went on after a cut, or came again
   * after an earlier cut. One burst of 429s and then none (another client spent the quota for a
   * moment, or the first requests of a run met a burst limit) proves no limit: measured over the
   * first second of a run it said about 1 request/s, and the rate then crept up 1 % a second
   * (a walk: five 429s at the start made 1,000 invoices take 261 s instead of 3). Until it is
   * confirmed, the rate doubles every 250 ms while the gate holds requests back (as the slow
   * start of a run does every 100 ms).
   */
  private plateauConfirmed = false;
  private slowStartRate: number;
  private lastDoubleAt: number;
  private okSinceCut = 0;
  private readonly pacer: TokenBucket;
  private readonly okSlots = new Array<number>(SLOTS).fill(0);
  private readonly sentSlots = new Array<number>(SLOTS).fill(0);
  /** Whether cuts help, or 429s come whatever the rate. */
  private readonly trials = new CutTrials();
  private slotIndex = 0;
  private slotStart: number;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private lastGrowAt: number;
  private heldBackAt = Number.NEGATIVE_INFINITY;
  private rateLimitedCount = 0;
  private batchHoldMs = 0;
  private singleRefusedAt = Number.NEGATIVE_INFINITY;
  private batchesHeldUntil = Number.NEGATIVE_INFINITY;
  private readonly startRate: number;
  /** When the last request left. */
  private lastTakeAt = Number.NEGATIVE_INFINITY;
  /** When a 429 last taught the rate. */
  private rateLimitedAt = Number.NEGATIVE_INFINITY;
  /** The least a cut may set while the chain of cuts it belongs to is tried. */
  private chainFloor = 0;

  constructor(options: RateGateOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    const t = this.now();
    this.adaptive = options.adaptive ?? true;
    this.minRate = options.minRate ?? 0.5;
    this.cutFactor = options.cutFactor ?? 0.95;
    this.growth = options.growthPerSecond ?? 0.05;
    this.capRps = positiveOrNull(options.requestsPerSecond);
    const bpm = positiveOrNull(options.batchesPerMinute);
    this.batchBucket = bpm === null ? null : new TokenBucket(Math.max(1, bpm / 6), bpm / 60, t);
    this.slotStart = t;
    this.lastGrowAt = t;
    this.startRate = options.startRate === null ? MAX_RATE : (options.startRate ?? 100);
    this.slowStartRate = this.startRate;
    this.lastDoubleAt = t;
    this.pacer = new TokenBucket(1, 1, t);
    this.reconfigure(t);
  }

  /** The rate requests are paced at now (requests/s; Infinity = unpaced). */
  get rate(): number {
    const learned = Number.isFinite(this.learned) ? this.learned : this.slowStartRate;
    return Math.min(this.capRps ?? Number.POSITIVE_INFINITY, learned);
  }

  /** True when requests are paced (a cap, a learned rate or the slow start); false = unpaced. */
  get paced(): boolean {
    return this.rate < MAX_RATE;
  }

  /**
   * True when requests must leave at the gate's own times: a cap or a learned rate paces them, or
   * the slow start held one back within the last second. False when unpaced, and while only the
   * slow start would pace them but something else is the limit (checking, the slots): the slow
   * start then has nothing to find out, and requests claimed while a commit is synced may leave
   * together once it is on disk — the few claimed within one sync, never a window.
   */
  get pacing(): boolean {
    if (this.rate >= MAX_RATE) return false;
    if (this.capRps !== null || Number.isFinite(this.learned)) return true;
    return this.now() - this.heldBackAt <= WINDOW_MS;
  }

  /** 429 answers seen. */
  get rateLimited(): number {
    return this.rateLimitedCount;
  }

  /** Set or remove the hard requests/s cap. */
  setCap(requestsPerSecond: number | null): void {
    this.capRps = positiveOrNull(requestsPerSecond);
    this.reconfigure(this.now());
  }

  /** Milliseconds until a request of `kind` may leave (0 = now). */
  waitMs(kind: RequestKind): number {
    const now = this.now();
    if (
      this.adaptive &&
      !Number.isFinite(this.learned) &&
      now - this.lastDoubleAt >= SLOW_START_STEP_MS &&
      this.heldBackAt >= this.lastDoubleAt
    ) {
      this.lastDoubleAt = now;
      this.slowStartRate = Math.min(MAX_RATE, this.slowStartRate * 2);
      this.reconfigure(now);
    }
    const paced = this.rate < MAX_RATE ? this.pacer.waitMs(now) : 0;
    // Only the learned rate counts as holding back (a batches/minute cap says nothing about it).
    if (paced > 0) this.heldBackAt = now;
    if (kind === 'batch') return Math.max(paced, this.batchWaitMs(now));
    return paced;
  }

  /**
   * Milliseconds until a batch may leave for the batch limits alone (a batches/minute cap, or a
   * hold after a batch was refused with 429); 0 = batches may go. New documents go singly while
   * it is above 0; a batch whose outcome is unknown waits for it (it must go again identical).
   */
  batchesHeldMs(): number {
    return this.batchWaitMs(this.now());
  }

  private batchWaitMs(now: number): number {
    const held = Math.max(0, Math.ceil(this.batchesHeldUntil - now));
    return this.batchBucket ? Math.max(held, this.batchBucket.waitMs(now)) : held;
  }

  /** A request of `kind` leaves now. */
  take(kind: RequestKind): void {
    const now = this.now();
    this.forgetAfterIdle(now);
    this.lastTakeAt = now;
    if (this.rate < MAX_RATE) this.pacer.take(now);
    this.trials.noteSent();
    this.advance(now);
    this.sentSlots[this.slotIndex]! += 1;
    if (kind === 'batch' && this.batchBucket) this.batchBucket.take(now);
  }

  /** The access point answered a request of `kind` without 429 (any other answer). */
  onAnswered(kind: RequestKind = 'single'): void {
    const now = this.now();
    if (kind === 'batch' && this.batchHoldMs > 0) {
      this.batchHoldMs = this.batchHoldMs / 2 < BATCH_HOLD_MIN_MS ? 0 : this.batchHoldMs / 2;
    }
    this.advance(now);
    this.okSlots[this.slotIndex]! += 1;
    this.okSinceCut++;
    this.follow(this.trials.noteAnswer(false), now);
    if (!this.adaptive || !Number.isFinite(this.learned)) return;
    const dt = now - this.lastGrowAt;
    if (dt < SLOT_MS) return;
    this.lastGrowAt = now;
    // Grow only while the gate held requests back recently and no 429 came for a while.
    if (now - this.heldBackAt > WINDOW_MS || now - this.lastCutAt < WINDOW_MS) return;
    const ceiling = Math.max(this.okPerSecond(now) * 2, this.minRate * 2);
    const nearLimit = this.plateau * PLATEAU_SHARE;
    let next: number;
    if (!this.plateauConfirmed) {
      next = this.learned * 2 ** (dt / UNCONFIRMED_DOUBLING_MS);
    } else if (now - this.rateLimitedAt >= LIMIT_UNMET_MS) {
      // Walks 15 and 16: a rate learned while an access point refused many sends stayed low for
      // minutes after it stopped, growing half a request a second (or 1 % past its plateau).
      next = this.learned * (1 + PROBE_GROWTH_UNMET * (dt / 1000));
    } else if (this.learned < nearLimit) {
      next = Math.min(
        nearLimit,
        this.learned + Math.max(0.5, this.learned * this.growth) * (dt / 1000),
      );
    } else if (now - this.lastCutAt >= PROBE_AFTER_MS) {
      next = this.learned * (1 + PROBE_GROWTH * (dt / 1000));
    } else return;
    this.learned = Math.min(ceiling, Math.max(this.learned, next));
    this.reconfigure(now);
  }

  /**
   * The access point answered a request of `kind` with 429 (`retryAfterMs`: its Retry-After).
   * A batch's holds batches back only; a single send's teaches the rate.
   */
  onRateLimited(kind: RequestKind = 'single', retryAfterMs: number | null = null): void {
    this.rateLimitedCount++;
    const now = this.now();
    this.follow(this.trials.noteAnswer(true), now);
    // While single sends meet a request rate (one refused within the last seconds), a batch
    // refused with a short wait (none said, or a second at most) met that rate too: it teaches
    // the rate, no hold.
    const rateMet =
      now - this.singleRefusedAt <= RATE_MET_MS &&
      (retryAfterMs === null || retryAfterMs <= SHORT_WAIT_MS);
    if (kind === 'batch' && !rateMet) {
      // Batches in flight together refused together count once: the hold grows when a batch
      // sent after it ended is refused again.
      if (now >= this.batchesHeldUntil) {
        this.batchHoldMs = Math.min(
          BATCH_HOLD_MAX_MS,
          Math.max(BATCH_HOLD_MIN_MS, this.batchHoldMs * 2),
        );
      }
      const hold = retryAfterMs !== null && retryAfterMs > 0 ? retryAfterMs : this.batchHoldMs;
      this.batchesHeldUntil = Math.max(this.batchesHeldUntil, now + hold);
      return;
    }
    if (kind === 'single') this.singleRefusedAt = now;
    this.rateLimitedAt = now;
    // Single sends refused too: the limit is the request rate, which batches use best (a
    // hundred documents a request). They go again, paced with the rest from here on.
    this.batchesHeldUntil = Number.NEGATIVE_INFINITY;
    this.batchHoldMs = 0;
    if (!this.adaptive) return;
    this.advance(now);
    if (!this.trials.mayCut()) return;
    const sinceCut = now - this.lastCutAt;
    const plateauBefore = this.plateau;
    let next: number;
    const followUpMs = Number.isFinite(this.learned)
      ? Math.max(FOLLOW_UP_CUT_MS, (FOLLOW_UP_ANSWERS / this.learned) * 1000)
      : FOLLOW_UP_CUT_MS;
    if (sinceCut < followUpMs) return;
    if (sinceCut < WINDOW_MS) {
      // Still refused after a cut: what came through since the cut is the server's rate (its
      // burst is spent by now), a better estimate than the last second, which held the burst.
      const sinceCutRate = this.okSinceCut / (sinceCut / 1000);
      if (sinceCutRate >= this.learned) return;
      next = Math.max(sinceCutRate * this.cutFactor, this.learned / 2);
      this.plateau = sinceCutRate;
      this.plateauConfirmed = true;
    } else {
      const measured = this.okPerSecond(now);
      // Refused again after an earlier cut: the limit is real.
      this.plateauConfirmed = Number.isFinite(this.plateau);
      if (Number.isFinite(this.learned)) {
        // Never more than halve at once: one unlucky second must not collapse the rate.
        next = Math.max(Math.min(this.learned, measured) * this.cutFactor, this.learned / 2);
        this.plateau = Math.max(measured, next);
      } else {
        // First 429: nothing learned yet. If no answer came back without 429 in the last
        // second, half of what was sent is a safe start.
        const base = measured > 0 ? measured : sum(this.sentSlots) / 2;
        next = base * this.cutFactor;
        this.plateau = base;
      }
    }
    // While a cut is tried, 429s that go on cut again only down to half the chain's first cut:
    // the trial, not each 429, finds out whether they come whatever the rate (walk 15: with 30 %
    // of sends refused at random, each 429 cut again and restarted the trial, and the rate fell
    // to its minimum, half a request a second, before a trial could end).
    if (this.trials.trying) next = Math.max(next, this.chainFloor);
    else this.chainFloor = next / 2;
    this.trials.cutFrom(this.learned, plateauBefore);
    this.cut(next, now);
  }

  /**
   * Nothing sent for {@link IDLE_FORGET_MS} and no 429 for {@link LIMIT_UNMET_MS}: what was
   * learned is forgotten, and the next drop starts as the first did (its slow start finds a limit
   * still there within a few hundred ms). Walk 16: after one burst of random 429s, every later drop
   * of the session started at 3–4 invoices a second and crept up; a restart made it fast again.
   */
  private forgetAfterIdle(now: number): void {
    if (!this.adaptive || !Number.isFinite(this.learned)) return;
    if (now - this.lastTakeAt < IDLE_FORGET_MS || now - this.rateLimitedAt < LIMIT_UNMET_MS) return;
    this.learned = Number.POSITIVE_INFINITY;
    this.plateau = Number.POSITIVE_INFINITY;
    this.plateauConfirmed = false;
    this.slowStartRate = this.startRate;
    this.lastDoubleAt = now;
    this.reconfigure(now);
  }

  private cut(next: number, now: number): void {
    this.lastCutAt = now;
    this.okSinceCut = 0;
    this.learned = Math.max(this.minRate, next);
    this.lastGrowAt = now;
    this.reconfigure(now);
    this.pacer.drain(now);
  }

  /** Act on a finished trial of a cut (see {@link CutTrials}). */
  private follow(verdict: TrialVerdict | null, now: number): void {
    if (!verdict || !this.adaptive) return;
    if (verdict.kind === 'cut-again') {
      this.plateau = this.learned * verdict.keep;
      this.plateauConfirmed = true;
      this.cut(this.learned * verdict.keep * this.cutFactor, now);
      return;
    }
    // Back to the rate before the cuts, but no more than twice what is answered now (as growth).
    const ceiling = Math.max(this.okPerSecond(now) * 2, this.minRate * 2);
    this.learned = Math.max(this.learned, Math.min(verdict.rateBefore, ceiling));
    this.plateau = Math.max(this.plateau, verdict.plateauBefore);
    this.plateauConfirmed = false;
    this.reconfigure(now);
  }

  /** Answers without 429 per second over the last second. */
  private okPerSecond(now: number): number {
    this.advance(now);
    return sum(this.okSlots) * (1000 / WINDOW_MS);
  }

  private advance(now: number): void {
    let steps = 0;
    while (now - this.slotStart >= SLOT_MS && steps < SLOTS) {
      this.slotIndex = (this.slotIndex + 1) % SLOTS;
      this.okSlots[this.slotIndex] = 0;
      this.sentSlots[this.slotIndex] = 0;
      this.slotStart += SLOT_MS;
      steps++;
    }
    if (now - this.slotStart >= SLOT_MS) this.slotStart = now;
  }

  private reconfigure(now: number): void {
    const r = this.rate;
    if (!Number.isFinite(r)) return;
    if (r >= MAX_RATE) return;
    // Near-strict pacing: a burst of two carries the fraction a timer tick loses, nothing more.
    this.pacer.configure(2, r, now);
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function positiveOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}
