/**
 * When a sent document is asked about (app/queue/stages/delivery-judge.ts, both desks): delivery
 * keeps its quick start (2 s, then half the age, at most a minute); the buyer's response is asked
 * about less and less often as the window passes (half the time since the last news, up to ten
 * minutes) for an hour, then at most once a day until 30 days without news (a walk: a buyer's
 * rejection days later was never seen); the delivery timeout is still counted from acceptance.
 */
import { describe, expect, it } from 'vitest';
import type { TransactionAnswer } from '../../app/access-point/client';
import {
  DEFAULT_DELIVERY_OPTIONS as OPTIONS,
  RESPONSE_TAIL_MS,
  judgeTransaction,
  type TrackedFacts,
} from '../../app/queue/stages/delivery-judge';

const S = 1_000;
const MIN = 60 * S;
const T0 = 1_700_000_000_000;

function tx(patch: Partial<TransactionAnswer> = {}): TransactionAnswer {
  return {
    id: 'tx',
    status: 'sending',
    deliveredAt: null,
    error: null,
    businessResponse: null,
    ...patch,
  };
}

const accepted: TrackedFacts = {
  state: 'accepted',
  acceptedAt: T0,
  deliveredAt: null,
  businessResponse: null,
  businessResponseAt: null,
};
const delivered: TrackedFacts = { ...accepted, state: 'delivered', deliveredAt: T0 };

/** The next poll's delay (ms) after a quiet answer `at`, or null when the asking ends. */
function waitAfter(d: TrackedFacts, at: number, answer = tx()): number | null {
  const v = judgeTransaction(d, answer, OPTIONS, at);
  if (v.kind !== 'wait') throw new Error(`expected wait, got ${v.kind}`);
  return v.nextPollAt === null ? null : v.nextPollAt - at;
}

