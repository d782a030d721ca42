import { type ConnectionStatus, type DocumentValidation, type Environment } from '../contract';
import type {
  AccessPointClient,
  ApOutcome,
  LookupAnswer,
  RemoteVerdict,
  TransactionAnswer,
} from '../access-point/client';
import type { ParticipantCache } from '../caches/participant-cache';
import { canonicalParticipantId } from '../caches/participant-cache';
import type { RemoteValidationCache } from '../caches/remote-validation-cache';
import type { ValidationCache } from '../caches/validation-cache';
import type { Metrics } from '../metrics/metrics';
import type { DocumentRecord, DocumentsRepo } from '../store/documents-repo';
import type { CheckResult, DocumentSummary, Verdict } from '../validation/types';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../domain/retry-policy';
import { mayHaveReachedAccessPoint } from '../domain/states';
import {
  ACCESS_POINT_CHANGED,
  CHECKS_DISAGREE,
  fatalRules,
  offlineWords,
  remoteRules,
} from '../domain/problems';
import { Lifecycle } from './lifecycle';
import type { StageContext } from './stages/context';
import { LONG_RETRY_AFTER_MS, SendStage, type SendStageOptions } from './stages/send';
import { writeFault } from '../store/write-fault';

// Here too for the engine and the CLI, which import them from the pipeline.
export { ACCESS_POINT_CHANGED, CHECKS_DISAGREE, fatalRules, remoteRules };

/** Runs validation somewhere (a worker pool in the app, in-thread in small tools). */
export interface Validator {
  /** Cached verdicts are keyed by this (rule-set release and rules revision). */
  cacheKey: string;
  check(bytes: Uint8Array): Promise<CheckResult>;
}

/** What the pipeline needs from the rest of the engine. */
export interface PipelineDeps {
  repo: DocumentsRepo;
  client: AccessPointClient;
  validator: Validator;
  validationCache: ValidationCache;
  /** Cache of the access point's `/validate` answers (used when remote validation is on). */
  remoteValidationCache?: RemoteValidationCache;
  participants: ParticipantCache;
  metrics: Metrics;
  environment: Environment;
  /**
   * The access point in use as documents are pinned to it (`sandbox` for the built-in one). When
   * set, documents queued for another access point are held until the clerk reroutes them.
   */
  accessPoint?: string;
  /** Called with the ids of documents whose state changed. */
  onChanged(ids: number[]): void;
  onConnection(status: ConnectionStatus): void;
  /**
   * An earlier access point's client is no longer needed (nothing awaits delivery there, or it is
   * in use again): close it and forget the key kept for it.
   */
  onEarlierDone?(accessPoint: string, client: AccessPointClient): void;
  now?: () => number;
  random?: () => number;
}

/** Tunables; all have defaults. */
export interface PipelineOptions {
  /** Sends in flight at once: a fixed number, or 'auto' (adaptive; the default). */
  concurrency?: number | 'auto';
  /** Batching, rate caps and limits of the send stage (see app/sender). */
  sender?: Omit<SendStageOptions, 'retry' | 'trackDelivery' | 'pollInitialMs' | 'concurrency'>;
  retry?: RetryPolicy;
  /** Delivery polling: first poll after this, then doubling up to the max. */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Offline probing: first probe after this, doubling up to the max. */
  probeInitialMs?: number;
  probeMaxMs?: number;
  /** Also ask the access point's `/validate` before sending (default off). */
  remoteValidation?: boolean;
  /** After delivery, keep asking for the buyer's business response this long (default 1 h). */
  responseWindowMs?: number;
  /** Track delivery after acceptance (polling transactions). */
  trackDelivery?: boolean;
  /**
   * Stop polling a transaction the access point has not confirmed as delivered (or failed) this
   * long after acceptance (default 7 days); the document stays accepted with a problem.
   */
  deliveryTimeoutMs?: number;
  /** How often to look for documents left in `sending` with no request in flight (default 5 s). */
  stuckCheckMs?: number;
  paused?: boolean;
  /**
   * After a failed write, try again on its own this long after (default 30 s; Resume tries at
   * once). The CLI has no Resume button: this is how it goes on once space is freed.
   */
  faultRetryMs?: number;
}

const VALIDATE_BATCH = 128;
/**
 * Most file bytes in validation at once: memory stays bounded whatever the files weigh. Two
 * 15 MB files: one being checked and the next ready for the worker; more would only wait in memory.
 */
const VALIDATE_BYTES = 32 * 1024 * 1024;
/**
 * Checked documents wait at most this long for others to share their commit (ms), unless this
 * many are waiting or none is left in validation.
 */
const VALIDATE_COMMIT_MS = 25;
const VALIDATE_COMMIT_DOCS = 32;
const RESOLVE_BATCH = 256;
const FINAL_TRANSACTION = new Set(['delivered', 'failed', 'rejected']);
const POLL_BATCH = 200;
const BILLING_CUSTOMIZATION =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const BILLING_PROCESS = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
const UBL_ROOT = {
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote',
} as const;
const LIST_POLL_THRESHOLD = 8;
/** A due retry or poll that could not start waits for a kick; this wakes up anyway, slowly. */
const BACKSTOP_MS = 1_000;
const DAY_MS = 24 * 60 * 60_000;

