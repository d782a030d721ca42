/**
 * A desk's send loop on a team outbox: claim the free slots and as many again ahead, send each
 * claimed document on its own with its team key (paced by app/sender through the send stage's
 * slots: adaptive limiter and rate gate), and write the outcome under the claim's fence. Leases
 * are renewed every third of their length while the claims are held; a claim found lost (renew
 * or finish refused) is dropped silently: the new owner sends again under the same key.
 *
 * Statements per document are what a team's database spends its CPU on (each claim and outcome
 * is an UPDATE with timeline rows, counts and a notice to every desk), so both are grouped:
 * claims are taken ahead, a window of twice the slots, refilled half a window at a time (a claim
 * that came back short: nothing more due, claim again only when told: a notice, the timer, a
 * start); outcomes wait ~25 ms to be written together (./desk-writes).
 */
import type { AccessPointClient, ApOutcome, SendAnswer } from '../access-point/client';
import {
  failingAnswer,
  addressNotFound,
  forbiddenAgain,
  keyRefusalStatus,
  type RequestKind,
  type SendSubject,
} from '../access-point/reachability';
import { attemptsExhausted, transient, transientWords } from '../domain/problems';
import { notCountedAsAttempt, retryDelayMs, type RetryPolicy } from '../domain/retry-policy';
import type { Metrics } from '../metrics/metrics';
import { SendSlots, type Request } from '../queue/stages/send-slots';
import { DeskWrites } from './desk-writes';
import { refusedOutcome, teamProblem } from './desk-intake';
import type { Claim, ClaimRef, SentVia, TeamOutcome, TeamStore } from './store';

/** The most claims held ahead of the slots. */
const MAX_WINDOW = 64;

/** What the send loop needs from its desk. */
export interface SenderDeps {
  store: TeamStore;
  deskId: string;
  client(): AccessPointClient;
  metrics: Metrics;
  retry(): RetryPolicy;
  /** Sends in flight: a fixed number, or 'auto' (the single desk's adaptive limiter). */
  concurrency: number | 'auto';
  leaseMs: number;
  requestsPerSecond?: number | null;
  /** An outcome could not be written (database down): keep it for later. */
  spoolOutcome(claim: ClaimRef, outcome: TeamOutcome, answeredAt: number): void;
  /** The database could not be reached. */
  onUnavailable(err: unknown): void;
  /** Told of each send's answer (or its absence): the access point's health for the header. */
  noteOutcome?(outcome: ApOutcome<unknown>, request?: RequestKind, subject?: SendSubject): void;
  /** A send's 403 told, with its buyer: whether the account may not send (no invoice fails). */
  noteForbidden?(receiver: string | null, said: string): boolean;
  onChanged(ids: readonly number[]): void;
  /** Delivery of an accepted document is first asked about this long after (default 0). */
  firstPollInMs?: number;
  /** The desk's access point (`AccessPointRef.id`): documents are claimed only while it is the team's. */
  accessPoint?(): string;
  via?: () => SentVia | undefined; // where its claims send (recorded on each claimed row)
  /** How long an outcome waits for others to be written with it, ms (default 25). */
  writeLingerMs?: number;
  random?: () => number;
}

interface InFlight {
  claim: Claim;
  lost: boolean;
  /** Its send has started (it may wait for the rate gate); before that it waits ahead. */
  launched: boolean;
  /** A request left for the access point: the claim may not be released any more. */
  sent: boolean;
  /** The desk's access point it was claimed under (`SenderDeps.accessPoint`). */
  under: string | undefined;
}

/** The send loop of one desk (see the file comment). */
export class DeskSender {
  readonly slots: SendSlots;
  /** Every claim held: waiting ahead, waiting for the rate gate, or sent. */
  private readonly inFlight = new Map<number, InFlight>();
  /** Documents answered 403 once at this desk (the second one fails them, see outcomeOf). */
  private readonly forbiddenOnce = new Set<number>();
  /** Claimed ahead, waiting for a slot (oldest first). */
  private readonly ahead: InFlight[] = [];
  private readonly work = new Set<Promise<void>>();
  private pumping = false;
  private again = false;
  /**
   * The last claim came back short: nothing more was due. Sends ending claim nothing until
   * `pump()` is called from outside (a change notice, the desk's timer, a start).
   */
  private drained = false;
  /** `pump()` was called from outside while a claim was under way. */
  private woken = false;
  private running = false;
  private stopping = false;
  private renewTimer: NodeJS.Timeout | null = null;
  /** The outcomes' writes, grouped (./desk-writes). */
  private readonly writes: DeskWrites;
  /** Claims found lost before their outcome was written (renew refused). */
  private lostAhead = 0;

