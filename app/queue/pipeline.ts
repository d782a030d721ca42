import { type ConnectionStatus, type Environment } from '../contract';
import type { AccessPointClient, ApOutcome } from '../access-point/client';
import type { ParticipantCache } from '../caches/participant-cache';
import type { RemoteValidationCache } from '../caches/remote-validation-cache';
import { createStages, type PipelineDeps, type StageOptions, type Stages } from './stages';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../domain/retry-policy';
import { ACCESS_POINT_CHANGED, CHECKS_DISAGREE, fatalRules, remoteRules } from '../domain/problems';
import { Lifecycle } from './lifecycle';
import type { StageContext } from './stages/context';
import { DEFAULT_DELIVERY_OPTIONS } from './stages/delivery-judge';
import { SendStage, type SendStageOptions } from './stages/send';
import { writeFault } from '../store/write-fault';
import type { PollPlace } from '../store/poll-reads';
import type { RequestKind, SendSubject } from '../access-point/reachability';

// Here too for the engine and the CLI, which import them from the pipeline.
export { ACCESS_POINT_CHANGED, CHECKS_DISAGREE, fatalRules, remoteRules };
export type { PipelineDeps, Validator } from './stages';
export { capabilityAccepts, type WantedDocument } from './stages/resolve';

/** Tunables; all have defaults (the other stages' in StageOptions). */
export interface PipelineOptions extends StageOptions {
  /** Sends in flight at once: a fixed number, or 'auto' (adaptive; the default). */
  concurrency?: number | 'auto';
  /** Batching, rate caps and limits of the send stage (see app/sender). */
  sender?: Omit<SendStageOptions, 'retry' | 'trackDelivery' | 'pollInitialMs' | 'concurrency'>;
  retry?: RetryPolicy;
  /**
   * With single sends, check only a bounded lead of documents ahead of sending (CLI `send`): the
   * whole drop is then checked over the run instead of in its first seconds, while the first
   * answers wait behind it (issue 9 point 2). Off (the app): every dropped file is checked at
   * once, so a clerk sees what is wrong before it is its turn to be sent.
   */
  paceChecking?: boolean;
}

/** Fewest documents checked ahead of sending when checking is paced (see paceChecking). */
export const CHECK_LEAD_MIN = 64;
/** Documents checked ahead per request in flight, when checking is paced. */
export const CHECK_LEAD_PER_SLOT = 4;
/** Unchecked documents that keep validation fed when checking is paced (see roomForMore). */
export const INTAKE_AHEAD = 128;
/** How often a paced intake looks whether there is room again (ms; a few counters read). */
const INTAKE_POLL_MS = 10;

/** A due retry or poll that could not start waits for a kick; this wakes up anyway, slowly. */
const BACKSTOP_MS = 1_000;

/**
 * The send pipeline: received → validating → ready → resolving → queued → sending → accepted →
 * delivered, with invalid / unreachable / held / retry_wait / failed on the side. All state lives
 * in SQLite; this class only decides what to do next, so a crash loses nothing: on start, work
 * that was in flight is put back one step (a document left in `sending` is sent again with the
 * same idempotency key, which the access point answers with the first result).
 */
