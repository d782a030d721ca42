import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute } from 'node:path';
import type {
  AddResult,
  ConnectionStatus,
  DocumentDetail,
  DocumentProblem,
  DocumentState,
  DocumentValidation,
  Environment,
  EventName,
  Events,
  Handlers,
  IncomingFile,
  ReceiverLookup,
  Settings,
  SettingsPatch,
} from '../contract';
import { accessPointLabel, DOCUMENT_STATES, MAX_BRIEF_IDS, RESPONSE_STATES } from '../contract';
import { recordInternals } from './internals';
import { environmentFor } from '../domain/environment';
import { AccessPointClient } from '../access-point/client';
import {
  DEFAULT_LOOKUP_TTL,
  ParticipantCache,
  type CachedLookup,
  type LookupTtl,
} from '../caches/participant-cache';
import { RemoteValidationCache } from '../caches/remote-validation-cache';
import { ValidationCache } from '../caches/validation-cache';
import { AppError } from '../errors';
import {
  hotFolderRefusal,
  startHotFolder,
  type HotFolder,
  type HotFolderDocumentStatus,
} from '../hot-folder';
import { readAttachment, readInvoice } from '../invoice-view/read-invoice';
import { HISTORY_SECONDS, Metrics } from '../metrics/metrics';
import { startPrometheusServer, type PrometheusServer } from '../metrics/prometheus';
import {
  ACCESS_POINT_CHANGED,
  CHECKS_DISAGREE,
  fatalRules,
  Pipeline,
  remoteRules,
  type Validator,
} from '../queue/pipeline';
import { readsAsWords } from '../domain/plain-words';
import { mayHaveReachedAccessPoint } from '../domain/states';
import { DEFAULT_RETRY_POLICY } from '../domain/retry-policy';
import { startSandbox, type SandboxHandle } from '../sandbox/server';
import { lockDataDir, type DataDirLock } from '../store/data-dir-lock';
import { openDb } from '../store/db';
import {
  DocumentsRepo,
  toDocumentRow,
  type DocumentBrief,
  type DocumentRecord,
} from '../store/documents-repo';
import { SettingsRepo } from '../store/settings-repo';
import {
  createValidationPool,
  DEFAULT_MAX_BYTES,
  tooLargeMessage,
  VALIDATION_CACHE_KEY,
  type ValidationPool,
} from '../validation';
import type { DocumentSummary } from '../validation/types';

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
  /** Added latency of the in-process sandbox, ms. */
  sandboxLatencyMs?: number;
  sandboxStepMs?: number;
  /** Fixed sends in flight (CLI `--concurrency`); otherwise the setting ('auto' = adaptive). */
  concurrency?: number;
  /** Per-request timeout towards the access point, ms (default 30 s). */
  requestTimeoutMs?: number;
  /** Batch sends: on/off, or the batch size (CLI `--batch N|off`); otherwise the setting. */
  batching?: boolean | number;
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
    probeInitialMs?: number;
    probeMaxMs?: number;
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
  /** Lines worth a log (hot folder pick-ups and moves); none by default. */
  log?: (message: string) => void;
  /** Start working the queue at once (default true); false for read-and-exit tools. */
  autoStart?: boolean;
  /** How often coalesced `documents:changed` events are flushed, ms. */
  coalesceMs?: number;
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
  /** The built-in sandbox when it is the access point in use, else null. */
  readonly sandbox: SandboxHandle | null;
  /** URL of the Prometheus endpoint when it is on, else null. */
  metricsUrl(): string | null;
  stop(): Promise<void>;
}

/** Why a document whose last attempt went unanswered cannot be cancelled. */
export const CANCEL_UNSAFE_MESSAGE =
  'This invoice may already have reached the access point, so it cannot be cancelled. Retry to find out (it is sent with the same key, so it cannot arrive twice).';

/** How long a cancel can be undone (`documents:uncancel`); the screen offers Undo for less. */
export const UNDO_CANCEL_WINDOW_MS = 60_000;

/** Bounds of the `maxDocumentBytes` setting: 1 KB to 100 MB. */
const MIN_DOCUMENT_BYTES = 1024;
const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;
/** Upper bound of the lookup TTL settings: 7 days. */
const MAX_LOOKUP_TTL_MS = 7 * 24 * 60 * 60_000;

/** Open ids the settle backstop re-reads per tick: bounded work, whatever the drop's size. */
const SETTLE_BACKSTOP_IDS = 1000;

const SETTLED = new Set<string>([
  'invalid',
  'unreachable',
  'delivered',
  'failed',
  'held',
  'cancelled',
  'superseded',
  ...RESPONSE_STATES,
]);

function toReceiverLookup(entry: CachedLookup | null): ReceiverLookup | null {
  if (!entry) return null;
  const a = entry.answer;
  return {
    participantId: a.participantId,
    found: a.found,
    name: a.name,
    capabilities: a.capabilities,
    fetchedAt: entry.fetchedAt,
  };
}

/** sha256 hex of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The provider's production API. */
const DEFAULT_ENDPOINT = 'https://app.goroute.ai/peppol-api';

/** Environment from the API key (the domain's one rule, re-exported for the engine's callers). */
export { environmentFor } from '../domain/environment';

