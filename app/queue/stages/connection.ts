import type { ConnectionStatus, Environment } from '../../contract';
import type { ApOutcome } from '../../access-point/client';
import {
  ADDRESS_CHECK_PARTICIPANT,
  versionLeavesAddressOpen,
} from '../../access-point/address-check';
import {
  Reachability,
  silenceCheckMs,
  type RequestKind,
  type SendSubject,
} from '../../access-point/reachability';
import { environmentSaid, environmentWordOf } from '../../domain/environment';
import { writeFault } from '../../store/write-fault';
import type { StageContext } from './context';

/** What connection health needs besides the common context. */
export interface ConnectionContext extends StageContext {
  /** The environment and access point in use (read at use: a reconnect swaps them). */
  readonly environment: Environment;
  readonly accessPoint: string | undefined;
  /** Whether sending is paused by the clerk, and since when in this session. */
  paused(): boolean;
  pausedAt(): number | null;
  /** Whether the pipeline is working (a fault found after a stop is not retried). */
  running(): boolean;
  /** Tell the host what the header shows. */
  onConnection(status: ConnectionStatus): void;
  /** Work stopped after a fault: documents claimed ahead of time go back, saying why. */
  releaseReady(reason: string): void;
  /** The fault is cleared: put stuck work back and commit what waited (may throw again). */
  recover(): void;
}

/** How connection health probes an access point that does not answer. */
export interface ConnectionOptions {
  /** Offline probing: first probe after this, doubling up to the max. */
  probeInitialMs: number;
  probeMaxMs: number;
  /** How long a run of 5xx or timeouts lasts before the header says trouble (tests). */
  troubleAfterMs?: number;
  /** After a failed write, try again on its own this long after. */
  faultRetryMs: number;
}

/**
 * Connection health: what the header shows (connecting, online, offline, throttled, the key
 * refused, in trouble, paused after a fault) and what follows from it. Whether the access point
 * can be reached is the shared rule (app/access-point/reachability.ts), driven here by the
 * pipeline's pump and clock: offline, the key refused or in trouble, no send leaves and one probe
 * at a time backs off until the access point answers; a long Retry-After closes the send gate. A failed write stops all work until the next automatic try or Resume. The pipeline reads
 * its state to decide what may start.
 */
export class ConnectionHealth {
  /** Reachability of the access point in use (the header's state and words, probing). */
  readonly reach: Reachability;
  /**
   * Why work stopped after a failed write (disk full, read-only, I/O error), in the words the
   * header shows; null when all is well. Cleared by Resume or by the next automatic try.
   */
  fault: string | null = null;
  private faultTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  /** The environment the access point named in its last version answer (null: none yet). */
  private namedEnvironment: string | null = null;

  constructor(
    private readonly ctx: ConnectionContext,
    private readonly options: ConnectionOptions,
  ) {
    this.reach = new Reachability(options, 'connecting');
  }

  /** The header's state of the access point. */
  get connection(): ConnectionStatus['state'] {
    return this.reach.state;
  }

  /** A send's 403 for an invoice to `receiver`: whether sends are refused for the account now. */
  noteForbidden(receiver: string | null, said: string): boolean {
    if (this.reach.noteForbidden(receiver, said, this.ctx.now())) this.emit();
    return this.reach.sendsRefused;
  }

  /** No request reached the access point since the last one that could not. */
  get offline(): boolean {
    return this.reach.offline;
  }

  /** No send leaves while the access point is offline, refuses the key or fails (probing). */
  get held(): boolean {
    return this.reach.held;
  }

  /** A probe is out. */
  get probing(): boolean {
    return this.reach.probing;
  }

  /** When the next probe is due while held. */
  get nextProbeAt(): number {
    return this.reach.nextProbeAt;
  }

  /** No send starts before this time (after a long Retry-After). */
  get sendGateUntil(): number {
    return this.reach.sendGateUntil;
  }

  /** The connection as the header shows it. */
  status(): ConnectionStatus {
    const { repo, client } = this.ctx;
    const counts = repo.counts();
    const paused = this.ctx.paused();
    return {
      state: this.reach.state,
      environment: this.ctx.environment,
      endpoint: client.baseUrl,
      ...(this.ctx.accessPoint !== undefined ? { accessPoint: this.ctx.accessPoint } : {}),
      paused: paused || this.fault !== null,
      waiting: counts.queued + counts.retry_wait + counts.sending,
      message: this.fault ?? this.reach.message,
      waitingElsewhere: counts.held > 0 ? repo.heldElsewhere() : [],
      pausedAt: paused ? this.ctx.pausedAt() : null,
      nextTryAt: this.reach.nextTryAt(),
      accessPointEnvironment: this.namedEnvironment,
    };
  }

  /**
   * The environment the access point in use names itself, as the API key's environments: kept on
   * each document it accepts (the key's prefix only guesses). Null for the built-in Sandbox, or
   * when it names none we know.
   */
  saidEnvironment(): 'test' | 'production' | null {
    return environmentSaid(this.ctx.environment, this.namedEnvironment);
  }

