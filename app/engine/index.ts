/**
 * The engine: createEngine opens the data folder and wires its parts (settings, connection,
 * events, documents, the clerk's decisions, the hot folder) around the queue's pipeline; hosts
 * use the contract's handlers and events only (see ./options for what Engine offers).
 */
import { mkdirSync } from 'node:fs';
import type { ConnectionStatus, Handlers, HotFolderStatus } from '../contract';
import { AppError } from '../errors';
import { HISTORY_SECONDS, Metrics } from '../metrics/metrics';
import { PrometheusEndpoint } from '../metrics/prometheus';
import { Pipeline, type Validator } from '../queue/pipeline';
import { DEFAULT_RETRY_POLICY } from '../domain/retry-policy';
import { lockDataDir, type DataDirLock } from '../store/data-dir-lock';
import { Checkpointer } from '../store/checkpointer';
import { openDb } from '../store/db';
import { DocumentsRepo } from '../store/documents-repo';
import { SettingsRepo } from '../store/settings-repo';
import { ValidationCache } from '../caches/validation-cache';
// Not through ../validation: its index loads the rules, which run in the validation workers
// (the engine's thread never checks a document unless the workers cannot run).
import { createValidationPool, type ValidationPool } from '../validation/pool';
import { VALIDATION_CACHE_KEY } from '../validation/version';
import { KEY_REFUSED_WORDS, NO_API_KEY_WORDS } from '../access-point/reachability';
import { CHECK_WAIT_MS, EngineConnection, withinMs } from './connection';
import type { EngineContext } from './context';
import { documentHandlers } from './documents';
import { dropHandlers } from './drop-handlers';
import { DropJournal } from '../store/drops';
import { EngineEvents } from './events';
import { EngineHotFolder } from './hot-folder';
import { recordInternals } from './internals';
import { deliveryTimings, type Engine, type EngineOptions } from './options';
import { EngineSettings } from './settings';
import { settingsHandlers } from './settings-handlers';
import { URL_CORRECTED_WHY } from '../queue/lifecycle/clerk';
import { rerouteHeld, userActionHandlers } from './user-actions';

export type { Engine, EngineOptions, SecretStore } from './options';
export { memorySecretStore } from './options';
export { CANCEL_UNSAFE_MESSAGE, UNDO_CANCEL_WINDOW_MS } from './user-actions';
export { sha256Hex } from './documents';
/** Environment from the API key (the domain's one rule, re-exported for the engine's callers). */
export { environmentFor } from '../domain/environment';

