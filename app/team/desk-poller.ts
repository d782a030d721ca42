/**
 * A desk's delivery tracking on a team outbox: claim a few accepted (or delivered, awaiting the
 * buyer's answer) documents whose poll is due, ask the access point about each with the same
 * client call and the same judgement as a single desk (app/queue/stages/delivery-judge.ts), and
 * write the result under the poll claim's fence with the lifecycle's own words
 * (app/queue/lifecycle/tracking.ts). Delivery polls (accepted documents) and buyer-response polls
 * (delivered or answered ones) are claimed and asked apart, one round of each at a time, each
 * with `maxInFlight` lanes. Delivery polls keep up with the sends and never wait for the budget.
 * Buyer-response polls go through the desk's poll budget (app/sender/poll-budget.ts, as on a
 * single desk): the team's rate shared among the desks that send, stopped for a while by a 429
 * (a send's or a delivery poll's too). Each claim takes several rounds of lanes at once
 * (CLAIM_ROUNDS: fewer statements for the team's database), buyer responses at most what the
 * budget affords within half a lease; each result is written as soon as it is known. Claims not
 * asked about (held, stopped, a 429) are given back, due at once; stop() gives unfinished claims
 * back.
 */
import type { AccessPointClient, ApOutcome, TransactionAnswer } from '../access-point/client';
import { providerNotFound } from '../access-point/answers';
import * as tracking from '../queue/lifecycle/tracking';
import type { Step } from '../queue/lifecycle/steps';
import {
  judgeTransaction,
  type DeliveryOptions,
  type DeliveryVerdict,
} from '../queue/stages/delivery-judge';
import type { Metrics } from '../metrics/metrics';
import { isThrottled, POLLS_PER_SECOND, PollBudget } from '../sender/poll-budget';

// For the desk: polls in flight beside its sends (the client's pool has as many more connections).
export { pollsInFlightFor } from '../sender/poll-budget';
import type { PollClaim, PollKind, PollResult, TeamProblem, TeamStore } from './store';
import { BUILT_IN_SANDBOX_REF } from './access-point';

/** What the poller needs from its desk. */
export interface PollerDeps {
  store: TeamStore;
  deskId: string;
  client(): AccessPointClient;
  metrics: Metrics;
  options: DeliveryOptions;
  /** Status requests in flight at most. */
  maxInFlight: number;
  /** Status requests per second to the team's access point (default POLLS_PER_SECOND). */
  perSecond?: number;
  /** The budget's clock (tests; Date.now by default). */
  now?: () => number;
  leaseMs: number;
  onUnavailable(err: unknown): void;
  onChanged(ids: readonly number[]): void;
  /** Told of each status answer (or its absence): the access point's health for the header. */
  noteOutcome?(outcome: ApOutcome<unknown>): void;
  /** The desk's access point (`AccessPointRef.id`): polls are claimed only while it is the team's. */
  accessPoint?(): string;
}

type Patch = NonNullable<Step['patch']>;

/** The two kinds, claimed apart (see TeamStore.claimPolls). */
const POLL_KINDS: readonly PollKind[] = ['delivery', 'response'];

/** Rounds of `maxInFlight` polls claimed at once. */
const CLAIM_ROUNDS = 4;

/** The problem a lifecycle patch sets (undefined: it leaves the problem alone). */
function problemOf(patch: Patch | undefined): TeamProblem | null | undefined {
  if (!patch || !('problem_code' in patch)) return undefined;
  if (!patch.problem_code) return null;
  return {
    code: patch.problem_code,
    message: patch.problem_message ?? '',
    action: patch.problem_action ?? null,
  };
}

/** In ms from `now`, as the store wants it (null: stop asking). */
function after(at: number | null | undefined, now: number): number | null {
  return at === null || at === undefined ? null : Math.max(0, at - now);
}

