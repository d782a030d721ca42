/**
 * The worker of one desk on a team outbox: intake (hash → `known` → check and look up the new
 * files → `enqueue`), the send loop (./desk-sender), presence (a heartbeat), and being woken by
 * the team's changes (`listen`). When the team database cannot be reached the desk says so, keeps
 * dropped files and unwritten outcomes in its local spool (./spool) and hands them over when the
 * database answers again (retried with backoff): nothing is lost.
 */
import type { AddResult, IncomingFile } from '../contract';
import type { AccessPointClient } from '../access-point/client';
import type { RetryPolicy } from '../domain/retry-policy';
import type { Metrics } from '../metrics/metrics';
import { enqueueFiles, screenFiles, type IntakeDeps, type IntakeFile } from './desk-intake';
import {
  DEFAULT_DELIVERY_OPTIONS as DELIVERY_DEFAULTS,
  type DeliveryOptions,
} from '../queue/stages/delivery-judge';
import { DeskPoller, pollsInFlightFor } from './desk-poller';
import { DeskSender, type SenderDeps } from './desk-sender';
import { TeamSpool } from './spool';
import { isStoreUnavailable, type DeskInfo, type SentVia, type TeamStore } from './store';
import {
  keylessRefOf,
  nothingWentOut,
  type AccessPointRef,
  type AdoptAccessPointResult,
  type TeamAccessPoint,
} from './access-point';

/** What the header says after an unexpected error (as a single desk's queue fault). */
export const TEAM_FAULT_WORDS =
  'Peppol Desk stopped sending from this desk after an unexpected error: nothing was lost. Resume to try again; if it keeps stopping, restart the app.';

/** Online = a heartbeat within this long (database clock). */
export const ONLINE_WITHIN_MS = 20_000;

/** Everything a desk is made of (the engine builds it; tests may shorten the timings). */
export interface TeamDeskOptions {
  store: TeamStore;
  desk: DeskInfo;
  dataDir: string;
  intake: IntakeDeps;
  metrics: Metrics;
  client(): AccessPointClient;
  retry(): RetryPolicy;
  maxDocumentBytes(): number;
  /** Sends in flight: a fixed number, or 'auto' (adaptive; the default). */
  concurrency?: number | 'auto';
  /** Lease of a claim, ms (default 30 s; renewed every third of it). */
  leaseMs?: number;
  heartbeatMs?: number;
  /** How often the desk asks for due retries without being woken, ms (default 1 s). */
  pollMs?: number;
  reconnect?: { initialMs?: number; maxMs?: number };
  requestsPerSecond?: number | null;
  paused?: boolean;
  /** After an unexpected error, try again this long after, ms (default 30 s). */
  faultRetryMs?: number;
  /** Delivery tracking timings (the single desk's defaults when absent). */
  delivery?: Partial<DeliveryOptions>;
  /** Each answer of a send or a delivery poll (or its absence): the access point's health. */
  noteOutcome?: SenderDeps['noteOutcome'];
  noteForbidden?: SenderDeps['noteForbidden'];
  /**
   * The access point cannot be used now (./desk-health: offline, the key refused, in trouble):
   * the desk claims nothing while it is (the other desks send the team's documents), and again
   * once told it answers (`accessPointHealthChanged`).
   */
  accessPointDown?(): boolean;
  /** Documents changed (here or, through `listen`, on another desk). */
  onChanged(ids: readonly number[]): void;
  /** What this desk sends through now (app/team/access-point.ts), and where that is. */
  accessPoint(): AccessPointRef & { where?: SentVia; apiKeySet?: boolean };
  /**
   * Read the team's shared settings (./team-settings): at connect, before anything is handed over
   * or sent, when another desk's change is heard (`listen`), and at each heartbeat (the fallback).
   */
  syncSettings?(): Promise<void>;
  /** Reachability, the desks online or whether this desk may send changed. */
  onStatus(): void;
  log?(message: string): void;
}

