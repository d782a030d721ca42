/**
 * createTeamEngine: the same `Engine` as createEngine (handlers, events, waitUntilSettled, stop
 * and the facts hosts show), backed by a team outbox: the documents live in the team's store and
 * this desk's worker (./desk) adds, claims and sends them. The data folder keeps what is this
 * desk's own: settings, caches, the API key, its desk id and the spool.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { ApOutcome } from '../access-point/client';
import { ValidationCache } from '../caches/validation-cache';
import type { DocumentState, Environment } from '../contract';
import { sha256Hex } from '../engine/documents';
import { EngineConnection } from '../engine/connection';
import {
  deliveryTimings,
  type Engine,
  type EngineOptions,
  type StopOptions,
} from '../engine/options';
import { environmentSaid } from '../domain/environment';
import { DEFAULT_RETRY_POLICY } from '../domain/retry-policy';
import { Metrics } from '../metrics/metrics';
import { PrometheusEndpoint } from '../metrics/prometheus';
import { lockDataDir, type DataDirLock } from '../store/data-dir-lock';
import { defaultDeskName } from '../data-dir';
import { openDb } from '../store/db';
import { DropJournal } from '../store/drops';
import { DocumentsRepo } from '../store/documents-repo';
import { SettingsRepo } from '../store/settings-repo';
import { createValidationPool, VALIDATION_CACHE_KEY } from '../validation';
import type { CheckResult } from '../validation/types';
import { accessPointRef, type AccessPointRef } from './access-point';
import { TeamDesk } from './desk';
import { TeamEngineSettings } from './team-settings';
import { DeskRemoteCheck } from './desk-remote-check';
import { DeskAccessPointHealth } from './desk-health';
import { TeamCacheSharing } from './shared-caches';
import { TeamEngineEvents, refreshCounts, teamCounts } from './engine-events';
import { teamHandlers } from './engine-handlers';
import { startTeamHotFolder } from './engine-hot-folder';
import { HotFolderControl } from '../engine/hot-folder';
import { openTeamStore } from './open-store';
import type { DeskInfo, SentVia, TeamStore } from './store';
import { DeskLatencyPublisher } from './team-latency';
import { TEAM_TICK_SECONDS, TeamMetricsReader } from './team-metrics';
import type { RequestKind, SendSubject } from '../access-point/reachability';

/** How the team engine opens its store (tests may hand one in). */
export interface TeamEngineDeps {
  openStore?: (url: string) => TeamStore | Promise<TeamStore>;
}

/**
 * Open the data folder (this desk's own), the team's store and start the desk. A database that
 * cannot be reached at start is not fatal for a desk that works (`send`, `watch`, the app): it
 * says so and keeps dropped files until the database answers. Read-and-exit tools
 * (`autoStart: false`) get the plain error instead.
 */
export async function createTeamEngine(
  options: EngineOptions,
  deps: TeamEngineDeps = {},
): Promise<Engine> {
  if (!options.store) throw new Error('createTeamEngine needs options.store.');
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = options.autoStart !== false ? lockDataDir(options.dataDir) : null;
  let store: TeamStore | null = null;
  try {
    store = await (deps.openStore ?? openTeamStore)(options.store);
    // A working desk migrates when it connects (now, or once the database answers).
    if (options.autoStart === false) await store.migrate();
    return await openTeamEngine(options, store, lock);
  } catch (err) {
    await store?.close().catch(() => undefined);
    lock?.release();
    throw err;
  }
}

