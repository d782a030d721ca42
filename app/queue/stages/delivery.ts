import type { AccessPointClient, ApOutcome, TransactionAnswer } from '../../access-point/client';
import { providerNotFound } from '../../access-point/answers';
import { isThrottled, PollBudget } from '../../sender/poll-budget';
import type { DocumentRecord } from '../../store/documents-repo';
import { pollPlaceId, type PollKind, type PollPlace } from '../../store/poll-reads';
import type { StageContext } from './context';
import { judgeTransaction, type BuyerAnswer, type DeliveryOptions } from './delivery-judge';

export type { DeliveryOptions } from './delivery-judge';

/** What the delivery tracking stage needs besides the common context. */
export interface DeliveryContext extends StageContext {
  /** The access point in use as documents are pinned to it (read at use: a reconnect swaps it). */
  readonly accessPoint: string | undefined;
  /** The environment in use (read at use): with the access point, where transactions are known. */
  readonly environment: string;
  /**
   * True while no send may leave for the access point in use (it does not answer, refuses the
   * key, or fails until a probe says otherwise): it is not polled then either.
   */
  offline(): boolean;
  /** False once the pipeline stops or switches: rounds under way ask nothing more. */
  running(): boolean;
  /** An earlier place's client is no longer needed (the engine closes it). */
  onEarlierDone?(place: PollPlace, client: AccessPointClient): void;
  /** When the built-in Sandbox in use started (null: none in use; see StageDeps). */
  builtInSandboxSince?(): number | null;
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
/**
 * Delivery polls one by one in flight at most (a round holds up to POLL_BATCH): about what the
 * client's pool carries at once anyway. Halved by a round that met a 429 (whose rest then waits
 * for the pause), grown back by a few with each round that did not.
 */
export const DELIVERY_LANES = 64;
const DELIVERY_LANES_MIN = 2;
const DELIVERY_LANES_GROWTH = 4;

/** A document asked about and what the access point answered (null: nothing usable). */
interface Answer {
  d: DocumentRecord;
  tx: TransactionAnswer | null;
  /** The access point answered 404: it does not know the transaction. */
  notFound?: boolean;
}

/**
 * Ask about `docs` one by one, at most `lanes` at a time, adding each answer to `answers`. The
 * round ends at the first document not asked (`ask` gave null: stopping, polls paused) or
 * refused with a 429: the rest are not asked and stay due. Returns whether a 429 ended it.
 */
async function askOneByOne(
  docs: readonly DocumentRecord[],
  lanes: number,
  answers: Answer[],
  ask: (d: DocumentRecord) => Promise<ApOutcome<TransactionAnswer> | null>,
): Promise<boolean> {
  let over = false;
  let throttled = false;
  const next = docs.values();
  const lane = async (): Promise<void> => {
    for (let d = next.next(); !d.done && !over; d = next.next()) {
      const outcome = await ask(d.value);
      if (!outcome || isThrottled(outcome)) {
        over = true;
        throttled ||= outcome !== null;
        return;
      }
      answers.push({
        d: d.value,
        tx: outcome.kind === 'ok' ? outcome.value : null,
        notFound: outcome.kind === 'permanent' && providerNotFound(outcome.error),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, docs.length) }, () => lane()));
  return throttled;
}

/** Give the event loop a turn (requests, answers, timers) between two parts of a round. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The two kinds of status polls. `delivery`: accepted documents (is it delivered yet?); they last
 * seconds to minutes and come at the send rate, so they are asked as fast as they come (a list
 * request, then one by one), never waiting for the poll budget. `response`: documents delivered
 * or answered, waiting for the buyer's next answer for an hour; they pile up with a month-end
 * drop (~1,700 requests/s at 100,000), so they go within the access point's poll budget.
 */
const POLL_KINDS: readonly PollKind[] = ['delivery', 'response'];

/**
 * Delivery tracking: documents the access point accepted are asked about (one list request for
 * many, the rest one by one, a few commits per round) until delivered, failed or given up, then
 * for the buyer's business response within the response window, those within the poll budget.
 * Each access point has at most one round of each kind out. Documents accepted at an earlier
 * access point are asked about there, through that access point's own client.
 */
export class DeliveryTracking {
  /** Rounds out to the access point in use, by kind. */
  private readonly polling = new Set<PollKind>();
  /**
   * Earlier places (access point and environment) with documents awaiting delivery there, each
   * with its own client, by pollPlaceId.
   */
  private readonly earlier = new Map<string, { place: PollPlace; client: AccessPointClient }>();
  /** Rounds out to earlier places (`kind:placeId`). */
  private readonly pollingEarlier = new Set<string>();
  /** Each access point's poll budget (by its client: one client per access point and key). */
  private readonly budgets = new WeakMap<AccessPointClient, PollBudget>();
  /** When a list request answered too few of its round, by client (lists wait LIST_RETRY_MS). */
  private readonly listUseless = new WeakMap<AccessPointClient, number>();
  /** Delivery polls in flight at most per access point (see DELIVERY_LANES). */
  private readonly lanes = new WeakMap<AccessPointClient, number>();

