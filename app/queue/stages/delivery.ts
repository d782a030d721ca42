import type { AccessPointClient, ApOutcome, TransactionAnswer } from '../../access-point/client';
import type { DocumentRecord } from '../../store/documents-repo';
import type { StageContext } from './context';

/** How delivery is tracked (the pipeline's options, with their defaults applied). */
export interface DeliveryOptions {
  /** Delivery polling: first poll after this, then doubling up to the max. */
  pollInitialMs: number;
  pollMaxMs: number;
  /** After delivery, keep asking for the buyer's business response this long. */
  responseWindowMs: number;
  /** Stop polling a transaction not confirmed delivered (or failed) this long after acceptance. */
  deliveryTimeoutMs: number;
}

/** What the delivery tracking stage needs besides the common context. */
export interface DeliveryContext extends StageContext {
  /** The access point in use as documents are pinned to it (read at use: a reconnect swaps it). */
  readonly accessPoint: string | undefined;
  /** True while the access point in use does not answer: it is not polled then. */
  offline(): boolean;
  /** An earlier access point's client is no longer needed (the engine closes it). */
  onEarlierDone?(accessPoint: string, client: AccessPointClient): void;
}

const FINAL_TRANSACTION = new Set(['delivered', 'failed', 'rejected']);
const POLL_BATCH = 200;
const LIST_POLL_THRESHOLD = 8;

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
    // One commit for the round, not one synced commit per document (that was the engine's
    // main cost with delivery tracked). Not synced: a power cut only means asking again.
    repo.txRedoable(() => {
      for (const { d, tx } of answers) this.applyTransaction(d, tx);
    });
  }

  /** Record what the access point says about a sent document; unknown statuses mean in flight. */
  private applyTransaction(d: DocumentRecord, tx: TransactionAnswer | null): void {
    const { repo, metrics } = this.ctx;
    const t = this.ctx.now();
    const age = t - (d.accepted_at ?? t);
    // Adaptive: poll soon after sending, then less often (bounded by pollMaxMs).
    const nextPoll =
      t + Math.min(this.options.pollMaxMs, Math.max(this.options.pollInitialMs, age / 2));
    if (d.state !== 'accepted') {
      // Delivered (or answered) already: only waiting for the buyer's next business response,
      // for a bounded time after the last news.
      const since = d.business_response_at ?? d.delivered_at ?? t;
      const response = tx?.businessResponse ?? null;
      if (response && response !== d.business_response) {
        this.applyResponse(d, d.state, tx!, nextPoll);
      } else {
        repo.patch(d.id, {
          next_poll_at: t - since > this.options.responseWindowMs ? null : nextPoll,
        });
      }
      return;
    }
    if (!tx || !FINAL_TRANSACTION.has(tx.status)) {
      if (age >= this.options.deliveryTimeoutMs) {
        // Bounded: an unknown or never-final transaction is not asked about forever.
        this.ctx.lifecycle.stopTracking(d, this.options.deliveryTimeoutMs, tx?.status ?? null);
        return;
      }
      repo.patch(d.id, { next_poll_at: nextPoll });
      return;
    }
    if (tx.status === 'delivered') {
      repo.tx(() => {
        this.ctx.lifecycle.deliver(
          d,
          tx.deliveredAt ? Date.parse(tx.deliveredAt) || t : t,
          this.options.responseWindowMs <= 0 ? null : nextPoll,
        );
        // Delivery and the buyer's answer read in one poll: both steps on the timeline.
        if (tx.businessResponse) this.applyResponse(d, 'delivered', tx, nextPoll);
      });
      metrics.recordLatency('delivery', t - (d.accepted_at ?? t));
    } else {
      this.ctx.lifecycle.failDelivery(d, tx.errorCode ?? null, tx.error);
    }
  }

  /** A buyer's business response, recorded by the lifecycle (final answers end the polling). */
  private applyResponse(
    d: DocumentRecord,
    from: DocumentRecord['state'],
    tx: TransactionAnswer,
    nextPoll: number,
  ): void {
    this.ctx.lifecycle.recordResponse(
      d,
      from,
      {
        code: tx.businessResponse ?? '',
        note: tx.businessResponseNote ?? null,
        at: (tx.businessResponseAt && Date.parse(tx.businessResponseAt)) || this.ctx.now(),
      },
      this.options.responseWindowMs <= 0 ? null : nextPoll,
    );
  }
}
