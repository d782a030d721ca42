/**
 * The engine's access point: the endpoint in use (a provider's URL or the built-in sandbox), its
 * client and caches, the environment the key selects, and the earlier access points still asked
 * about documents they accepted. A change of URL, key or gzip is applied at once (`apply`).
 */
import type { Environment } from '../contract';
import { AccessPointClient } from '../access-point/client';
import { ParticipantCache } from '../caches/participant-cache';
import { RemoteValidationCache } from '../caches/remote-validation-cache';
import { environmentFor } from '../domain/environment';
import type { Pipeline } from '../queue/pipeline';
import { pollsInFlightFor } from '../sender/poll-budget';
import { startBuiltInSandbox, type BuiltInSandbox } from '../sandbox/thread';
import type { Db } from '../store/db';
import type { DocumentsRepo } from '../store/documents-repo';
import { pollPlaceId, type PollPlace } from '../store/poll-reads';
import type { EngineOptions } from './options';
import type { EngineSettings } from './settings';

/** The provider's production API. */
const DEFAULT_ENDPOINT = 'https://app.goroute.ai/peppol-api';

/** Where to send, from the options, the stored settings and the key: one access point. */
interface Wanted {
  endpointSetting: string | null;
  endpoint: string;
  environment: Environment;
  apiKey: string | null;
  gzip: boolean;
}

/** What documents are pinned to: the built-in sandbox (any port), or the provider's URL. */
export function accessPointKey(builtIn: BuiltInSandbox | null, url: string): string {
  return builtIn ? 'sandbox' : url;
}

/**
 * What sends through the connection: the pipeline, or a team desk. A new client is handed over
 * with `reconnect` (which returns the one it replaces).
 */
export type ConnectionUser = Pick<Pipeline, 'reconnect' | 'pollEarlier' | 'refreshConnection'>;

/** What the connection is made from. */
export interface ConnectionDeps {
  options: EngineOptions;
  settings: EngineSettings;
  db: Db;
  repo: DocumentsRepo;
  now: () => number;
  /** Fixed sends in flight, or 'auto' (adaptive): sizes the client's connection pool. */
  concurrency: number | 'auto';
  trackDelivery: boolean;
}

/** The access point in use and the earlier ones still polled (see the file's comment). */
export class EngineConnection {
  /**
   * Earlier places still polled for documents they accepted (delivery and the buyer's response
   * are known only there): an access point, or the same one under a key of another environment
   * (one provider URL serves Test and Production; the key chooses). With their clients, and the
   * built-in sandbox when that is one of them (kept running while its documents await delivery).
   * One entry per place, by pollPlaceId.
   */
  private readonly earlier = new Map<
    string,
    { client: AccessPointClient; sandbox: BuiltInSandbox | null }
  >();
  private change: Promise<void> = Promise.resolve();
  private pipeline: ConnectionUser | null = null;
  private stopping = false;
  participants: ParticipantCache;
  /** The access point's verdicts cache made with the first connection (handed to the pipeline). */
  readonly firstRemoteValidationCache: RemoteValidationCache;

  private constructor(
    private readonly deps: ConnectionDeps,
    private wanted: Wanted,
    /** The built-in sandbox when it is the access point in use. */
    public sandbox: BuiltInSandbox | null,
    public endpoint: string,
    public client: AccessPointClient,
  ) {
    const caches = this.cachesFor(sandbox, endpoint);
    this.participants = caches.participants;
    this.firstRemoteValidationCache = caches.remoteValidationCache;
  }

  /** Connect as the options, settings and key say (the built-in sandbox when nothing is set). */
  static async open(deps: ConnectionDeps): Promise<EngineConnection> {
    const wanted = wantedConnection(deps);
    const sandbox = wanted.endpoint ? null : await startInProcessSandbox(deps.options);
    const endpoint = sandbox ? sandbox.url : wanted.endpoint;
    const opened = new EngineConnection(
      deps,
      wanted,
      sandbox,
      endpoint,
      clientFor(deps, wanted, endpoint),
    );
    // The last run's provider URL led nowhere and this one is another (a command run again with
    // the URL corrected, as it advised): what waited for it goes on through this one as the app's
    // correction sends it (see reconnect; walk 24b A2: "0 sent, 20 failed", held for a decision).
    const nowhere = deps.settings.ledNowhere();
    const another = nowhere && nowhere.accessPoint !== opened.accessPoint;
    if (another && nowhere.environment === opened.environment)
      opened.ledNowhereFrom = nowhere.accessPoint;
    return opened;
  }

