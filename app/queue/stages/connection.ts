import type { ConnectionStatus, Environment } from '../../contract';
import type { ApOutcome } from '../../access-point/client';
import { offlineWords } from '../../domain/problems';
import { writeFault } from '../../store/write-fault';
import type { StageContext } from './context';
import { LONG_RETRY_AFTER_MS } from './send';

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
  /** After a failed write, try again on its own this long after. */
  faultRetryMs: number;
}

/**
 * Connection health: what the header shows (connecting, online, offline, throttled, paused after
 * a fault) and what follows from it. Offline, one probe at a time backs off until the access
 * point answers; a long Retry-After closes the send gate; a failed write stops all work until the
 * next automatic try or Resume. The pipeline reads its state to decide what may start.
 */
export class ConnectionHealth {
  connection: ConnectionStatus['state'] = 'connecting';
  connectionMessage: string | null = null;
  /** The connection shows 'throttled' until this time after a 429. */
  throttledUntil = 0;
  /** No send starts before this time (after a long Retry-After or while offline). */
  sendGateUntil = 0;
  offline = false;
  probeDelayMs: number;
  probing = false;
  nextProbeAt = 0;
  /**
   * Why work stopped after a failed write (disk full, read-only, I/O error), in the words the
   * header shows; null when all is well. Cleared by Resume or by the next automatic try.
   */
  fault: string | null = null;
  private faultTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: ConnectionContext,
    private readonly options: ConnectionOptions,
  ) {
    this.probeDelayMs = options.probeInitialMs;
  }

  /** The connection as the header shows it. */
  status(): ConnectionStatus {
    const { repo, client } = this.ctx;
    const counts = repo.counts();
    const paused = this.ctx.paused();
    return {
      state: this.connection,
      environment: this.ctx.environment,
      endpoint: client.baseUrl,
      ...(this.ctx.accessPoint !== undefined ? { accessPoint: this.ctx.accessPoint } : {}),
      paused: paused || this.fault !== null,
      waiting: counts.queued + counts.retry_wait + counts.sending,
      message: this.fault ?? this.connectionMessage,
      waitingElsewhere: counts.held > 0 ? repo.heldElsewhere() : [],
      pausedAt: paused ? this.ctx.pausedAt() : null,
      nextTryAt: this.offline
        ? this.nextProbeAt
        : this.connection === 'throttled'
          ? Math.max(this.throttledUntil, this.sendGateUntil)
          : null,
    };
  }

  /** Tell the host the connection changed. */
  emit(): void {
    this.ctx.onConnection(this.status());
  }

  /** Show `state` with `message`, telling the host only when something changed. */
  setConnection(state: ConnectionStatus['state'], message: string | null): void {
    if (this.connection === state && this.connectionMessage === message) return;
    this.connection = state;
    this.connectionMessage = message;
    this.emit();
  }

  /** Another access point: forget what we knew of the old one (offline, throttled, Retry-After). */
  reset(): void {
    this.offline = false;
    this.probing = false;
    this.throttledUntil = 0;
    this.sendGateUntil = 0;
    this.probeDelayMs = this.options.probeInitialMs;
    this.connection = 'connecting';
    this.connectionMessage = null;
  }

  /** One version call to learn the connection state (after a switch). */
  probeNow(): void {
    this.ctx.track(this.ctx.client.version().then((outcome) => this.noteProbe(outcome)));
  }

  /** What one version call says about the connection: offline (probing takes over) or online. */
  noteProbe(outcome: ApOutcome<unknown>): void {
    if (outcome.kind === 'transient' && outcome.offline) {
      this.offline = true;
      this.nextProbeAt = this.ctx.now() + this.probeDelayMs;
      this.setConnection('offline', offlineWords(outcome.message));
    } else {
      this.noteOutcome(outcome.kind === 'ok' ? outcome : { kind: 'ok', value: null, status: 200 });
    }
  }

  /** Track connection health from any call's outcome. */
  noteOutcome(outcome: ApOutcome<unknown>): void {
    const now = this.ctx.now();
    if (outcome.kind === 'transient' && outcome.offline) {
      if (!this.offline) {
        this.offline = true;
        this.probeDelayMs = this.options.probeInitialMs;
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
      this.probeDelayMs = this.options.probeInitialMs;
    }
    if (outcome.kind === 'ok' || outcome.kind === 'permanent') {
      if (this.connection !== 'online' && now >= this.sendGateUntil && now >= this.throttledUntil)
        this.setConnection('online', null);
    }
  }

  /** Whether the connection lets a request leave now (not offline, no long Retry-After). */
  maySend(now: number): boolean {
    return !this.offline && now >= this.sendGateUntil;
  }

  /** While offline: one probe at a time, backing off, and resume when it answers. */
  maybeProbe(now: number): void {
    if (this.probing || now < this.nextProbeAt) return;
    this.probing = true;
    this.ctx.track(
      this.ctx.client.version().then((outcome) => {
        this.probing = false;
        if (outcome.kind === 'transient' && outcome.offline) {
          this.probeDelayMs = Math.min(this.options.probeMaxMs, this.probeDelayMs * 2);
          this.nextProbeAt = this.ctx.now() + this.probeDelayMs;
          this.emit();
        } else {
          this.noteOutcome(
            outcome.kind === 'ok' ? outcome : { kind: 'ok', value: null, status: 200 },
          );
        }
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
