import type { AccessPointClient, ApOutcome, TransactionAnswer } from '../../access-point/client';
import { PollBudget } from '../../sender/poll-budget';
import type { DocumentRecord } from '../../store/documents-repo';
import type { StageContext } from './context';
import { judgeTransaction, type BuyerAnswer, type DeliveryOptions } from './delivery-judge';

export type { DeliveryOptions } from './delivery-judge';

/** What the delivery tracking stage needs besides the common context. */
export interface DeliveryContext extends StageContext {
  /** The access point in use as documents are pinned to it (read at use: a reconnect swaps it). */
  readonly accessPoint: string | undefined;
  /** True while the access point in use does not answer: it is not polled then. */
  offline(): boolean;
  /** False once the pipeline stops or switches: rounds under way ask nothing more. */
  running(): boolean;
  /** An earlier access point's client is no longer needed (the engine closes it). */
  onEarlierDone?(accessPoint: string, client: AccessPointClient): void;
}

/** The status requests' budget per access point: rate and number in flight. */
export interface PollBudgetLimits {
  perSecond?: number;
  inFlight: number;
}

const POLL_BATCH = 200;
/**
 * A list request (`GET /transactions?limit=N`, the newest N) is made for a round of at least this
 * many due documents, and is worth it only while it answers at least this many of them. It does
 * not once the documents due are older than the newest N (a month-end drop's buyer responses):
 * rounds then ask one by one, and a list is tried again after LIST_RETRY_MS.
 */
const LIST_POLL_THRESHOLD = 8;
const LIST_RETRY_MS = 30_000;
/**
 * Answers of a round recorded per commit. A round's 200 answers in one turn held the engine's
 * thread up to 161 ms at 100,000 documents (issue 9 point 5): they are recorded this many at a
 * time, the thread given back in between (each part is redone after a power cut, as the whole
 * round was).
 */
export const DELIVERY_COMMIT_MAX = 50;

/** A 429: the access point refused to answer now (nothing learnt about the document). */
function isThrottled(outcome: ApOutcome<unknown>): boolean {
  return outcome.kind === 'transient' && outcome.status === 429;
}

/** Give the event loop a turn (requests, answers, timers) between two parts of a round. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Delivery tracking: documents the access point accepted are asked about (one list request for
 * many, the rest one by one, one commit per round) until delivered, failed or given up, then for
 * the buyer's business response within the response window. Documents accepted at an earlier
 * access point are asked about there, through that access point's own client.
 */
export class DeliveryTracking {
  private polling = 0;
  /** Earlier access points with documents awaiting delivery there, each with its own client. */
  private readonly earlier = new Map<string, AccessPointClient>();
  /** Earlier access points with a poll round out. */
  private readonly pollingEarlier = new Set<string>();
  /** Each access point's poll budget (by its client: one client per access point and key). */
  private readonly budgets = new WeakMap<AccessPointClient, PollBudget>();
  /** When a list request answered too few of its round, by client (lists wait LIST_RETRY_MS). */
  private readonly listUseless = new WeakMap<AccessPointClient, number>();

  constructor(
    private readonly ctx: DeliveryContext,
    private readonly options: DeliveryOptions,
    private readonly limits: PollBudgetLimits = { inFlight: 8 },
  ) {}

  /** The poll budget of the access point `client` talks to. */
  budget(client: AccessPointClient = this.ctx.client): PollBudget {
    let budget = this.budgets.get(client);
    if (!budget) {
      budget = new PollBudget({ ...this.limits, random: this.ctx.random });
      this.budgets.set(client, budget);
    }
    return budget;
  }

  /**
   * Any answer of the access point in use (a send's too): a 429 stops the polls for a while
   * (see app/sender/poll-budget.ts), so the sends keep the rate the access point allows.
   */
  noteOutcome(outcome: ApOutcome<unknown>): void {
    this.budget().note(outcome, false);
  }

  /** Stopping or switching: rounds waiting for a turn ask nothing more. */
  interrupt(): void {
    this.budget().cancelWaiting();
    for (const client of this.earlier.values()) this.budget(client).cancelWaiting();
  }