/** A lookup that could not be made, and why (empty when nobody said). */
interface Unavailable {
  unavailable: string;
}

/** Documents in these states are being worked on by a live engine; after a crash they restart. */
const RECOVERY: [
  from: 'validating' | 'resolving' | 'sending',
  to: 'received' | 'ready' | 'queued',
][] = [
  ['validating', 'received'],
  ['resolving', 'ready'],
  ['sending', 'queued'],
];

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
  /** The one place a document's state changes (it also knows which sends are in flight here). */
  private readonly lifecycle: Lifecycle;
  private readonly pollInitialMs: number;
  private readonly pollMaxMs: number;
  private readonly probeInitialMs: number;
  private readonly probeMaxMs: number;
  private readonly trackDelivery: boolean;
  private readonly responseWindowMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly stuckCheckMs: number;
  private remoteValidation: boolean;
  private stuckTimer: NodeJS.Timeout | null = null;

  private running = false;
  private stopping = false;
  /** Serialises connection switches (settings changed while a switch is still waiting). */
  private switching: Promise<void> = Promise.resolve();
  private paused: boolean;
  /** When sending was paused in this session (null when not paused, or paused before start). */
  private pausedAt: number | null = null;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private validating = 0;
  /** Bytes of the documents in validation (see VALIDATE_BYTES). */
  private validatingBytes = 0;
  /**
   * Why work stopped after a failed write (disk full, read-only, I/O error), in the words the
   * header shows; null when all is well. Cleared by Resume or by the next automatic try.
   */
  private fault: string | null = null;
  private faultTimer: NodeJS.Timeout | null = null;
  private readonly faultRetryMs: number;
  /** Checked documents waiting for the next shared commit. */
  private readonly validated: {
    doc: DocumentRecord;
    result: CheckResult;
    toCache: { verdict: Verdict; summary: DocumentSummary } | null;
    remote: RemoteVerdict | null;
  }[] = [];
  /** Brings the scheduled commit of checked documents forward; null when none is scheduled. */
  private validatedCommitNow: (() => void) | null = null;
  private resolving = 0;
  private polling = 0;
  /** Earlier access points with documents awaiting delivery there, each with its own client. */
  private readonly earlier = new Map<string, AccessPointClient>();
  /** Earlier access points with a poll round out. */
  private readonly pollingEarlier = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();

  private connection: ConnectionStatus['state'] = 'connecting';
  private connectionMessage: string | null = null;
  /** The connection shows 'throttled' until this time after a 429. */
  private throttledUntil = 0;
  /** No send starts before this time (after a long Retry-After or while offline). */
  private sendGateUntil = 0;
  private offline = false;
  private probeDelayMs: number;
  private probing = false;
  private nextProbeAt = 0;

  constructor(
    private readonly deps: PipelineDeps,
    options: PipelineOptions = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.pollInitialMs = options.pollInitialMs ?? 2_000;
    this.pollMaxMs = options.pollMaxMs ?? 60_000;
    this.probeInitialMs = options.probeInitialMs ?? 1_000;
    this.probeMaxMs = options.probeMaxMs ?? 30_000;
    this.probeDelayMs = this.probeInitialMs;
    this.trackDelivery = options.trackDelivery ?? true;
    this.responseWindowMs = options.responseWindowMs ?? 60 * 60_000;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 7 * DAY_MS;
    this.stuckCheckMs = options.stuckCheckMs ?? 5_000;
    this.remoteValidation = options.remoteValidation ?? false;
    this.paused = options.paused ?? false;
    this.faultRetryMs = options.faultRetryMs ?? 30_000;
    this.lifecycle = new Lifecycle({
      repo: deps.repo,
      now: this.now,
      onChanged: (ids) => this.deps.onChanged(ids),
      // Every stage looks for work in the same coalesced pump.
      wake: () => this.kick(),
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
      noteOutcome: (outcome) => this.noteOutcome(outcome),
      track: (p) => this.track(p),
      kick: () => this.kick(),
    };
    this.sender = new SendStage(
      context,
      {
        maySend: (now) =>
          this.running && !this.paused && !this.offline && now >= this.sendGateUntil,
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
        trackDelivery: this.trackDelivery,
        pollInitialMs: this.pollInitialMs,
      },
    );
    deps.metrics.attach({ sender: () => this.sender.state() });
  }

  /** Put interrupted work back one step and start working. */
  start(): void {
    const { repo } = this.deps;
    repo.tx(() => {
      for (const [from, to] of RECOVERY) {
        // A send cut off mid-flight may have been accepted: it goes again under the same key.
        for (const doc of repo.inState(from, Number.MAX_SAFE_INTEGER)) {
          this.lifecycle.recoverInterrupted(doc, from, to);
        }
      }
      // Documents accepted while tracking was off (e.g. `peppol-desk send` without
      // --wait-delivery on the shared data folder) are tracked from now on.
      if (this.trackDelivery) repo.scheduleUntrackedPolls(this.now() + this.pollInitialMs);
      if (this.deps.accessPoint !== undefined) {
        repo.pinUnpinned(this.deps.accessPoint, this.deps.environment);
      }
    });
    this.holdPinnedElsewhere();
    this.running = true;
    this.stuckTimer = setInterval(() => {
      if (this.fault !== null) return;
      try {
        this.recoverStuckSending();
      } catch (err) {
        this.noteFault(err);
      }
    }, this.stuckCheckMs);
    this.stuckTimer.unref?.();
    this.kick();
    // Ask the access point at once, so the header says Online (or Offline) on start, before
    // anything is sent. Not tracked: stopping does not wait for it, and its answer is ignored
    // once stopped.
    void this.deps.client.version().then(
      (outcome) => {
        if (this.running && this.connection === 'connecting') this.noteProbe(outcome);
      },
      () => undefined,
    );
  }

  /**
   * Put documents left in `sending` with no request of this process in flight back to `queued`
   * (same idempotency key, so a re-send that did reach the access point is answered with the
   * first result). This happens when the send stage could not record outcomes (its group commit
   * failed): the requests ended but the rows stayed `sending`. Runs every few seconds; call it
   * after such a failure to recover at once. Returns the ids put back.
   */
  recoverStuckSending(): number[] {
    if (!this.running) return [];
    const { repo } = this.deps;
    const stuck = repo.idsInStates(['sending']).filter((id) => !this.lifecycle.isClaimed(id));
    if (stuck.length === 0) return [];
    return repo.tx(() => stuck.filter((id) => this.lifecycle.recoverUnrecorded(id)));
  }

  /** Stop starting new work and wait for what is in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    if (this.stuckTimer) clearInterval(this.stuckTimer);
    this.stuckTimer = null;
    if (this.faultTimer) clearTimeout(this.faultTimer);
    this.faultTimer = null;
    this.sender.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
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
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
      const previous = this.deps.client;
      const otherAccessPoint =
        previous.baseUrl !== next.client.baseUrl || this.deps.environment !== next.environment;
      if (otherAccessPoint && next.accessPoint === undefined) {
        this.holdUnconfirmed(previous.baseUrl, this.deps.environment);
      }
      this.deps.client = next.client;
      if (next.accessPoint !== undefined) this.deps.accessPoint = next.accessPoint;
      this.deps.participants = next.participants;
      if (next.remoteValidationCache) this.deps.remoteValidationCache = next.remoteValidationCache;
      this.deps.environment = next.environment;
      // What we knew about the old access point (offline, throttled, Retry-After) does not apply.
      this.offline = false;
      this.probing = false;
      this.throttledUntil = 0;
      this.sendGateUntil = 0;
      this.probeDelayMs = this.probeInitialMs;
      this.connection = 'connecting';
      this.connectionMessage = null;
      // Documents queued for the previous access point stay with it until the clerk decides.
      this.holdPinnedElsewhere();
      this.emitConnection();
      if (wasRunning && !this.stopping) {
        this.running = true;
        this.kick();
        // Ask the new access point at once so the header shows Online (or Offline) soon.
        this.probeNow();
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
   * Before talking to another access point: a document whose last attempt may have reached the
   * previous one (answer lost, or waiting to retry) is held, not sent again there under the same
   * key — the new access point has never seen that key, so it could deliver the invoice a second
   * time. The clerk checks the previous access point, then sends it anyway or cancels it.
   */
  private holdUnconfirmed(previousUrl: string, previousEnvironment: Environment): void {
    const { repo } = this.deps;
    const where =
      previousEnvironment === 'sandbox'
        ? 'the built-in Sandbox'
        : `the access point at ${previousUrl}`;
    const unconfirmed = [
      ...repo.inState('queued', Number.MAX_SAFE_INTEGER),
      ...repo.inState('retry_wait', Number.MAX_SAFE_INTEGER),
    ].filter(mayHaveReachedAccessPoint);
    repo.tx(() => {
      for (const d of unconfirmed) this.lifecycle.holdUnconfirmed(d, where, previousUrl);
    });
  }

  /**
   * Hold every document waiting to be sent (received, ready, queued, retry_wait) that is pinned
   * to another access point than the one in use: changing the provider never moves queued
   * documents. The clerk sends them through the new one (reroute) or cancels them. Returns the
   * held ids.
   */
  holdPinnedElsewhere(): number[] {
    const { repo } = this.deps;
    const current = this.deps.accessPoint;
    if (current === undefined) return [];
    const waiting = repo.waitingForOtherAccessPoint(current);
    if (waiting.length === 0) return [];
    const held = repo.tx(() =>
      waiting.filter((d) => this.lifecycle.holdForAccessPoint(d)).map((d) => d.id),
    );
    if (held.length) this.emitConnection();
    return held;
  }

  /** Tell the host the connection (and what waits for another access point) changed. */
  refreshConnection(): void {
    this.emitConnection();
  }

  /** One version call to learn the connection state (after a switch). */
  private probeNow(): void {
    this.track(this.deps.client.version().then((outcome) => this.noteProbe(outcome)));
  }

  /** What one version call says about the connection: offline (probing takes over) or online. */
  private noteProbe(outcome: ApOutcome<unknown>): void {
    if (outcome.kind === 'transient' && outcome.offline) {
      this.offline = true;
      this.nextProbeAt = this.now() + this.probeDelayMs;
      this.setConnection('offline', offlineWords(outcome.message));
    } else {
      this.noteOutcome(outcome.kind === 'ok' ? outcome : { kind: 'ok', value: null, status: 200 });
    }
  }

  /** Pause or resume sending (validation and lookups go on). */
  setPaused(paused: boolean): void {
    if (paused !== this.paused) this.pausedAt = paused ? this.now() : null;
    this.paused = paused;
    if (!paused) this.clearFault();
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
    const counts = this.deps.repo.counts();
    return {
      state: this.connection,
      environment: this.deps.environment,
      endpoint: this.deps.client.baseUrl,
      ...(this.deps.accessPoint !== undefined ? { accessPoint: this.deps.accessPoint } : {}),
      paused: this.paused || this.fault !== null,
      waiting: counts.queued + counts.retry_wait + counts.sending,
      message: this.fault ?? this.connectionMessage,
      waitingElsewhere: counts.held > 0 ? this.deps.repo.heldElsewhere() : [],
      pausedAt: this.paused ? this.pausedAt : null,
      nextTryAt: this.offline
        ? this.nextProbeAt
        : this.connection === 'throttled'
          ? Math.max(this.throttledUntil, this.sendGateUntil)
          : null,
    };
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
    if (this.fault !== null) return;
    const now = this.now();
    try {
      this.pumpValidate();
      this.pumpResolve();
      this.pumpSend(now);
      this.pumpPolls(now);
      this.scheduleTimer(now);
    } catch (err) {
      this.noteFault(err);
    }
  }

  /**
   * A write failed (or some stage threw): stop all work, keep everything as it is in the
   * database (the failed transaction was rolled back), say why, and try again later or on Resume.
   */
  private noteFault(err: unknown): void {
    const words =
      writeFault(err)?.message ??
      'Peppol Desk stopped working on the queue after an unexpected error: nothing was lost. Resume to try again; if it keeps stopping, restart the app.';
    if (this.fault === null) process.emitWarning(`Peppol Desk paused the queue: ${String(err)}`);
    this.fault = words;
    this.sender.releaseReady('Not sent yet: the queue is paused after a problem writing to disk');
    if (this.faultTimer !== null) clearTimeout(this.faultTimer);
    this.faultTimer = setTimeout(() => this.clearFault(), this.faultRetryMs);
    this.faultTimer.unref?.();
    this.emitConnection();
  }

  /** Try again after a fault: put stuck work back, commit pending verdicts, look for work. */
  private clearFault(): void {
    if (this.faultTimer !== null) clearTimeout(this.faultTimer);
    this.faultTimer = null;
    if (this.fault === null || !this.running) return;
    this.fault = null;
    this.emitConnection();
    try {
      this.recoverStuckSending();
      this.commitValidated();
    } catch (err) {
      this.noteFault(err);
      return;
    }
    this.kick();
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
    // Paused or offline, due retries cannot run (resume, or the probe's answer, kicks).
    if (!this.paused && !this.offline) {
      const retryAt = repo.nextRetryAt();
      if (retryAt !== null) consider(Math.max(retryAt, this.sendGateUntil));
    }
    if (this.trackDelivery && !this.offline) {
      const pollAt = repo.nextPollAt(this.deps.accessPoint ?? null);
      if (pollAt !== null) consider(pollAt);
    }
    if (this.trackDelivery) {
      for (const accessPoint of this.earlier.keys()) {
        if (this.pollingEarlier.has(accessPoint)) continue;
        const pollAt = repo.nextPollAt(accessPoint);
        if (pollAt !== null) consider(pollAt);
      }
    }
    if (this.offline) {
      // One probe at a time; while one is out, its answer kicks. Paused: no probing at all.
      if (!this.paused && !this.probing) consider(this.nextProbeAt);
    } else if (this.sendGateUntil > now) candidates.push(this.sendGateUntil);
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

  /** Documents still on their way to the send queue (see SendQueue.moreComing). */
  private moreComing(): boolean {
    if (this.validating > 0 || this.resolving > 0) return true;
    // Trigger-kept counts: a few rows, whatever the size of the data folder.
    const counts = this.deps.repo.counts();
    return counts.received > 0 || counts.ready > 0;
  }

  // ---- validate -------------------------------------------------------------------------------

  /**
   * Keep up to VALIDATE_BATCH documents in validation. Each one leaves as soon as its own check
   * ends (a slow file holds back nobody); the ones that finish close together share one commit.
   */
  private pumpValidate(): void {
    // Refill once half the slots are free: far more in flight than workers, so the pool stays
    // fed, without a query on every finished document.
    if (this.validating > VALIDATE_BATCH / 2) return;
    const { repo } = this.deps;
    const found = repo.inState('received', VALIDATE_BATCH - this.validating);
    // Bounded by bytes too: each check holds its file in memory, and 64 files of 15 MB would
    // be a gigabyte. One document always goes, whatever its size.
    const docs: DocumentRecord[] = [];
    let bytes = this.validatingBytes;
    for (const d of found) {
      if (bytes > 0 && bytes + d.size > VALIDATE_BYTES) break;
      bytes += d.size;
      docs.push(d);
    }
    if (docs.length === 0) return;
    const claimed = repo.txRedoable(() => docs.filter((d) => this.lifecycle.startCheck(d)));
    if (claimed.length === 0) return;
    this.validating += claimed.length;
    for (const d of claimed) this.validatingBytes += d.size;
    for (const d of claimed) {
      this.track(
        this.validateOne(d).then((r) => {
          this.validated.push(r);
          // Verdicts are cached in the same commit as the documents' new states: one commit
          // for all that finish within a few ms (at once when none is left in validation), not
          // one per document — each commit also wakes lookup and sending for what it carries.
          this.scheduleValidatedCommit(
            this.validated.length === this.validating ||
              this.validated.length >= VALIDATE_COMMIT_DOCS,
          );
        }),
      );
    }
  }

  /** Commit the checked documents soon (`now`: at the end of this turn, else within a few ms). */
  private scheduleValidatedCommit(now: boolean): void {
    if (this.validatedCommitNow !== null) {
      if (now) this.validatedCommitNow();
      return;
    }
    this.track(
      new Promise<void>((done) => {
        let fired = false;
        const fire = () => {
          if (fired) return;
          fired = true;
          clearTimeout(timer);
          this.validatedCommitNow = null;
          done();
        };
        const timer = setTimeout(fire, now ? 0 : VALIDATE_COMMIT_MS);
        this.validatedCommitNow = () => setImmediate(fire);
        if (now) this.validatedCommitNow();
      }).then(() => {
        if (this.fault === null) this.commitValidated();
      }),
    );
  }

  private commitValidated(): void {
    const results = this.validated.splice(0);
    if (results.length === 0) return;
    const { repo, validationCache, validator } = this.deps;
    try {
      // Redoable: a verdict lost to a power cut is checked again (docs/performance.md).
      repo.txRedoable(() => {
        for (const r of results) {
          if (r.toCache) validationCache.put(r.doc.sha256, validator.cacheKey, r.toCache);
          this.finishValidation(r.doc, r.result, r.remote);
        }
      });
    } catch (err) {
      // Rolled back: the verdicts wait here for the next try (Resume), nothing is checked twice.
      this.validated.unshift(...results);
      throw err;
    }
    this.validating -= results.length;
    for (const r of results) this.validatingBytes -= r.doc.size;
  }

  private async validateOne(doc: DocumentRecord): Promise<{
    doc: DocumentRecord;
    result: CheckResult;
    toCache: { verdict: Verdict; summary: DocumentSummary } | null;
    remote: RemoteVerdict | null;
  }> {
    const { validator, validationCache, metrics, repo } = this.deps;
    const started = performance.now();
    const cached = validationCache.get(doc.sha256, validator.cacheKey);
    let body: Uint8Array | null = null;
    let result: CheckResult;
    let toCache: { verdict: Verdict; summary: DocumentSummary } | null = null;
    try {
      if (cached) {
        // Same bytes, same rules: verdict and summary stand; the body is not even read.
        result = { ok: true, summary: cached.summary, verdict: cached.verdict };
      } else {
        body = repo.getBody(doc.id);
        result = await validator.check(body);
        if (result.ok) toCache = { verdict: result.verdict, summary: result.summary };
      }
    } catch {
      // Only a closing pool gets here (checks themselves never throw); no error text for clerks.
      result = {
        ok: false,
        error: {
          code: 'UNCHECKABLE',
          message: 'This file could not be checked because the app was stopping. Retry it.',
        },
      };
    }
    // Asked whatever our verdict: a valid invoice we call invalid is as important to catch as
    // the reverse (issue 10: never worse than the provider).
    const remote =
      result.ok && this.remoteValidation
        ? await this.remoteVerdict(doc.sha256, body ?? repo.getBody(doc.id))
        : null;
    metrics.recordLatency('validate', performance.now() - started);
    return { doc, result, toCache, remote };
  }

  /**
   * Optional second opinion from the access point's own validator (cached 24 h per access point).
   * Null when it cannot answer: the local verdict stands, and sending surfaces any rejection.
   */
  private async remoteVerdict(sha256: string, body: Uint8Array): Promise<RemoteVerdict | null> {
    const cache = this.deps.remoteValidationCache;
    const cached = cache?.get(sha256) ?? null;
    if (cached) return cached;
    const outcome = await this.deps.client.validate(body);
    this.noteOutcome(outcome);
    if (outcome.kind !== 'ok') return null;
    cache?.put(sha256, outcome.value);
    return outcome.value;
  }

  /** Turn the access point's validation on or off (setting `remoteValidation`). */
  setRemoteValidation(on: boolean): void {
    this.remoteValidation = on;
  }

  private finishValidation(
    doc: DocumentRecord,
    result: CheckResult,
    remote: RemoteVerdict | null,
  ): void {
    const { repo } = this.deps;
    const life = this.lifecycle;
    if (!result.ok) {
      life.failIntake(doc, result.error);
      return;
    }
    const s = result.summary;
    const ours = result.verdict;
    const disagree = remote !== null && remote.valid !== ours.valid;
    // Both say invalid: the access point's reasons join ours in the list of what to fix.
    const verdict =
      remote && !remote.valid && !ours.valid
        ? { ...ours, findings: [...ours.findings, ...accessPointFindings(remote)] }
        : ours;
    const fields = summaryFields(s, verdict, remote, disagree);
    // Without a buyer address the document cannot be sent, whatever the access point thinks.
    if (!ours.valid && (!disagree || !s.buyerEndpoint)) {
      life.markInvalid(doc, fields, verdict);
      return;
    }
    if (!s.buyerEndpoint) {
      life.markNoReceiver(doc, fields);
      return;
    }
    const twin = doc.send_anyway ? null : repo.findContentDuplicate(doc.id, doc.sha256);
    if (twin !== null) {
      life.holdSameContent(doc, fields, twin, s.docType);
      return;
    }
    const dup =
      doc.send_anyway || !fields.seller_id || !fields.invoice_number
        ? null
        : repo.findBusinessDuplicate(doc.id, fields.seller_id, fields.invoice_number, s.docType);
    if (dup !== null) {
      life.holdDuplicate(doc, fields, dup, s.invoiceNumber ?? '', s.docType);
      return;
    }
    if (disagree && remote) {
      life.holdDisagreement(doc, fields, s.docType, ours, remote);
      return;
    }
    life.markValid(doc, fields);
    if (fields.seller_id && fields.invoice_number) {
      const old = repo.findSupersedable(doc.id, fields.seller_id, fields.invoice_number, s.docType);
      life.supersede(doc, old);
    }
  }

  // ---- resolve --------------------------------------------------------------------------------

  private pumpResolve(): void {
    if (this.resolving > 0) return;
    const { repo } = this.deps;
    const docs = repo.inState('ready', RESOLVE_BATCH);
    if (docs.length === 0) return;
    // Receivers with a fresh cached answer (most of a drop: a few buyers, many invoices) are
    // resolved in the claim's own commit: no second commit and no extra round for them.
    const cached = new Map<string, LookupAnswer | null>();
    for (const d of docs) {
      const key = d.receiver_id ?? '';
      if (!cached.has(key)) cached.set(key, this.peekCached(key));
    }
    const claimed = repo.txRedoable(() =>
      docs.filter((d) => {
        if (!this.lifecycle.startLookup(d)) return false;
        const answer = cached.get(d.receiver_id ?? '');
        if (!answer) return true;
        this.finishResolve(d, answer);
        return false;
      }),
    );
    if (claimed.length === 0) return;
    const byReceiver = new Map<string, DocumentRecord[]>();
    for (const d of claimed) {
      const key = d.receiver_id ?? '';
      const list = byReceiver.get(key) ?? [];
      list.push(d);
      byReceiver.set(key, list);
    }
    this.resolving++;
    this.track(
      Promise.all(
        [...byReceiver].map(async ([receiver, list]) => {
          try {
            const answer = await this.lookup(receiver);
            repo.txRedoable(() => {
              for (const d of list) this.finishResolve(d, answer);
            });
          } catch (err) {
            // Whatever went wrong for this receiver, its documents must not stay in `resolving`
            // (and the other receivers go on): hold them with a reason the user can act on.
            this.holdUnresolved(list, err);
          }
        }),
      ).finally(() => {
        this.resolving--;
      }),
    );
  }

  /**
   * A fresh cached lookup answer, or null. A cache that cannot be read is not a write fault: its
   * documents take the ordinary lookup, whose failure holds them with a reason.
   */
  private peekCached(receiver: string): LookupAnswer | null {
    try {
      return this.deps.participants.peek(receiver)?.answer ?? null;
    } catch {
      return null;
    }
  }

  private holdUnresolved(list: DocumentRecord[], err: unknown): void {
    const { repo } = this.deps;
    const detail = err instanceof Error ? err.message : String(err);
    repo.txRedoable(() => {
      for (const d of list) this.lifecycle.holdUnresolved(d, detail);
    });
  }

  private async lookup(receiver: string): Promise<LookupAnswer | Unavailable> {
    const { participants, client, metrics } = this.deps;
    let reason = '';
    const entry = await participants.get(receiver, async () => {
      const started = performance.now();
      const outcome = await client.lookup(receiver);
      metrics.recordLatency('lookup', performance.now() - started);
      this.noteOutcome(outcome);
      if (outcome.kind === 'permanent') reason = outcome.error.message;
      else if (outcome.kind === 'transient') reason = outcome.message;
      return outcome.kind === 'ok' ? outcome.value : null;
    });
    return entry?.answer ?? { unavailable: reason };
  }

  private finishResolve(doc: DocumentRecord, answer: LookupAnswer | Unavailable): void {
    const life = this.lifecycle;
    if ('unavailable' in answer) {
      // The lookup could not be made (offline, provider error, unreadable answer): send anyway;
      // the access point does its own lookup and answers 404 when the receiver is unknown.
      life.queueUnchecked(doc, answer.unavailable);
      return;
    }
    if (!answer.found) {
      life.markUnreachable(doc);
      return;
    }
    // The receiver must accept this very document: its root, its CustomizationID (BT-24) and its
    // process (BT-23). A provider that lists no capabilities is trusted.
    const wanted = wantedDocument(doc);
    const accepts = (c: { document_type: unknown; process_id: unknown }) =>
      capabilityAccepts(c, wanted);
    if (
      Array.isArray(answer.capabilities) &&
      answer.capabilities.length > 0 &&
      !answer.capabilities.some(accepts)
    ) {
      life.holdNotAccepted(doc);
      return;
    }
    life.queueForSend(doc, answer.name);
  }

  // ---- send -----------------------------------------------------------------------------------

  private pumpSend(now: number): void {
    if (this.paused) return;
    if (this.offline) {
      this.maybeProbe(now);
      return;
    }
    if (now < this.sendGateUntil) return;
    this.sender.pump(now);
  }

  /** Track connection health from any call's outcome. */
  private noteOutcome(outcome: ApOutcome<unknown>): void {
    const now = this.now();
    if (outcome.kind === 'transient' && outcome.offline) {
      if (!this.offline) {
        this.offline = true;
        this.probeDelayMs = this.probeInitialMs;
        this.nextProbeAt = now + this.probeDelayMs;
        this.setConnection('offline', offlineWords(outcome.message));
      }
      return;
    }
    if (outcome.kind === 'transient' && outcome.status === 429) {
      // The send stage slows down by itself (its rate gate learns the limit) and the refused
      // document waits Retry-After; only a long Retry-After stops every send.
      const wait = outcome.retryAfterMs ?? 0;
      if (wait >= LONG_RETRY_AFTER_MS)
        this.sendGateUntil = Math.max(this.sendGateUntil, now + wait);
      this.throttledUntil = now + 2_000;
      this.setConnection('throttled', 'The access point asked us to slow down.');
      return;
    }
    if (this.offline) {
      this.offline = false;
      this.probeDelayMs = this.probeInitialMs;
    }
    if (outcome.kind === 'ok' || outcome.kind === 'permanent') {
      if (this.connection !== 'online' && now >= this.sendGateUntil && now >= this.throttledUntil)
        this.setConnection('online', null);
    }
  }

  /** While offline: one probe at a time, backing off, and resume when it answers. */
  private maybeProbe(now: number): void {
    if (this.probing || now < this.nextProbeAt) return;
    this.probing = true;
    this.track(
      this.deps.client.version().then((outcome) => {
        this.probing = false;
        if (outcome.kind === 'transient' && outcome.offline) {
          this.probeDelayMs = Math.min(this.probeMaxMs, this.probeDelayMs * 2);
          this.nextProbeAt = this.now() + this.probeDelayMs;
          this.emitConnection();
        } else {
          this.noteOutcome(
            outcome.kind === 'ok' ? outcome : { kind: 'ok', value: null, status: 200 },
          );
        }
      }),
    );
  }

  private setConnection(state: ConnectionStatus['state'], message: string | null): void {
    if (this.connection === state && this.connectionMessage === message) return;
    this.connection = state;
    this.connectionMessage = message;
    this.emitConnection();
  }

  private emitConnection(): void {
    this.deps.onConnection(this.connectionStatus());
  }

  // ---- delivery tracking ----------------------------------------------------------------------

  private pumpPolls(now: number): void {
    if (!this.trackDelivery) return;
    this.pumpEarlierPolls(now);
    if (this.offline || this.polling > 0) return;
    const { repo, client } = this.deps;
    const due = repo.duePolls(now, POLL_BATCH, this.deps.accessPoint ?? null);
    if (due.length === 0) return;
    this.polling++;
    this.track(
      this.pollRound(due, client, (o) => this.noteOutcome(o)).finally(() => {
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
    const { repo } = this.deps;
    for (const [accessPoint, client] of this.earlier) {
      if (this.pollingEarlier.has(accessPoint)) continue;
      if (accessPoint === this.deps.accessPoint) {
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
      this.track(
        this.pollRound(due, client, () => undefined).finally(() => {
          this.pollingEarlier.delete(accessPoint);
        }),
      );
    }
  }

  private releaseEarlier(accessPoint: string, client: AccessPointClient): void {
    this.earlier.delete(accessPoint);
    this.deps.onEarlierDone?.(accessPoint, client);
  }

  /**
   * Keep asking `accessPoint` (not the one in use) about the documents it accepted, through
   * `client`, until none waits there any more.
   */
  pollEarlier(accessPoint: string, client: AccessPointClient): void {
    const previous = this.earlier.get(accessPoint);
    if (previous === client) return;
    if (previous) this.deps.onEarlierDone?.(accessPoint, previous);
    this.earlier.set(accessPoint, client);
    this.kick();
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
    const { repo } = this.deps;
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
    const { repo, metrics } = this.deps;
    const t = this.now();
    const age = t - (d.accepted_at ?? t);
    // Adaptive: poll soon after sending, then less often (bounded by pollMaxMs).
    const nextPoll = t + Math.min(this.pollMaxMs, Math.max(this.pollInitialMs, age / 2));
    if (d.state !== 'accepted') {
      // Delivered (or answered) already: only waiting for the buyer's next business response,
      // for a bounded time after the last news.
      const since = d.business_response_at ?? d.delivered_at ?? t;
      const response = tx?.businessResponse ?? null;
      if (response && response !== d.business_response) {
        this.applyResponse(d, d.state, tx!, nextPoll);
      } else {
        repo.patch(d.id, { next_poll_at: t - since > this.responseWindowMs ? null : nextPoll });
      }
      return;
    }
    if (!tx || !FINAL_TRANSACTION.has(tx.status)) {
      if (age >= this.deliveryTimeoutMs) {
        // Bounded: an unknown or never-final transaction is not asked about forever.
        this.lifecycle.stopTracking(d, this.deliveryTimeoutMs, tx?.status ?? null);
        return;
      }
      repo.patch(d.id, { next_poll_at: nextPoll });
      return;
    }
    if (tx.status === 'delivered') {
      repo.tx(() => {
        this.lifecycle.deliver(
          d,
          tx.deliveredAt ? Date.parse(tx.deliveredAt) || t : t,
          this.responseWindowMs <= 0 ? null : nextPoll,
        );
        // Delivery and the buyer's answer read in one poll: both steps on the timeline.
        if (tx.businessResponse) this.applyResponse(d, 'delivered', tx, nextPoll);
      });
      metrics.recordLatency('delivery', t - (d.accepted_at ?? t));
    } else {
      this.lifecycle.failDelivery(d, tx.errorCode ?? null, tx.error);
    }
  }

  /** A buyer's business response, recorded by the lifecycle (final answers end the polling). */
  private applyResponse(
    d: DocumentRecord,
    from: DocumentRecord['state'],
    tx: TransactionAnswer,
    nextPoll: number,
  ): void {
    this.lifecycle.recordResponse(
      d,
      from,
      {
        code: tx.businessResponse ?? '',
        note: tx.businessResponseNote ?? null,
        at: (tx.businessResponseAt && Date.parse(tx.businessResponseAt)) || this.now(),
      },
      this.responseWindowMs <= 0 ? null : nextPoll,
    );
  }
}

/** The access point's errors as findings, worded as its own (shown when both checks fail). */
function accessPointFindings(remote: RemoteVerdict): Verdict['findings'] {
  return remote.errors.map((e) => ({
    rule: e.rule || 'ACCESS-POINT',
    flag: 'fatal' as const,
    message: `The access point's own check says: ${e.message}`,
    location: e.location ?? '',
  }));
}

/** The columns a summary fills. */
function summaryFields(
  s: DocumentSummary,
  verdict: Verdict,
  remote: RemoteVerdict | null = null,
  disagree = false,
) {
  return {
    doc_type: s.docType,
    invoice_number: s.invoiceNumber,
    seller_name: s.sellerName,
    seller_id: s.sellerEndpoint
      ? canonicalParticipantId(s.sellerEndpoint.scheme, s.sellerEndpoint.value)
      : null,
    buyer_name: s.buyerName,
    receiver_id: s.buyerEndpoint
      ? canonicalParticipantId(s.buyerEndpoint.scheme, s.buyerEndpoint.value)
      : null,
    amount: s.payableAmount,
    currency: s.currency,
    issue_date: s.issueDate,
    summary_json: JSON.stringify(s),
    validation_json: JSON.stringify({
      ruleset: verdict.ruleset,
      findings: verdict.findings,
      ...(remote
        ? {
            accessPoint: { valid: remote.valid, errors: remote.errors, warnings: remote.warnings },
            checksDisagree: disagree,
          }
        : {}),
    } satisfies DocumentValidation),
  };
}

/** What a receiver must accept for one document: UBL root, customization and process. */
export interface WantedDocument {
  root: string;
  customizationId: string;
  processId: string;
}

/** The document's own root, CustomizationID and ProfileID (Billing 3.0 defaults when unknown). */
function wantedDocument(doc: DocumentRecord): WantedDocument {
  let summary: Partial<DocumentSummary> = {};
  try {
    summary = doc.summary_json ? (JSON.parse(doc.summary_json) as DocumentSummary) : {};
  } catch {
    summary = {};
  }
  return {
    root: doc.doc_type === 'CreditNote' ? UBL_ROOT.CreditNote : UBL_ROOT.Invoice,
    customizationId: summary.customizationId?.trim() || BILLING_CUSTOMIZATION,
    processId: summary.profileId?.trim() || BILLING_PROCESS,
  };
}

/**
 * True when a capability from a lookup covers the document. A Peppol document type id is
 * `[scheme::]<root namespace>::<root>##<customization>::<UBL version>`; the `busdox-docid-qns`
 * scheme matches the customization exactly, the `peppol-doctype-wildcard` scheme also as a
 * prefix when it ends with `*`. The process id (`[cenbii-procid-ubl::]<id>`) must be the
 * document's own; an empty one is trusted. Malformed entries accept nothing.
 */
export function capabilityAccepts(
  c: { document_type: unknown; process_id: unknown },
  wanted: WantedDocument,
): boolean {
  if (typeof c.document_type !== 'string') return false;
  let id = c.document_type.trim();
  let wildcard = false;
  const scheme = /^(busdox-docid-qns|peppol-doctype-wildcard)::/.exec(id);
  if (scheme) {
    wildcard = scheme[1] === 'peppol-doctype-wildcard';
    id = id.slice(scheme[0].length);
  }
  const hashes = id.indexOf('##');
  if (hashes < 0 || id.slice(0, hashes) !== wanted.root) return false;
  const rest = id.slice(hashes + 2);
  const versionAt = rest.lastIndexOf('::');
  if (versionAt < 0 || rest.slice(versionAt + 2) !== '2.1') return false;
  const customization = rest.slice(0, versionAt);
  const customizationOk =
    customization === wanted.customizationId ||
    (wildcard &&
      customization.endsWith('*') &&
      wanted.customizationId.startsWith(customization.slice(0, -1)));
  if (!customizationOk) return false;
  if (c.process_id === undefined || c.process_id === null || c.process_id === '') return true;
  if (typeof c.process_id !== 'string') return false;
  const process = c.process_id.trim().replace(/^cenbii-procid-ubl::/, '');
  return process === wanted.processId;
}
