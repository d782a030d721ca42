/**
 * What an access point's answer about a sent document means: the one interpretation both the
 * single desk (./delivery.ts) and the team's desks (app/team/desk-poller.ts) apply. Pure: the
 * caller records the verdict its own way.
 */
import type { TransactionAnswer } from '../../access-point/client';
import type { DocumentState } from '../../contract';

/** How delivery is tracked (the pipeline's options, with their defaults applied). */
export interface DeliveryOptions {
  /** Delivery polling: first poll after this, then doubling up to the max. */
  pollInitialMs: number;
  pollMaxMs: number;
  /**
   * After delivery (or the buyer's last response), ask for the buyer's business response often
   * for this long (0: never ask); then, thinning out to at most once a day, until
   * {@link RESPONSE_TAIL_MS} (buyers answer in days or weeks: a walk saw a rejection that came
   * later never shown, the row "Delivered" for ever).
   */
  responseWindowMs: number;
  /**
   * The longest wait between two questions about the buyer's response (default ten times
   * `pollMaxMs`: 10 minutes); see {@link responsePollDelayMs}.
   */
  responsePollMaxMs?: number;
  /** Stop polling a transaction not confirmed delivered (or failed) this long after acceptance. */
  deliveryTimeoutMs: number;
  /**
   * A transaction the access point answers "not found" (404) about this long after acceptance
   * (default {@link NOT_FOUND_AFTER_MS}) is not asked about again, and the clerk is told.
   */
  notFoundAfterMs?: number;
}

/**
 * A 404 about a transaction accepted at least this long ago says the access point does not know
 * it (sooner, it may not have it on record yet). The built-in Sandbox forgets its transactions
 * when the app restarts: before, their documents said "Accepted" for the 7 days of the delivery
 * timeout, asked about every minute.
 */
export const NOT_FOUND_AFTER_MS = 10 * 60_000;

/** How long after the last news the buyer's response is asked about at all: 30 days. */
export const RESPONSE_TAIL_MS = 30 * 24 * 60 * 60_000;

/** The longest wait between two questions about the buyer's response after the window: a day. */
export const RESPONSE_TAIL_MAX_DELAY_MS = 24 * 60 * 60_000;

/** The single desk's delivery timings, which a team's desks use too unless told otherwise. */
export const DEFAULT_DELIVERY_OPTIONS: Readonly<DeliveryOptions> = {
  pollInitialMs: 2_000,
  pollMaxMs: 60_000,
  responseWindowMs: 60 * 60_000,
  deliveryTimeoutMs: 7 * 24 * 60 * 60_000,
};

/** What is known of a tracked document when its answer comes. */
export interface TrackedFacts {
  state: DocumentState;
  /** The access point is known to have forgotten what it accepted then (a restarted built-in
   * Sandbox): a 404 is final at once. */
  forgotten?: boolean;
  acceptedAt: number | null;
  deliveredAt: number | null;
  businessResponse: string | null;
  businessResponseAt: number | null;
}

/** A buyer's business response as recorded. */
export interface BuyerAnswer {
  code: string;
  note: string | null;
  at: number;
}

/** What to record (times are absolute, on the clock `now` was read from). */
export type DeliveryVerdict =
  /** Nothing new: ask again at `nextPollAt` (null: stop asking). */
  | { kind: 'wait'; nextPollAt: number | null }
  /** Never confirmed within the delivery timeout: stop asking and say so. */
  | { kind: 'stop'; lastStatus: string | null }
  /** The access point does not know the transaction (404, see NOT_FOUND_AFTER_MS). */
  | { kind: 'unknown' }
  /**
   * Delivered (or answered) already, and now the access point does not know the transaction
   * (404: it purged it, or forgot it): stop asking for the buyer's answer, and say so.
   */
  | { kind: 'forgotten' }
  | {
      kind: 'delivered';
      deliveredAt: number;
      nextPollAt: number | null;
      answer: BuyerAnswer | null;
    }
  | { kind: 'failed'; errorCode: string | null; error: string | null }
  | { kind: 'response'; answer: BuyerAnswer; nextPollAt: number | null };

const FINAL_TRANSACTION = new Set(['delivered', 'failed', 'rejected']);

function answerOf(tx: TransactionAnswer, now: number): BuyerAnswer {
  return {
    code: tx.businessResponse ?? '',
    note: tx.businessResponseNote ?? null,
    at: (tx.businessResponseAt && Date.parse(tx.businessResponseAt)) || now,
  };
}

/**
 * The wait before the next question about delivery, `age` after acceptance: soon after sending
 * (the clerk waits for the first answer, which the lifecycle gives in 5–35 s), then half the age,
 * at most `pollMaxMs` (a minute).
 */