  /** Claims found lost (renew or finish refused), since the start. */
  get lostClaims(): number {
    return this.lostAhead + this.writes.lost;
  }

  /** Sends whose answer was written. */
  get finished(): number {
    return this.writes.finished;
  }

  constructor(private readonly deps: SenderDeps) {
    this.writes = new DeskWrites(deps);
    this.slots = new SendSlots(
      {
        metrics: deps.metrics,
        noteOutcome: (outcome, request, subject) => deps.noteOutcome?.(outcome, request, subject),
      },
      {
        concurrency: deps.concurrency,
        batching: false,
        requestsPerSecond: deps.requestsPerSecond ?? null,
        retry: deps.retry(),
        trackDelivery: false,
        pollInitialMs: 0,
      },
    );
  }

  /** Claims held now (sending, or waiting to). */
  get busy(): number {
    return this.inFlight.size;
  }

  /** How long this desk's requests out have had no answer (ms; see SendSlots.silentForMs). */
  readonly silentForMs = (): number => this.slots.silentForMs();

  /** Start (or, after a pause or an outage, resume) claiming. */
  start(): void {
    if (this.stopping) return;
    this.running = true;
    // Monotonic: setInterval does not follow the wall clock.
    this.renewTimer ??= setInterval(() => void this.renew(), Math.max(50, this.deps.leaseMs / 3));
    this.pump();
  }

  /** Claim nothing more (pause, database down); sends in flight finish, claims ahead go back. */
  hold(): void {
    this.running = false;
    this.releaseAhead();
  }

  /** Give back the claims waiting ahead: nothing of theirs reached the access point. */
  private releaseAhead(): void {
    for (const entry of this.ahead.splice(0)) {
      const p = this.write(entry, { kind: 'released' })
        .catch((err: unknown) => this.deps.onUnavailable(err))
        .finally(() => {
          this.inFlight.delete(entry.claim.id);
          this.work.delete(p);
        });
      this.work.add(p);
    }
  }

  /** Sends in flight: a fixed number, or 'auto'. */
  setConcurrency(n: number | 'auto'): void {
    this.slots.setConcurrency(n);
    this.pump();
  }

  /**
   * Claim what may be sent now: the free slots and the window ahead (see `wanted`). Called from
   * outside (a change notice, the desk's timer): the queue may have more due, claim again.
   */
  pump(): void {
    this.drained = false;
    this.woken = true;
    this.refill();
  }

  /** After a send: start what waits ahead, and claim more unless the queue had nothing due. */
  private refill(): void {
    if (this.drained && !this.pumping) {
      this.launchAhead();
      return;
    }
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    // Counted as work: a stop waits for a claim under way (and gives back what it brings).
    const p = this.claimRounds().finally(() => {
      this.pumping = false;
      this.work.delete(p);
    });
    this.work.add(p);
  }

  /**
   * How many to claim now: the free slots plus a window ahead of twice the slots (at most
   * MAX_WINDOW), taken when half the window or more is missing (or when slots would idle): claims
   * of many rows. A desk held back by a rate limit claims no window: its claims would wait, kept
   * from other desks.
   */
  private wanted(): number {
    const window = this.deps.requestsPerSecond
      ? 0
      : Math.min(MAX_WINDOW, 2 * Math.max(1, this.slots.single.limit));
    const free = Math.max(0, this.slots.freeSingles() - this.waitingForGate());
    const room = free + window - this.ahead.length;
    const idle = free > 0 && this.ahead.length === 0;
    return room > 0 && (idle || room >= Math.ceil(window / 2)) ? room : 0;
  }