export class Pipeline {
  private readonly now: () => number;
  private readonly random: () => number;
  private retry: RetryPolicy;
  private readonly sender: SendStage;
  /** The one place a document's state changes (the clerk's decisions too: engine/user-actions). */
  readonly lifecycle: Lifecycle;
  private readonly pollInitialMs: number;
  private readonly trackDelivery: boolean;
  private readonly stuckCheckMs: number;
  private readonly paceChecking: boolean;
  private filledOnce = false; // the slots were filled once, or could not be (see roomForMore)
  private stuckTimer: NodeJS.Timeout | null = null;
  cancelsUnderWay = 0; // clerk's cancels under way, a slice at a time: nothing new leaves
  private running = false;
  private stopping = false;
  private switching: Promise<void> = Promise.resolve(); // serialises connection switches
  private paused: boolean;
  private pausedAt: number | null = null; // paused in this session since (null: not, or before start)
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  /** Validate, resolve, delivery tracking, recovery and connection health (app/queue/stages). */
  private readonly stages: Stages;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: PipelineDeps,
    options: PipelineOptions = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.pollInitialMs = options.pollInitialMs ?? DEFAULT_DELIVERY_OPTIONS.pollInitialMs;
    this.trackDelivery = options.trackDelivery ?? true;
    this.stuckCheckMs = options.stuckCheckMs ?? 5_000;
    this.paceChecking = options.paceChecking ?? false;
    this.paused = options.paused ?? false;
    this.lifecycle = new Lifecycle({
      repo: deps.repo,
      now: this.now,
      onChanged: (ids) => this.deps.onChanged(ids),
      // Every stage looks for work in the same coalesced pump.
      wake: () => this.kick(),
      keyId: () => this.deps.client.keyId,
      saidEnvironment: () => this.stages.health.saidEnvironment(),
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const pipeline = this;
    const context: StageContext = {
      repo: deps.repo,
      lifecycle: this.lifecycle,
      // Read at use: reconnect() swaps the client.
      get client() {
        return pipeline.deps.client;
      },
      metrics: deps.metrics,
      now: this.now,
      random: this.random,
      noteOutcome: (outcome, request, subject) => this.noteOutcome(outcome, request, subject),
      track: (p) => this.track(p),
      kick: () => this.kick(),
    };
    this.sender = new SendStage(
      context,
      {
        maySend: (now) =>
          this.running && !this.paused && !this.cancelsUnderWay && this.stages.health.maySend(now),
        moreComing: () => this.moreComing(),
        writeFailed: (ids, err) => {
          // Their requests are over whatever the rows say: not in flight any more.
          this.lifecycle.forgetClaims(ids);
          // A passing hiccup is put right at once; a disk that refuses writes pauses the queue.
          try {
            this.recoverStuckSending();
          } catch (again) {
            this.noteFault(again);
            return;
          }
          if (writeFault(err) !== null) this.noteFault(err);
        },
      },
      {
        ...options.sender,
        concurrency: options.concurrency ?? 'auto',
        // Read at use: setMaxAttempts replaces the policy.
        get retry() {
          return pipeline.retry;
        },
        // Read at use: in trouble, a 5xx or a timeout counts no attempt; with sends refused for
        // the account (walk 20), a 403 fails no invoice (send-outcomes.ts).
        get accessPointState() {
          return pipeline.stages.health.connection;
        },
        noteForbidden: (receiver: string | null, said: string) =>
          pipeline.stages.health.noteForbidden(receiver, said),
        trackDelivery: this.trackDelivery,
        pollInitialMs: this.pollInitialMs,
      },
    );
    deps.metrics.attach({ sender: () => this.sender.state() });
    this.stages = createStages(
      context,
      deps,
      {
        paused: () => this.paused,
        pausedAt: () => this.pausedAt,
        running: () => this.running,
        releaseReady: (reason) => this.sender.releaseReady(reason),
        sendIdle: () => this.sender.inFlight === 0,
        checkRoom: () => this.checkRoom(),
      },
      {
        ...options,
        pollInitialMs: this.pollInitialMs,
        trackDelivery: this.trackDelivery,
        concurrency: options.concurrency ?? 'auto',
      },
    );
  }

  /**
   * What a request to the access point in use says of the connection (every stage's, and the
   * clerk's "Check again"); a 429 also stops the delivery polls for a while (sends keep priority).
   */
  noteOutcome(outcome: ApOutcome<unknown>, request?: RequestKind, subject?: SendSubject): void {
    this.stages.health.noteOutcome(outcome, request, subject);
    this.stages.delivery.noteOutcome(outcome);
  }

  /** Keep asking an earlier `place`, through its own `client`, about what it accepted. */
  pollEarlier(place: PollPlace, client: AccessPointClient): void {
    this.stages.delivery.pollEarlier(place, client);
  }

  /** Turn the access point's validation on or off (setting `remoteValidation`). */
  setRemoteValidation(on: boolean): void {
    this.stages.validation.setRemoteValidation(on);
  }

  /** Put interrupted work back one step and start working. */
  start(): void {
    this.stages.recovery.recoverOnStart();
    this.holdPinnedElsewhere();
    this.running = true;
    this.stuckTimer = setInterval(() => {
      if (this.stages.health.fault !== null) return;
      try {
        this.recoverStuckSending();
      } catch (err) {
        this.noteFault(err);
      }
    }, this.stuckCheckMs);
    this.stuckTimer.unref?.();
    this.stages.health.watchSilence(this.sender.silentForMs, () => this.kick());
    this.kick();
    // Ask the access point at once: the header says Online (or Offline) on start, and sends wait
    // to know whether batches may be used. Not tracked (stopping does not wait; ignored after).
    void this.deps.client.version().then(
      (outcome) => {
        const health = this.stages.health;
        if (this.running) health.noteProbe(outcome, health.connection === 'connecting');
        if (this.running) this.kick();
      },
      () => undefined,
    );
  }

  /**
   * Put documents left in `sending` with no request of this process in flight back to `queued`
   * (see Recovery.recoverStuckSending). Runs every few seconds. Returns the ids put back.
   */
  recoverStuckSending(): number[] {
    if (!this.running) return [];
    return this.stages.recovery.recoverStuckSending();
  }

  /** Stop starting new work and wait for what is in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    if (this.stuckTimer) clearInterval(this.stuckTimer);
    this.stuckTimer = null;
    this.stages.health.stop();
    this.stages.health.stopWatching();
    this.sender.stop();
    this.stages.delivery.interrupt();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    // Every outcome is recorded now: nothing of the send stage writes after this.
    this.sender.close();
  }

  /**
   * Talk to another access point (settings changed): start no new work, let every request in
   * flight finish against the old client (a send either lands in `accepted` or goes back to be
   * retried with its same idempotency key, so nothing is lost or sent twice), then swap the client
   * and the per-access-point caches and start again. Resolves with the client that was replaced,
   * for the caller to close.
   */
  reconnect(next: {
    client: AccessPointClient;
    participants: ParticipantCache;
    remoteValidationCache?: RemoteValidationCache;
    environment: Environment;
    accessPoint?: string;
  }): Promise<AccessPointClient> {
    const run = this.switching.then(async () => {
      const wasRunning = this.running;
      this.running = false;
      this.stages.delivery.interrupt();
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
      const previous = this.deps.client;
      const otherAccessPoint =
        previous.baseUrl !== next.client.baseUrl || this.deps.environment !== next.environment;
      if (otherAccessPoint && next.accessPoint === undefined) {
        this.stages.recovery.holdUnconfirmed(previous.baseUrl, this.deps.environment);
      }
      this.deps.client = next.client;
      if (next.accessPoint !== undefined) this.deps.accessPoint = next.accessPoint;
      this.deps.participants = next.participants;
      if (next.remoteValidationCache) this.deps.remoteValidationCache = next.remoteValidationCache;
      this.deps.environment = next.environment;
      this.stages.health.reset();
      // Documents queued for the previous access point stay with it until the clerk decides.
      this.holdPinnedElsewhere();
      this.emitConnection();
      if (wasRunning && !this.stopping) {
        this.running = true;
        this.kick();
        // Ask the new access point at once so the header shows Online (or Offline) soon.
        this.stages.health.probeNow();
      }
      return previous;
    });
    this.switching = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Hold every document waiting to be sent that is pinned to another access point than the one
   * in use (see Recovery.holdPinnedElsewhere). Returns the held ids.
   */
  holdPinnedElsewhere(): number[] {
    const held = this.stages.recovery.holdPinnedElsewhere();
    if (held.length) this.emitConnection();
    return held;
  }

  /**
   * {@link holdPinnedElsewhere} for these documents only, inside the caller's transaction (see
   * Recovery.holdPinnedElsewhereAmong); the caller tells the host once it committed
   * ({@link refreshConnection}). Returns the held ids.
   */
  holdPinnedElsewhereAmong(ids: readonly number[]): number[] {
    return this.stages.recovery.holdPinnedElsewhereAmong(ids);
  }

  /** Tell the host the connection (and what waits for another access point) changed. */
  refreshConnection(): void {
    this.emitConnection();
  }

  /** Pause or resume sending (validation and lookups go on). */
  setPaused(paused: boolean): void {
    if (paused !== this.paused) this.pausedAt = paused ? this.now() : null;
    this.paused = paused;
    if (!paused) this.stages.health.clearFault();
    if (paused) this.sender.releaseReady();
    this.emitConnection();
    this.kick();
  }

  /** Change how many automatic attempts a document gets before it waits for the user. */
  setMaxAttempts(n: number): void {
    this.retry = { ...this.retry, maxAttempts: n };
  }

  /** Change the number of sends in flight: a fixed number, or 'auto' (adaptive). */
  setConcurrency(n: number | 'auto'): void {
    this.sender.setConcurrency(n);
  }

  /** Send documents that are ready together in batches (true) or one by one. */
  setBatching(on: boolean): void {
    this.sender.setBatching(on);
  }

  /** The connection as the header shows it. */
  connectionStatus(): ConnectionStatus {
    return this.stages.health.status();
  }

  /** True when nothing is in flight and nothing is due now. */
  isIdle(): boolean {
    return this.inFlight.size === 0 && !this.scheduled;
  }

  /** Ask the pipeline to look for work soon (coalesced). */
  kick(): void {
    if (!this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running) this.pump();
    });
  }