/** A verdict as the team store writes it, with the single desk's words and problems. */
export function pollResultOf(
  c: PollClaim,
  v: DeliveryVerdict,
  now: number,
  options: DeliveryOptions,
  /** The desk asked its built-in Sandbox (each desk's knows only the transactions it made). */
  sandbox = false,
): PollResult {
  switch (v.kind) {
    case 'wait':
      return { moves: [], nextPollInMs: after(v.nextPollAt, now) };
    case 'stop': {
      const note = tracking.stoppedTracking(
        c.transactionId,
        options.deliveryTimeoutMs,
        v.lastStatus,
      );
      return { moves: [], note: note.detail, problem: problemOf(note.patch), nextPollInMs: null };
    }
    case 'forgotten': {
      const note = tracking.responsesForgotten(c.state, c.transactionId);
      return { moves: [], note: note.detail, nextPollInMs: null };
    }
    case 'unknown': {
      // The team's access point answered 404 about a transaction it accepted at least
      // NOT_FOUND_AFTER_MS ago (every desk sends and asks through it with the team's key).
      const note = tracking.transactionUnknown(
        c.transactionId,
        sandbox ? 'team-sandbox' : 'provider',
      );
      return { moves: [], note: note.detail, problem: problemOf(note.patch), nextPollInMs: null };
    }
    case 'failed': {
      const step = tracking.deliveryFailed(v.errorCode, v.error);
      return {
        moves: [{ to: step.to, detail: step.detail ?? '' }],
        problem: problemOf(step.patch),
        nextPollInMs: null,
      };
    }
    case 'delivered':
    case 'response': {
      const result: PollResult & { moves: { to: PollClaim['state']; detail: string }[] } = {
        moves: [],
        nextPollInMs: after(v.nextPollAt, now),
      };
      let from = c.state;
      if (v.kind === 'delivered') {
        const step = tracking.delivered(v.deliveredAt, v.nextPollAt);
        result.moves.push({ to: step.to, detail: step.detail ?? '' });
        // The access point's clock and the database's differ: a delivery is never shown before
        // the acceptance it follows.
        result.deliveredAt = Math.max(v.deliveredAt, c.acceptedAt ?? v.deliveredAt);
        from = step.to;
      }
      if (!v.answer) return result;
      const r = tracking.response(from, v.answer, v.nextPollAt, c.docType);
      const patch = 'step' in r ? r.step.patch : r.note.patch;
      if ('step' in r) result.moves.push({ to: r.step.to, detail: r.step.detail ?? '' });
      else result.note = r.note.detail;
      result.response = v.answer;
      const problem = problemOf(patch);
      if (problem !== undefined) result.problem = problem;
      result.nextPollInMs = after(patch?.next_poll_at, now);
      return result;
    }
  }
}

/** The poll loop of one desk (see the file comment). */
export class DeskPoller {
  private readonly held = new Map<number, PollClaim>();
  /** The round under way of each kind (one of each at a time). */
  private readonly rounds = new Map<PollKind, Promise<void>>();
  private running = false;
  /** The buyer-response polls' rate and number in flight (see the file comment). */
  readonly budget: PollBudget;
  /** Poll results written (tests, diagnostics). */
  written = 0;