  /** The environment documents are sent in now. */
  get environment(): Environment {
    return this.wanted.environment;
  }

  /** The stored (or `--endpoint`) provider URL; null for "the key decides / built-in sandbox". */
  get endpointSetting(): string | null {
    return this.wanted.endpointSetting;
  }

  /** What documents added now are pinned to. */
  get accessPoint(): string {
    return accessPointKey(this.sandbox, this.endpoint);
  }

  /** Where documents sent now are known: the access point and the environment. */
  private get place(): PollPlace {
    return { accessPoint: this.accessPoint, environment: this.wanted.environment };
  }

  /**
   * The pipeline that sends through this connection; on a restart, documents accepted at another
   * access point than this one are polled there with the key kept for it. (The built-in sandbox
   * forgets its transactions when it stops.)
   */
  attach(pipeline: ConnectionUser): void {
    this.pipeline = pipeline;
    if (!this.deps.trackDelivery) return;
    const current = pollPlaceId(this.place);
    for (const place of this.deps.repo.placesAwaitingDelivery()) {
      if (place.accessPoint === 'sandbox') continue;
      // Pinned before environments were kept: asked where it was sent, with the key in use.
      if (place.environment === null && place.accessPoint === this.accessPoint) continue;
      const id = pollPlaceId(place);
      if (id === current) continue;
      const earlierClient = clientFor(
        this.deps,
        { ...this.wanted, apiKey: this.earlierKey(place), gzip: false },
        place.accessPoint,
      );
      this.earlier.set(id, { client: earlierClient, sandbox: null });
      pipeline.pollEarlier(place, earlierClient);
    }
  }

  /**
   * The key kept for an earlier place; one kept by its access point's URL alone (before
   * environments were told apart) when there is none for the place.
   */
  private earlierKey(place: PollPlace): string | null {
    const { secrets } = this.deps.options;
    return (
      secrets.getEarlierKey?.(pollPlaceId(place)) ??
      secrets.getEarlierKey?.(place.accessPoint) ??
      null
    );
  }

  /** The pipeline is done polling an earlier place: forget its key, close its client. */
  earlierDone(place: PollPlace, doneClient: AccessPointClient): void {
    const id = pollPlaceId(place);
    const entry = this.earlier.get(id);
    // Only the entry of that very client (a newer one for the same place stays, with its key).
    if (entry && entry.client !== doneClient) {
      if (doneClient !== this.client) void doneClient.close().catch(() => undefined);
      return;
    }
    this.earlier.delete(id);
    this.deps.options.secrets.setEarlierKey?.(id, null);
    this.deps.options.secrets.setEarlierKey?.(place.accessPoint, null);
    // In use again, it may be the very client or sandbox in use now: those stay open.
    if (doneClient !== this.client) void doneClient.close().catch(() => undefined);
    if (entry?.sandbox && entry.sandbox !== this.sandbox) void entry.sandbox.close();
  }

  /**
   * Apply changed provider URL, API key or gzip at once: start or stop the built-in sandbox and
   * hand the pipeline a new client (it lets requests in flight finish against the old one first).
   */
  apply(): Promise<void> {
    const run = this.change.then(() => this.reconnect());
    this.change = run.catch(() => undefined);
    return run;
  }

  /**
   * Keep for the next start whether the address in use led nowhere (a command that stops there
   * advises running it again with the URL corrected); forgotten once it answers.
   */
  private noteLedNowhere(): void {
    const { settings } = this.deps;
    const place = { accessPoint: this.accessPoint, environment: this.wanted.environment };
    if (this.ledNowhereNow()) settings.setLedNowhere(place);
    else if (
      this.client.routeMiss.answered &&
      settings.ledNowhere()?.accessPoint === place.accessPoint
    )
      settings.setLedNowhere(null);
  }