  /** Tell the host the connection changed. */
  emit(): void {
    this.ctx.onConnection(this.status());
  }

  /** Another access point: forget what we knew of the old one (offline, throttled, Retry-After). */
  reset(): void {
    this.reach.reset();
    this.namedEnvironment = null;
  }

  /** One version call to learn the connection state (after a switch). */
  probeNow(): void {
    this.ctx.track(
      this.ctx.client.version().then((outcome) => {
        this.noteProbe(outcome);
        // The new access point's answer also says whether batches may be used (sends waited).
        this.ctx.kick();
      }),
    );
  }

  /**
   * What one version call says about the connection: offline (probing takes over) or online
   * (`first`: the first answer since a start or switch), and the environment it names.
   */
  noteProbe(outcome: ApOutcome<unknown>, first = true): void {
    const named = this.noteEnvironment(outcome);
    if ((first && this.reach.noteFirstAnswer(outcome, this.ctx.now())) || named) this.emit();
    if (first && versionLeavesAddressOpen(outcome)) this.askLookup();
  }

  /** See app/access-point/address-check.ts. */
  private askLookup(): void {
    const { client } = this.ctx;
    this.ctx.track(
      client.lookup(ADDRESS_CHECK_PARTICIPANT).then((outcome) => {
        if (client === this.ctx.client && this.ctx.running()) this.noteOutcome(outcome);
      }),
    );
  }

  /** Keep the environment a version answer names; whether it changed. */
  private noteEnvironment(outcome: ApOutcome<unknown>): boolean {
    if (outcome.kind !== 'ok') return false;
    const named = environmentWordOf(outcome.value);
    if (named === this.namedEnvironment) return false;
    this.namedEnvironment = named;
    return true;
  }

  /** Track connection health from any call's outcome (`request`: see Reachability.note). */
  noteOutcome(outcome: ApOutcome<unknown>, request?: RequestKind, subject?: SendSubject): void {
    if (this.reach.note(outcome, this.ctx.now(), request, subject)) this.emit();
  }

  /**
   * Every so often while working and not paused: requests out with no answer for as long as a run
   * of failures must last say trouble ({@link noteSilence}); `wake` then lets the pipeline probe.
   * Ended by {@link stopWatching}.
   */
  watchSilence(silentForMs: () => number, wake: () => void): void {
    this.stopWatching();
    this.silenceTimer = setInterval(() => {
      if (!this.ctx.running() || this.ctx.paused() || this.fault !== null) return;
      if (this.noteSilence(silentForMs())) wake();
    }, silenceCheckMs(this.options.troubleAfterMs));
    this.silenceTimer.unref?.();
  }

  stopWatching(): void {
    if (this.silenceTimer !== null) clearInterval(this.silenceTimer);
    this.silenceTimer = null;
  }

  /** Sends in flight have had no answer for `silentForMs` (see Reachability.noteSilence). */
  noteSilence(silentForMs: number): boolean {
    const changed = this.reach.noteSilence(silentForMs, this.ctx.now());
    if (changed) this.emit();
    return changed;
  }

  /** Whether the connection lets a request leave now (not held, no long Retry-After). */
  maySend(now: number): boolean {
    return this.reach.maySend(now);
  }

  /** While held: one probe at a time, backing off, and resume when it answers. */
  maybeProbe(now: number): void {
    if (!this.reach.startProbe(now)) return;
    this.ctx.track(
      this.ctx.client.version().then((outcome) => {
        const named = this.noteEnvironment(outcome);
        const changed = this.reach.probeAnswered(outcome, this.ctx.now()) || named;
        // Still held: told anyway, the next probe's time changed.
        if (changed || this.reach.held) this.emit();
      }),
    );
  }

  /**
   * A write failed (or some stage threw): stop all work, keep everything as it is in the
   * database (the failed transaction was rolled back), say why, and try again later or on Resume.
   */
  noteFault(err: unknown): void {
    const words =
      writeFault(err)?.message ??
      'Peppol Desk stopped working on the queue after an unexpected error: nothing was lost. Resume to try again; if it keeps stopping, restart the app.';
    if (this.fault === null) process.emitWarning(`Peppol Desk paused the queue: ${String(err)}`);
    this.fault = words;
    this.ctx.releaseReady('Not sent yet: the queue is paused after a problem writing to disk');
    if (this.faultTimer !== null) clearTimeout(this.faultTimer);
    this.faultTimer = setTimeout(() => this.clearFault(), this.options.faultRetryMs);
    this.faultTimer.unref?.();
    this.emit();
  }

  /** Try again after a fault: put stuck work back, commit pending verdicts, look for work. */
  clearFault(): void {
    this.stop();
    if (this.fault === null || !this.ctx.running()) return;
    this.fault = null;
    this.emit();
    try {
      this.ctx.recover();
    } catch (err) {
      this.noteFault(err);
      return;
    }
    this.ctx.kick();
  }

  /** Forget the automatic retry after a fault (stopping). */
  stop(): void {
    if (this.faultTimer !== null) clearTimeout(this.faultTimer);
    this.faultTimer = null;
  }
}
