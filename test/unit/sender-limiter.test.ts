import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../app/sender/adaptive-limiter';
import { RateGate, TokenBucket } from '../../app/sender/rate-gate';

/**
 * Drive a limiter like a pipeline does: every slot busy, and each completion immediately
 * replaced by a new request. One call = `n` round trips of `rttMs`.
 */
function roundTrips(
  limiter: AdaptiveLimiter,
  clock: { t: number },
  n: number,
  rttMs: number,
  result: () => 'ok' | 'server-error' = () => 'ok',
): void {
  let tokens = Array.from({ length: limiter.available() }, () => limiter.acquire());
  for (let i = 0; i < n; i++) {
    clock.t += rttMs;
    const next: typeof tokens = [];
    for (const token of tokens) {
      limiter.release(token, result());
      if (i < n - 1) for (let k = limiter.available(); k > 0; k--) next.push(limiter.acquire());
    }
    tokens = next;
  }
}

describe('AdaptiveLimiter', () => {
  it('starts conservative and grows fast while healthy (slow start), up to its maximum', () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 4, max: 64, now: () => clock.t });
    expect(limiter.limit).toBe(4);
    roundTrips(limiter, clock, 2, 50);
    expect(limiter.limit).toBeGreaterThanOrEqual(8);
    roundTrips(limiter, clock, 6, 50);
    expect(limiter.limit).toBe(64);
  });

  it('cuts multiplicatively on 5xx, once per round trip, then grows about one per round trip', () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 40, max: 100, now: () => clock.t });
    roundTrips(limiter, clock, 3, 50);
    const top = limiter.limit;
    expect(top).toBeGreaterThan(40);
    roundTrips(limiter, clock, 1, 50, () => 'server-error');
    expect(limiter.limit).toBe(Math.floor(top * 0.7)); // once, although every request failed
    const after = limiter.limit;
    roundTrips(limiter, clock, 5, 50);
    expect(limiter.limit).toBeGreaterThanOrEqual(after + 3);
    expect(limiter.limit).toBeLessThanOrEqual(after + 6);
  });

  it('shrinks when round trips grow far beyond the best one (queueing at the server)', () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 10, max: 100, now: () => clock.t });
    roundTrips(limiter, clock, 2, 20);
    const before = limiter.limit;
    roundTrips(limiter, clock, 1, 200);
    expect(limiter.limit).toBeLessThan(before);
  });

  it('does not grow while the limit is not used', () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 8, max: 64, now: () => clock.t });
    for (let i = 0; i < 50; i++) {
      const token = limiter.acquire();
      clock.t += 10;
      limiter.release(token, 'ok');
    }
    expect(limiter.limit).toBe(8);
  });

  it('never goes below the minimum, and a fixed limit never moves', () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 2, max: 64, now: () => clock.t });
    for (let i = 0; i < 20; i++) roundTrips(limiter, clock, 1, 50, () => 'server-error');
    expect(limiter.limit).toBe(1);
    const fixed = new AdaptiveLimiter({ initial: 10, max: 64, fixed: true, now: () => clock.t });
    roundTrips(fixed, clock, 5, 50, () => 'server-error');
    roundTrips(fixed, clock, 5, 50);
    expect(fixed.limit).toBe(10);
    expect(fixed.inFlight).toBe(0);
  });
});

type Out = { token: ReturnType<AdaptiveLimiter['acquire']>; at: number; result: string }[];

/**
 * A closed loop on a millisecond clock: every free slot sends at once, and each request is
 * answered after `answer(t).rtt` ms with its result. Returns the sends taken ('ok') per second.
 * `out` holds the requests in flight from one call to the next.
 */
function closedLoop(
  limiter: AdaptiveLimiter,
  clock: { t: number; out?: Out },
  seconds: number,
  answer: (t: number) => { rtt: number; result: 'ok' | 'ignore' | 'server-error' },
): number[] {
  const out = (clock.out ??= []);
  const okPerSecond = new Array<number>(seconds).fill(0);
  const start = clock.t;
  for (; clock.t < start + seconds * 1000; clock.t++) {
    for (let i = out.length - 1; i >= 0; i--) {
      const r = out[i]!;
      if (r.at > clock.t) continue;
      out.splice(i, 1);
      limiter.release(r.token, r.result as 'ok' | 'ignore' | 'server-error');
      if (r.result === 'ok') okPerSecond[Math.floor((clock.t - start) / 1000)]! += 1;
    }
    for (let k = limiter.available(); k > 0; k--) {
      const { rtt, result } = answer(clock.t);
      out.push({ token: limiter.acquire(), at: clock.t + rtt, result });
    }
  }
  return okPerSecond;
}

