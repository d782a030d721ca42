/**
 * A desk's delivery tracking on a team outbox: claim a few accepted (or delivered, awaiting the
 * buyer's answer) documents whose poll is due, ask the access point about each with the same
 * client call and the same judgement as a single desk (app/queue/stages/delivery-judge.ts), and
 * write the result under the poll claim's fence with the lifecycle's own words
 * (app/queue/lifecycle/tracking.ts). At most `maxInFlight` status requests at a time: a small
 * share of the desk's requests, sends keep the rest. Each claim takes several such rounds at once
 * (CLAIM_ROUNDS: fewer statements for the team's database); each result is written as soon as it
 * is known. stop() gives unfinished claims back.
 */
import type { AccessPointClient, ApOutcome, TransactionAnswer } from '../access-point/client';
import * as tracking from '../queue/lifecycle/tracking';
import type { Step } from '../queue/lifecycle/steps';
import {
  judgeTransaction,
  type DeliveryOptions,
  type DeliveryVerdict,
} from '../queue/stages/delivery-judge';
import type { Metrics } from '../metrics/metrics';
import type { PollClaim, PollResult, TeamProblem, TeamStore } from './store';

/** What the poller needs from its desk. */
export interface PollerDeps {
  store: TeamStore;
  deskId: string;
  client(): AccessPointClient;
  metrics: Metrics;
  options: DeliveryOptions;
  /** Status requests in flight at most. */
  maxInFlight: number;
  leaseMs: number;
  onUnavailable(err: unknown): void;
  onChanged(ids: readonly number[]): void;
  /** Told of each status answer (or its absence): the access point's health for the header. */
  noteOutcome?(outcome: ApOutcome<unknown>): void;
  /** The desk's access point (`AccessPointRef.id`): polls are claimed only while it is the team's. */
  accessPoint?(): string;
}

type Patch = NonNullable<Step['patch']>;

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
      const r = tracking.response(from, v.answer, v.nextPollAt);
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
  private round: Promise<void> | null = null;
  private running = false;
  /** Poll results written (tests, diagnostics). */
  written = 0;

  constructor(private readonly deps: PollerDeps) {}

  /** Start (or resume) polling. */
  start(): void {
    this.running = true;
    this.pump();
  }

  /** Claim nothing more (pause, database down); the round under way finishes. */
  hold(): void {
    this.running = false;
  }

  /** One round at a time: claim what is due, ask, write. */
  pump(): void {
    if (!this.running || this.round) return;
    this.round = this.pollRound()
      .catch((err: unknown) => this.deps.onUnavailable(err))
      .finally(() => {
        this.round = null;
      });
  }

  private async pollRound(): Promise<void> {
    const { store, deskId, leaseMs } = this.deps;
    const limit = this.deps.maxInFlight * CLAIM_ROUNDS;
    const under = this.deps.accessPoint?.();
    const claims = await store.claimPolls(deskId, limit, leaseMs, under);
    const claimedAt = performance.now();
    for (const c of claims) this.held.set(c.id, c);
    // `maxInFlight` lanes, each taking the next claim when its request is answered.
    const next = claims.values();
    // Asked only of the access point they were claimed under (Settings may change the desk's).
    const lane = async (): Promise<void> => {
      while (this.running && this.deps.accessPoint?.() === under) {
        const c = next.next();
        if (c.done) return;
        await this.pollOne(c.value, claimedAt);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.maxInFlight, claims.length) }, lane));
    // Held meanwhile (a pause, the database, another access point): the claims not asked about
    // go back, due at once.
    const left = [...next];
    if (left.length > 0) {
      for (const c of left) this.held.delete(c.id);
      await store.releasePolls(deskId, left);
      return;
    }
    // A full claim: more may be due.
    if (claims.length === limit && this.running) queueMicrotask(() => this.pump());
  }

  private async pollOne(c: PollClaim, claimedAt: number): Promise<void> {
    let tx: TransactionAnswer | null = null;
    if (c.transactionId) {
      const outcome = await this.deps.client().transaction(c.transactionId);
      this.deps.noteOutcome?.(outcome);
      tx = outcome.kind === 'ok' ? outcome.value : null;
    }
    if (!this.running) return; // stop() gives the claim back
    // The database's clock, as the claim read it, plus the time since (monotonic).
    const now = c.leaseUntil - this.deps.leaseMs + (performance.now() - claimedAt);
    const verdict = judgeTransaction(c, tx, this.deps.options, now);
    const written = await this.deps.store.finishPoll(
      this.deps.deskId,
      c,
      pollResultOf(c, verdict, now, this.deps.options),
    );
    this.held.delete(c.id);
    if (!written) return; // the lease ended and another desk asked meanwhile
    this.written++;
    if (verdict.kind === 'delivered' && c.acceptedAt !== null) {
      this.deps.metrics.recordLatency('delivery', now - c.acceptedAt);
    }
    if (verdict.kind !== 'wait') this.deps.onChanged([c.id]);
  }

  /** Stop: the round under way ends, claims not written are given back (due at once). */
  async stop(): Promise<void> {
    this.running = false;
    await this.round;
    const left = [...this.held.values()];
    this.held.clear();
    if (left.length > 0) {
      await this.deps.store.releasePolls(this.deps.deskId, left).catch(() => 0);
    }
  }
}