  constructor(
    private readonly ctx: DeliveryContext,
    private readonly options: DeliveryOptions,
    private readonly limits: PollBudgetLimits = { inFlight: 8 },
  ) {}

  /** The buyer-response poll budget of the access point `client` talks to. */
  budget(client: AccessPointClient = this.ctx.client): PollBudget {
    let budget = this.budgets.get(client);
    if (!budget) {
      budget = new PollBudget({ ...this.limits, random: this.ctx.random });
      this.budgets.set(client, budget);
    }
    return budget;
  }

  /**
   * Any answer of the access point in use (a send's, a delivery poll's too): a 429 stops the
   * buyer-response polls for a while (see app/sender/poll-budget.ts), so the sends and the
   * delivery polls keep the rate the access point allows.
   */
  noteOutcome(outcome: ApOutcome<unknown>): void {
    this.budget().note(outcome, false);
  }

  /** Stopping or switching: rounds waiting for a turn ask nothing more. */
  interrupt(): void {
    this.budget().cancelWaiting();
    for (const { client } of this.earlier.values()) this.budget(client).cancelWaiting();
  }

  /**
   * When polls are due (past times included: a round could not start): the access point in use
   * unless `offline`, and each earlier access point, for each kind without a round out there;
   * the buyer-response polls not before a 429's pause ends.
   */
  dueTimes(offline: boolean): number[] {
    const times: number[] = [];
    if (!offline) {
      this.addDueTimes(times, this.currentPlace(), this.ctx.client, (kind) =>
        this.polling.has(kind),
      );
    }
    for (const [id, { place, client }] of this.earlier) {
      this.addDueTimes(times, place, client, (kind) => this.pollingEarlier.has(`${kind}:${id}`));
    }
    return times;
  }

  private addDueTimes(
    times: number[],
    place: PollPlace | null,
    client: AccessPointClient,
    busy: (kind: PollKind) => boolean,
  ): void {
    const { repo } = this.ctx;
    const pauseLeft = this.budget(client).pauseLeftMs();
    if (pauseLeft === 0 && !busy('delivery') && !busy('response')) {
      // The usual case: one statement for both kinds.
      const pollAt = repo.nextPollAt(place);
      if (pollAt !== null) times.push(pollAt);
      return;
    }
    if (!busy('delivery')) {
      const pollAt = repo.nextPollAtOf('delivery', place);
      if (pollAt !== null) times.push(Math.max(pollAt, this.ctx.now() + pauseLeft));
    }
    if (!busy('response')) {
      const pollAt = repo.nextPollAtOf('response', place);
      // After a 429 (the budget's own monotonic clock), not before its pause ends.
      if (pollAt !== null) times.push(Math.max(pollAt, this.ctx.now() + pauseLeft));
    }
  }

  /** Start the rounds of questions that are due (one of each kind per access point at a time). */
  pump(now: number): void {
    this.pumpEarlierPolls(now);
    if (this.ctx.offline()) return;
    const { client } = this.ctx;
    for (const kind of POLL_KINDS) {
      if (this.polling.has(kind)) continue;
      const due = this.duePolls(kind, now, client, this.currentPlace());
      if (due.length === 0) continue;
      this.polling.add(kind);
      this.ctx.track(
        this.pollRound(kind, due, client, (o) => this.ctx.noteOutcome(o)).finally(() => {
          this.polling.delete(kind);
        }),
      );
    }
  }

  /**
   * The place documents are sent to now (null: any, when no access point is pinned: tests that
   * drive the stages alone).
   */
  private currentPlace(): PollPlace | null {
    const { accessPoint, environment } = this.ctx;
    return accessPoint === undefined ? null : { accessPoint, environment };
  }

