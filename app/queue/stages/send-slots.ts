import type { ReachState, SendSubject } from '../../access-point/reachability';
import type { ApOutcome } from '../../access-point/client';
import type { RetryPolicy } from '../../domain/retry-policy';
import { AdaptiveLimiter, type OverloadSignal } from '../../sender/adaptive-limiter';
import { RateGate, type RequestKind } from '../../sender/rate-gate';
import type { StageContext } from './context';
import type { Unit } from './send-plan';

/** How the send stage sends; everything but `retry` has a default. */
export interface SendStageOptions {
  /** Requests in flight: a fixed number, or 'auto' (adaptive, the default). */
  concurrency?: number | 'auto';
  /** Send documents that are ready together in batch requests (default true). */
  batching?: boolean;
  /** Documents per batch (default and maximum 100). */
  batchSize?: number;
  /** How long the first ready document waits for others before its batch leaves (default 20 ms). */
  batchWindowMs?: number;
  /** Hard cap on requests per second; null = none (the rate is still learned from 429s). */
  requestsPerSecond?: number | null;
  /** Hard cap on batch requests per minute (the provider documents 10); null = none. */
  batchesPerMinute?: number | null;
  /** Adaptive ceiling of single sends in flight (default 64). */
  maxConcurrency?: number;
  /** Adaptive ceiling of batches in flight (default 8). */
  maxBatchConcurrency?: number;
  /** Bytes of request bodies held at once (default IN_FLIGHT_BYTES of ./send-turns.ts). */
  maxInFlightBytes?: number;
  retry: RetryPolicy;
  trackDelivery: boolean;
  pollInitialMs: number;
  /**
   * The header's state of the access point, read when an answer is recorded (the answer was
   * noted first): in `trouble`, a 5xx or a timeout counts no attempt (./send-outcomes.ts).
   */
  readonly accessPointState?: ReachState;
  /** A send's 403 told (its invoice's buyer): whether the account may not send (no invoice fails). */
  noteForbidden?(receiver: string | null, said: string): boolean;
}

/** A claim waiting for its commit to reach the disk (`ahead`: it becomes a claim ahead). */
export interface PendingClaim {
  unit: Unit;
  ahead: boolean;
}

/** One request out: the slot it holds, its bytes, when it left. */
export interface Request {
  readonly kind: RequestKind;
  readonly bytes: number;
  /** Documents it carries (a batch's, or 1). */
  readonly documents: number;
  /** Its documents (the access point's health tells one or two failing invoices apart). */
  readonly subject?: SendSubject;
  readonly token: ReturnType<AdaptiveLimiter['acquire']>;
  readonly started: number;
}

/**
 * The send stage's side of the wire: how many requests may be in flight (an
 * {@link AdaptiveLimiter} for single sends and one for batches, or a fixed number), how fast they
 * may leave (a {@link RateGate} that learns the access point's limit from 429 answers), and the
 * bytes of the bodies out. Claims waiting for their commit to reach the disk count as taken
 * meanwhile. An answer frees its slot and teaches both; the stage decides what leaves and records
 * what came back.
 */
export class SendSlots {
  /** Slots of single sends. */
  readonly single: AdaptiveLimiter;
  /** Slots of batch requests. */
  readonly batch: AdaptiveLimiter;
  /** When the next request of each kind may leave. */
  readonly gate: RateGate;
  private bytesOut = 0;
  /** Documents carried by the requests out (see silentForMs). */
  private documentsOut = 0;
  /** Requests out now, the oldest first; and when the last answer came (see silentForMs). */
  private readonly open = new Set<Request>();
  private lastAnswerAt = performance.now();
  /**
   * Claimed and committed, waiting for the commit to reach the disk: the request slots they will
   * take (singles, batches) and the claims ahead they will become, counted as taken meanwhile.
   */
  private readonly pending = { singles: 0, batches: 0, ahead: 0, bytes: 0 };

  constructor(
    private readonly ctx: Pick<StageContext, 'metrics' | 'noteOutcome'>,
    options: SendStageOptions,
  ) {
    const fixed = typeof options.concurrency === 'number' ? options.concurrency : null;
    this.single = new AdaptiveLimiter({
      initial: fixed ?? 4,
      max: fixed ?? options.maxConcurrency ?? 64,
      fixed: fixed !== null,
    });
    this.batch = new AdaptiveLimiter({
      initial: fixed ?? 2,
      max: fixed ?? options.maxBatchConcurrency ?? 8,
      fixed: fixed !== null,
    });
    this.gate = new RateGate({
      // A fixed concurrency bounds the first burst by itself: no slow start in rate then. A batch
      // carries up to 100 documents, so batches start at 20 requests/s (2,000 documents/s, more
      // than validation feeds): fewer requests are in flight when a rate limit is first met.
      startRate: fixed !== null ? null : (options.batching ?? true) ? 20 : 100,
      requestsPerSecond: options.requestsPerSecond ?? null,
      batchesPerMinute: options.batchesPerMinute ?? null,
    });
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.single.inFlight + this.batch.inFlight;
  }

