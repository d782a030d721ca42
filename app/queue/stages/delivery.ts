import type { AccessPointClient, ApOutcome, TransactionAnswer } from '../../access-point/client';
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
  /** An earlier access point's client is no longer needed (the engine closes it). */
  onEarlierDone?(accessPoint: string, client: AccessPointClient): void;
}

const POLL_BATCH = 200;
const LIST_POLL_THRESHOLD = 8;
/**
 * Answers of a round recorded per commit. A round's 200 answers in one turn held the engine's
 * thread up to 161 ms at 100,000 documents (issue 9 point 5): they are recorded this many at a
 * time, the thread given back in between (each part is redone after a power cut, as the whole
 * round was).
 */
export const DELIVERY_COMMIT_MAX = 50;

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

  constructor(
    private readonly ctx: DeliveryContext,
    private readonly options: DeliveryOptions,
  ) {}

  /**
   * When polls are due (past times included: a round could not start): the access point in use
   * unless `offline`, and each earlier access point without a round out.
   */
  dueTimes(offline: boolean): number[] {
    const { repo } = this.ctx;
    const times: number[] = [];
    if (!offline) {
      const pollAt = repo.nextPollAt(this.ctx.accessPoint ?? null);
      if (pollAt !== null) times.push(pollAt);
    }
    for (const accessPoint of this.earlier.keys()) {
      if (this.pollingEarlier.has(accessPoint)) continue;
      const pollAt = repo.nextPollAt(accessPoint);
      if (pollAt !== null) times.push(pollAt);
    }
    return times;
  }

  /** Start the rounds of questions that are due (one per access point at a time). */
  pump(now: number): void {
    this.pumpEarlierPolls(now);
    if (this.ctx.offline() || this.polling > 0) return;
    const { repo, client } = this.ctx;
    const due = repo.duePolls(now, POLL_BATCH, this.ctx.accessPoint ?? null);
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
      const due = repo.duePolls(now, POLL_BATCH, accessPoint);
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

  /** One round of status questions to one access point, recorded in one commit. */
  private async pollRound(
    due: DocumentRecord[],
    client: AccessPointClient,
    note: (outcome: ApOutcome<unknown>) => void,
  ): Promise<void> {
    const { repo } = this.ctx;
    // Many due at once: one list request answers most of them; the rest are asked one by one.
    const known = new Map<string, TransactionAnswer>();
    if (due.length >= LIST_POLL_THRESHOLD) {
      const listed = await client.transactions(Math.min(1000, due.length * 4));
      note(listed);
      if (listed.kind === 'ok') for (const tx of listed.value) known.set(tx.id, tx);
    }
    const answers = await Promise.all(
      due.map(async (d) => {
        let tx = known.get(d.transaction_id ?? '') ?? null;
        if (!tx) {
          const outcome = await client.transaction(d.transaction_id ?? '');
          note(outcome);
          tx = outcome.kind === 'ok' ? outcome.value : null;
        }
        return { d, tx };
      }),
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