  /**
   * Documents accepted at an earlier place (another access point, or the same one under a key of
   * another environment) are asked about there, through that place's own client (one per place,
   * a bounded few). What it answers does not change the connection state: that is about the
   * access point in use (a 429 still pauses that access point's buyer-response polls). Once
   * nothing waits there any more, its client is handed back (the engine closes it and forgets its
   * key).
   */
  private pumpEarlierPolls(now: number): void {
    const { repo } = this.ctx;
    const current = this.currentPlace();
    const currentId = current && pollPlaceId(current);
    for (const [id, { place, client }] of this.earlier) {
      if (id === currentId) {
        // In use again: its documents are polled with the current client (once its rounds end).
        if (!POLL_KINDS.some((k) => this.pollingEarlier.has(`${k}:${id}`))) {
          this.releaseEarlier(id);
        }
        continue;
      }
      let out = false;
      for (const kind of POLL_KINDS) {
        const key = `${kind}:${id}`;
        if (this.pollingEarlier.has(key)) {
          out = true;
          continue;
        }
        const due = this.duePolls(kind, now, client, place);
        if (due.length === 0) continue;
        out = true;
        this.pollingEarlier.add(key);
        const note = (o: ApOutcome<unknown>): void => {
          if (kind === 'delivery') this.budget(client).note(o, false);
        };
        this.ctx.track(
          this.pollRound(kind, due, client, note).finally(() => {
            this.pollingEarlier.delete(key);
          }),
        );
      }
      if (!out && repo.nextPollAt(place) === null) this.releaseEarlier(id);
    }
  }

  private releaseEarlier(id: string): void {
    const entry = this.earlier.get(id);
    if (!entry) return;
    this.earlier.delete(id);
    this.ctx.onEarlierDone?.(entry.place, entry.client);
  }

  /**
   * Keep asking `place` (not the one in use) about the documents it accepted, through `client`,
   * until none waits there any more.
   */
  pollEarlier(place: PollPlace, client: AccessPointClient): void {
    const id = pollPlaceId(place);
    const previous = this.earlier.get(id);
    if (previous?.client === client) return;
    if (previous) this.ctx.onEarlierDone?.(previous.place, previous.client);
    this.earlier.set(id, { place, client });
    this.ctx.kick();
  }

  /**
   * The documents one round of `kind` asks about at `place`. Delivery: up to POLL_BATCH, as
   * many as are due. Buyer responses (none while the budget is paused): a list request's worth
   * when a list may answer them, otherwise what the budget affords in about a second. The others
   * stay due and are asked in a later round (nothing is lost; the delivery timeout and the
   * response window are measured from acceptance and delivery, not from polls).
   */
  private duePolls(
    kind: PollKind,
    now: number,
    client: AccessPointClient,
    place: PollPlace | null,
  ): DocumentRecord[] {
    const { repo } = this.ctx;
    const budget = this.budget(client);
    // After a 429 (a send's or a poll's) no status request leaves before its pause ends.
    if (budget.paused()) return [];
    if (kind === 'delivery') return repo.duePollsOf('delivery', now, POLL_BATCH, place);
    const limit = this.listWorthTrying(client, now) ? POLL_BATCH : budget.perRound();
    return repo.duePollsOf('response', now, limit, place);
  }

  private listWorthTrying(client: AccessPointClient, now: number): boolean {
    const useless = this.listUseless.get(client);
    return useless === undefined || now - useless >= LIST_RETRY_MS;
  }

  /**
   * One round of status questions of `kind` to one access point: a list request when many are
   * due, then the others one by one, recorded a few commits at a time. Delivery polls are all
   * asked at once (as many in flight as the round holds); buyer-response polls within the
   * budget, at most the budget's round (the rest stay due).
   */
  private async pollRound(
    kind: PollKind,
    due: DocumentRecord[],
    client: AccessPointClient,
    note: (outcome: ApOutcome<unknown>) => void,
  ): Promise<void> {
    const answers =
      kind === 'delivery'
        ? await this.askDeliveries(due, client, note)
        : await this.askResponses(due, client, note);
    // A few commits for the round, not one synced commit per document (that was the engine's
    // main cost with delivery tracked), nor one long turn. Not synced: a power cut only means
    // asking again. No new round of this kind starts before the last part (it is still out).
    const { repo } = this.ctx;
    for (let i = 0; i < answers.length; i += DELIVERY_COMMIT_MAX) {
      if (i > 0) await yieldToEventLoop();
      const part = answers.slice(i, i + DELIVERY_COMMIT_MAX);
      repo.txRedoable(() => {
        for (const { d, tx, notFound } of part) this.applyTransaction(d, tx, notFound);
      });
    }
  }