  private async claimRounds(): Promise<void> {
    do {
      this.again = false;
      this.launchAhead();
      const wanted = this.wanted();
      if (!this.running || this.stopping || this.drained || wanted <= 0) return;
      this.woken = false;
      let claims: Claim[];
      const under = this.deps.accessPoint?.();
      try {
        const { store, deskId, leaseMs, via } = this.deps;
        claims = await store.claim(deskId, wanted, leaseMs, under, via?.());
      } catch (err) {
        this.deps.onUnavailable(err);
        return;
      }
      for (const claim of claims) {
        const entry: InFlight = { claim, lost: false, launched: false, sent: false, under };
        this.inFlight.set(claim.id, entry);
        this.ahead.push(entry);
      }
      // Held, paused or stopped meanwhile: what was just claimed goes back.
      if (!this.running || this.stopping) this.releaseAhead();
      // A full round: there may be more waiting. A short one: nothing more was due, unless
      // the desk was told of a change meanwhile.
      if (claims.length === wanted) this.again = true;
      else if (!this.woken) this.drained = true;
    } while (this.again);
    this.launchAhead();
  }

  /** Claims launched and waiting for the rate gate (their slot is not taken yet). */
  private waitingForGate(): number {
    let n = 0;
    for (const e of this.inFlight.values()) if (e.launched && !e.sent) n++;
    return n;
  }

  /**
   * Start the claims waiting ahead, as many as there are free slots: the oldest first, but one
   * answered 403 here once after the others, whose buyers tell first whether the account may not
   * send (walk 20: 403s to three buyers in a row). Sent first again, two invoices refused because
   * the account could not send failed on their second 403 (the adaptive limiter's paced start
   * had let only them out before the hold).
   */
  private launchAhead(): void {
    let free = this.slots.freeSingles() - this.waitingForGate();
    while (free-- > 0 && this.ahead.length > 0) {
      const fresh = this.ahead.findIndex((e) => !this.forbiddenOnce.has(e.claim.id));
      this.launch(this.ahead.splice(Math.max(0, fresh), 1)[0]!);
    }
  }

  private launch(entry: InFlight): void {
    const { claim } = entry;
    entry.launched = true;
    const p = this.sendOne(entry)
      .catch((err: unknown) => {
        // A bug must not strand the claim: nothing more is written; the lease runs out and the
        // document is claimed again (in doubt: same key).
        this.deps.onUnavailable(err);
      })
      .finally(() => {
        this.inFlight.delete(claim.id);
        this.work.delete(p);
        this.refill();
      });
    this.work.add(p);
  }

  private async sendOne(entry: InFlight): Promise<void> {
    const { claim } = entry;
    let body: Uint8Array;
    try {
      body = claim.body ?? (await this.deps.store.body(claim.id));
    } catch (err) {
      // Nothing left: the lease runs out and the claim is taken again.
      this.deps.onUnavailable(err);
      return;
    }
    for (let wait = this.slots.gate.waitMs('single'); wait > 0;) {
      // In short steps: a stop or a lost lease is noticed soon.
      await new Promise((r) => setTimeout(r, Math.min(wait, 200)));
      if (this.stopping || entry.lost || !this.running) break;
      wait = this.slots.gate.waitMs('single');
    }
    // Held meanwhile (a pause, the database or the access point changed): not sent. Nor is a
    // claim made under another access point than the desk's now: the client is the new one's,
    // and a document in doubt may be sent again only where its first attempt went.
    if (this.stopping || entry.lost || !this.running || this.deps.accessPoint?.() !== entry.under) {
      // Nothing reached the access point: give the document back at once.
      await this.write(entry, { kind: 'released' });
      return;
    }
    this.slots.gate.take('single');
    entry.sent = true;
    const req: Request = this.slots.start('single', body.byteLength, 1, claim.id);
    let outcome: ApOutcome<SendAnswer>;
    try {
      outcome = await this.deps.client().send(body, claim.key);
    } finally {
      this.slots.unhold(req);
    }
    const ms = this.slots.answered(req, outcome);
    this.deps.metrics.recordLatency('send', ms);
    // The slot is free now: the next claim ahead takes it while this outcome is written.
    this.launchAhead();
    this.refill();
    await this.write(entry, this.outcomeOf(claim, outcome));
  }