/**
 * Open the data folder, connect to the access point (or start the sandbox) and start the queue.
 * Throws DataDirLockedError (code DATA_DIR_LOCKED) when another live process works on the same
 * data folder; read-and-exit tools (`autoStart: false`) do not take the folder.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  let lock: DataDirLock | null = null;
  if (options.autoStart !== false) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    lock = lockDataDir(options.dataDir);
  }
  try {
    return await openEngine(options, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function openEngine(options: EngineOptions, lock: DataDirLock | null): Promise<Engine> {
  const now = options.now ?? Date.now;
  const db = openDb({ dataDir: options.dataDir });
  const repo = new DocumentsRepo(db, now);
  const settings = new SettingsRepo(db);
  const metrics = new Metrics(now);

  const concurrencySetting = settings.get<number | 'auto'>('concurrency', 'auto');
  const concurrency: number | 'auto' = options.concurrency ?? concurrencySetting;
  const batchingOption = options.batching ?? settings.get<boolean>('batching', true);

  /** Where to send, from the options, the stored settings and the key: one access point. */
  interface Connection {
    endpointSetting: string | null;
    endpoint: string;
    environment: Environment;
    apiKey: string | null;
    gzip: boolean;
  }
  function wantedConnection(): Connection {
    const apiKey = options.secrets.getApiKey();
    const endpointSetting = options.endpoint ?? settings.get<string | null>('endpoint', null);
    return {
      endpointSetting,
      // '' stands for "the built-in sandbox": its URL is known once it runs.
      endpoint: !apiKey && !endpointSetting ? '' : (endpointSetting ?? DEFAULT_ENDPOINT),
      environment: environmentFor(apiKey, Boolean(endpointSetting)),
      apiKey,
      gzip: options.gzip ?? settings.get<boolean>('gzip', false),
    };
  }
  function startInProcessSandbox(): Promise<SandboxHandle> {
    return startSandbox({
      latencyMs: options.sandboxLatencyMs ?? 0,
      ...(options.sandboxStepMs !== undefined ? { transactionStepMs: options.sandboxStepMs } : {}),
    });
  }
  function clientFor(c: Connection, baseUrl: string): AccessPointClient {
    return new AccessPointClient({
      baseUrl,
      apiKey: c.apiKey,
      // One connection per request in flight (no pipelining): the adaptive ceiling, or the fixed count.
      connections: concurrency === 'auto' ? 64 : Math.max(4, concurrency),
      gzipAboveBytes: c.gzip ? 8 * 1024 : null,
      ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
    });
  }

  let connection = wantedConnection();
  let sandbox: SandboxHandle | null = connection.endpoint ? null : await startInProcessSandbox();
  let endpoint = sandbox ? sandbox.url : connection.endpoint;
  let environment = connection.environment;
  let client = clientFor(connection, endpoint);

  const pool: ValidationPool = createValidationPool({
    ...(options.validationWorker ? { workerScript: options.validationWorker } : {}),
    ...(options.validationThreads ? { size: options.validationThreads } : {}),
    ...(options.log ? { onFallback: options.log } : {}),
  });
  metrics.attach({ validation: () => ({ mode: pool.mode, reason: pool.fallbackReason }) });
  // Read at use: `settings:set` may change it while the engine runs.
  const maxDocumentBytes = () => settings.get<number>('maxDocumentBytes', DEFAULT_MAX_BYTES);
  const validator: Validator = {
    cacheKey: VALIDATION_CACHE_KEY,
    check: (bytes) => pool.check(bytes, { maxBytes: maxDocumentBytes() }),
  };

  // ---- events, coalesced -----------------------------------------------------------------------
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  function emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of listeners.get(event) ?? []) (l as (p: Events[E]) => void)(payload);
  }
  const changedIds = new Set<number>();
  /** Told the ids of each flush, so a waiter re-reads only what changed (see waitUntilSettled). */
  const settleWaiters = new Set<(changed: readonly number[]) => void>();
  /** Backstop timers of waiters still open: stopped with the engine (the database closes). */
  const settleTimers = new Set<NodeJS.Timeout>();
  let flushTimer: NodeJS.Timeout | null = null;
  const coalesceMs = options.coalesceMs ?? 150;
  function onChanged(ids: number[]): void {
    for (const id of ids) changedIds.add(id);
    if (!flushTimer) flushTimer = setTimeout(flush, coalesceMs);
  }
  function flush(): void {
    flushTimer = null;
    if (changedIds.size === 0) return;
    const ids = [...changedIds];
    changedIds.clear();
    emit('documents:changed', { ids, counts: repo.counts() });
    for (const w of [...settleWaiters]) w(ids);
  }
  function onConnection(status: ConnectionStatus): void {
    emit('connection:changed', status);
  }

  const lookupTtl = (): LookupTtl => ({
    foundMs: settings.get<number>('lookupFoundTtlMs', DEFAULT_LOOKUP_TTL.foundMs),
    notFoundMs: settings.get<number>('lookupNotFoundTtlMs', DEFAULT_LOOKUP_TTL.notFoundMs),
  });
  /**
   * The caches of one access point. They are keyed by it; the built-in sandbox listens on a new
   * port each start, so it is keyed by a stable name and its answers survive restarts like a
   * provider's do.
   */
  const accessPointCaches = (builtIn: SandboxHandle | null, url: string) => {
    const key = builtIn ? 'sandbox' : url;
    return {
      participants: new ParticipantCache(db, key, lookupTtl(), now),
      remoteValidationCache: new RemoteValidationCache(db, key, now),
    };
  };
  /** What documents are pinned to: the built-in sandbox (any port), or the provider's URL. */
  const accessPointKey = (builtIn: SandboxHandle | null, url: string) =>
    builtIn ? 'sandbox' : url;
  const caches = accessPointCaches(sandbox, endpoint);
  let participants = caches.participants;
  const paused = settings.get<boolean>('paused', false);
  const maxAttempts = settings.get<number>('maxAttempts', DEFAULT_RETRY_POLICY.maxAttempts);
  const t = options.timings ?? {};
  const pipeline = new Pipeline(
    {
      repo,
      client,
      validator,
      validationCache: new ValidationCache(db, now),
      remoteValidationCache: caches.remoteValidationCache,
      participants,
      metrics,
      environment,
      accessPoint: accessPointKey(sandbox, endpoint),
      onChanged,
      onConnection,
      onEarlierDone: (accessPoint, doneClient) => {
        const entry = earlier.get(accessPoint);
        earlier.delete(accessPoint);
        options.secrets.setEarlierKey?.(accessPoint, null);
        // In use again, it may be the very client or sandbox in use now: those stay open.
        if (doneClient !== client) void doneClient.close().catch(() => undefined);
        if (entry?.sandbox && entry.sandbox !== sandbox) void entry.sandbox.close();
      },
      now,
    },
    {
      concurrency,
      sender: {
        batching: batchingOption !== false,
        ...(typeof batchingOption === 'number' ? { batchSize: batchingOption } : {}),
        requestsPerSecond: options.requestsPerSecond ?? null,
        batchesPerMinute: options.batchesPerMinute ?? null,
      },
      paused,
      trackDelivery: options.trackDelivery ?? true,
      remoteValidation: settings.get<boolean>('remoteValidation', false),
      retry: {
        maxAttempts,
        baseDelayMs: t.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        maxDelayMs: t.retryMaxMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      },
      ...(t.pollInitialMs !== undefined ? { pollInitialMs: t.pollInitialMs } : {}),
      ...(t.pollMaxMs !== undefined ? { pollMaxMs: t.pollMaxMs } : {}),
      ...(t.responseWindowMs !== undefined ? { responseWindowMs: t.responseWindowMs } : {}),
      ...(t.probeInitialMs !== undefined ? { probeInitialMs: t.probeInitialMs } : {}),
      ...(t.probeMaxMs !== undefined ? { probeMaxMs: t.probeMaxMs } : {}),
    },
  );

  /**
   * Earlier access points still polled for documents they accepted (delivery and the buyer's
   * response are known only there), with their clients, and the built-in sandbox when that is one
   * of them (kept running while its documents await delivery). One entry per access point.
   */
  const earlier = new Map<string, { client: AccessPointClient; sandbox: SandboxHandle | null }>();
  const trackDelivery = options.trackDelivery ?? true;
  if (trackDelivery) {
    // A restart: documents accepted at another access point than this one are polled there with
    // the key kept for it. (The built-in sandbox forgets its transactions when it stops.)
    const current = accessPointKey(sandbox, endpoint);
    for (const accessPoint of repo.accessPointsAwaitingDelivery()) {
      if (accessPoint === current || accessPoint === 'sandbox') continue;
      const key = options.secrets.getEarlierKey?.(accessPoint) ?? null;
      const earlierClient = clientFor({ ...connection, apiKey: key, gzip: false }, accessPoint);
      earlier.set(accessPoint, { client: earlierClient, sandbox: null });
      pipeline.pollEarlier(accessPoint, earlierClient);
    }
  }

  metrics.attach({ counts: () => repo.counts() });
  let prometheus: PrometheusServer | null = null;
  let prometheusChange: Promise<void> = Promise.resolve();
  /** Start, move or stop the Prometheus endpoint (off when `port` is null). */
  function setMetricsPort(port: number | null): Promise<void> {
    prometheusChange = prometheusChange.then(async () => {
      if (prometheus && prometheus.port === port) return;
      await prometheus?.close();
      prometheus = null;
      if (port !== null) prometheus = await startPrometheusServer(metrics.registry, port);
    });
    return prometheusChange;
  }
  const metricsPort = options.metricsPort ?? settings.get<number | null>('metricsPort', null);
  if (metricsPort !== null && metricsPort !== undefined) await setMetricsPort(metricsPort);

  const metricsTimer = setInterval(() => {
    emit('metrics:tick', metrics.snapshot(repo.counts()));
  }, 1000);
  metricsTimer.unref();

  let connectionChange: Promise<void> = Promise.resolve();
  /**
   * Apply changed provider URL, API key or gzip at once: start or stop the built-in sandbox and
   * hand the pipeline a new client (it lets requests in flight finish against the old one first).
   */
  function applyConnection(): Promise<void> {
    const run = connectionChange.then(async () => {
      const wanted = wantedConnection();
      const same =
        wanted.endpoint === connection.endpoint &&
        wanted.apiKey === connection.apiKey &&
        wanted.gzip === connection.gzip &&
        wanted.environment === connection.environment;
      if (same || engineStopping) return;
      const keptSandbox = earlier.get('sandbox')?.sandbox ?? null;
      const nextSandbox = wanted.endpoint
        ? null
        : (sandbox ?? keptSandbox ?? (await startInProcessSandbox()));
      const nextEndpoint = nextSandbox ? nextSandbox.url : wanted.endpoint;
      const nextClient = clientFor(wanted, nextEndpoint);
      const nextCaches = accessPointCaches(nextSandbox, nextEndpoint);
      const previous = await pipeline.reconnect({
        client: nextClient,
        ...nextCaches,
        environment: wanted.environment,
        accessPoint: accessPointKey(nextSandbox, nextEndpoint),
      });
      const previousSandbox = sandbox;
      const previousAccessPoint = accessPointKey(previousSandbox, endpoint);
      const previousKey = connection.apiKey;
      connection = wanted;
      client = nextClient;
      participants = nextCaches.participants;
      endpoint = nextEndpoint;
      environment = wanted.environment;
      sandbox = nextSandbox;
      // Documents the previous access point accepted are still asked about there, with the key
      // used there (kept in the secret store, never in the database), until they are final.
      const keepPolling =
        trackDelivery &&
        previousAccessPoint !== accessPointKey(nextSandbox, nextEndpoint) &&
        repo.nextPollAt(previousAccessPoint) !== null;
      if (keepPolling) {
        if (previousAccessPoint !== 'sandbox' && previousKey)
          options.secrets.setEarlierKey?.(previousAccessPoint, previousKey);
        earlier.set(previousAccessPoint, {
          client: previous,
          sandbox: previousSandbox !== nextSandbox ? previousSandbox : null,
        });
        pipeline.pollEarlier(previousAccessPoint, previous);
        return;
      }
      await previous.close();
      if (previousSandbox && previousSandbox !== nextSandbox) await previousSandbox.close();
    });
    connectionChange = run.catch(() => undefined);
    return run;
  }

  function currentSettings(): Settings {
    return {
      endpoint: connection.endpointSetting,
      apiKeySet: Boolean(options.secrets.getApiKey()),
      environment,
      concurrency: settings.get<number | 'auto'>('concurrency', 'auto'),
      batching: settings.get<boolean>('batching', true),
      gzip: settings.get<boolean>('gzip', false),
      metricsPort: settings.get<number | null>('metricsPort', null),
      maxAttempts: settings.get<number>('maxAttempts', DEFAULT_RETRY_POLICY.maxAttempts),
      remoteValidation: settings.get<boolean>('remoteValidation', false),
      hotFolder: settings.get<string | null>('hotFolder', null),
      hotFolderMove: settings.get<boolean>('hotFolderMove', true),
      hotFolderSubfolders: settings.get<boolean>('hotFolderSubfolders', false),
      maxDocumentBytes: maxDocumentBytes(),
      lookupFoundTtlMs: lookupTtl().foundMs,
      lookupNotFoundTtlMs: lookupTtl().notFoundMs,
      dataDir: options.dataDir,
    };
  }

  function addFiles(files: IncomingFile[]): AddResult {
    const result: AddResult = { added: [], known: [], rejected: [] };
    const limit = maxDocumentBytes();
    repo.tx(() => {
      for (const f of files) {
        if (!f || typeof f.name !== 'string' || !(f.bytes instanceof Uint8Array)) {
          result.rejected.push({
            fileName: String(f?.name ?? '?'),
            message: 'This item is not a file.',
          });
          continue;
        }
        // Before hashing or storing anything: an oversized file costs nothing but this check.
        if (f.bytes.byteLength > limit) {
          result.rejected.push({
            fileName: f.name,
            message: tooLargeMessage(f.bytes.byteLength, limit),
          });
          continue;
        }
        if (f.bytes.byteLength === 0) {
          result.rejected.push({
            fileName: f.name,
            message: 'The file is empty. Export the invoice again from your accounting system.',
          });
          continue;
        }
        const sha256 = sha256Hex(f.bytes);
        // The same bytes under the same name: this very file was added before (this is also
        // what makes `peppol-desk send` resumable). Under another name it is a new document,
        // which validation holds as a duplicate of the live one (see the pipeline).
        const existing = repo.findKnownFile(sha256, f.name);
        if (existing !== null) {
          result.known.push({ id: existing, fileName: f.name });
          continue;
        }
        const id = repo.insert({
          fileName: f.name,
          sha256,
          size: f.bytes.byteLength,
          body: f.bytes,
          idempotencyKey: randomUUID(),
          accessPoint: accessPointKey(sandbox, endpoint),
          environment,
        });
        result.added.push({ id, fileName: f.name });
      }
    });
    if (result.added.length) {
      onChanged(result.added.map((a) => a.id));
      pipeline.kick();
    }
    return result;
  }

  // ---- hot folder ------------------------------------------------------------------------------
  let hotFolder: HotFolder | null = null;
  let hotFolderChange: Promise<void> = Promise.resolve();
  let engineStopping = false;

  function isExistingFolder(path: string): boolean {
    try {
      return isAbsolute(path) && statSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  function hotFolderStatus(id: number): HotFolderDocumentStatus | null {
    const r = repo.get(id);
    if (!r) return null;
    const details: string[] = [];
    if (r.state === 'invalid' && r.validation_json) {
      const v = JSON.parse(r.validation_json) as {
        findings?: { flag: string; rule: string; message: string }[];
      };
      for (const f of v.findings ?? []) {
        if (f.flag === 'fatal') details.push(`${f.rule}: ${f.message}`);
      }
    }
    return { state: r.state, reason: r.problem_message, details };
  }

  /** (Re)start the hot folder from the option or the settings; stop it when none is set. */
  function applyHotFolder(): Promise<void> {
    hotFolderChange = hotFolderChange.then(async () => {
      await hotFolder?.close();
      hotFolder = null;
      const folder = options.hotFolder ?? settings.get<string | null>('hotFolder', null);
      if (engineStopping || !folder) return;
      const refusal = hotFolderRefusal(folder, options.dataDir);
      if (refusal !== null) {
        // A setting stored before these rules existed: not watched, and said why.
        options.log?.(`Hot folder: ${refusal}`);
        return;
      }
      hotFolder = startHotFolder(
        {
          folder,
          move: options.hotFolderMove ?? settings.get<boolean>('hotFolderMove', true),
          subfolders:
            options.hotFolderSubfolders ?? settings.get<boolean>('hotFolderSubfolders', false),
          ...(options.hotFolderStabilityMs !== undefined
            ? { stabilityMs: options.hotFolderStabilityMs }
            : {}),
        },
        {
          add: (files) => addFiles(files),
          status: hotFolderStatus,
          maxBytes: maxDocumentBytes,
          tracksDelivery: options.trackDelivery ?? true,
          onChanged(listener) {
            const l = ({ ids }: Events['documents:changed']) => listener(ids);
            let set = listeners.get('documents:changed');
            if (!set) listeners.set('documents:changed', (set = new Set()));
            set.add(l as (payload: never) => void);
            return () => set.delete(l as (payload: never) => void);
          },
          ...(options.log ? { log: options.log } : {}),
        },
      );
      await hotFolder.ready;
    });
    hotFolderChange = hotFolderChange.catch((err: unknown) => {
      options.log?.(`Hot folder: ${(err as Error).message}`);
    });
    return hotFolderChange;
  }

  function requireIds(ids: unknown): number[] {
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i))) {
      throw new AppError('BAD_REQUEST', 'Select one or more documents first.');
    }
    return ids as number[];
  }

  /**
   * The explicit step: a document queued for another access point is pinned to the one in use and
   * goes on from where it was (checked again if it never was, its receiver looked up there).
   */
  function reroute(r: DocumentRecord): boolean {
    const to = accessPointLabel(accessPointKey(sandbox, endpoint), environment);
    return repo.transition(
      r.id,
      'held',
      r.summary_json ? 'ready' : 'received',
      {
        send_anyway: 1,
        access_point: accessPointKey(sandbox, endpoint),
        environment,
        problem_code: null,
        problem_message: null,
        problem_action: null,
      },
      `Sent through ${to}, decided by the user (was queued for ${accessPointLabel(r.access_point, r.environment)})`,
    );
  }

  // What each recent cancel changed, so that its Undo can put exactly those documents back.
  // In memory only: Undo is offered for seconds, and a restart ends the offer.
  interface CancelledDoc {
    id: number;
    from: DocumentState;
    next_attempt_at: number | null;
    problem_code: string | null;
    problem_message: string | null;
    problem_action: DocumentProblem['action'] | null;
  }
  const recentCancels = new Map<string, { until: number; docs: CancelledDoc[] }>();
  const forgetOldCancels = (now: number): void => {
    for (const [token, c] of recentCancels) if (c.until < now) recentCancels.delete(token);
  };

  /** The document a held duplicate duplicates, for the side-by-side "Send anyway" decision. */
  const duplicateOfRow = (r: DocumentRecord): DocumentDetail['duplicateOf'] => {
    const duplicate =
      r.state === 'held' &&
      (r.problem_code === 'DUPLICATE' || r.problem_code === 'DUPLICATE_CONTENT');
    if (!duplicate || r.duplicate_of === null) return null;
    const first = repo.get(r.duplicate_of);
    return first ? toDocumentRow(first) : null;
  };

  /** The stored bytes of a document, or a NOT_FOUND error in words. */
  const bodyOf = (id: number): Uint8Array => {
    if (!repo.get(id)) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
    return repo.getBody(id);
  };

  const handlers: Handlers = {
    'app:info': () => ({
      version: options.version ?? '0.0.0',
      host: options.host,
      dataDir: options.dataDir,
    }),
    'documents:add': ({ files }) => {
      if (!Array.isArray(files)) throw new AppError('BAD_REQUEST', 'No files were given.');
      return addFiles(files);
    },
    'documents:list': (arg) => {
      const { rows, total } = repo.list(arg ?? {});
      return { rows: rows.map(toDocumentRow), total, counts: repo.counts() };
    },
    'documents:export': (arg) => ({ rows: repo.listAll(arg ?? {}).map(toDocumentRow) }),
    'documents:get': ({ id }) => {
      const r = repo.get(id);
      if (!r) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
      const validation = validationOf(r.validation_json);
      return {
        ...toDocumentRow(r),
        summary: r.summary_json ? (JSON.parse(r.summary_json) as DocumentSummary) : null,
        validation,
        timeline: repo.timeline(id),
        businessResponseNote: r.business_response_note,
        businessResponseAt: r.business_response_at,
        lookup: r.receiver_id ? toReceiverLookup(participants.peek(r.receiver_id)) : null,
        duplicateOf: duplicateOfRow(r),
        mayHaveReachedAccessPoint:
          mayHaveReachedAccessPoint(r) &&
          !(r.state === 'held' && r.problem_code === ACCESS_POINT_CHANGED),
      } satisfies DocumentDetail;
    },
    'documents:view': ({ id }) => readInvoice(bodyOf(id)),
    'documents:original': ({ id }) => {
      const r = repo.get(id);
      if (!r) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
      // A file from a dropped folder is named by its relative path: download it by its own name.
      const fileName = r.file_name.split(/[\\/]/).pop() || r.file_name;
      return { fileName, bytes: new Uint8Array(repo.getBody(id)) };
    },
    'documents:attachment': ({ id, index }) => {
      if (!Number.isInteger(index) || index < 0)
        throw new AppError('BAD_REQUEST', 'No such attachment.');
      return readAttachment(bodyOf(id), index);
    },
    'documents:briefs': ({ ids }) => {
      const list = requireIds(ids);
      if (list.length > MAX_BRIEF_IDS) {
        throw new AppError('BAD_REQUEST', `Ask for at most ${MAX_BRIEF_IDS} documents at a time.`);
      }
      return {
        rows: repo.briefs(list).map((b) => ({
          id: b.id,
          fileName: b.file_name,
          state: b.state,
          problemCode: b.problem_code,
          problemMessage: b.problem_message,
        })),
      };
    },
    'documents:retry': ({ ids, allFailed }) => {
      const targets = allFailed ? repo.idsInStates(['failed', 'unreachable']) : requireIds(ids);
      let retried = 0;
      repo.tx(() => {
        for (const id of targets) {
          const r = repo.get(id);
          if (!r) continue;
          const patch = {
            attempts: 0,
            next_attempt_at: null,
            problem_code: null,
            problem_message: null,
            problem_action: null,
          };
          let ok = false;
          if (r.state === 'failed' && r.problem_code === 'DELIVERY_FAILED') {
            // The access point accepted it and then could not deliver it: the same key would
            // only replay that failed transaction, so an explicit retry sends under a new key.
            const key = randomUUID();
            ok = repo.transition(
              id,
              r.state,
              'queued',
              {
                ...patch,
                idempotency_key: key,
                transaction_id: null,
                accepted_at: null,
                delivered_at: null,
                next_poll_at: null,
                business_response: null,
                business_response_note: null,
                business_response_at: null,
                send_outcome_unknown: 0,
                batch_key: null,
              },
              // The clerk reads the timeline: no idempotency key there (it stays on the row).
              `Retry requested after the delivery failed (transaction ${r.transaction_id ?? '?'}): sent again as a new submission`,
            );
          } else if (r.state === 'failed' || r.state === 'retry_wait') {
            // Same idempotency key: if an earlier attempt did reach the provider, it replays.
            ok = repo.transition(id, r.state, 'queued', patch, 'Retry requested');
          } else if (r.state === 'unreachable') {
            // The "not registered" answer is cached for minutes: ask the access point again.
            if (r.receiver_id) participants.forget(r.receiver_id);
            ok = repo.transition(id, r.state, 'ready', patch, 'Retry requested (new lookup)');
          } else if (r.state === 'invalid') {
            ok = repo.transition(id, r.state, 'received', patch, 'Check again requested');
          }
          if (ok) retried++;
        }
      });
      onChanged(targets);
      // A retried document queued for another access point waits for the explicit reroute.
      pipeline.holdPinnedElsewhere();
      pipeline.kick();
      return { retried };
    },
    'documents:cancel': ({ ids }) => {
      let cancelled = 0;
      const refused: { id: number; message: string }[] = [];
      const list = requireIds(ids);
      const done: CancelledDoc[] = [];
      repo.tx(() => {
        for (const id of list) {
          const r = repo.get(id);
          if (
            !r ||
            ['sending', 'accepted', 'delivered', 'cancelled', ...RESPONSE_STATES].includes(r.state)
          )
            continue;
          // Held after a change of access point: the clerk checked the previous one.
          const checkedElsewhere = r.state === 'held' && r.problem_code === ACCESS_POINT_CHANGED;
          if (mayHaveReachedAccessPoint(r) && !checkedElsewhere) {
            refused.push({ id, message: CANCEL_UNSAFE_MESSAGE });
            continue;
          }
          if (
            repo.transition(
              id,
              r.state,
              'cancelled',
              {
                next_attempt_at: null,
                problem_code: null,
                problem_message: null,
                problem_action: null,
              },
              'Cancelled by the user',
            )
          ) {
            cancelled++;
            done.push({
              id,
              from: r.state,
              next_attempt_at: r.next_attempt_at,
              problem_code: r.problem_code,
              problem_message: r.problem_message,
              problem_action: r.problem_action,
            });
          }
        }
      });
      onChanged(list);
      pipeline.refreshConnection();
      if (cancelled === 0 && refused.length > 0) {
        throw new AppError('CANCEL_UNSAFE', CANCEL_UNSAFE_MESSAGE);
      }
      const at = now();
      forgetOldCancels(at);
      let undoToken: string | undefined;
      if (done.length > 0) {
        undoToken = randomUUID();
        recentCancels.set(undoToken, { until: at + UNDO_CANCEL_WINDOW_MS, docs: done });
      }
      return {
        cancelled,
        ...(refused.length ? { refused } : {}),
        ...(undoToken ? { undoToken } : {}),
      };
    },
    'documents:uncancel': ({ undoToken }) => {
      const at = now();
      forgetOldCancels(at);
      const action = recentCancels.get(String(undoToken));
      if (!action)
        throw new AppError(
          'UNDO_EXPIRED',
          'It is too late to undo this cancel. Add the files again to send them.',
        );
      recentCancels.delete(String(undoToken));
      let restored = 0;
      const who = currentUser();
      repo.tx(() => {
        for (const c of action.docs) {
          const r = repo.get(c.id);
          // Only what is still cancelled: a cancelled document has no other way out than this
          // Undo, and each cancel's Undo is used once, so it was cancelled by this action.
          if (!r || r.state !== 'cancelled') continue;
          // Work that was in flight starts that step again.
          const to: DocumentState =
            c.from === 'validating' ? 'received' : c.from === 'resolving' ? 'ready' : c.from;
          if (
            repo.transition(
              c.id,
              'cancelled',
              to,
              {
                next_attempt_at: c.next_attempt_at,
                problem_code: c.problem_code,
                problem_message: c.problem_message,
                problem_action: c.problem_action,
              },
              `Cancel undone by ${who}`,
            )
          )
            restored++;
        }
      });
      const ids = action.docs.map((c) => c.id);
      onChanged(ids);
      pipeline.holdPinnedElsewhere();
      pipeline.refreshConnection();
      pipeline.kick();
      return { restored };
    },
    'documents:sendAnyway': ({ ids }) => {
      let released = 0;
      const stillHeld: { id: number; message: string }[] = [];
      const list = requireIds(ids);
      const who = currentUser();
      repo.tx(() => {
        for (const id of list) {
          const r = repo.get(id);
          if (!r || r.state !== 'held') continue;
          if (r.problem_code === ACCESS_POINT_CHANGED) {
            if (reroute(r)) released++;
            continue;
          }
          const duplicate =
            r.problem_code === 'DUPLICATE' || r.problem_code === 'DUPLICATE_CONTENT';
          const checks = validationOf(r.validation_json);
          if (duplicate && checks?.checksDisagree) {
            // Two questions, two decisions: "send the duplicate" does not answer "send although
            // the two checks disagree", so the document stays held for the second one.
            const message = checksDisagreeProblem(checks, r.doc_type);
            repo.patch(id, {
              problem_code: CHECKS_DISAGREE,
              problem_message: message,
              problem_action: 'decide',
            });
            repo.appendEvent(
              id,
              'held',
              `Send anyway as a possible duplicate, decided by ${who}; still held: our check and the access point's disagree`,
            );
            stillHeld.push({ id, message });
            continue;
          }
          const target =
            duplicate ||
            r.problem_code === ACCESS_POINT_CHANGED ||
            r.problem_code === CHECKS_DISAGREE
              ? 'ready' // looked up again (at the access point now in use)
              : 'queued';
          const detail =
            r.problem_code === CHECKS_DISAGREE && checks
              ? sentAlthough(checks, who)
              : `Send anyway, decided by ${who}`;
          if (
            repo.transition(
              id,
              'held',
              target,
              { send_anyway: 1, problem_code: null, problem_message: null, problem_action: null },
              detail,
            )
          )
            released++;
        }
      });
      onChanged(list);
      pipeline.holdPinnedElsewhere();
      pipeline.refreshConnection();
      pipeline.kick();
      return stillHeld.length ? { released, stillHeld } : { released };
    },
    'documents:waitingFor': ({ accessPoint }) => ({
      ids: repo.heldFor(accessPoint === undefined ? null : String(accessPoint)),
    }),
    'documents:ids': ({ states }) => {
      if (!Array.isArray(states) || !states.every((s) => DOCUMENT_STATES.includes(s))) {
        throw new AppError('BAD_REQUEST', 'Name the states of the documents to list.');
      }
      return { ids: repo.idsInStates(states) };
    },
    'documents:reroute': ({ ids, all, from }) => {
      const list = all || from !== undefined ? repo.heldFor(from ?? null) : requireIds(ids);
      let rerouted = 0;
      repo.tx(() => {
        for (const id of list) {
          const r = repo.get(id);
          if (r && r.state === 'held' && r.problem_code === ACCESS_POINT_CHANGED && reroute(r))
            rerouted++;
        }
      });
      onChanged(list);
      pipeline.refreshConnection();
      pipeline.kick();
      return { rerouted };
    },
    'lookup:refresh': async ({ id }) => {
      const r = repo.get(id);
      if (!r) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
      if (!r.receiver_id) {
        throw new AppError('NO_RECEIVER', 'This document has no buyer Peppol ID to look up.');
      }
      const receiver = r.receiver_id;
      let failure = '';
      const entry = await participants.get(
        receiver,
        async () => {
          const outcome = await client.lookup(receiver);
          if (outcome.kind === 'ok') return outcome.value;
          failure = outcome.kind === 'permanent' ? outcome.error.message : outcome.message;
          return null;
        },
        { refresh: true },
      );
      const lookup = toReceiverLookup(entry);
      if (!lookup) {
        throw new AppError(
          'LOOKUP_UNAVAILABLE',
          // The access point's words only when they read as words (no errno, JSON or XPath).
          `The access point could not look up ${receiver} right now${readsAsWords(failure) ? ` (${failure.trim()})` : ''}. Try again in a moment.`,
        );
      }
      return lookup;
    },
    'queue:pause': () => {
      settings.set('paused', true);
      pipeline.setPaused(true);
      return pipeline.connectionStatus();
    },
    'queue:resume': () => {
      settings.set('paused', false);
      pipeline.setPaused(false);
      return pipeline.connectionStatus();
    },
    'connection:get': () => pipeline.connectionStatus(),
    'settings:get': () => currentSettings(),
    'settings:set': (patch: SettingsPatch) => {
      if (patch.endpoint !== undefined) {
        if (patch.endpoint !== null) {
          let url: URL;
          try {
            url = new URL(patch.endpoint);
          } catch {
            throw new AppError(
              'BAD_SETTING',
              'The provider URL is not a web address. It looks like https://app.goroute.ai/peppol-api.',
            );
          }
          if (
            url.protocol !== 'https:' &&
            url.hostname !== '127.0.0.1' &&
            url.hostname !== 'localhost'
          ) {
            throw new AppError('BAD_SETTING', 'The provider URL must start with https://.');
          }
        }
        settings.set('endpoint', patch.endpoint ?? undefined);
      }
      if (patch.apiKey !== undefined) options.secrets.setApiKey(patch.apiKey || null);
      if (patch.concurrency !== undefined) {
        const c = patch.concurrency;
        if (c !== 'auto' && (!Number.isInteger(c) || c < 1 || c > 256)) {
          throw new AppError(
            'BAD_SETTING',
            'Concurrency is "auto" or a whole number from 1 to 256.',
          );
        }
        settings.set('concurrency', c);
        pipeline.setConcurrency(c);
      }
      if (patch.batching !== undefined) {
        settings.set('batching', Boolean(patch.batching));
        pipeline.setBatching(Boolean(patch.batching));
      }
      if (patch.metricsPort !== undefined) {
        const port = patch.metricsPort;
        if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) {
          throw new AppError(
            'BAD_SETTING',
            'The metrics port is a whole number from 1 to 65535, or empty to turn the endpoint off.',
          );
        }
        settings.set('metricsPort', port ?? undefined);
        void setMetricsPort(port).catch(() => undefined);
      }
      if (patch.gzip !== undefined) settings.set('gzip', Boolean(patch.gzip));
      if (patch.maxAttempts !== undefined) {
        if (
          !Number.isInteger(patch.maxAttempts) ||
          patch.maxAttempts < 1 ||
          patch.maxAttempts > 100
        ) {
          throw new AppError('BAD_SETTING', 'Attempts must be a whole number from 1 to 100.');
        }
        settings.set('maxAttempts', patch.maxAttempts);
        pipeline.setMaxAttempts(patch.maxAttempts);
      }
      if (patch.remoteValidation !== undefined) {
        settings.set('remoteValidation', Boolean(patch.remoteValidation));
        pipeline.setRemoteValidation(Boolean(patch.remoteValidation));
      }
      if (patch.hotFolder !== undefined) {
        const folder = patch.hotFolder?.trim() || null;
        if (folder !== null && !isExistingFolder(folder)) {
          throw new AppError(
            'BAD_SETTING',
            'The hot folder must be an existing folder, written in full (for example /home/you/invoices-out or C:\\Invoices\\Out).',
          );
        }
        const refusal = folder === null ? null : hotFolderRefusal(folder, options.dataDir);
        if (refusal !== null) throw new AppError('BAD_SETTING', refusal);
        settings.set('hotFolder', folder ?? undefined);
      }
      if (patch.hotFolderMove !== undefined) {
        settings.set('hotFolderMove', Boolean(patch.hotFolderMove));
      }
      if (patch.hotFolderSubfolders !== undefined) {
        settings.set('hotFolderSubfolders', Boolean(patch.hotFolderSubfolders));
      }
      if (patch.maxDocumentBytes !== undefined) {
        const n = patch.maxDocumentBytes;
        if (!Number.isInteger(n) || n < MIN_DOCUMENT_BYTES || n > MAX_DOCUMENT_BYTES) {
          throw new AppError(
            'BAD_SETTING',
            'The largest file size must be a whole number of bytes from 1 KB to 100 MB (the provider takes up to 15 MB per invoice).',
          );
        }
        settings.set('maxDocumentBytes', n);
      }
      for (const [key, what] of [
        ['lookupFoundTtlMs', 'found'],
        ['lookupNotFoundTtlMs', 'not found'],
      ] as const) {
        const ms = patch[key];
        if (ms === undefined) continue;
        if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LOOKUP_TTL_MS) {
          throw new AppError(
            'BAD_SETTING',
            `How long a "${what}" receiver answer is reused must be a whole number of milliseconds from 0 (always ask) to 7 days.`,
          );
        }
        settings.set(key, ms);
      }
      if (patch.lookupFoundTtlMs !== undefined || patch.lookupNotFoundTtlMs !== undefined) {
        participants.setTtl(lookupTtl());
      }
      if (
        patch.hotFolder !== undefined ||
        patch.hotFolderMove !== undefined ||
        patch.hotFolderSubfolders !== undefined
      ) {
        void applyHotFolder();
      }
      if (patch.endpoint !== undefined || patch.apiKey !== undefined || patch.gzip !== undefined) {
        // Saved means in use: new sends go to the new access point once this resolves.
        return applyConnection().then(currentSettings);
      }
      return currentSettings();
    },
    // Asked when a window opens or reloads: the whole hour the 60-minute chart window shows.
    'metrics:snapshot': () => metrics.snapshot(repo.counts(), HISTORY_SECONDS),
  };

  if (options.autoStart !== false) pipeline.start();
  if (options.autoStart !== false) await applyHotFolder();

  /** Every document (no ids): settled when no document is in a state that still needs work. */
  function allSettled(includeAccepted: boolean): boolean {
    const counts = repo.counts();
    return DOCUMENT_STATES.every(
      (s) => counts[s] === 0 || SETTLED.has(s) || (includeAccepted && s === 'accepted'),
    );
  }

  /**
   * Wait for the listed documents without re-reading all of them on every change: the ids still
   * open are kept in a set; the first check reads each once, then each flush re-reads only the
   * listed ids it names, so settling a drop of N documents reads O(N) rows in total. A backstop
   * re-reads a bounded slice of the open ids when no flush came for 500 ms (changes made by another
   * process on the same data folder send no event here).
   */
  function waitForIds(ids: number[], includeAccepted: boolean): Promise<void> {
    const isDone = (b: DocumentBrief) =>
      SETTLED.has(b.state) ||
      (includeAccepted && b.state === 'accepted') ||
      // Delivery tracking gave up on it (see the pipeline): nothing more will happen by itself.
      b.problem_code === 'DELIVERY_UNCONFIRMED';
    const listed = new Set(ids);
    const open = new Set(listed);
    const reread = (list: readonly number[]) => {
      for (const { ids: chunk, rows } of repo.briefChunks(list)) {
        const seen = new Set<number>();
        for (const b of rows) {
          seen.add(b.id);
          if (isDone(b)) open.delete(b.id);
          else open.add(b.id);
        }
        // A document that no longer exists needs no more work.
        for (const id of chunk) if (!seen.has(id)) open.delete(id);
      }
    };
    return new Promise<void>((resolve) => {
      let backstop = open.values();
      let lastFlush = performance.now();
      const finishIfDone = () => {
        if (open.size > 0) return;
        settleWaiters.delete(onFlush);
        settleTimers.delete(timer);
        clearInterval(timer);
        resolve();
      };
      const onFlush = (changed: readonly number[]) => {
        lastFlush = performance.now();
        reread(changed.filter((id) => listed.has(id)));
        finishIfDone();
      };
      const backstopMs = options.timings?.settleBackstopMs ?? 500;
      const timer = setInterval(() => {
        if (performance.now() - lastFlush < backstopMs) return;
        const slice: number[] = [];
        for (let n = 0; n < SETTLE_BACKSTOP_IDS; n++) {
          let next = backstop.next();
          if (next.done) {
            backstop = open.values();
            next = backstop.next();
            if (next.done) break;
          }
          slice.push(next.value);
        }
        reread(slice);
        finishIfDone();
      }, backstopMs);
      settleWaiters.add(onFlush);
      settleTimers.add(timer);
      reread(ids);
      finishIfDone();
    });
  }

  const engine: Engine = {
    handlers,
    get environment() {
      return environment;
    },
    get endpoint() {
      return endpoint;
    },
    get sandbox() {
      return sandbox;
    },
    metricsUrl: () => prometheus?.url ?? null,
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    waitUntilSettled(ids, opts = {}) {
      const includeAccepted = opts.includeAccepted ?? false;
      if (ids) return waitForIds(ids, includeAccepted);
      return new Promise<void>((resolve) => {
        const check = () => {
          if (allSettled(includeAccepted)) {
            settleWaiters.delete(check);
            settleTimers.delete(timer);
            clearInterval(timer);
            resolve();
          }
        };
        // Events drive the check; the interval is a backstop for changes made before we listened.
        const timer = setInterval(check, 500);
        settleTimers.add(timer);
        settleWaiters.add(check);
        check();
      });
    },
    async stop() {
      // The hot folder first: no new files while the queue winds down.
      engineStopping = true;
      await applyHotFolder();
      await connectionChange;
      clearInterval(metricsTimer);
      for (const t of settleTimers) clearInterval(t);
      await pipeline.stop();
      if (flushTimer) clearTimeout(flushTimer);
      flush();
      await client.close();
      // Earlier access points' clients (their keys stay kept: polled again at the next start).
      for (const e of earlier.values()) {
        await e.client.close().catch(() => undefined);
        if (e.sandbox && e.sandbox !== sandbox) await e.sandbox.close();
      }
      await setMetricsPort(null).catch(() => undefined);
      await pool.close();
      if (sandbox) await sandbox.close();
      db.close();
      lock?.release();
    },
  };
  recordInternals(engine, { repo, db });
  return engine;
}