  /**
   * The address in use never answered as an access point: it answered "no such address" (a path
   * left out), or nothing there took a connection (a wrong port or host: walk 25 B8) and nothing
   * was ever accepted there. What waited for it cannot have reached an access point there.
   */
  private ledNowhereNow(): boolean {
    const { routeMiss } = this.client;
    if (routeMiss.ledNowhere) return true;
    if (!routeMiss.neverAnswered || this.sandbox) return false;
    const accepted = this.deps.db
      .prepare('SELECT 1 FROM documents WHERE access_point = ? AND accepted_at IS NOT NULL LIMIT 1')
      .get(this.accessPoint);
    return accepted === undefined;
  }

  /** The access point just left, when it led nowhere (see reconnect); read once. */
  private ledNowhereFrom: string | null = null;
  /** The same, not forgotten by reading it (the pipeline's PipelineDeps.ledNowhereFrom). */
  get leftNowhere(): string | null {
    return this.ledNowhereFrom;
  }
  takeLedNowhere(): string | null {
    const from = this.ledNowhereFrom;
    this.ledNowhereFrom = null;
    if (from !== null && this.deps.settings.ledNowhere()?.accessPoint === from)
      this.deps.settings.setLedNowhere(null);
    return from;
  }

  /**
   * Ask the access point in use again what it is and offers (its version call), and tell the
   * host: walk 23b N7, it had begun to deduplicate batches; Settings said otherwise and sending
   * followed its answer at start, until a restart.
   */
  async recheck(): Promise<void> {
    const { pipeline, client } = this;
    if (this.stopping || !pipeline) return;
    await client.version().then(
      () => {
        if (!this.stopping && client === this.client) pipeline.refreshConnection();
      },
      () => undefined,
    );
  }

  private async reconnect(): Promise<void> {
    const { deps } = this;
    const wanted = wantedConnection(deps);
    const connection = this.wanted;
    const same =
      wanted.endpoint === connection.endpoint &&
      wanted.apiKey === connection.apiKey &&
      wanted.gzip === connection.gzip &&
      wanted.environment === connection.environment;
    // Saved again as it was: ask the access point again what it offers. Not waited for.
    if (same) void this.recheck();
    if (same || this.stopping || !this.pipeline) return;
    const keptSandbox = this.earlier.get('sandbox')?.sandbox ?? null;
    const nextSandbox = wanted.endpoint
      ? null
      : (this.sandbox ?? keptSandbox ?? (await startInProcessSandbox(deps.options)));
    const nextEndpoint = nextSandbox ? nextSandbox.url : wanted.endpoint;
    const nextClient = clientFor(deps, wanted, nextEndpoint);
    const nextCaches = this.cachesFor(nextSandbox, nextEndpoint);
    // Added while the provider had no key at all, nothing could go: the first key decides their
    // environment (only a key that changes it after sending could send them somewhere unmeant).
    if (!connection.apiKey && wanted.apiKey && !nextSandbox && nextEndpoint === this.endpoint) {
      deps.repo.repinWaiting(nextEndpoint, connection.environment, wanted.environment);
    }
    // The provider URL corrected: what waited for an address that answered "no such address"
    // and never as an access point cannot have reached one there; the engine sends it on through
    // the corrected URL as its timeline said (walk 24: held instead for a decision between two
    // access points of the same name), by the clerk's own reroute, which looks each buyer up
    // again there (walk 24b: moved as they were, 12 went to buyers not on Peppol).
    this.ledNowhereFrom =
      this.ledNowhereNow() && wanted.environment === connection.environment
        ? this.accessPoint
        : null;
    const nextKey = accessPointKey(nextSandbox, nextEndpoint);
    const previous = await this.pipeline.reconnect({
      client: nextClient,
      ...nextCaches,
      environment: wanted.environment,
      accessPoint: nextKey,
    });
    const previousSandbox = this.sandbox;
    const previousPlace = this.place;
    const previousKey = connection.apiKey;
    this.wanted = wanted;
    this.client = nextClient;
    this.participants = nextCaches.participants;
    this.endpoint = nextEndpoint;
    this.sandbox = nextSandbox;
    // Documents the previous place accepted are still asked about there, with the key used
    // there (kept in the secret store, never in the database), until they are final: another
    // access point, or the same one under a key of another environment (Test and Production).
    const previousId = pollPlaceId(previousPlace);
    const keepPolling =
      deps.trackDelivery &&
      previousId !== pollPlaceId(this.place) &&
      deps.repo.nextPollAt(previousPlace) !== null;
    if (keepPolling) {
      if (previousPlace.accessPoint !== 'sandbox' && previousKey)
        deps.options.secrets.setEarlierKey?.(previousId, previousKey);
      this.earlier.set(previousId, {
        client: previous,
        sandbox: previousSandbox !== nextSandbox ? previousSandbox : null,
      });
      this.pipeline.pollEarlier(previousPlace, previous);
      return;
    }
    await previous.close();
    if (previousSandbox && previousSandbox !== nextSandbox) await previousSandbox.close();
  }