  /** What an answer means for the document (as the single desk's send outcomes decide). */
  private outcomeOf(claim: Claim, outcome: ApOutcome<SendAnswer>): TeamOutcome {
    if (outcome.kind === 'ok')
      return {
        kind: 'accepted',
        transactionId: outcome.value.transactionId,
        firstPollInMs: this.deps.firstPollInMs ?? 0,
      };
    if (outcome.kind === 'permanent') {
      // The key refused (401/403), or no such address (the provider URL is wrong:
      // addressNotFound), says nothing of the document, and nothing of it was taken: back to the
      // queue, no attempt counted, for a desk whose access point answers (this one claims
      // nothing until its own does: desk-health holds it, as a single desk holds its queue).
      // A 403 this desk already met for the same document fails it, as on a single desk.
      const { status } = outcome.error;
      const refused =
        status === 403 &&
        (this.deps.noteForbidden?.(claim.receiverId, outcome.error.message) ?? false);
      if (
        addressNotFound(outcome.error) ||
        (keyRefusalStatus(status) && !forbiddenAgain(this.forbiddenOnce, claim.id, status, refused))
      )
        return { kind: 'released' };
      return refusedOutcome(outcome.error);
    }
    // Unreachable (refused before it connected: nothing reached the access point) and the desk
    // holds its claims meanwhile: back to the queue for the desks that reach theirs, the
    // attempt not counted (as a single desk's send that found its access point offline).
    if (outcome.offline && !this.running) return { kind: 'released' };
    const policy = this.deps.retry();
    const random = this.deps.random ?? Math.random;
    const words = transientWords(outcome.status, outcome.message);
    // The desk holds its claims meanwhile (its access point in trouble, as the header says, after
    // a run of 5xx or timeouts: noted before this, see TeamDesk.accessPointHealthChanged):
    // nothing is known against the document, so no attempt is counted; its outcome is unknown.
    if (failingAnswer(outcome) && !this.running) {
      const delayMs = retryDelayMs(policy, claim.attempts, null, random);
      const problem = teamProblem(transient(words));
      return { kind: 'retry', delayMs, problem, reachedMaybe: true, uncount: true };
    }
    // Offline: the connection was refused; 429: the access point did not process the request.
    // Neither reached it (an earlier attempt may have: reached_maybe is kept).
    // A 429 says nothing of the invoice either: not counted, it never uses up its tries; nor
    // does a 503 (the access point cannot serve now), which may have gone through all the same.
    const tooMany = outcome.status === 429;
    const uncounted = notCountedAsAttempt(outcome.status);
    const reachedMaybe = !outcome.offline && !tooMany;
    if (claim.attempts >= policy.maxAttempts && !uncounted) {
      const problem = teamProblem(attemptsExhausted(claim.attempts, words));
      return { kind: 'failed', problem, reachedMaybe };
    }
    const delayMs = retryDelayMs(policy, claim.attempts, outcome.retryAfterMs, random);
    const problem = teamProblem(transient(words));
    return { kind: 'retry', delayMs, problem, reachedMaybe, uncount: uncounted };
  }

  /** Write an outcome under the claim's fence (a lost claim's is dropped; see DeskWrites). */
  private write(entry: InFlight, outcome: TeamOutcome): Promise<void> {
    if (!entry.lost) return this.writes.write(entry.claim, outcome);
    this.lostAhead++;
    return Promise.resolve();
  }

  /** Extend the leases of everything in flight; those not held any more are marked lost. */
  private async renew(): Promise<void> {
    const entries = [...this.inFlight.values()].filter((e) => !e.lost);
    if (entries.length === 0) return;
    let held: Set<number>;
    try {
      held = await this.deps.store.renew(
        this.deps.deskId,
        entries.map((e) => ({ id: e.claim.id, fence: e.claim.fence })),
        this.deps.leaseMs,
      );
    } catch (err) {
      // The outcome will be written (or spooled) under its fence anyway.
      this.deps.onUnavailable(err);
      return;
    }
    for (const e of entries) if (!held.has(e.claim.id)) e.lost = true;
    // Lost while waiting ahead: nothing was sent, nothing is written.
    for (let i = this.ahead.length - 1; i >= 0; i--) {
      const e = this.ahead[i]!;
      if (!e.lost) continue;
      this.ahead.splice(i, 1);
      this.inFlight.delete(e.claim.id);
      this.lostAhead++;
    }
  }

  /**
   * Stop: claim nothing more; claims still waiting to leave (ahead or at the rate gate) are
   * released (nothing reached the access point), sends under way finish and their outcomes are
   * written.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    this.releaseAhead();
    while (this.work.size > 0) await Promise.all([...this.work]);
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
  }
}