describe('AdaptiveLimiter after the access point changes pace (walk 15)', () => {
  it('learns a slower access point again: the limit grows back within seconds, not minutes', () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 4, max: 64, now: () => clock.t });
    // A fast minute: answers in 2 ms, the limit at its maximum.
    closedLoop(limiter, clock, 60, () => ({ rtt: 2, result: 'ok' }));
    expect(limiter.limit).toBe(64);
    // Then every answer takes 300 ms, whatever the load (a busy month-end): 64 in flight give
    // 213 sends/s. The old best (2 ms) made every answer "queueing": the limit fell to 1 and
    // stayed there (3 sends/s) for as long as the old best was kept.
    const perSecond = closedLoop(limiter, clock, 60, () => ({ rtt: 300, result: 'ok' }));
    expect(limiter.limit).toBe(64);
    const late = perSecond.slice(20);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(190);
  });

  it('quick refusals released as ignore teach no round trip: sends at 300 ms keep their limit', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 4, max: 64, now: () => clock.t });
    // 30 % of requests are refused at once (429s of a busy gateway), the rest taken in 300 ms.
    const perSecond = closedLoop(limiter, clock, 40, () =>
      random() < 0.3 ? { rtt: 1, result: 'ignore' } : { rtt: 300, result: 'ok' },
    );
    expect(limiter.limit).toBeGreaterThanOrEqual(60);
    // 64 slots, 70 % of them on a 300 ms send: about 149 sends taken a second.
    expect(Math.min(...perSecond.slice(10))).toBeGreaterThanOrEqual(120);
  });

  it('still backs off when its own load makes the access point queue, and holds there', () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveLimiter({ initial: 4, max: 64, now: () => clock.t });
    // The access point answers in 50 ms up to 16 requests at once; beyond that each request
    // waits for the others (its answer time grows with what is in flight).
    const perSecond = closedLoop(limiter, clock, 60, () => ({
      rtt: Math.max(50, Math.round((limiter.inFlight * 50) / 16)),
      result: 'ok',
    }));
    // Never far past where the queueing starts (2× the best round trip plus 5 ms: 42 in flight).
    expect(limiter.limit).toBeLessThanOrEqual(44);
    expect(Math.min(...perSecond.slice(10))).toBeGreaterThanOrEqual(300);
  });
});

describe('TokenBucket', () => {
  it('refills continuously up to its capacity', () => {
    const b = new TokenBucket(2, 10, 0);
    b.take(0);
    b.take(0);
    expect(b.waitMs(0)).toBe(100);
    expect(b.waitMs(50)).toBe(50);
    expect(b.waitMs(100)).toBe(0);
    expect(b.waitMs(10_000)).toBe(0);
    b.take(10_000);
    b.take(10_000);
    expect(b.waitMs(10_000)).toBeGreaterThan(0);
  });
});

/**
 * A simulated access point with a token bucket of `rate` requests/s and a burst of one second,
 * as the sandbox has, answering after `latencyMs`; the client keeps up to `concurrency` requests
 * in flight and asks the gate before each. Returns the achieved rate and the share of 429s.
 */
