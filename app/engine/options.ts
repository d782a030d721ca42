/**
 * What the engine takes from its host (EngineOptions, the SecretStore) and what it gives back
 * (Engine): the contract's handlers and events, and a few read-only facts the hosts show.
 */
import type { Environment, EventName, Events, Handlers } from '../contract';

/** Where the API key lives: Electron safeStorage, a user-only key file, or memory (CLI flag). */
export interface SecretStore {
  getApiKey(): string | null;
  setApiKey(key: string | null): void;
  /**
   * The key that was used at an earlier access point (its URL), kept while documents it accepted
   * still await delivery there: a transaction is known only where it was accepted. Stored like the
   * API key (never in the database or logs); absent in stores that cannot keep it.
   */
  getEarlierKey?(accessPoint: string): string | null;
  /** Keep (or, with null, forget) the key used at an earlier access point. */
  setEarlierKey?(accessPoint: string, key: string | null): void;
  /** The team outbox's URL (its password inside), kept like the API key; absent where unsupported. */
  getTeamStore?(): string | null;
  /** Keep (or, with null, forget) the team outbox's URL. */
  setTeamStore?(url: string | null): void;
}

/** An in-memory secret store (CLI `--api-key`, tests); earlier keys are kept for this run. */
export function memorySecretStore(initial: string | null = null): SecretStore {
  let key = initial;
  const earlier = new Map<string, string>();
  return {
    getApiKey: () => key,
    setApiKey: (k) => {
      key = k;
    },
    getEarlierKey: (ap) => earlier.get(ap) ?? null,
    setEarlierKey: (ap, k) => {
      if (k) earlier.set(ap, k);
      else earlier.delete(ap);
    },
  };
}

/** Everything the engine takes from its host. */
export interface EngineOptions {
  dataDir: string;
  secrets: SecretStore;
  host: 'electron' | 'browser' | 'cli';
  version?: string;
  /** Provider base URL; overrides the stored setting (CLI `--endpoint`). */
  endpoint?: string | null;
  /** Path of the built validation worker; in-thread validation when absent. */
  validationWorker?: string;
  validationThreads?: number;
  /**
   * Path of the built sandbox worker (dist/sandbox-worker.cjs): the built-in sandbox then runs on
   * a thread of its own; on the engine's thread when absent (tests that drive it).
   */
  sandboxWorker?: string;
  /** Added latency of the in-process sandbox, ms. */
  sandboxLatencyMs?: number;
  sandboxStepMs?: number;
  /** Fixed sends in flight (CLI `--concurrency`); otherwise the setting ('auto' = adaptive). */
  concurrency?: number;
  /** Per-request timeout towards the access point, ms (default 30 s). */
  requestTimeoutMs?: number;
  /** Batch sends: on/off, or the batch size (CLI `--batch N|off`); otherwise the setting. */
  batching?: boolean | number;
  /**
   * With single sends, check a bounded lead of documents ahead of sending instead of the whole
   * drop at once (CLI `send`; see PipelineOptions.paceChecking). Off by default.
   */
  paceChecking?: boolean;
  /** Gzip request bodies (CLI `--gzip`); otherwise the setting. */
  gzip?: boolean;
  /** Hard cap on requests per second (CLI `--rate`); the rate is learned from 429s anyway. */
  requestsPerSecond?: number | null;
  /** Hard cap on batches per minute (the provider documents 10); off by default. */
  batchesPerMinute?: number | null;
  /** Prometheus endpoint on 127.0.0.1 (CLI `--metrics-port`; 0 = any free port); otherwise the setting. */
  metricsPort?: number | null;
  trackDelivery?: boolean;
  /** Shorter retry / poll / probe timings (tests). */
  timings?: {
    retryBaseMs?: number;
    retryMaxMs?: number;
    pollInitialMs?: number;
    pollMaxMs?: number;
    responseWindowMs?: number;
    /** A 404 about a transaction this long after acceptance: stop asking (default 10 min). */
    notFoundAfterMs?: number;
    probeInitialMs?: number;
    probeMaxMs?: number;
    /** A run of 5xx or timeouts this long says the access point is in trouble (default 5 s). */
    troubleAfterMs?: number;
    /** How long without a change event before a settle waiter re-reads a slice itself (500). */
    settleBackstopMs?: number;
  };
  now?: () => number;
  /** Watch this folder instead of the `hotFolder` setting (CLI `watch`); not stored. */
  hotFolder?: string;
  /** Move hot folder files to sent/ / failed/ (CLI `watch --no-move`); otherwise the setting. */
  hotFolderMove?: boolean;
  /** With `hotFolder`: also take files in its subfolders (CLI `watch --subfolders`). */
  hotFolderSubfolders?: boolean;
  /** Hot folder: a file is complete once its size held this long, ms (default 2000). */
  hotFolderStabilityMs?: number;
  /** Hot folder: a half-written file unchanged this long is said on screen, ms (default 60 s). */
  hotFolderIncompleteMs?: number;
  /** Lines worth a log (hot folder pick-ups and moves); none by default. */
  log?: (message: string) => void;
  /** Start working the queue at once (default true); false for read-and-exit tools. */
  autoStart?: boolean;
  /** How often coalesced `documents:changed` events are flushed, ms. */
  coalesceMs?: number;
  /**
   * A team outbox to work on (`postgresql://…`, or `sqlite:<file>` for desks on one machine):
   * documents then live in the team's store, not in the data folder (CLI `--store`,
   * PEPPOL_DESK_STORE). The data folder keeps this desk's settings, caches, id and spool.
   */
  store?: string;
  /** This desk on a team outbox: its name, and shorter timings (tests). */
  team?: {
    deskName?: string;
    leaseMs?: number;
    heartbeatMs?: number;
    pollMs?: number;
    reconnectInitialMs?: number;
    /**
     * Longest wait between two tries to reach the team's database, ms (default 5 s: walk 24, the
     * desks came back 25–30 s after it did with 30 s; a refused try costs it nothing).
     */
    reconnectMaxMs?: number;
  };
}