  /**
   * Accepted documents: a list request when many are due (the newest answer most), the others
   * one by one in DELIVERY_LANES lanes; none waits for the budget's rate. A 429 is noted (it
   * pauses every status poll, see duePolls) and ends the round: the documents not asked, and the
   * one refused, learn nothing and stay due, asked once the pause is over.
   */
  private async askDeliveries(
    due: DocumentRecord[],
    client: AccessPointClient,
    note: (outcome: ApOutcome<unknown>) => void,
  ): Promise<Answer[]> {
    const known = new Map<string, TransactionAnswer>();
    if (due.length >= LIST_POLL_THRESHOLD) {
      const listed = await client.transactions(Math.min(1000, due.length * 4));
      note(listed);
      if (isThrottled(listed)) return [];
      if (listed.kind === 'ok') for (const tx of listed.value) known.set(tx.id, tx);
    }
    const answers: Answer[] = [];
    const single: DocumentRecord[] = [];
    for (const d of due) {
      const tx = known.get(d.transaction_id ?? '');
      if (tx) answers.push({ d, tx });
      else single.push(d);
    }
    const lanes = this.lanes.get(client) ?? DELIVERY_LANES;
    const throttled = await askOneByOne(single, lanes, answers, async (d) => {
      if (!this.ctx.running()) return null;
      const outcome = await client.transaction(d.transaction_id ?? '');
      note(outcome);
      return outcome;
    });
    this.lanes.set(
      client,
      throttled
        ? Math.max(DELIVERY_LANES_MIN, Math.floor(lanes / 2))
        : Math.min(DELIVERY_LANES, lanes + (single.length > 0 ? DELIVERY_LANES_GROWTH : 0)),
    );
    return answers;
  }

  /**
   * Documents waiting for the buyer's answer, within the budget: a list request when many are due
   * and lists still answer them, then the others in the budget's lanes (at most its round). A
   * document not asked (paused by a 429, stopping), or refused with a 429, is left as it is:
   * still due, it is asked once the pause is over.
   */
  private async askResponses(
    due: DocumentRecord[],
    client: AccessPointClient,
    note: (outcome: ApOutcome<unknown>) => void,
  ): Promise<Answer[]> {
    const budget = this.budget(client);
    const ask = async <T>(call: () => Promise<ApOutcome<T>>): Promise<ApOutcome<T> | null> =>
      this.ctx.running() ? budget.ask(call, note) : null;
    const known = new Map<string, TransactionAnswer>();
    if (due.length >= LIST_POLL_THRESHOLD && this.listWorthTrying(client, this.ctx.now())) {
      const listed = await ask(() => client.transactions(Math.min(1000, due.length * 4)));
      if (listed?.kind === 'ok') {
        for (const tx of listed.value) known.set(tx.id, tx);
        const answered = due.filter((d) => known.has(d.transaction_id ?? '')).length;
        if (answered >= LIST_POLL_THRESHOLD) this.listUseless.delete(client);
        else this.listUseless.set(client, this.ctx.now());
      }
    }
    const answers: Answer[] = [];
    const single: DocumentRecord[] = [];
    for (const d of due) {
      const tx = known.get(d.transaction_id ?? '');
      if (tx) answers.push({ d, tx });
      else if (single.length < budget.perRound()) single.push(d);
    }
    await askOneByOne(single, budget.maxInFlight, answers, (d) =>
      ask(() => client.transaction(d.transaction_id ?? '')),
    );
    return answers;
  }

  /** Record what the access point says about a sent document (judged by ./delivery-judge). */
  private applyTransaction(
    d: DocumentRecord,
    tx: TransactionAnswer | null,
    notFound = false,
  ): void {
    const { repo, metrics, lifecycle } = this.ctx;
    const t = this.ctx.now();
    // Accepted by a built-in Sandbox that has restarted since: it cannot know the transaction.
    const since = d.access_point === 'sandbox' ? (this.ctx.builtInSandboxSince?.() ?? null) : null;
    const v = judgeTransaction(
      {
        state: d.state,
        forgotten: since !== null && d.accepted_at !== null && d.accepted_at < since,
        acceptedAt: d.accepted_at,
        deliveredAt: d.delivered_at,
        businessResponse: d.business_response,
        businessResponseAt: d.business_response_at,
      },
      tx,
      this.options,
      t,
      notFound,
    );
    switch (v.kind) {
      case 'wait':
        repo.patch(d.id, { next_poll_at: v.nextPollAt });
        return;
      case 'stop':
        lifecycle.stopTracking(d, this.options.deliveryTimeoutMs, v.lastStatus);
        return;
      case 'unknown':
        lifecycle.transactionUnknown(d);
        return;
      case 'forgotten':
        lifecycle.responsesForgotten(d);
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