/** One desk's worker (see the file comment). */
export class TeamDesk {
  readonly sender: DeskSender;
  readonly poller: DeskPoller;
  readonly spool: TeamSpool;
  private downSince: number | null = null;
  private paused: boolean;
  private stopped = false;
  private listening: (() => Promise<void>) | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectMs: number;
  private handing: Promise<void> = Promise.resolve();
  private syncing: Promise<void> = Promise.resolve(); // the team's settings read, one at a time
  private migrated = false;
  /** Desks seen online at the last heartbeat, and how many of them send through the team's access point. */
  desksOnline = 0;
  sendersOnline = 0;
  droppedOutcomes = 0; // spooled outcomes dropped at handover (another desk claimed it since)
  /**
   * The team's access point as last read, and whether it is this desk's: a desk sends and asks
   * about deliveries only then (false until the team database has answered).
   */
  teamAccessPoint: TeamAccessPoint | null = null;
  sendsHere = false;
  fault: string | null = null; // why it stopped sending after an unexpected error
  private faultTimer: NodeJS.Timeout | null = null;
  /** The desk's access point changed while it alone sent for the team: the team follows it. */
  private followMe = false;
  private accessPointChanges = 0; // changes of this desk's access point (Settings), in turn
  private checking: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: TeamDeskOptions) {
    this.spool = new TeamSpool(o.dataDir);
    this.paused = o.paused ?? false;
    this.reconnectMs = o.reconnect?.initialMs ?? 500;
    this.sender = new DeskSender({
      store: o.store,
      deskId: o.desk.id,
      client: o.client,
      metrics: o.metrics,
      retry: o.retry,
      concurrency: o.concurrency ?? 'auto',
      leaseMs: o.leaseMs ?? 30_000,
      requestsPerSecond: o.requestsPerSecond ?? null,
      spoolOutcome: (claim, outcome, at) => this.spool.addOutcome(claim, outcome, at),
      onUnavailable: (err) => this.trouble(err),
      ...(o.noteOutcome ? { noteOutcome: o.noteOutcome } : {}),
      ...(o.noteForbidden ? { noteForbidden: o.noteForbidden } : {}),
      onChanged: (ids) => o.onChanged(ids),
      firstPollInMs: o.delivery?.pollInitialMs ?? DELIVERY_DEFAULTS.pollInitialMs,
      accessPoint: () => o.accessPoint().id,
      via: () => o.accessPoint().where,
    });
    this.poller = new DeskPoller({
      store: o.store,
      deskId: o.desk.id,
      client: o.client,
      metrics: o.metrics,
      options: { ...DELIVERY_DEFAULTS, ...o.delivery },
      maxInFlight: pollsInFlightFor(o.concurrency ?? 'auto'),
      leaseMs: o.leaseMs ?? 30_000,
      onUnavailable: (err) => this.trouble(err),
      ...(o.noteOutcome ? { noteOutcome: o.noteOutcome } : {}),
      onChanged: (ids) => o.onChanged(ids),
      accessPoint: () => o.accessPoint().id,
    });
  }

  get reachable(): boolean {
    return this.downSince === null;
  }

  /** What the header says when the database cannot be reached (null while it can). */
  get message(): string | null {
    if (this.fault !== null) return this.fault;
    if (this.downSince !== null)
      return `The team database at ${this.o.store.label} cannot be reached: documents dropped here are kept on this computer and handed over when it is back.`;
    return this.sendsHere ? null : this.otherAccessPointMessage();
  }

  /** Why this desk adds but does not send (null while it sends or nothing is known yet). */
  otherAccessPointMessage(): string | null {
    const team = this.teamAccessPoint;
    if (!team || this.sendsHere) return null;
    const none =
      this.sendersOnline === 0
        ? ` No desk that uses ${team.label} is online now: the invoices wait until one is.`
        : '';
    const mine = this.o.accessPoint();
    // The same address: the key differs, or this desk has none (walk 17: "another API key" was
    // said to a desk without any).
    const key = mine.apiKeySet === false ? 'without an API key' : 'with another API key';
    return `This desk does not send: the team sends through ${team.label}, and this desk is set to ${mine.label === team.label ? `${team.label} ${key}` : mine.label}. Invoices added here go on the team's queue and are sent by the desks that use ${team.label}.${none} To send from this desk too, set the same access point and API key as those desks in Settings.`;
  }

  /** Announce the desk, listen for the team's changes and start sending (or wait for the database). */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.trouble(err);
    }
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.heartbeatMs ?? 5000, () => void this.beat());
    every(this.o.pollMs ?? 1000, () => {
      if (this.reachable) this.sender.pump();
      if (this.reachable && !this.paused) this.poller.pump();
    });
  }

  /** Migrate (once), heartbeat, listen, hand over what the spool holds, then send. */
  private async connect(): Promise<void> {
    if (!this.migrated) await this.o.store.migrate();
    this.migrated = true;
    // Announced: the other desks count this one at once, not at their next heartbeat.
    await this.o.store.heartbeat(this.presence(), true);
    this.listening ??= await this.o.store.listen((ids, notice) => {
      // Another desk joined, paused or resumed: count who sends again now.
      if (notice?.presence) {
        if (notice.desk !== this.o.desk.id && this.reachable && !this.stopped)
          this.countDesks().catch((err: unknown) => this.trouble(err));
        return;
      }
      // Another desk changed the team's settings or access point: in use here at once.
      if (notice?.settings || notice?.accessPoint) {
        if (notice.desk !== this.o.desk.id) this.teamChanged(notice);
        return;
      }
      // "Re-read" with no notice (the listener came back): a notice may have been missed.
      if (ids.length === 0 && !notice) this.teamChanged({ settings: true, accessPoint: true });
      this.o.onChanged(ids);
      // Claims and final outcomes make nothing due: claiming on them would find nothing new.
      if (notice && !notice.due) return;
      if (this.reachable) this.sender.pump();
    });
    await this.readSettings();
    await this.handOver();
    await this.checkAccessPoint(false);
    this.downSince = null;
    this.reconnectMs = this.o.reconnect?.initialMs ?? 500;
    await this.countDesks();
    this.o.onStatus();
    this.resume();
  }

  /** Claim again (sends and delivery polls) when nothing holds the desk back. */
  private resume(): void {
    if (this.paused || this.stopped || !this.reachable || !this.sendsHere) return;
    if (this.fault !== null || this.o.accessPointDown?.()) return;
    this.sender.start();
    this.poller.start();
  }

  /**
   * Compare this desk's access point with the team's (the first desk to ask sets it); with
   * `replace`, make this desk's the team's when nothing is unfinished at the old one. The
   * desk sends only while they are the same. One at a time, each about the desk's in use then.
   */
  checkAccessPoint(replace: boolean): Promise<AdoptAccessPointResult> {
    const run = this.checking.then(() => this.compareAccessPoint(replace));
    this.checking = run.catch(() => undefined);
    return run;
  }

  private async compareAccessPoint(replace: boolean): Promise<AdoptAccessPointResult> {
    const asked = this.accessPointChanges;
    const mine = this.o.accessPoint();
    const store = this.o.store;
    let result = await store.adoptAccessPoint(this.o.desk.id, mine, replace || this.followMe);
    // Recorded by a desk with no API key yet, and nothing went out (walk 20: then no desk sent):
    // the first desk with a key for that access point makes its own the team's.
    if (!result.ok && mine.apiKeySet && keylessRefOf(mine.where, result.accessPoint.id))
      if (await nothingWentOut(store))
        result = await store.adoptAccessPoint(this.o.desk.id, mine, true);
    // Deliberately dropped: Settings changed this desk's access point while the team answered
    // about the old one. A "yes" would let the desk claim (and a claim made before the change
    // leave through the new client) before the new one was compared; the comparison asked
    // after the change (queued behind this one) decides.
    if (asked !== this.accessPointChanges) return result;
    this.followMe = false;
    const before = this.sendsHere;
    const beforeId = this.teamAccessPoint?.id;
    this.teamAccessPoint = result.accessPoint;
    this.sendsHere = result.ok;
    if (!result.ok && before) {
      this.sender.hold();
      this.poller.hold();
      this.o.log?.(this.otherAccessPointMessage() ?? '');
    }
    if (before !== this.sendsHere || beforeId !== result.accessPoint.id) this.o.onStatus();
    if (result.ok && !before && this.downSince === null) this.resume();
    return result;
  }

  /**
   * This desk's access point is about to change (Settings): claim nothing more until the team's
   * is compared with the new one; claims waiting to leave go back (sends under way finish).
   */
  accessPointChanging(): void {
    this.accessPointChanges++;
    // Alone on the team and sending for it (or so before a change was compared): it follows.
    this.followMe ||= this.sendsHere && this.desksOnline <= 1;
    this.sendsHere = false;
    this.sender.hold();
    this.poller.hold();
  }

  private async beat(announce = false): Promise<void> {
    if (!this.reachable || this.stopped) return;
    try {
      await this.o.store.heartbeat(this.presence(), announce);
      // Another desk may have changed the team's access point or shared settings.
      await this.checkAccessPoint(false);
      await this.readSettings();
      await this.countDesks();
    } catch (err) {
      this.trouble(err);
    }
  }

  /** Read the team's settings (one read at a time, so an older answer never wins). */
  private readSettings(): Promise<void> {
    const read = this.syncing.then(() => this.o.syncSettings?.());
    this.syncing = read.catch(() => undefined);
    return read;
  }

  /**
   * A notice said the team's settings or access point changed: read them now, not at the next
   * heartbeat (a desk moved off the team's access point stops claiming at once).
   */
  private teamChanged(what: { settings?: boolean; accessPoint?: boolean }): void {
    if (!this.reachable || this.stopped) return;
    if (what.settings) this.readSettings().catch((err: unknown) => this.trouble(err));
    if (what.accessPoint) this.checkAccessPoint(false).catch((err: unknown) => this.trouble(err));
  }

  /**
   * The access point's health changed (`accessPointDown`): while it cannot be used, claim
   * nothing (claims waiting to leave go back as released, sends under way finish), as a single
   * desk stops sending while offline; claim again once it answers.
   */
  accessPointHealthChanged(): void {
    if (!this.o.accessPointDown?.()) return this.resume();
    this.sender.hold();
    this.poller.hold();
  }

  private async countDesks(): Promise<void> {
    const before = [this.desksOnline, this.sendersOnline];
    const online = (await this.o.store.desks(ONLINE_WITHIN_MS)).filter((d) => d.online);
    this.desksOnline = online.length;
    const team = this.teamAccessPoint?.id;
    this.sendersOnline = online.filter((d) => team && d.accessPoint === team).length;
    this.poller.shareRate(this.sendersOnline);
    if (before[0] !== this.desksOnline || before[1] !== this.sendersOnline) this.o.onStatus();
  }

  /** Something failed: the database is down (say so, retry with backoff), or a bug (log it). */
  private trouble(err: unknown): void {
    if (!isStoreUnavailable(err)) {
      this.o.log?.(`Team desk: ${(err as Error)?.message ?? String(err)}`);
      this.stopForFault(err);
      return;
    }
    if (this.downSince !== null || this.stopped) return;
    this.downSince = Date.now();
    this.sender.hold();
    this.poller.hold();
    this.o.onStatus();
    this.scheduleReconnect();
  }

  /**
   * An unexpected error (a bug, not the database or the network): stop claiming, say so, and
   * try again after a while or on Resume, as a single desk does. Nothing is lost: a claim whose
   * send broke is claimed again after its lease, in doubt.
   */
  private stopForFault(err: unknown): void {
    if (this.stopped) return;
    if (this.fault === null)
      process.emitWarning(`Peppol Desk paused the team desk: ${String(err)}`);
    // The team database's own plain words (e.g. migrated by a newer Peppol Desk), else ours.
    const e = err as { code?: unknown; message?: unknown } | null;
    const own =
      typeof e?.code === 'string' && e.code.startsWith('TEAM_') && typeof e.message === 'string';
    this.fault = own ? String(e.message) : TEAM_FAULT_WORDS;
    this.sender.hold();
    this.poller.hold();
    if (this.faultTimer) clearTimeout(this.faultTimer);
    this.faultTimer = setTimeout(() => this.clearFault(), this.o.faultRetryMs ?? 30_000);
    this.faultTimer.unref();
    this.o.onStatus();
  }

  /** Try again after a fault (its time came, or the clerk resumed). */
  private clearFault(): void {
    if (this.faultTimer) clearTimeout(this.faultTimer);
    this.faultTimer = null;
    if (this.fault === null) return;
    this.fault = null;
    this.o.onStatus();
    this.resume();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((err: unknown) => {
        if (!isStoreUnavailable(err)) this.o.log?.(`Team desk: ${(err as Error).message}`);
        this.reconnectMs = Math.min(this.o.reconnect?.maxMs ?? 5_000, this.reconnectMs * 2);
        this.scheduleReconnect();
      });
    }, this.reconnectMs);
  }

  /** Outcomes first (fenced: dropped when the fence moved), then the files kept meanwhile. */
  private handOver(): Promise<void> {
    const run = this.handing.then(async () => {
      for (const { claim, outcome } of this.spool.outcomes()) {
        const written = await this.o.store.finish(this.o.desk.id, claim, outcome);
        if (!written) this.droppedOutcomes++;
        this.spool.outcomeDone(claim);
        if (written) this.o.onChanged([claim.id]);
      }
      for (let files = this.spool.files(100); files.length > 0; files = this.spool.files(100)) {
        const ids = await this.enqueueFiles(files);
        this.spool.handedOver(files.map((f, i) => ({ spoolId: f.id, docId: ids[i] ?? null })));
        this.o.onChanged(ids.filter((id): id is number => id !== null));
      }
    });
    this.handing = run.catch(() => undefined);
    return run;
  }

  /**
   * Add files: what is not a file, too large or empty is refused; the rest goes on the team's
   * queue (a file the team already has is `known`). While the database cannot be reached the
   * files are kept in the spool and named by negative ids until they are handed over.
   */
  async add(files: readonly IncomingFile[]): Promise<AddResult> {
    const result: AddResult = { added: [], known: [], rejected: [] };
    const ok = screenFiles(files, this.o.maxDocumentBytes(), result.rejected);
    if (ok.length === 0) return result;
    if (this.reachable) {
      try {
        const ids = await this.enqueueFiles(ok, result);
        this.o.onChanged(ids.filter((id): id is number => id !== null));
        return result;
      } catch (err) {
        if (!isStoreUnavailable(err)) throw err;
        this.trouble(err);
      }
    }
    // Kept here until the database is back (a failed add wrote nothing); the status counts them.
    for (const f of ok)
      result.added.push({ id: -this.spool.addFile(f.name, f.bytes), fileName: f.name });
    this.o.onStatus();
    return result;
  }

  /** Known → skipped; the new ones checked and enqueued (see enqueueFiles). */
  private enqueueFiles(files: readonly IntakeFile[], result?: AddResult) {
    const { store, desk, intake } = this.o;
    return enqueueFiles(
      { store, deskId: desk.id, intake, team: this.teamAccessPoint },
      files,
      result,
    );
  }

  /** The team id of `id` (see TeamSpool.teamIdOf). */
  teamIdOf(id: number): number | 'kept' | null {
    return this.spool.teamIdOf(id);
  }

  /** Heartbeat: a paused desk names no access point, so no desk counts it as sending (a walk). */
  private presence() {
    return { ...this.o.desk, accessPoint: this.paused ? null : this.o.accessPoint().id };
  }

  /** Stop claiming (the setting `paused`); sends in flight finish. Resume also ends a fault. */
  setPaused(paused: boolean): void {
    // Counted (or not) among the senders at once; the others hear it at the next beat, now.
    if (this.paused !== paused && this.sendsHere) this.sendersOnline += paused ? -1 : 1;
    if (this.paused !== paused) setImmediate(() => void this.beat(true));
    this.paused = paused;
    if (!paused && this.fault !== null) {
      this.clearFault();
      return;
    }
    if (paused) {
      this.sender.hold();
      this.poller.hold();
    } else this.resume();
  }

  /** Stop: sends finish, waiting claims go back, timers end; then the spool closes (or later). */
  async stop(keepSpool = false): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.faultTimer) clearTimeout(this.faultTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await Promise.all([this.sender.stop(), this.poller.stop()]);
    await this.handing;
    // Offline for the others at once (a desk killed instead counts 20 s after its heartbeat).
    if (this.reachable) await this.o.store.signOff(this.o.desk.id).catch(() => undefined);
    await this.listening?.().catch(() => undefined);
    if (!keepSpool) this.closeSpool();
  }
  closeSpool = (): void => this.spool.close();
}