  /** Bytes of the bodies of the requests in flight. */
  get bytesInFlight(): number {
    return this.bytesOut;
  }

  /** Bytes of the bodies in flight, or claimed and not launched yet. */
  get bytesHeld(): number {
    return this.bytesOut + this.pending.bytes;
  }

  /** Single-send slots free and not promised to a claim waiting for the disk (may be < 0). */
  freeSingles(): number {
    return this.single.available() - this.pending.singles;
  }

  /** Batch slots free and not promised to a claim waiting for the disk (may be < 0). */
  freeBatches(): number {
    return this.batch.available() - this.pending.batches;
  }

  /** Claims ahead waiting for the disk. */
  get pendingAhead(): number {
    return this.pending.ahead;
  }

  /** A claim waits for the disk: its slot (or its place ahead) and its bytes count as taken. */
  reserve(claim: PendingClaim): void {
    this.pending.bytes += claim.unit.bytes;
    if (claim.ahead) this.pending.ahead++;
    else if (claim.unit.kind === 'single') this.pending.singles++;
    else this.pending.batches++;
  }

  /** No longer waiting for the disk: these claims stop counting as pending. */
  unreserve(claims: readonly PendingClaim[]): void {
    for (const { unit, ahead } of claims) {
      this.pending.bytes -= unit.bytes;
      if (ahead) this.pending.ahead--;
      else if (unit.kind === 'single') this.pending.singles--;
      else this.pending.batches--;
    }
  }

  /** Fixed requests in flight, or adaptive ('auto'). */
  setConcurrency(concurrency: number | 'auto'): void {
    const fixed = concurrency === 'auto' ? null : Math.max(1, Math.floor(concurrency));
    this.single.setFixed(fixed);
    this.batch.setFixed(fixed);
  }

  /**
   * A request of `kind` carrying `documents` leaves now with a body of `bytes`: it takes a slot
   * and holds them.
   */
  start(kind: RequestKind, bytes: number, documents = 1, subject?: SendSubject): Request {
    const token = (kind === 'single' ? this.single : this.batch).acquire();
    const started = performance.now();
    this.bytesOut += bytes;
    this.documentsOut += documents;
    const req = { kind, bytes, documents, token, started, subject };
    this.open.add(req);
    return req;
  }

  /** Its body is no longer held (answered, or the call threw). */
  unhold(req: Request): void {
    this.bytesOut -= req.bytes;
    if (this.open.delete(req)) this.documentsOut -= req.documents;
  }

  /**
   * How long requests have been out with no answer to any of them (ms): since the oldest one
   * still out left, or the last answer, whichever came later. 0 with fewer than two documents
   * out: one slow single send (a receiver the access point takes long for) says nothing of the
   * others. A batch counts by its documents (walk 9: a batch of 6 hanging for 30 s a try left
   * the header "Online").
   */
  silentForMs(now = performance.now()): number {
    const oldest = this.open.values().next();
    if (oldest.done || this.documentsOut < 2) return 0;
    return now - Math.max(oldest.value.started, this.lastAnswerAt);
  }

  /**
   * `req` was answered with `outcome`: its slot is freed, the limiter and the gate learn from
   * it, the metrics count it and the connection's health hears of it. Returns how long it took (ms).
   */
  answered(req: Request, outcome: ApOutcome<unknown>): number {
    this.lastAnswerAt = performance.now();
    const ms = this.lastAnswerAt - req.started;
    // Only a send taken teaches the limiter its round trip: a 429 or a refusal (4xx) is answered
    // without the work of a send, often at once, and would make every real send look slow (walk
    // 15: with 30 % of sends refused 429 at once, the limit fell to 1).
    let signal: 'ok' | 'ignore' | OverloadSignal = 'ignore';
    if (outcome.kind === 'ok') signal = 'ok';
    else if (outcome.kind === 'transient' && !outcome.offline && outcome.status !== 429)
      signal = outcome.status === null ? 'timeout' : 'server-error';
    (req.kind === 'single' ? this.single : this.batch).release(req.token, signal);
    if (outcome.kind === 'transient' && outcome.status === 429) {
      this.gate.onRateLimited(req.kind, outcome.retryAfterMs);
    } else if (!(outcome.kind === 'transient' && outcome.offline)) this.gate.onAnswered(req.kind);
    const status =
      outcome.kind === 'ok'
        ? outcome.status
        : outcome.kind === 'permanent'
          ? outcome.error.status
          : (outcome.status ?? (outcome.offline ? 'offline' : 'network'));
    this.ctx.metrics.recordRequest(req.kind, String(status));
    // A batch refused with 429 met a quota of batches, not of requests: single sends go on, so
    // neither the header's "Throttled", nor a long Retry-After's stop of every send, nor the
    // buyer-response polls' pause applies (a single send's 429 does all three).
    if (req.kind === 'batch' && outcome.kind === 'transient' && outcome.status === 429) return ms;
    this.ctx.noteOutcome(outcome, 'send', req.subject);
    return ms;
  }
}