describe('delivery poll schedule', () => {
  it('delivery keeps its quick start: 2 s, then half the age since acceptance, at most 1 min', () => {
    expect(waitAfter(accepted, T0)).toBe(2 * S);
    expect(waitAfter(accepted, T0 + 3 * S)).toBe(2 * S);
    expect(waitAfter(accepted, T0 + 20 * S)).toBe(10 * S);
    expect(waitAfter(accepted, T0 + 30 * MIN)).toBe(MIN);
    expect(waitAfter(accepted, T0 + 3 * 24 * 60 * MIN)).toBe(MIN);
  });

  it('the delivery timeout is counted from acceptance, however late the poll', () => {
    const v = judgeTransaction(accepted, tx(), OPTIONS, T0 + OPTIONS.deliveryTimeoutMs);
    expect(v).toEqual({ kind: 'stop', lastStatus: 'sending' });
  });

  it("the buyer's response: half the time since delivery, from 2 s up to 10 min, for an hour", () => {
    expect(waitAfter(delivered, T0)).toBe(2 * S);
    expect(waitAfter(delivered, T0 + 10 * S)).toBe(5 * S);
    expect(waitAfter(delivered, T0 + 10 * MIN)).toBe(5 * MIN);
    expect(waitAfter(delivered, T0 + 20 * MIN)).toBe(10 * MIN);
    expect(waitAfter(delivered, T0 + 59 * MIN)).toBe(10 * MIN);
  });

  it('then half the quiet time, at most a day, until 30 days without news', () => {
    const HOUR = 60 * MIN;
    const DAY = 24 * HOUR;
    expect(waitAfter(delivered, T0 + HOUR + 1)).toBe(30 * MIN + 0.5);
    expect(waitAfter(delivered, T0 + 10 * HOUR)).toBe(5 * HOUR);
    expect(waitAfter(delivered, T0 + 3 * DAY)).toBe(DAY);
    expect(waitAfter(delivered, T0 + 30 * DAY)).toBe(DAY);
    // Thirty days without news: this answer is the last one asked for.
    expect(waitAfter(delivered, T0 + 30 * DAY + 1)).toBeNull();
    expect(RESPONSE_TAIL_MS).toBe(30 * DAY);
    // No window at all (tests that never ask): nothing later either.
    const never = { ...OPTIONS, responseWindowMs: 0 };
    const v = judgeTransaction(delivered, tx(), never, T0 + 2 * DAY);
    expect(v).toEqual({ kind: 'wait', nextPollAt: null });
  });

  it('a delivery heard of late (the desk was closed) is asked about on the tail schedule', () => {
    const at = T0 + 2 * 60 * MIN;
    const v = judgeTransaction(
      accepted,
      tx({ status: 'delivered', deliveredAt: new Date(T0).toISOString() }),
      OPTIONS,
      at,
    );
    expect(v).toMatchObject({ kind: 'delivered', nextPollAt: at + 60 * MIN });
  });

  it('asks ~20 times in the hour after delivery (the delivery schedule asked 69 times), ~50 more in the month', () => {
    const count = (next: (sinceDelivery: number) => number | null) => {
      let at = T0;
      let polls = 0;
      for (let wait = next(0); wait !== null && polls < 1_000; wait = next(at - T0)) {
        at += wait;
        polls++;
      }
      return { polls, lastAt: at - T0 };
    };
    const hour = count((since) =>
      since > OPTIONS.responseWindowMs ? null : waitAfter(delivered, T0 + since),
    );
    expect(hour.polls).toBe(21);
    // The last question of the hour comes after it: an answer given within it is never missed.
    expect(hour.lastAt).toBeGreaterThan(OPTIONS.responseWindowMs);
    const month = count((since) => waitAfter(delivered, T0 + since));
    expect(month.polls).toBe(59);
    expect(month.lastAt).toBeGreaterThan(RESPONSE_TAIL_MS);
    // Before: the delivery's schedule (from acceptance, at most a minute), for the same hour.
    const before = count((since) =>
      since > OPTIONS.responseWindowMs ? null : Math.min(MIN, Math.max(2 * S, since / 2)),
    );
    expect(before.polls).toBe(69);
  });

  it('delivered: the first response question comes on the response schedule from the delivery time', () => {
    const at = T0 + 30 * S;
    const v = judgeTransaction(
      accepted,
      tx({ status: 'delivered', deliveredAt: new Date(T0 + 10 * S).toISOString() }),
      OPTIONS,
      at,
    );
    expect(v).toMatchObject({
      kind: 'delivered',
      deliveredAt: T0 + 10 * S,
      nextPollAt: at + 10 * S,
    });
  });

  it('news from the buyer starts the schedule and the window again', () => {
    const at = T0 + 40 * MIN;
    const v = judgeTransaction(
      delivered,
      tx({
        status: 'delivered',
        businessResponse: 'AB',
        businessResponseAt: new Date(at).toISOString(),
      }),
      OPTIONS,
      at,
    );
    expect(v).toMatchObject({ kind: 'response', nextPollAt: at + 2 * S });
    const acknowledged = {
      ...delivered,
      state: 'acknowledged' as const,
      businessResponse: 'AB',
      businessResponseAt: at,
    };
    expect(waitAfter(acknowledged, at + 10 * MIN)).toBe(5 * MIN);
    expect(waitAfter(acknowledged, at + 59 * MIN)).toBe(10 * MIN);
    expect(waitAfter(acknowledged, at + 61 * MIN)).toBe(30.5 * MIN);
  });

  it('tests shorten it with pollMaxMs: the response wait is at most ten times it', () => {
    const short = { ...OPTIONS, pollInitialMs: 30, pollMaxMs: 100 };
    const v = judgeTransaction(delivered, tx(), short, T0 + 30 * S);
    expect(v).toEqual({ kind: 'wait', nextPollAt: T0 + 31 * S });
  });
});

describe('a delivered invoice whose transaction the access point no longer knows (404)', () => {
  it('is no longer asked about for the buyer’s answer, except in the minutes after delivery', () => {
    // A walk: a reset access point was asked 20 times a second about 10,000 delivered invoices,
    // which over the 30-day tail would be ~590,000 requests answered 404.
    expect(judgeTransaction(delivered, null, OPTIONS, T0 + 2 * 60 * MIN, true)).toEqual({
      kind: 'forgotten',
    });
    const answered = { ...delivered, state: 'under_query' as const, businessResponse: 'UQ' };
    expect(judgeTransaction(answered, null, OPTIONS, T0 + 3 * 24 * 60 * MIN, true).kind).toBe(
      'forgotten',
    );
    // Just delivered: the access point may not have caught up with itself yet.
    expect(judgeTransaction(delivered, null, OPTIONS, T0 + 2 * MIN, true).kind).toBe('wait');
    // No answer at all (a timeout, a 5xx): asked again as before.
    expect(judgeTransaction(delivered, null, OPTIONS, T0 + 2 * 60 * MIN, false).kind).toBe('wait');
  });
});