/**
 * Open the data folder, connect to the access point (or start the sandbox) and start the queue.
 * Throws DataDirLockedError (code DATA_DIR_LOCKED) when another live process works on the same
 * data folder; read-and-exit tools (`autoStart: false`) do not take the folder.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  // Never silently the local outbox when a team's was asked for (hosts choose: see app/cli).
  if (options.store) {
    throw new Error('A team outbox is opened with createTeamEngine (app/team/engine).');
  }
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
  // Checkpoints of the write-ahead log in a worker thread, not on the engine's (checkpointer.ts).
  const checkpointer = Checkpointer.start(db, options.log);
  const repo = new DocumentsRepo(db, now, lock !== null);
  const settings = new EngineSettings(new SettingsRepo(db), { dataDir: options.dataDir });
  const metrics = new Metrics(now);
  const trackDelivery = options.trackDelivery ?? true;

  const concurrency = options.concurrency ?? settings.get('concurrency');
  const batchingOption = options.batching ?? settings.get('batching');
  const connection = await EngineConnection.open({
    options,
    settings,
    db,
    repo,
    now,
    concurrency,
    trackDelivery,
  });

  const pool: ValidationPool = createValidationPool({
    ...(options.validationWorker ? { workerScript: options.validationWorker } : {}),
    ...(options.validationThreads ? { size: options.validationThreads } : {}),
    ...(options.log ? { onFallback: options.log } : {}),
  });
  metrics.attach({ validation: () => ({ mode: pool.mode, reason: pool.fallbackReason }) });
  const validator: Validator = {
    cacheKey: VALIDATION_CACHE_KEY,
    // Read at use: `settings:set` may change it while the engine runs.
    check: (bytes) => pool.check(bytes, { maxBytes: settings.get('maxDocumentBytes') }),
  };

  const events = new EngineEvents(
    repo,
    options.coalesceMs ?? 150,
    options.timings?.settleBackstopMs ?? 500,
  );
  const t = options.timings ?? {};
  let hotFolderStatus = (): HotFolderStatus | null => null;
  // The status as told to the window: with the hot folder, and a missing key said as missing.
  const shownStatus = (status: ConnectionStatus): ConnectionStatus => {
    const hot = hotFolderStatus();
    const client = connection.client;
    const groups = client.batchesPending
      ? {}
      : { groups: client.batchSupported ? ('offered' as const) : ('not-offered' as const) };
    const withHot = { ...status, ...groups, ...(hot ? { hotFolder: hot } : {}) };
    // A provider address with no key at all is said before the first invoice meets a refusal
    // (walk 18 B4: "Online" and "Test" above a queue nobody would take); refused, "not
    // accepted" would send the clerk looking for a wrong key. (The built-in Sandbox needs none.)
    if (status.environment === 'sandbox' || options.secrets.getApiKey()) return withHot;
    const refused = status.state === 'refused' && status.message === KEY_REFUSED_WORDS;
    return { ...withHot, apiKeySet: false, ...(refused ? { message: NO_API_KEY_WORDS } : {}) };
  };
  const pipeline = new Pipeline(
    {
      repo,
      client: connection.client,
      validator,
      validationCache: new ValidationCache(db, now),
      remoteValidationCache: connection.firstRemoteValidationCache,
      participants: connection.participants,
      metrics,
      environment: connection.environment,
      accessPoint: connection.accessPoint,
      onChanged: (ids) => events.changed(ids),
      onConnection: (status) => events.emit('connection:changed', shownStatus(status)),
      onEarlierDone: (place, doneClient) => connection.earlierDone(place, doneClient),
      builtInSandboxSince: () => connection.sandbox?.startedAt ?? null,
      ledNowhereFrom: () => connection.leftNowhere,
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
      paused: settings.get('paused'),
      paceChecking: options.paceChecking ?? false,
      trackDelivery,
      remoteValidation: settings.get('remoteValidation'),
      retry: {
        maxAttempts: settings.get('maxAttempts'),
        baseDelayMs: t.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        maxDelayMs: t.retryMaxMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      },
      ...deliveryTimings(t),
      ...(t.probeInitialMs !== undefined ? { probeInitialMs: t.probeInitialMs } : {}),
      ...(t.probeMaxMs !== undefined ? { probeMaxMs: t.probeMaxMs } : {}),
      ...(t.troubleAfterMs !== undefined ? { troubleAfterMs: t.troubleAfterMs } : {}),
    },
  );
  // A restart: earlier access points still asked about documents they accepted.
  connection.attach(pipeline);

  metrics.attach({ counts: () => repo.counts() });
  const prometheus = new PrometheusEndpoint(() => metrics.registry());
  const setMetricsPort = (port: number | null) => prometheus.setPort(port);
  const metricsPort = options.metricsPort ?? settings.get('metricsPort');
  if (metricsPort !== null && metricsPort !== undefined) await setMetricsPort(metricsPort);

  const metricsTimer = setInterval(() => {
    events.emit('metrics:tick', metrics.snapshot(repo.counts()));
  }, 1000);
  metricsTimer.unref();

  const ctx: EngineContext = {
    options,
    now,
    repo,
    drops: new DropJournal(db, now),
    settings,
    connection,
    pipeline,
    events,
    checkpointer,
  };
  // The hot folder's status rides on the connection status: the header shows both.
  const hotFolder = new EngineHotFolder(ctx, () =>
    events.emit('connection:changed', shownStatus(pipeline.connectionStatus())),
  );
  hotFolderStatus = () => hotFolder.folderStatus();

  /**
   * What waited for a provider URL that led nowhere goes on through the one now in use, as the
   * clerk's reroute sends it, each buyer looked up again (see EngineConnection.takeLedNowhere).
   */
  const sendOnFromNowhere = async (): Promise<void> => {
    const from = connection.takeLedNowhere();
    if (from !== null) await rerouteHeld(ctx, { from }, URL_CORRECTED_WHY);
  };
  const handlers: Handlers = {
    'app:info': () => ({
      version: options.version ?? '0.0.0',
      host: options.host,
      dataDir: options.dataDir,
    }),
    ...documentHandlers(ctx),
    ...dropHandlers(ctx),
    ...userActionHandlers(ctx),
    'queue:pause': () => {
      settings.set('paused', true);
      pipeline.setPaused(true);
      return shownStatus(pipeline.connectionStatus());
    },
    'queue:resume': () => {
      settings.set('paused', false);
      pipeline.setPaused(false);
      return shownStatus(pipeline.connectionStatus());
    },
    'connection:get': () => shownStatus(pipeline.connectionStatus()),
    'connection:check': async () => {
      await withinMs(connection.recheck(), CHECK_WAIT_MS);
      return shownStatus(pipeline.connectionStatus());
    },
    ...settingsHandlers(ctx, {
      setMetricsPort,
      applyHotFolder: () => hotFolder.apply(),
      applyConnection: async () => {
        await connection.apply();
        await sendOnFromNowhere();
      },
    }),
    // Asked when a window opens or reloads: the whole hour the 60-minute chart window shows.
    'metrics:snapshot': () => metrics.snapshot(repo.counts(), HISTORY_SECONDS),
    'team:useThisAccessPoint': () => {
      throw new AppError(
        'NOT_ON_TEAM',
        'This desk is not on a team outbox: it always sends through the access point in its Settings.',
      );
    },
  };

  if (options.autoStart !== false) {
    pipeline.start();
    // Held at the start for another access point, of a provider URL that led nowhere: on.
    await sendOnFromNowhere();
  }
  if (options.autoStart !== false) await hotFolder.apply();

  const engine: Engine = {
    handlers,
    get environment() {
      return connection.environment;
    },
    get endpoint() {
      return connection.endpoint;
    },
    get usesBuiltInSandbox() {
      return connection.sandbox !== null;
    },
    metricsUrl: () => prometheus.url,
    on: (event, listener) => events.on(event, listener),
    waitUntilSettled: (ids, opts) => events.waitUntilSettled(ids, opts),
    roomForMore: () => pipeline.roomForMore(),
    async stop(opts) {
      // The hot folder first: no new files while the queue winds down.
      const connectionStopped = connection.stopChanges();
      await hotFolder.stop();
      await connectionStopped;
      clearInterval(metricsTimer);
      events.stopWaiters();
      await pipeline.stop();
      events.flush();
      await opts?.beforeClose?.().catch(() => undefined);
      // Earlier access points' clients too (their keys stay kept: polled again at the next start).
      // Independent of each other: closed together (the last moments of every `send`), the
      // checkpointer's last copy of the log included (the queue writes nothing more).
      await Promise.all([
        connection.close(),
        setMetricsPort(null).catch(() => undefined),
        pool.close(),
        checkpointer?.close(),
      ]);
      await connection.closeSandbox();
      repo.close();
      db.close();
      lock?.release();
    },
  };
  recordInternals(engine, {
    repo,
    db,
    get sandbox() {
      return connection.sandbox?.inThread ?? null;
    },
    sendsInFlight: () => metrics.senderState()?.inFlight ?? 0,
  });
  return engine;
}