  /** No more changes: resolves once the change under way (if any) is done. */
  async stopChanges(): Promise<void> {
    this.stopping = true;
    await this.change;
  }

  /** Close the clients (earlier access points' keys stay kept: polled again at the next start). */
  async close(): Promise<void> {
    // A store that cannot be written now (a full disk) loses only this reminder, not the stop.
    try {
      this.noteLedNowhere();
    } catch {
      // The next run then holds what waited for a decision, as before.
    }
    await this.client.close();
    for (const e of this.earlier.values()) {
      await e.client.close().catch(() => undefined);
      if (e.sandbox && e.sandbox !== this.sandbox) await e.sandbox.close();
    }
  }

  /** Stop the built-in sandbox when it is the access point in use (last, after the queue). */
  async closeSandbox(): Promise<void> {
    if (this.sandbox) await this.sandbox.close();
  }

  /**
   * The caches of one access point. They are keyed by it; the built-in sandbox listens on a new
   * port each start, so it is keyed by a stable name and its answers survive restarts like a
   * provider's do.
   */
  private cachesFor(builtIn: BuiltInSandbox | null, url: string) {
    const { db, now, settings } = this.deps;
    const key = accessPointKey(builtIn, url);
    return {
      participants: new ParticipantCache(db, key, settings.lookupTtl(), now),
      remoteValidationCache: new RemoteValidationCache(db, key, now),
    };
  }
}

function wantedConnection({ options, settings }: ConnectionDeps): Wanted {
  const apiKey = options.secrets.getApiKey();
  const endpointSetting = options.endpoint ?? settings.get('endpoint');
  return {
    endpointSetting,
    // '' stands for "the built-in sandbox": its URL is known once it runs.
    endpoint: !apiKey && !endpointSetting ? '' : (endpointSetting ?? DEFAULT_ENDPOINT),
    environment: environmentFor(apiKey, Boolean(endpointSetting)),
    apiKey,
    gzip: options.gzip ?? settings.get('gzip'),
  };
}

function startInProcessSandbox(options: EngineOptions): Promise<BuiltInSandbox> {
  return startBuiltInSandbox({
    latencyMs: options.sandboxLatencyMs ?? 0,
    ...(options.sandboxStepMs !== undefined ? { transactionStepMs: options.sandboxStepMs } : {}),
    ...(options.sandboxWorker !== undefined ? { script: options.sandboxWorker } : {}),
  });
}

/**
 * Connections of an access point client's pool: one per request in flight (no pipelining), the
 * sends' adaptive ceiling or their fixed count, plus the delivery polls' own share, so a poll
 * never waits for a send's connection, nor a send for a poll's.
 */
export function poolConnections(concurrency: number | 'auto'): number {
  return (concurrency === 'auto' ? 64 : Math.max(4, concurrency)) + pollsInFlightFor(concurrency);
}

function clientFor(deps: ConnectionDeps, c: Wanted, baseUrl: string): AccessPointClient {
  const { concurrency, options } = deps;
  return new AccessPointClient({
    baseUrl,
    apiKey: c.apiKey,
    connections: poolConnections(concurrency),
    gzipAboveBytes: c.gzip ? 8 * 1024 : null,
    ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
  });
}

/** How long `connection:check` waits for the access point's answer before it answers anyway. */
export const CHECK_WAIT_MS = 5_000;

/** `work`, or nothing after `ms` (it goes on; whatever it finds is told later). */
export function withinMs(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    void work.then(done, done);
  });
}