/** This desk's id: a UUID kept in the data folder (user-only), so a restart is the same desk. */
export function deskIdOf(dataDir: string): string {
  const file = join(dataDir, 'desk-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  }
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return id;
}

async function openTeamEngine(
  options: EngineOptions,
  store: TeamStore,
  lock: DataDirLock | null,
): Promise<Engine> {
  const now = options.now ?? Date.now;
  const db = openDb({ dataDir: options.dataDir });
  const desk: DeskInfo = {
    id: deskIdOf(options.dataDir),
    name: options.team?.deskName ?? defaultDeskName(options.dataDir),
    host: os.hostname(),
  };
  // The settings the team shares are the team's once read (./team-settings); the rest this desk's.
  const settings = new TeamEngineSettings(
    new SettingsRepo(db),
    { dataDir: options.dataDir },
    {
      store,
      desk,
      onChange: (keys) => {
        if (keys.some((k) => k === 'lookupFoundTtlMs' || k === 'lookupNotFoundTtlMs')) ttlChanged();
      },
      ...(options.log ? { log: options.log } : {}),
    },
  );
  // The lookup cache (made with the connection below) takes new lifetimes at once.
  let ttlChanged = (): void => {};
  // A read-and-exit tool reads the team's values (and seeds none); a working desk at connect.
  if (options.autoStart === false) await settings.sync(false);
  const metrics = new Metrics(now);
  const concurrencySetting = options.concurrency ?? settings.get('concurrency');
  const concurrency = concurrencySetting;
  // The local documents repository is not used for documents here; the connection reads it
  // only to poll earlier access points, which a team desk does not do.
  const repo = new DocumentsRepo(db, now);
  const connection = await EngineConnection.open({
    options,
    settings,
    db,
    repo,
    now,
    concurrency,
    trackDelivery: false,
  });
  ttlChanged = () => connection.participants.setTtl(settings.lookupTtl());
  // The client this desk's requests go through. It changes with the desk's access point
  // (`accessPoint` below) in one step, the reconnect at the end: a claim named after an access
  // point leaves through that access point's client only.
  let client = connection.client;
  const pool = createValidationPool({
    ...(options.validationWorker ? { workerScript: options.validationWorker } : {}),
    ...(options.validationThreads ? { size: options.validationThreads } : {}),
    ...(options.log ? { onFallback: options.log } : {}),
  });
  metrics.attach({ validation: () => ({ mode: pool.mode, reason: pool.fallbackReason }) });
  const verdicts = new ValidationCache(db, now);
  // `worker` is made below; until then (and while the database is down) nothing is written.
  let worker: TeamDesk | null = null;
  const sharing = new TeamCacheSharing({
    shared: store.shared,
    cacheKey: VALIDATION_CACHE_KEY,
    verdicts,
    participants: () => connection.participants,
    reachable: () => worker?.reachable ?? false,
    redoable: (fn) => repo.txRedoable(fn),
    ...(options.log ? { log: options.log } : {}),
  });
  const check = async (bytes: Uint8Array): Promise<CheckResult> => {
    const sha = sha256Hex(bytes);
    const hit = verdicts.get(sha, VALIDATION_CACHE_KEY);
    if (hit) return { ok: true, ...hit };
    const started = performance.now();
    const result = await pool.check(bytes, { maxBytes: settings.get('maxDocumentBytes') });
    metrics.recordLatency('validate', performance.now() - started);
    // Redoable (a verdict lost to a power cut is checked again): no fsync per file, which
    // blocked the event loop ~5 ms per new invoice on a busy disk.
    if (result.ok) {
      repo.txRedoable(() => verdicts.put(sha, VALIDATION_CACHE_KEY, result));
      sharing.learntVerdict(sha, result);
    }
    return result;
  };

  // The access point's own check (the team's setting `remoteValidation`), its answers cached in
  // this desk's data folder per access point, as on a single desk; a reconnect swaps the cache.
  let remoteVerdicts = connection.firstRemoteValidationCache;
  // Whether the access point answers this desk, for the header (status() below, once made).
  const health = new DeskAccessPointHealth({
    client: () => client,
    // The desk claims nothing while its access point cannot be reached (see TeamDesk).
    onChange: () => {
      worker?.accessPointHealthChanged();
      emitStatus();
    },
    ...(options.timings?.probeInitialMs !== undefined
      ? { probeInitialMs: options.timings.probeInitialMs }
      : {}),
    ...(options.timings?.probeMaxMs !== undefined
      ? { probeMaxMs: options.timings.probeMaxMs }
      : {}),
    ...(options.timings?.troubleAfterMs !== undefined
      ? { troubleAfterMs: options.timings.troubleAfterMs }
      : {}),
  });
  // Every answer of the access point: the header's health; a 429 (a send's, a lookup's, a
  // poll's) also stops the delivery polls for a while, so the sends keep the rate.
  // `subject`: the invoice of a single send. One invoice that keeps failing is its own problem
  // (it uses up its tries and fails), not the access point's (walk 17: without it, every 500 of
  // one invoice said "trouble", its attempts were not counted, and it never failed).
  const noteOutcome = (
    outcome: ApOutcome<unknown>,
    request?: RequestKind,
    subject?: SendSubject,
  ) => {
    health.noteOutcome(outcome, request, subject);
    worker?.poller.noteOutcome(outcome);
  };
  const remote = new DeskRemoteCheck({
    enabled: () => settings.get('remoteValidation'),
    client: () => client,
    cache: () => remoteVerdicts,
    noteOutcome,
  });

  const t = options.team ?? {};
  const refOf = (
    ap: string,
    environment: Environment,
  ): AccessPointRef & { where: SentVia; apiKeySet: boolean } => ({
    ...accessPointRef({ accessPoint: ap, environment, apiKey: options.secrets.getApiKey() }),
    apiKeySet: !!options.secrets.getApiKey(),
    // Where it is, recorded on each document a claim sends (the table's and the CSV's columns):
    // the environment the access point names, where it names one (the key's prefix only guesses).
    get where(): SentVia {
      const said = environmentSaid(environment, health.namedEnvironment);
      return { accessPoint: ap, environment: said ?? environment };
    },
  });
  // What this desk sends through now: the team sends only through one (see access-point.ts).
  let accessPoint = refOf(connection.accessPoint, connection.environment);
  const retry = () => ({
    maxAttempts: settings.get('maxAttempts'),
    baseDelayMs: options.timings?.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.timings?.retryMaxMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  });

  // The events read through `worker` (spooled files) once it exists.
  const events = new TeamEngineEvents(
    {
      counts: () => teamCounts(store),
      states: async (ids) => {
        const out = new Map<number, DocumentState | 'kept' | 'notFollowed'>();
        const teamIds = new Map<number, number>();
        for (const id of ids) {
          const at = worker?.teamIdOf(id) ?? id;
          if (at === 'kept') out.set(id, 'kept');
          else if (at !== null) teamIds.set(at, id);
        }
        for (let i = 0, all = [...teamIds.keys()]; i < all.length; i += 1000) {
          const accepted: number[] = [];
          for (const [teamId, state] of await store.states(all.slice(i, i + 1000))) {
            out.set(teamIds.get(teamId)!, state);
            if (state === 'accepted') accepted.push(teamId);
          }
          // Accepted at the team's earlier access point: no delivery news will come here.
          for (const teamId of accepted.length ? await store.notFollowed(accepted) : [])
            out.set(teamIds.get(teamId)!, 'notFollowed');
        }
        return out;
      },
    },
    options.coalesceMs ?? 150,
    options.timings?.settleBackstopMs ?? 1000,
  );
  const emitStatus = () => events.emit('connection:changed', status());
  worker = new TeamDesk({
    store,
    desk,
    dataDir: options.dataDir,
    intake: {
      check,
      client: () => client,
      participants: () => connection.participants,
      onLookup: (ms) => metrics.recordLatency('lookup', ms),
      noteOutcome,
      shared: sharing,
      remote,
    },
    metrics,
    client: () => client,
    retry,
    maxDocumentBytes: () => settings.get('maxDocumentBytes'),
    concurrency,
    requestsPerSecond: options.requestsPerSecond ?? null,
    paused: settings.get('paused'),
    ...(t.leaseMs !== undefined ? { leaseMs: t.leaseMs } : {}),
    ...(t.heartbeatMs !== undefined ? { heartbeatMs: t.heartbeatMs } : {}),
    ...(t.pollMs !== undefined ? { pollMs: t.pollMs } : {}),
    delivery: deliveryTimings(options.timings),
    reconnect: {
      ...(t.reconnectInitialMs !== undefined ? { initialMs: t.reconnectInitialMs } : {}),
      ...(t.reconnectMaxMs !== undefined ? { maxMs: t.reconnectMaxMs } : {}),
    },
    accessPoint: () => accessPoint,
    syncSettings: () => settings.sync(),
    noteOutcome,
    noteForbidden: (receiver, said) => health.noteForbidden(receiver, said),
    accessPointDown: () => health.held,
    onChanged: (ids) => events.changed(ids),
    onStatus: () => emitStatus(),
    ...(options.log ? { log: options.log } : {}),
  });
  const teamDesk = worker;
  // The gauges (Prometheus, like a single desk's): this desk's sends in flight and their limit.
  const { slots } = teamDesk.sender;
  metrics.attach({
    sender: () => ({
      concurrencyLimit: slots.single.limit,
      inFlight: slots.inFlight,
      rate: slots.gate.rate,
      batching: false,
    }),
  });
  // Sends out and unanswered for as long as a run of failures lasts say trouble (walk 8).
  health.watchSilence(teamDesk.sender.silentForMs, () => teamDesk.reachable);
  // Heard before the desk claims anything, unless the access point is slow to answer.
  await Promise.race([
    health.askEnvironment(),
    new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref()),
  ]);
  // A saved provider URL or key is in use at once: the desk reads the client at each send; the
  // replaced one finishes what is in flight before it closes. Until the new access point is
  // compared with the team's, the desk claims nothing (app/team/access-point.ts). No earlier
  // access points are polled: the team's documents are asked about at the team's access point.
  connection.attach({
    reconnect: (next) => {
      teamDesk.accessPointChanging();
      health.reset();
      const previous = client;
      client = next.client;
      accessPoint = refOf(next.accessPoint ?? connection.accessPoint, next.environment);
      void health.askEnvironment();
      if (next.remoteValidationCache) remoteVerdicts = next.remoteValidationCache;
      // After the connection has swapped its caches too (it does so once this resolves). An
      // answer about the old access point still on its way is not taken (TeamDesk).
      setImmediate(() => void teamDesk.checkAccessPoint(false).catch(() => undefined));
      return Promise.resolve(previous);
    },
    pollEarlier: () => {},
    refreshConnection: () => emitStatus(),
  });

  const prometheus = new PrometheusEndpoint(() => metrics.registry());
  const setMetricsPort = (port: number | null) => prometheus.setPort(port);
  const metricsPort = options.metricsPort ?? settings.get('metricsPort');
  if (metricsPort !== null && metricsPort !== undefined) await setMetricsPort(metricsPort);

  // The team's charts: read from the team database every few seconds, not per document; this
  // desk's send latency is published there every 10 s for the other desks' charts.
  const teamMetrics = new TeamMetricsReader(store, now);
  const latencyPublisher = new DeskLatencyPublisher({
    shared: store.shared,
    deskId: desk.id,
    metrics,
    now,
    reachable: () => teamDesk.reachable,
  });
  // Started below once the desk runs; restarted when its setting changes (Settings, as alone:
  // a walk found a team desk kept the folder it started with until restarted).
  const hotFolder = new HotFolderControl(
    () => startTeamHotFolder({ options, settings, store, teamDesk, events, onStatus: emitStatus }),
    () => emitStatus(),
    options.log,
  );
  const { handlers, status } = teamHandlers({
    drops: new DropJournal(db, now),
    hotFolderStatus: () => hotFolder.status(),
    applyHotFolder: () => hotFolder.apply(),
    check,
    remote,
    setMetricsPort,
    options,
    settings,
    connection,
    store,
    desk,
    teamDesk,
    health,
    metrics,
    teamMetrics,
    events,
  });
  // Once a second: the team's counts (per state, and the failed files Retry all leaves: see
  // refreshCounts; whatever happens meanwhile) and, when a screen listens (a CLI desk has none),
  // the charts: the team's series is a query of its own.
  const metricsTimer = setInterval(() => {
    void refreshCounts(store, events)
      .catch(() => undefined)
      .then(async () => {
        if (!events.heard('metrics:tick')) return;
        await teamMetrics.refresh();
        events.emit('metrics:tick', {
          ...metrics.snapshot(events.counts),
          team: teamMetrics.snapshot(TEAM_TICK_SECONDS),
        });
      });
  }, 1000);
  metricsTimer.unref();

  if (options.autoStart !== false) {
    await teamDesk.start();
    latencyPublisher.start();
  }
  // Read-and-exit tools need the database: they get its plain error instead of empty counts.
  if (options.autoStart === false) await refreshCounts(store, events);
  else await refreshCounts(store, events).catch(() => undefined);
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
    stop(opts) {
      // Once, whoever asks first (a host and its clean-up may both ask).
      stopping ??= stopEngine(opts);
      return stopping;
    },
  };
  let stopping: Promise<void> | null = null;
  async function stopEngine(opts?: StopOptions): Promise<void> {
    // The hot folder first: no new files while the desk winds down.
    await hotFolder.stop();
    clearInterval(metricsTimer);
    health.stop();
    // The spool stays open for the last words (walk 20: a run stopped while the team database
    // was down read its kept files from it, found it closed, and said nothing).
    await teamDesk.stop(true);
    await sharing.stop();
    await latencyPublisher.stop();
    events.flush();
    await opts?.beforeClose?.().catch(() => undefined);
    teamDesk.closeSpool();
    events.stop();
    await setMetricsPort(null).catch(() => undefined);
    await connection.stopChanges();
    await connection.close();
    await pool.close();
    await connection.closeSandbox();
    await store.close().catch(() => undefined);
    repo.close();
    db.close();
    lock?.release();
  }
  return engine;
}