/** The stored verdicts of a document (ours, and the access point's when it was asked). */
function validationOf(json: string | null): DocumentValidation | null {
  return json ? (JSON.parse(json) as DocumentValidation) : null;
}

/** Who decided, for the timeline: the account running Peppol Desk. */
function currentUser(): string {
  try {
    const name = userInfo().username;
    return name ? `the user (${name})` : 'the user';
  } catch {
    return 'the user';
  }
}

/** The timeline entry of a "Send anyway" over disagreeing checks: who, and against what. */
function sentAlthough(checks: DocumentValidation, who: string): string {
  const remote = checks.accessPoint;
  const oursValid = !checks.findings.some((f) => f.flag === 'fatal');
  if (!oursValid) {
    return `Sent anyway by ${who} although our check found ${fatalRules(checks)}; the access point's check accepted it`;
  }
  return `Sent anyway by ${who} although the access point's check rejected it (${remoteRules(remote ?? { errors: [] })}); our check found no error`;
}

/** The problem shown when a released duplicate still has disagreeing checks. */
function checksDisagreeProblem(checks: DocumentValidation, docType: string | null): string {
  const kind = docType === 'CreditNote' ? 'credit note' : 'invoice';
  const oursValid = !checks.findings.some((f) => f.flag === 'fatal');
  return oursValid
    ? `The access point's own check rejects this ${kind} (${remoteRules(checks.accessPoint ?? { errors: [] })}), but our check found no error. Compare both below, then cancel it or Send anyway.`
    : `Our check found ${fatalRules(checks)} in this ${kind}, but the access point's own check accepts it. Compare both below, then cancel it or Send anyway.`;
}
