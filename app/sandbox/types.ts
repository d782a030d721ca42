/**
 * Public types of the built-in sandbox access point: its options, the fault plan used by
 * fault-injection tests, and the statistics it exposes for exactly-once checks.
 */

/** When a fault fires, counted over the requests it is eligible for. */
export interface FaultTrigger {
  /** Fire on every Nth eligible request (N, 2N, 3N, …). Deterministic without a seed. */
  every?: number;
  /** Fire with this probability (0..1), drawn from the plan's seeded PRNG. */
  probability?: number;
  /** Stop firing after this many injections. */
  max?: number;
}

/**
 * Faults the sandbox injects into requests, for testing retries and exactly-once delivery.
 * A trigger fires when either its `every` or its `probability` condition holds.
 * Precedence on one request: reset 'before' → 429 → 503 → (request processed) → reset 'after'.
 * Stalls add delay on top of whatever answer is given.
 */
export interface FaultPlan {
  /** Seed of the PRNG behind every `probability`; the same seed gives the same sequence. */
  seed?: number;
  /** 'send' (default): only the send and batch endpoints; 'all': every API endpoint. */
  endpoints?: 'send' | 'all';
  /** Answer 429 with `Retry-After` (default 1 s) without processing the request. */
  status429?: FaultTrigger & { retryAfterSeconds?: number };
  /** Answer 503 without processing the request; `Retry-After` only when retryAfterSeconds is set. */
  status503?: FaultTrigger & { retryAfterSeconds?: number };
  /**
   * Destroy the socket (TCP RST) without answering. 'before' (default): the request is not
   * processed. 'after': it is processed and stored, only the answer is lost — the nasty case
   * for exactly-once, since the client cannot know the document was accepted.
   */
  resetConnection?: FaultTrigger & { when?: 'before' | 'after' };
  /**
   * Hold the answer for `ms` (e.g. past the client's timeout). 'after' (default): the request is
   * processed first and the answer is late; 'before': it is processed only when the stall ends.
   */
  stallMs?: FaultTrigger & { ms: number; when?: 'before' | 'after' };
  /**
   * Answer this HTTP status (e.g. 400, 401, 403, 409, 413, 415) with the contract's error body,
   * without processing the request; after 429 and 503 in precedence.
   */
  status?: FaultTrigger & { status: number; code?: string; message?: string };
  /**
   * Accept the send as usual, then end its transaction `failed` at delivery with the receiver's
   * certificate error, whoever the receiver is (a batch: every document in it).
   */
  deliveryFails?: FaultTrigger;
  /**
   * Answer every `POST /validate` of well-formed XML with this verdict instead of the sandbox's
   * light checks: a provider whose validator disagrees with the app's (issue 10). Not a trigger:
   * it holds while the plan is set. `errors` defaults to one `SANDBOX-VALIDATOR` error when
   * `valid` is false.
   */
  validateVerdict?: {
    valid: boolean;
    errors?: { rule: string; location: string; message: string }[];
  };
}

/** Options of {@link startSandbox}. Every field has a default suited to fast tests. */
export interface SandboxOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Added to every API answer, in milliseconds; default 0. */
  latencyMs?: number;
  /** Path prefix of every endpoint; default '/peppol-api' (as the provider's production URL). */
  basePath?: string;
  /** Time between pending → processing → sending → delivered; default 200 ms. */
  transactionStepMs?: number;
  /**
   * How long a transaction to `9915:timeout-test` stays in `sending` before it is delivered;
   * default 35 000 ms (the provider documents "30 s or more").
   */
  slowSendingMs?: number;
  /**
   * Token bucket over all API requests (not `/_sandbox/*`). `burst` defaults to
   * `requestsPerSecond` (one second's worth). `batchesPerMinute` adds a bucket for batch calls
   * only (the provider documents 10 per minute; off unless set). Beyond either: 429 with
   * `Retry-After`.
   */
  rateLimit?: { requestsPerSecond?: number; burst?: number; batchesPerMinute?: number };
  /** Faults to inject from the start; see {@link FaultPlan}. */
  faults?: FaultPlan;
  /**
   * How an unregistered participant is reported by lookup: 'status-404' (default) answers 404,
   * 'found-false' answers 200 with `found: false` — both documented by the provider. The body is
   * the same superset either way.
   */
  lookupNotFound?: 'status-404' | 'found-false';
  /** Clock in epoch milliseconds; default Date.now. Tests inject one to move time. */
  now?: () => number;
}

/** Requests seen on one endpoint, by HTTP status ('reset' for a destroyed connection). */
export interface EndpointStats {
  total: number;
  byStatus: Record<string, number>;
}

/** Counters exposed by `stats()` and `GET <basePath>/_sandbox/stats`. */
export interface SandboxStats {
  /** When the sandbox started or was last reset (ISO 8601). */
  since: string;
  /** API requests (control endpoints under `/_sandbox` are not counted). */
  requests: { total: number; byEndpoint: Record<string, EndpointStats> };
  /** Documents accepted: one per transaction created (send or batch item; replays excluded). */
  acceptedDocuments: number;
  /** Accepted documents that came under an idempotency key (send header or batch item id). */
  acceptedByKey: number;
  /** Accepted documents that came without any key. */
  acceptedWithoutKey: number;
  /** Documents refused (validation, receiver unknown, wrong type, key conflict). */
  rejectedDocuments: number;
  /** Distinct sha256 of accepted document bodies. */
  distinctBodies: number;
  /**
   * Accepts of content already accepted before under another key / item id / no key, i.e.
   * `acceptedDocuments - distinctBodies`. Exactly-once delivery means this stays 0.
   */
  duplicateContentAccepts: number;
  /** Invoice numbers (cbc:ID) accepted more than once; `numbers` lists at most 1000. */
  duplicateInvoiceNumbers: { count: number; numbers: string[] };
  /** Send answers replayed from the idempotency store, and batch items replayed by item id. */
  idempotentReplays: number;
  /** Whole batches replayed by their Idempotency-Key. */
  batchReplays: number;
  /** Same key, different body: 409 on send, rejected item in a batch, 409 on a batch key. */
  idempotencyConflicts: number;
  /** 429s from the rate limiter (not from the fault plan). */
  rateLimited: number;
  /** Faults injected by the fault plan. */
  faults: {
    status429: number;
    status503: number;
    resetBefore: number;
    resetAfter: number;
    stall: number;
    /** Injected answers of the `status` fault. */
    status: number;
  };
  /** Transactions held. */
  transactions: number;
}

/** A running sandbox, as returned by {@link startSandbox}. */
export interface SandboxHandle {
  /** Base URL including basePath, e.g. http://127.0.0.1:1234/peppol-api. */
  url: string;
  /** The bound TCP port. */
  port: number;
  /** A snapshot of the counters. */
  stats(): SandboxStats;
  /** Replace the fault plan (restarts its counters and PRNG); `{}` turns faults off. */
  setFaults(plan: FaultPlan): void;
  /** Change the added latency of every API answer. */
  setLatency(ms: number): void;
  /** Forget all documents, keys, transactions and counters; faults and latency return to the start options. */
  reset(): void;
  /**
   * Simulate the access point going away: stop listening and drop every open connection (clients
   * see connection refused), then listen again on the same port after `ms`. Resolves once closed.
   */
  outage(ms: number): Promise<void>;
  /** Resolves when the current (or last) outage has ended and the port listens again. */
  outageEnded(): Promise<void>;
  /** Stop listening, drop open connections and pending stalls. */
  close(): Promise<void>;
}