function simulate(opts: {
  rate: number;
  latencyMs: number;
  concurrency: number;
  seconds: number;
  startRate?: number;
  kind?: 'single' | 'batch';
  /** The server refuses its first requests (another client spent the quota for a moment). */
  refuseFirst?: number;
  /**
   * Share of requests the server refuses at random, whatever the rate (a busy gateway); or that
   * share at each moment of the run (ms).
   */
  refuseShare?: number | ((t: number) => number);
}) {
  // A fixed-seed generator (mulberry32): the same refusals on every run.
  let seed = 0x2545f491;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  let t = 0;
  const kind = opts.kind ?? 'single';
  const gate = new RateGate({ now: () => t, startRate: opts.startRate ?? 100 });
  let lastLimitedAt = 0;
  let tokens = opts.rate;
  let last = 0;
  let refuse = opts.refuseFirst ?? 0;
  /** Answers without 429 per second of the run. */
  const okPerSecond = new Array<number>(opts.seconds).fill(0);
  const serverTake = (): boolean => {
    if (refuse > 0) {
      refuse--;
      return false;
    }
    const share =
      typeof opts.refuseShare === 'function' ? opts.refuseShare(t) : (opts.refuseShare ?? 0);
    if (share > 0 && random() < share) return false;
    tokens = Math.min(opts.rate, tokens + ((t - last) / 1000) * opts.rate);
    last = t;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  };
  const inFlight: { at: number; ok: boolean }[] = [];
  let ok = 0;
  let limited = 0;
  const end = opts.seconds * 1000;
  for (t = 0; t < end; t++) {
    for (let i = inFlight.length - 1; i >= 0; i--) {
      const r = inFlight[i]!;
      if (r.at > t) continue;
      inFlight.splice(i, 1);
      if (r.ok) {
        ok++;
        okPerSecond[Math.floor(t / 1000)]! += 1;
        gate.onAnswered();
      } else {
        limited++;
        lastLimitedAt = t;
        gate.onRateLimited();
      }
    }
    while (inFlight.length < opts.concurrency && gate.waitMs(kind) === 0) {
      gate.take(kind);
      inFlight.push({ at: t + opts.latencyMs, ok: serverTake() });
    }
  }
  return {
    achieved: ok / opts.seconds / opts.rate,
    share429: limited / (ok + limited),
    lastLimitedAt,
    okPerSecond,
  };
}