  /**
   * When polls are due (past times included: a round could not start): the access point in use
   * unless `offline`, and each earlier access point without a round out.
   */
  dueTimes(offline: boolean): number[] {
    const { repo } = this.ctx;
    const times: number[] = [];
    // After a 429 (the budget's own monotonic clock), not before its pause ends.
    const now = this.ctx.now();
    if (!offline) {
      const pollAt = repo.nextPollAt(this.ctx.accessPoint ?? null);
      if (pollAt !== null) times.push(Math.max(pollAt, now + this.budget().pauseLeftMs()));
    }
    for (const [accessPoint, client] of this.earlier) {
      if (this.pollingEarlier.has(accessPoint)) continue;
      const pollAt = repo.nextPollAt(accessPoint);
      if (pollAt !== null) times.push(Math.max(pollAt, now + this.budget(client).pauseLeftMs()));
    }
    return times;
  }

  /** Start the rounds of questions that are due (one per access point at a time). */
  pump(now: number): void {
    this.pumpEarlierPolls(now);
    if (this.ctx.offline() || this.polling > 0) return;
    const { client } = this.ctx;
    const due = this.duePolls(now, client, this.ctx.accessPoint ?? null);
    if (due.length === 0) return;
    this.polling++;
    this.ctx.track(
      this.pollRound(due, client, (o) => this.ctx.noteOutcome(o)).finally(() => {
        this.polling--;
      }),
    );
  }

  /**
   * Documents accepted at an earlier access point are asked about there, through that access
   * point's own client (one per access point, a bounded few). What it answers does not change the
   * connection state: that is about the access point in use. Once nothing waits there any more,
   * its client is handed back (the engine closes it and forgets its key).
   */
  private pumpEarlierPolls(now: number): void {
    const { repo } = this.ctx;
    for (const [accessPoint, client] of this.earlier) {
      if (this.pollingEarlier.has(accessPoint)) continue;
      if (accessPoint === this.ctx.accessPoint) {
        // In use again: its documents are polled with the current client.
        this.releaseEarlier(accessPoint, client);
        continue;
      }
      if (this.budget(client).paused()) continue;
      const due = this.duePolls(now, client, accessPoint);
      if (due.length === 0) {
        if (repo.nextPollAt(accessPoint) === null) this.releaseEarlier(accessPoint, client);
        continue;
      }
      this.pollingEarlier.add(accessPoint);
      this.ctx.track(
        this.pollRound(due, client, () => undefined).finally(() => {
          this.pollingEarlier.delete(accessPoint);
        }),
      );
    }
  }

  private releaseEarlier(accessPoint: string, client: AccessPointClient): void {
    this.earlier.delete(accessPoint);
    this.ctx.onEarlierDone?.(accessPoint, client);
  }

  /**
   * Keep asking `accessPoint` (not the one in use) about the documents it accepted, through
   * `client`, until none waits there any more.
   */
  pollEarlier(accessPoint: string, client: AccessPointClient): void {
    const previous = this.earlier.get(accessPoint);
    if (previous === client) return;
    if (previous) this.ctx.onEarlierDone?.(accessPoint, previous);
    this.earlier.set(accessPoint, client);
    this.ctx.kick();
  }

  /** The earlier access points still polled (tests, diagnostics). */
  earlierAccessPoints(): string[] {
    return [...this.earlier.keys()];
  }

  /**
   * The documents one round asks about at `accessPoint` (none while its budget is paused): a
   * list request's worth when a list may answer them, otherwise what the budget affords in about
   * a second. The others stay due and are asked in a later round (nothing is lost; the delivery
   * timeout and the response window are measured from acceptance and delivery, not from polls).
   */
  private duePolls(
    now: number,
    client: AccessPointClient,
    accessPoint: string | null,
  ): DocumentRecord[] {
    const budget = this.budget(client);
    if (budget.paused()) return [];
    const limit = this.listWorthTrying(client, now) ? POLL_BATCH : budget.perRound();
    return this.ctx.repo.duePolls(now, limit, accessPoint);
  }

  private listWorthTrying(client: AccessPointClient, now: number): boolean {
    const useless = this.listUseless.get(client);
    return useless === undefined || now - useless >= LIST_RETRY_MS;
  }