/** See {@link Engine.stop}. */
export interface StopOptions {
  beforeClose?: () => Promise<void>;
}

/** The running engine. */
export interface Engine {
  handlers: Handlers;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Resolves when every listed document (or every document) is in a state that needs no more work now. */
  waitUntilSettled(ids?: number[], options?: { includeAccepted?: boolean }): Promise<void>;
  /** The environment documents are sent in now (from the key and the endpoint). */
  readonly environment: Environment;
  /** The access point's URL in use now (the built-in sandbox's when that is in use). */
  readonly endpoint: string;
  /** True when the access point in use is the built-in sandbox (nothing leaves this machine). */
  readonly usesBuiltInSandbox: boolean;
  /** URL of the Prometheus endpoint when it is on, else null. */
  metricsUrl(): string | null;
  /**
   * Stops: no new work, what is in flight finishes and is recorded, then the store closes.
   * `beforeClose` runs in between: every outcome is recorded, and reading handlers still answer
   * (`send` says then what a Ctrl+C left, counted after the sends in flight were answered).
   */
  stop(options?: StopOptions): Promise<void>;
  /**
   * Resolves once more files may be added (see Pipeline.roomForMore): `send` waits on it between
   * chunks. Absent where intake is never paced (a team desk).
   */
  roomForMore?(): Promise<void>;
}

/**
 * The delivery schedule's timings a test or a bench set, for either desk's delivery tracking (the
 * rest keep its defaults).
 */
export function deliveryTimings(
  t: EngineOptions['timings'] = {},
): Partial<Pick<NonNullable<EngineOptions['timings']>, DeliveryTiming>> {
  const out: Partial<Pick<NonNullable<EngineOptions['timings']>, DeliveryTiming>> = {};
  for (const k of DELIVERY_TIMINGS) if (t[k] !== undefined) out[k] = t[k];
  return out;
}

const DELIVERY_TIMINGS = [
  'pollInitialMs',
  'pollMaxMs',
  'responseWindowMs',
  'notFoundAfterMs',
] as const;
type DeliveryTiming = (typeof DELIVERY_TIMINGS)[number];