describe('RateGate', () => {
  it('before any 429 starts at its start rate and doubles every 100 ms while held back', () => {
    let t = 0;
    const gate = new RateGate({ now: () => t, startRate: 100 });
    const sentPer100ms: number[] = [];
    // (This loop ticks every ms and the pacer allows two per tick: stay below 2,000/s.)
    for (let step = 0; step < 5; step++) {
      let sent = 0;
      for (const end = t + 100; t < end; t++) {
        for (let k = 0; k < 100 && gate.waitMs('single') === 0; k++) {
          gate.take('single');
          sent++;
        }
      }
      sentPer100ms.push(sent);
    }
    // 10 per 100 ms at 100/s, then about twice as many each step.
    expect(sentPer100ms[0]).toBeLessThanOrEqual(12);
    for (let i = 1; i < sentPer100ms.length; i++) {
      expect(sentPer100ms[i]!).toBeGreaterThan(sentPer100ms[i - 1]! * 1.5);
    }
  });

  it('counts as pacing during the slow start only while it holds requests back', () => {
    let t = 0;
    const gate = new RateGate({ now: () => t, startRate: 20 });
    // Requests come slower than the start rate: the gate holds nothing back.
    for (; t < 2_000; t += 100) {
      expect(gate.waitMs('batch')).toBe(0);
      gate.take('batch');
      expect(gate.pacing).toBe(false);
    }
    expect(gate.paced).toBe(true);
    // A burst past the start rate is held back: pacing, for a second after the last hold.
    for (let i = 0; i < 10 && gate.waitMs('batch') === 0; i++) gate.take('batch');
    expect(gate.waitMs('batch')).toBeGreaterThan(0);
    expect(gate.pacing).toBe(true);
    t += 1_000;
    expect(gate.pacing).toBe(true);
    t += 1;
    expect(gate.pacing).toBe(false);
  });

  it('counts as pacing under a cap or a learned rate, and not when unpaced', () => {
    let t = 0;
    expect(new RateGate({ now: () => t, startRate: null }).pacing).toBe(false);
    expect(new RateGate({ now: () => t, requestsPerSecond: 50 }).pacing).toBe(true);
    const learnt = new RateGate({ now: () => t, startRate: null });
    for (; t < 1_000; t += 10) {
      learnt.take('single');
      learnt.onAnswered();
    }
    learnt.onRateLimited();
    expect(learnt.pacing).toBe(true);
  });

  it('without a start rate, is unpaced until the first 429', () => {
    const gate = new RateGate({ now: () => 0, startRate: null });
    for (let i = 0; i < 1000; i++) {
      expect(gate.waitMs('single')).toBe(0);
      gate.take('single');
    }
  });

  it('honours a hard requests/s cap', () => {
    let t = 0;
    const capped = new RateGate({ requestsPerSecond: 10, now: () => t });
    let sent = 0;
    for (t = 0; t < 10_000; t++) {
      if (capped.waitMs('single') === 0) {
        capped.take('single');
        sent++;
      }
    }
    expect(sent).toBeGreaterThanOrEqual(99);
    expect(sent).toBeLessThanOrEqual(101);
  });

  it('caps batches per minute (the provider documents 10) without limiting single sends', () => {
    let t = 0;
    const gate = new RateGate({ batchesPerMinute: 10, now: () => t });
    let batches = 0;
    for (t = 0; t < 120_000; t += 10) {
      if (gate.waitMs('batch') === 0) {
        gate.take('batch');
        batches++;
      }
    }
    let singles = 0;
    for (const end = t + 1000; t < end; t++) {
      for (let k = 0; k < 10 && gate.waitMs('single') === 0; k++) {
        gate.take('single');
        singles++;
      }
    }
    expect(singles).toBeGreaterThan(500);
    // Two minutes: the initial burst (10/6 rounded down to 1) plus 10 per minute.
    expect(batches).toBeGreaterThanOrEqual(20);
    expect(batches).toBeLessThanOrEqual(22);
  });

  it('a 429 on a batch holds batches back for its Retry-After and leaves single sends unpaced', () => {
    let t = 0;
    const gate = new RateGate({ startRate: null, now: () => t });
    gate.take('batch');
    gate.onRateLimited('batch', 6000);
    expect(gate.rateLimited).toBe(1);
    expect(gate.batchesHeldMs()).toBe(6000);
    expect(gate.waitMs('batch')).toBe(6000);
    // The batch quota is not the access point's rate: single sends go on, unpaced.
    expect(gate.waitMs('single')).toBe(0);
    expect(gate.paced).toBe(false);
    t = 6000;
    expect(gate.batchesHeldMs()).toBe(0);
    expect(gate.waitMs('batch')).toBe(0);
  });

  it('without Retry-After holds batches 1 s, doubling while refused again after a hold, halving after one goes through', () => {
    let t = 0;
    const gate = new RateGate({ startRate: null, now: () => t });
    gate.onRateLimited('batch');
    // Batches in flight together, refused together, count once.
    gate.onRateLimited('batch');
    gate.onRateLimited('batch');
    expect(gate.batchesHeldMs()).toBe(1000);
    t = 1000;
    gate.onRateLimited('batch');
    expect(gate.batchesHeldMs()).toBe(2000);
    t = 3000;
    gate.onRateLimited('batch');
    expect(gate.batchesHeldMs()).toBe(4000);
    t = 7000;
    gate.onAnswered('batch');
    gate.onRateLimited('batch');
    expect(gate.batchesHeldMs()).toBe(4000);
    for (let i = 0; i < 5; i++) gate.onAnswered('batch');
    t = 11_000;
    gate.onRateLimited('batch');
    expect(gate.batchesHeldMs()).toBe(1000);
    // Up to a minute at most.
    for (let i = 0; i < 10; i++) {
      t += gate.batchesHeldMs();
      gate.onRateLimited('batch');
    }
    expect(gate.batchesHeldMs()).toBe(60_000);
  });

  it('a 429 on a single send during a hold ends it: the limit is the request rate, batches use it best', () => {
    let t = 0;
    // Not adaptive: no rate is learned, so the next batch refused is held again.
    const gate = new RateGate({ startRate: null, adaptive: false, now: () => t });
    gate.onRateLimited('batch', 6000);
    t = 100;
    gate.onRateLimited('single', 1000);
    expect(gate.batchesHeldMs()).toBe(0);
    // The hold starts again from its first step (single sends no longer refused).
    t = 2200;
    gate.onRateLimited('batch');
    expect(gate.batchesHeldMs()).toBe(1000);
  });

  /** A gate whose single sends went at 100/s for a second and were then refused (at t = 1000). */
  function refusedAfterOneSecond() {
    const clock = { t: 0 };
    const gate = new RateGate({ startRate: null, now: () => clock.t });
    for (; clock.t < 1000; clock.t += 10) {
      gate.take('single');
      gate.onAnswered('single');
    }
    gate.onRateLimited('single');
    return { gate, clock };
  }

  it('while single sends are refused, a batch refused with a short wait teaches the rate instead of holding', () => {
    const { gate, clock } = refusedAfterOneSecond();
    const learned = gate.rate;
    for (clock.t = 1000; clock.t < 3000; clock.t += 10) gate.onAnswered('batch');
    gate.onRateLimited('batch', 1000);
    expect(gate.batchesHeldMs()).toBe(0);
    expect(gate.rate).toBeLessThan(learned);
    // A long wait is the quota of batches, not the rate: held, the rate unchanged.
    const rate = gate.rate;
    clock.t = 3500;
    gate.onRateLimited('batch', 6000);
    expect(gate.batchesHeldMs()).toBe(6000);
    expect(gate.rate).toBe(rate);
    // After that hold, single sends not refused for a while (the learned rate holds them): a
    // batch refused without a wait is the quota of batches again (held), not a rate to cut.
    clock.t = 10_000;
    expect(gate.batchesHeldMs()).toBe(0);
    gate.onRateLimited('batch');
    expect(gate.batchesHeldMs()).toBeGreaterThan(0);
    expect(gate.rate).toBe(rate);
  });

  it('a 429 on a single send still teaches the rate (batches follow the same pace)', () => {
    const { gate } = refusedAfterOneSecond();
    expect(gate.paced).toBe(true);
    expect(gate.rate).toBeLessThan(100);
    expect(gate.batchesHeldMs()).toBe(0);
    expect(gate.waitMs('batch')).toBeGreaterThan(0);
  });

  it('learns the server rate from 429s: ≥ 0.9 R with ≤ 2% answered 429', () => {
    for (const [rate, latencyMs] of [
      [200, 50],
      [50, 20],
      [500, 5],
    ] as const) {
      const r = simulate({ rate, latencyMs, concurrency: 64, seconds: 60 });
      expect(r.achieved, `R=${rate} L=${latencyMs}`).toBeGreaterThanOrEqual(0.9);
      expect(r.share429, `R=${rate} L=${latencyMs}`).toBeLessThanOrEqual(0.02);
    }
  });

  it('at a low limit (batches, R = 5 requests/s) learns it too, and stops probing past it', () => {
    const r = simulate({
      rate: 5,
      latencyMs: 50,
      concurrency: 8,
      seconds: 60,
      startRate: 20,
      kind: 'batch',
    });
    expect(r.achieved).toBeGreaterThanOrEqual(0.9);
    expect(r.share429).toBeLessThanOrEqual(0.02);
  });

  it('once the limit is learned, stays just below it: no 429 for the next 20 s', () => {
    const r = simulate({ rate: 200, latencyMs: 50, concurrency: 64, seconds: 21 });
    expect(r.achieved).toBeGreaterThanOrEqual(0.9);
    // Every 429 came while the limit was being found, in the first second.
    expect(r.lastLimitedAt).toBeLessThan(1_000);
  });

  it('a few 429s at the start and then none: back to full speed within seconds, not minutes', () => {
    // A walk: five 429s at the start of a month-end run (another client had spent the quota for
    // a moment) pinned the rate near 1/s, growing 1 % a second: 1,000 invoices took 261 s.
    // The access point here takes anything after its first five refusals (C/L = 1,280/s).
    const r = simulate({
      rate: 1_000_000,
      latencyMs: 50,
      concurrency: 64,
      seconds: 20,
      refuseFirst: 5,
    });
    expect(r.lastLimitedAt).toBeLessThan(1_000);
    // From the 10th second on, at least half the bound the concurrency allows (640/s).
    for (const n of r.okPerSecond.slice(10)) expect(n).toBeGreaterThanOrEqual(640);
  });

  it('429s at random (5 %, whatever the rate) do not drag the rate down: it stays near what the slots allow', () => {
    // Walk 11: an access point refusing 5 % of requests at random, unrelated to the rate, made
    // every 429 cut the rate again; it crawled to about 4 invoices/s. Here the server takes any
    // rate; the slots allow 10 / 50 ms = 200/s, and 95 % of that is answered without 429.
    const r = simulate({
      rate: 1_000_000,
      latencyMs: 50,
      concurrency: 10,
      seconds: 60,
      refuseShare: 0.05,
    });
    // From the 5th second on: on average at least 90 % of the 190/s the slots and refusals
    // allow, and no second under 60 % (a cut is tried and undone; before: 30/s and falling).
    const seconds = r.okPerSecond.slice(5);
    expect(seconds.reduce((a, b) => a + b, 0) / seconds.length).toBeGreaterThanOrEqual(171);
    for (const n of seconds) expect(n).toBeGreaterThanOrEqual(114);
  });

  it('a real limit under random 429s is still learned: ≥ 0.85 R, a few refusals beyond the random ones', () => {
    for (const [rate, refuseShare] of [
      [100, 0.02],
      [200, 0.05],
    ] as const) {
      const r = simulate({ rate, latencyMs: 50, concurrency: 64, seconds: 60, refuseShare });
      expect(r.achieved, `R=${rate} random ${refuseShare}`).toBeGreaterThanOrEqual(0.85);
      // Undoing a cut must not let the rate run far past the limit (an early try: 84 % refused).
      expect(r.share429, `R=${rate} random ${refuseShare}`).toBeLessThanOrEqual(refuseShare + 0.07);
    }
  });

  it('429s at random for half a minute (10–30 %, a busy gateway) never drag the rate to a crawl, and it is back within 40 s', () => {
    // Walk 15: 30 % of sends refused at random at an access point answering in 300 ms; each 429
    // cut the rate again and restarted the trial of the cut, down to half a request a second, and
    // once they stopped the rate grew back 1 % a second (still slow 13 minutes later).
    for (const refuseShare of [0.1, 0.2, 0.3]) {
      const r = simulate({
        rate: 1_000_000,
        latencyMs: 300,
        concurrency: 64,
        seconds: 150,
        refuseShare: (t) => (t >= 30_000 && t < 60_000 ? refuseShare : 0),
      });
      // 64 slots at 300 ms: 213 a second. While refused, at least a fifth of it (before: 3).
      const during = r.okPerSecond.slice(35, 60);
      expect(Math.min(...during), `random ${refuseShare}`).toBeGreaterThanOrEqual(40);
      // 40 s after they stop, all of it again (before: about half, after 90 s).
      const after = r.okPerSecond.slice(100);
      expect(Math.min(...after), `random ${refuseShare}`).toBeGreaterThanOrEqual(190);
    }
  });

  it('forgets what it learned once a drop is done and no 429 came for a while: the next drop starts fast', () => {
    // Walk 16: after one burst of random 429s, every later drop of the session started at 3–4
    // invoices a second and crept up half a request a second; a restart made it fast again.
    let t = 0;
    const gate = new RateGate({ now: () => t, startRate: 100 });
    for (; t < 3_000; t += 10) {
      if (gate.waitMs('single') > 0) continue;
      gate.take('single');
      if (t % 100 === 0) gate.onRateLimited('single', 1000);
      else gate.onAnswered('single');
    }
    const learned = gate.rate;
    expect(learned).toBeLessThan(100);
    // Still learned a moment after the last request (a pause within a drop).
    t += 5_000;
    gate.take('single');
    expect(gate.rate).toBe(learned);
    // A new drop 40 s later, nothing refused since: back to the slow start's rate.
    t += 40_000;
    gate.take('single');
    expect(gate.rate).toBe(100);
    expect(gate.paced).toBe(true);
  });

  it('halves when everything is refused, down to the minimum rate', () => {
    let t = 0;
    const gate = new RateGate({ now: () => t, minRate: 1 });
    for (let i = 0; i < 40; i++) {
      t += 300;
      gate.onRateLimited();
    }
    expect(gate.rate).toBe(1);
    expect(gate.rateLimited).toBe(40);
  });
});