  /**
   * One round of status questions to one access point, within its budget: a list request when
   * many are due, then the others one by one (at most the budget's round, the rest stay due),
   * recorded a few commits at a time.
   */
  private async pollRound(
    due: DocumentRecord[],
    client: AccessPointClient,
    note: (outcome: ApOutcome<unknown>) => void,
  ): Promise<void> {
    const { repo } = this.ctx;
    const budget = this.budget(client);
    const ask = async <T>(call: () => Promise<ApOutcome<T>>): Promise<ApOutcome<T> | null> => {
      if (!this.ctx.running() || !(await budget.take())) return null;
      try {
        const outcome = await call();
        // The budget first (a poll's 429 halves its rate), then the connection's health.
        budget.note(outcome, true);
        note(outcome);
        return outcome;
      } finally {
        budget.release();
      }
    };
    // Many due at once: one list request answers most of them; the rest are asked one by one.
    const known = new Map<string, TransactionAnswer>();
    if (due.length >= LIST_POLL_THRESHOLD && this.listWorthTrying(client, this.ctx.now())) {
      const listed = await ask(() => client.transactions(Math.min(1000, due.length * 4)));
      if (listed?.kind === 'ok') for (const tx of listed.value) known.set(tx.id, tx);
      if (listed?.kind === 'ok') {
        const answered = due.filter((d) => known.has(d.transaction_id ?? '')).length;
        if (answered >= LIST_POLL_THRESHOLD) this.listUseless.delete(client);
        else this.listUseless.set(client, this.ctx.now());
      }
    }
    const answers: { d: DocumentRecord; tx: TransactionAnswer | null }[] = [];
    const single: DocumentRecord[] = [];
    for (const d of due) {
      const tx = known.get(d.transaction_id ?? '');
      if (tx) answers.push({ d, tx });
      else if (single.length < budget.perRound()) single.push(d);
    }
    // The budget's lanes, each asking the next document once its answer is in. A document not
    // asked (paused by a 429, stopping), or refused with a 429, is left as it is: still due, it
    // is asked once the pause is over.
    const next = single.values();
    const lane = async (): Promise<void> => {
      for (let d = next.next(); !d.done; d = next.next()) {
        const outcome = await ask(() => client.transaction(d.value.transaction_id ?? ''));
        if (!outcome || isThrottled(outcome)) return;
        answers.push({ d: d.value, tx: outcome.kind === 'ok' ? outcome.value : null });
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(budget.maxInFlight, single.length) }, () => lane()),
    );
    // A few commits for the round, not one synced commit per document (that was the engine's
    // main cost with delivery tracked), nor one long turn. Not synced: a power cut only means
    // asking again. No new round starts before the last part (this round is still `polling`).
    for (let i = 0; i < answers.length; i += DELIVERY_COMMIT_MAX) {
      if (i > 0) await yieldToEventLoop();
      const part = answers.slice(i, i + DELIVERY_COMMIT_MAX);
      repo.txRedoable(() => {
        for (const { d, tx } of part) this.applyTransaction(d, tx);
      });
    }
  }

  /** Record what the access point says about a sent document (judged by ./delivery-judge). */
  private applyTransaction(d: DocumentRecord, tx: TransactionAnswer | null): void {
    const { repo, metrics, lifecycle } = this.ctx;
    const t = this.ctx.now();
    const v = judgeTransaction(
      {
        state: d.state,
        acceptedAt: d.accepted_at,
        deliveredAt: d.delivered_at,
        businessResponse: d.business_response,
        businessResponseAt: d.business_response_at,
      },
      tx,
      this.options,
      t,
    );
    switch (v.kind) {
      case 'wait':
        repo.patch(d.id, { next_poll_at: v.nextPollAt });
        return;
      case 'stop':
        lifecycle.stopTracking(d, this.options.deliveryTimeoutMs, v.lastStatus);
        return;
      case 'response':
        this.applyResponse(d, d.state, v.answer, v.nextPollAt);
        return;
      case 'failed':
        lifecycle.failDelivery(d, v.errorCode, v.error);
        return;
      case 'delivered':
        repo.tx(() => {
          lifecycle.deliver(d, v.deliveredAt, v.nextPollAt);
          if (v.answer) this.applyResponse(d, 'delivered', v.answer, v.nextPollAt);
        });
        metrics.recordLatency('delivery', t - (d.accepted_at ?? t));
    }
  }

  /** A buyer's business response, recorded by the lifecycle (final answers end the polling). */
  private applyResponse(
    d: DocumentRecord,
    from: DocumentRecord['state'],
    answer: BuyerAnswer,
    nextPoll: number | null,
  ): void {
    this.ctx.lifecycle.recordResponse(d, from, answer, nextPoll);
  }
}