export function deliveryPollDelayMs(age: number, options: DeliveryOptions): number {
  return Math.min(options.pollMaxMs, Math.max(options.pollInitialMs, age / 2));
}

/**
 * The wait before the next question about the buyer's response, `since` the last news (the
 * delivery or the last response): half that time, from `pollInitialMs` up to `responsePollMaxMs`
 * (10 minutes). A buyer answers in minutes or hours, not seconds, so the asking thins out as the
 * window passes: a response is seen at most half its own delay late (and at most 10 minutes),
 * and a document is asked about 21 times in a one-hour window instead of 69 (the delivery's
 * schedule, which the responses followed before). At 100,000 delivered documents that is at most
 * 100,000 / 600 s ≈ 170 questions a second once they are 20 minutes old, not ~1,700; the
 * poll budget (app/sender/poll-budget.ts) bounds what actually leaves.
 */
export function responsePollDelayMs(since: number, options: DeliveryOptions): number {
  const max = options.responsePollMaxMs ?? options.pollMaxMs * 10;
  return Math.min(max, Math.max(options.pollInitialMs, since / 2));
}

/**
 * When to ask next about the buyer's response, `quiet` after the last news (null: not again):
 * within the window on {@link responsePollDelayMs}; after it, half the quiet time, at most a day,
 * until {@link RESPONSE_TAIL_MS}; never with no window at all (after a final response, paid or
 * rejected, the lifecycle asks no more: isFinalResponse).
 * At 100,000 invoices a month that is about one question a second on average once they are two
 * days old (and the poll budget bounds what leaves).
 */
function nextResponsePoll(quiet: number, options: DeliveryOptions, now: number): number | null {
  if (options.responseWindowMs <= 0) return null;
  if (quiet <= options.responseWindowMs) return now + responsePollDelayMs(quiet, options);
  if (quiet > Math.max(RESPONSE_TAIL_MS, options.responseWindowMs)) return null;
  const tail = Math.max(responsePollDelayMs(quiet, options), quiet / 2);
  return now + Math.min(RESPONSE_TAIL_MAX_DELAY_MS, tail);
}

/** Judge the access point's answer `tx` (null: none) about document `d` at `now`. */
export function judgeTransaction(
  d: TrackedFacts,
  tx: TransactionAnswer | null,
  options: DeliveryOptions,
  now: number,
  /** The access point answered 404 about the transaction. */
  notFound = false,
): DeliveryVerdict {
  const age = now - (d.acceptedAt ?? now);
  const nextPoll = now + deliveryPollDelayMs(age, options);
  if (d.state !== 'accepted') {
    // The access point no longer knows it: asking on would be ~59 useless requests per invoice
    // over the 30 days of the response tail (a walk: 20 a second against a reset access point).
    // Not in the minutes after delivery, when an access point may not have caught up with itself.
    const known = now - (d.deliveredAt ?? d.acceptedAt ?? now);
    if (!tx && notFound && known >= (options.notFoundAfterMs ?? NOT_FOUND_AFTER_MS))
      return { kind: 'forgotten' };
    // Delivered (or answered) already: only waiting for the buyer's next business response,
    // for a bounded time after the last news.
    const since = d.businessResponseAt ?? d.deliveredAt ?? now;
    const response = tx?.businessResponse ?? null;
    if (response && response !== d.businessResponse) {
      // New news: the window and the schedule start again from now.
      const again = nextResponsePoll(0, options, now);
      return { kind: 'response', answer: answerOf(tx!, now), nextPollAt: again };
    }
    const quiet = now - since;
    return { kind: 'wait', nextPollAt: nextResponsePoll(quiet, options, now) };
  }
  if (!tx && notFound && (d.forgotten || age >= (options.notFoundAfterMs ?? NOT_FOUND_AFTER_MS)))
    return { kind: 'unknown' };
  if (!tx || !FINAL_TRANSACTION.has(tx.status)) {
    // Bounded: an unknown or never-final transaction is not asked about forever.
    if (age >= options.deliveryTimeoutMs) return { kind: 'stop', lastStatus: tx?.status ?? null };
    return { kind: 'wait', nextPollAt: nextPoll };
  }
  if (tx.status === 'delivered') {
    const deliveredAt = tx.deliveredAt ? Date.parse(tx.deliveredAt) || now : now;
    // The buyer's answer is asked about on the response schedule, from the delivery.
    const since = Math.max(0, now - deliveredAt);
    return {
      kind: 'delivered',
      deliveredAt,
      nextPollAt: nextResponsePoll(since, options, now),
      // Delivery and the buyer's answer read in one poll: both steps on the timeline.
      answer: tx.businessResponse ? answerOf(tx, now) : null,
    };
  }
  return { kind: 'failed', errorCode: tx.errorCode ?? null, error: tx.error };
}
