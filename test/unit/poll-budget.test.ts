/**
 * The poll budget (app/sender/poll-budget.ts) on a fake clock: requests per second and in flight
 * never above the budget, a 429 stops the polls for its Retry-After (or a backoff), a poll's 429
 * halves the rate for a while, and the in-flight count follows the send concurrency.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApOutcome } from '../../app/access-point/client';
import { PollBudget, pollsInFlightFor } from '../../app/sender/poll-budget';

afterEach(() => {
  vi.useRealTimers();
});

function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
}

const OK: ApOutcome<unknown> = { kind: 'ok', value: null, status: 200 };
function throttled(retryAfterMs: number | null): ApOutcome<unknown> {
  return { kind: 'transient', status: 429, retryAfterMs, message: 'slow down', offline: false };
}

/** `n` callers asking through `budget`, each answer taking `answerMs`; what the budget let out. */
function drive(budget: PollBudget, n: number, answerMs: number) {
  const startedAt: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    void budget.take().then((granted) => {
      if (!granted) {
        refused++;
        return;
      }
      startedAt.push(performance.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        budget.release();
      }, answerMs);
    });
  }
  return {
    startedAt,
    maxInFlight: () => maxInFlight,
    refused: () => refused,
  };
}

/** The most requests started in any one-second window (half-open). */
function busiestSecond(startedAt: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < startedAt.length; i++) {
    while (startedAt[i]! - startedAt[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('poll budget', () => {
  it('lets out at most its rate per second and its number in flight, and no fewer when asked for more', async () => {
    fakeClock();
    const budget = new PollBudget({ perSecond: 20, inFlight: 3 });
    // Answers in 120 ms: three in flight could do 25 a second, the rate holds them to 20.
    const run = drive(budget, 500, 120);
    for (let ms = 0; ms < 10_000; ms += 10) await vi.advanceTimersByTimeAsync(10);
    expect(busiestSecond(run.startedAt)).toBeLessThanOrEqual(20);
    expect(run.maxInFlight()).toBe(3);
    // Not starved either: 10 s at 20 a second (the first at once).
    expect(run.startedAt.length).toBeGreaterThanOrEqual(195);
    expect(run.startedAt.length).toBeLessThanOrEqual(201);
    expect(budget.granted).toBe(run.startedAt.length);
  });

  it('slow answers: in flight is the bound (never more than its slots)', async () => {
    fakeClock();
    const budget = new PollBudget({ perSecond: 20, inFlight: 2 });
    const run = drive(budget, 50, 1_000);
    for (let ms = 0; ms < 5_000; ms += 10) await vi.advanceTimersByTimeAsync(10);
    expect(run.maxInFlight()).toBe(2);
    expect(busiestSecond(run.startedAt)).toBeLessThanOrEqual(2);
    expect(budget.waiting).toBeGreaterThan(0);
  });

  it('a 429 with Retry-After stops every poll for that long: waiting ones get no turn', async () => {
    fakeClock();
    const budget = new PollBudget({ perSecond: 20, inFlight: 4 });
    const run = drive(budget, 10, 50);
    await vi.advanceTimersByTimeAsync(100);
    const before = run.startedAt.length;
    expect(before).toBeGreaterThan(0);
    budget.note(throttled(3_000), true);
    // Those waiting are told no (their documents stay due); new ones too, until it is over.
    await vi.advanceTimersByTimeAsync(0);
    expect(run.refused()).toBe(10 - before);
    expect(budget.paused()).toBe(true);
    expect(budget.pauseLeftMs()).toBe(3_000);
    expect(await budget.take()).toBe(false);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(await budget.take()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(budget.paused()).toBe(false);
    expect(await budget.take()).toBe(true);
  });

  it('a 429 without Retry-After backs off from 2 s, doubling up to a minute; refusals together count once; an answer ends it', () => {
    fakeClock();
    // No jitter at random() = 1: the pause is the whole backoff.
    const budget = new PollBudget({ perSecond: 20, inFlight: 4, random: () => 1 });
    const pauses: number[] = [];
    for (let i = 0; i < 7; i++) {
      budget.note(throttled(null), false);
      pauses.push(budget.pauseLeftMs());
      // The other requests out at the time are refused too: the same signal.
      budget.note(throttled(null), false);
      expect(budget.pauseLeftMs()).toBe(pauses.at(-1));
      vi.advanceTimersByTime(budget.pauseLeftMs());
    }
    expect(pauses).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    budget.note(OK, true);
    budget.note(throttled(null), false);
    expect(budget.pauseLeftMs()).toBe(2_000);
  });

  it("a poll's 429 halves the rate, which grows back by 5 % of it a second; a send's leaves it", () => {
    fakeClock();
    const budget = new PollBudget({ perSecond: 20, inFlight: 4 });
    budget.note(throttled(1_000), false);
    expect(budget.rate).toBe(20);
    vi.advanceTimersByTime(1_000);
    budget.note(throttled(1_000), true);
    expect(budget.rate).toBe(10);
    vi.advanceTimersByTime(5_000);
    expect(budget.rate).toBeCloseTo(15, 5);
    vi.advanceTimersByTime(5_000);
    expect(budget.rate).toBe(20);
  });

  it('a team desk shares the rate: setRate changes the pace', async () => {
    fakeClock();
    const budget = new PollBudget({ perSecond: 20, inFlight: 8 });
    budget.setRate(5);
    const run = drive(budget, 100, 10);
    for (let ms = 0; ms < 4_000; ms += 10) await vi.advanceTimersByTimeAsync(10);
    expect(busiestSecond(run.startedAt)).toBeLessThanOrEqual(5);
    expect(run.startedAt.length).toBeGreaterThanOrEqual(19);
  });

  it('in flight is half the send concurrency, 1 to 8 (auto: 8)', () => {
    expect([1, 2, 4, 10, 16, 64].map(pollsInFlightFor)).toEqual([1, 1, 2, 5, 8, 8]);
    expect(pollsInFlightFor('auto')).toBe(8);
  });
});