  private track<T>(p: Promise<T>): void {
    this.inFlight.add(p);
    // A stage that failed (a write refused) pauses the queue: never an unhandled rejection.
    void p
      .catch((err: unknown) => this.noteFault(err))
      .finally(() => {
        this.inFlight.delete(p);
        this.kick();
      });
  }

  private pump(): void {
    if (this.stages.health.fault !== null) return;
    const now = this.now();
    try {
      this.stages.validation.pump();
      this.stages.resolution.pump();
      this.pumpSend(now);
      if (this.trackDelivery) this.stages.delivery.pump(now);
      this.scheduleTimer(now);
    } catch (err) {
      this.noteFault(err);
    }
  }

  private scheduleTimer(now: number): void {
    const { repo } = this.deps;
    const candidates: number[] = [];
    // A time already past here means the pump just could not start that work: all send slots or
    // the poller busy (the end of a request kicks), so never wake up for it every few ms.
    let blocked = false;
    const consider = (at: number) => {
      if (at > now) candidates.push(at);
      else blocked = true;
    };
    const health = this.stages.health;
    // Paused or held, due retries cannot run (resume, or the probe's answer, kicks).
    if (!this.paused && !health.held) {
      const retryAt = repo.nextRetryAt();
      if (retryAt !== null) consider(Math.max(retryAt, health.sendGateUntil));
    }
    if (this.trackDelivery)
      for (const at of this.stages.delivery.dueTimes(health.held)) consider(at);
    if (health.held) {
      // One probe at a time; while one is out, its answer kicks. Paused: no probing at all.
      if (!this.paused && !health.probing) consider(health.nextProbeAt);
    } else if (health.sendGateUntil > now) candidates.push(health.sendGateUntil);
    if (blocked) candidates.push(now + BACKSTOP_MS);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (candidates.length === 0) return;
    const delay = Math.max(5, Math.min(...candidates) - now);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.kick();
      },
      Math.min(delay, 60_000),
    );
    this.timer.unref?.();
  }

  /**
   * How many more documents validation may take now: unbounded unless checking is paced, single
   * sends are going out and nothing holds them up (paused, offline, a fault: then everything is
   * checked, so the reasons show at once); otherwise a lead of a few rounds of requests, less the
   * documents checked or in checking and not yet sent. Trigger-kept counts: a few rows.
   */
  private checkRoom(): number {
    if (!this.paceChecking || this.paused || !this.running) return Number.POSITIVE_INFINITY;
    const health = this.stages.health;
    if (health.held || health.fault !== null) return Number.POSITIVE_INFINITY;
    const sender = this.sender.state();
    if (sender.batching) return Number.POSITIVE_INFINITY;
    const lead = Math.max(CHECK_LEAD_MIN, CHECK_LEAD_PER_SLOT * sender.concurrencyLimit);
    const c = this.deps.repo.counts();
    return lead - (c.validating + c.ready + c.resolving + c.queued);
  }

  /**
   * Resolves once more files may be added: at once unless checking is paced (see checkRoom),
   * else when fewer than INTAKE_AHEAD added documents wait to be checked. `send` adds the drop
   * in chunks through this, so reading and adding also follow the sending instead of holding
   * the engine's thread while the first answers come in. Never waits once the pipeline stops.
   */
  async roomForMore(): Promise<void> {
    const open = () => {
      if (!Number.isFinite(this.checkRoom())) return true;
      // The first requests go before more files are read in (nine slots waited 40 ms behind the
      // second chunk): until the slots are full once, or all that was added is out.
      const c = this.deps.repo.counts();
      const { inFlight, concurrencyLimit } = this.sender.state();
      const rest = c.received + c.validating + c.ready + c.resolving + c.queued + c.sending;
      if (inFlight >= concurrencyLimit || (inFlight > 0 && rest <= inFlight))
        this.filledOnce = true;
      if (!this.filledOnce && rest > inFlight) return false;
      return c.received < INTAKE_AHEAD;
    };
    while (!open()) await new Promise((resolve) => setTimeout(resolve, INTAKE_POLL_MS));
  }

  /** Documents still on their way to the send queue (see SendQueue.moreComing). */
  private moreComing(): boolean {
    const { validation, resolution } = this.stages;
    if (validation.inFlight() > 0 || resolution.inFlight() > 0) return true;
    // Trigger-kept counts: a few rows, whatever the size of the data folder.
    const counts = this.deps.repo.counts();
    return counts.received > 0 || counts.ready > 0;
  }

  // ---- send -----------------------------------------------------------------------------------

  private pumpSend(now: number): void {
    if (this.paused) return;
    const health = this.stages.health;
    // Offline, the key refused or the access point failing: only a probe goes.
    if (health.held) {
      health.maybeProbe(now);
      return;
    }
    if (now < health.sendGateUntil) return;
    this.sender.pump(now);
  }

  private noteFault(err: unknown): void {
    this.stages.health.noteFault(err);
  }

  private emitConnection(): void {
    this.stages.health.emit();
  }
}