  constructor(private readonly deps: PollerDeps) {
    this.budget = new PollBudget({
      inFlight: deps.maxInFlight,
      ...(deps.perSecond !== undefined ? { perSecond: deps.perSecond } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
  }

  /**
   * This desk's share of the team's rate among the `desks` that send through the team's access
   * point: they all poll it with the same API key, so the access point sees the sum.
   */
  shareRate(desks: number): void {
    this.budget.setRate((this.deps.perSecond ?? POLLS_PER_SECOND) / Math.max(1, desks));
  }

  /**
   * Any answer of the access point (a send's, a delivery poll's too, told by the team engine): a
   * 429 stops the buyer-response polls for a while, so the sends keep the rate it allows.
   */
  noteOutcome(outcome: ApOutcome<unknown>): void {
    this.budget.note(outcome, false);
  }

  /** Start (or resume) polling. */
  start(): void {
    this.running = true;
    this.pump();
  }

  /** Claim nothing more (pause, database down); the rounds under way finish. */
  hold(): void {
    this.running = false;
    this.budget.cancelWaiting();
  }

  /**
   * One round of each kind at a time: claim what is due, ask, write (buyer-response polls:
   * nothing while a 429's pause lasts).
   */
  pump(): void {
    for (const kind of POLL_KINDS) {
      if (!this.running || this.rounds.has(kind)) continue;
      if (kind === 'response' && this.budget.paused()) continue;
      const round = this.pollRound(kind)
        .catch((err: unknown) => this.deps.onUnavailable(err))
        .finally(() => {
          this.rounds.delete(kind);
        });
      this.rounds.set(kind, round);
    }
  }

  private async pollRound(kind: PollKind): Promise<void> {
    const { store, deskId, leaseMs } = this.deps;
    const most = this.deps.maxInFlight * CLAIM_ROUNDS;
    // Buyer responses: rounds of lanes, but no more than the budget asks about within half a
    // lease (a claim waiting for its turn must not outlive its lease). Deliveries: as many as
    // the lanes ask in a few rounds, never waiting for the budget.
    const affordable = Math.floor((this.budget.rate * leaseMs) / 2000);
    const limit = kind === 'delivery' ? most : Math.max(1, Math.min(most, affordable));
    const under = this.deps.accessPoint?.();
    const claims = await store.claimPolls(deskId, limit, leaseMs, under, kind);
    const claimedAt = performance.now();
    for (const c of claims) this.held.set(c.id, c);
    // `maxInFlight` lanes, each taking the next claim when its request is answered.
    const next = claims.values();
    const unasked: PollClaim[] = [];
    // Asked only of the access point they were claimed under (Settings may change the desk's).
    const lane = async (): Promise<void> => {
      while (this.running && this.deps.accessPoint?.() === under) {
        const c = next.next();
        if (c.done) return;
        if (!(await this.pollOne(kind, c.value, claimedAt))) {
          unasked.push(c.value);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.maxInFlight, claims.length) }, lane));
    // Held meanwhile (a pause, the database, another access point) or a 429: the claims not
    // asked about go back, due at once (this desk claims again once the 429's pause is over).
    const left = [...unasked, ...next];
    if (left.length > 0) {
      for (const c of left) this.held.delete(c.id);
      await store.releasePolls(deskId, left);
      return;
    }
    // A full claim: more may be due.
    if (claims.length === limit && this.running) queueMicrotask(() => this.pump());
  }

  /**
   * Ask about one claim and write the answer; false when the budget gave a buyer-response poll
   * no turn or it was refused (429). A delivery poll is asked at once; refused, it learns
   * nothing and is asked again on its schedule (the 429 pauses the buyer-response polls).
   */
  private async pollOne(kind: PollKind, c: PollClaim, claimedAt: number): Promise<boolean> {
    let tx: TransactionAnswer | null = null;
    // The access point does not know the transaction (the judge decides when that is final).
    let notFound = false;
    if (c.transactionId && kind === 'delivery') {
      const outcome = await this.deps.client().transaction(c.transactionId);
      this.budget.note(outcome, false);
      this.deps.noteOutcome?.(outcome);
      tx = outcome.kind === 'ok' ? outcome.value : null;
      notFound = outcome.kind === 'permanent' && providerNotFound(outcome.error);
    } else if (c.transactionId) {
      const id = c.transactionId;
      const outcome = await this.budget.ask(
        () => this.deps.client().transaction(id),
        (o) => this.deps.noteOutcome?.(o),
      );
      // No turn (held, a 429's pause) or refused (429): nothing learnt, the claim goes back and
      // is asked after the pause.
      if (!outcome || isThrottled(outcome)) return false;
      tx = outcome.kind === 'ok' ? outcome.value : null;
    }
    if (!this.running) return true; // stop() gives the claim back
    // The database's clock, as the claim read it, plus the time since (monotonic).
    const now = c.leaseUntil - this.deps.leaseMs + (performance.now() - claimedAt);
    const verdict = judgeTransaction(c, tx, this.deps.options, now, notFound);
    const sandbox = this.deps.accessPoint?.() === BUILT_IN_SANDBOX_REF.id;
    const written = await this.deps.store.finishPoll(
      this.deps.deskId,
      c,
      pollResultOf(c, verdict, now, this.deps.options, sandbox),
    );
    this.held.delete(c.id);
    if (!written) return true; // the lease ended and another desk asked meanwhile
    this.written++;
    if (verdict.kind === 'delivered' && c.acceptedAt !== null) {
      this.deps.metrics.recordLatency('delivery', now - c.acceptedAt);
    }
    if (verdict.kind !== 'wait') this.deps.onChanged([c.id]);
    return true;
  }

  /** Stop: the round under way ends, claims not written are given back (due at once). */
  async stop(): Promise<void> {
    this.running = false;
    this.budget.cancelWaiting();
    await Promise.all(this.rounds.values());
    const left = [...this.held.values()];
    this.held.clear();
    if (left.length > 0) {
      await this.deps.store.releasePolls(this.deps.deskId, left).catch(() => 0);
    }
  }
}
