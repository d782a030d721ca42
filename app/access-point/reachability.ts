/**
 * Whether the access point can be reached, as the header says it: one rule for the single desk
 * (app/queue/stages/connection.ts) and the team desk (app/team/desk-health.ts). Pure: no timers,
 * no requests, the time is passed in. Each host drives its own probe (the single desk from its
 * pipeline's pump, the team desk on a timer) and tells its header when a call here says so.
 *
 * - A request that cannot reach the access point (refused, reset, its address not found) makes it
 *   offline, in `offlineWords`; one probe at a time then backs off, doubling up to a maximum.
 * - A 429 shows "Throttled" for a moment; a long Retry-After also closes the send gate.
 * - A 401 or 403 says it is there but refuses the API key: "refused", in `KEY_REFUSED_WORDS`.
 * - Any other answer (accepted or refused) says it is there: online again, once a throttle and
 *   the send gate are over.
 * - A 5xx or a timeout comes from a server that is there but struggling: it changes nothing
 *   (offline stays offline, with its probe, until something answers).
 */
import { offlineWords } from '../domain/problems';
import type { ApOutcome } from './client';

/** The header's state of the access point (ConnectionStatus['state']). */
export type ReachState = 'connecting' | 'online' | 'offline' | 'throttled' | 'refused';

/** A Retry-After this long stops every send, not only the refused one (ms). */
export const LONG_RETRY_AFTER_MS = 5_000;

/** How long the header says "Throttled" after a 429 before an answer may say Online (ms). */
export const THROTTLED_SHOWN_MS = 2_000;

/** The header's words while the access point asks us to slow down. */
export const THROTTLED_WORDS = 'The access point asked us to slow down.';

/** The header's words while the access point refuses the API key (401 or 403). */
export const KEY_REFUSED_WORDS =
  'The access point did not accept the API key. Check the key in Settings, then retry.';

/** How probing backs off while offline. */
export interface ReachabilityOptions {
  /** The first probe this long after going offline (ms), doubling up to `probeMaxMs`. */
  probeInitialMs: number;
  probeMaxMs: number;
}

/** A probe's answer treated as "the access point is there" (whatever it said). */
const ANSWERED: ApOutcome<unknown> = { kind: 'ok', value: null, status: 200 };

/** See the file comment. Every `note…` returns whether the header's state or words changed. */
export class Reachability {
  /** What the header shows. */
  state: ReachState;
  /** The header's words for it (null while online or connecting). */
  message: string | null = null;
  /** No request reached the access point since the last one that could not reach it. */
  offline = false;
  /** The header shows "Throttled" at least until this time after a 429. */
  throttledUntil = 0;
  /** No send starts before this time (after a long Retry-After). */
  sendGateUntil = 0;
  /** The wait before the next probe while offline (ms). */
  probeDelayMs: number;
  /** When the next probe is due while offline (ms). */
  nextProbeAt = 0;
  /** A probe is out (one at a time). */
  probing = false;

  constructor(
    private readonly options: ReachabilityOptions,
    /** The state before anything is known, and after `reset` (the single desk: connecting). */
    private readonly initial: ReachState = 'connecting',
  ) {
    this.state = initial;
    this.probeDelayMs = options.probeInitialMs;
  }

  /** What any request's outcome says, at `now`. */
  note(outcome: ApOutcome<unknown>, now: number): boolean {
    if (outcome.kind === 'transient' && outcome.offline) {
      if (this.offline) return false;
      this.offline = true;
      this.probeDelayMs = this.options.probeInitialMs;
      this.nextProbeAt = now + this.probeDelayMs;
      return this.show('offline', offlineWords(outcome.message));
    }
    if (outcome.kind === 'transient' && outcome.status === 429) {
      // The refused request waits its Retry-After; only a long one stops every send.
      const wait = outcome.retryAfterMs ?? 0;
      if (wait >= LONG_RETRY_AFTER_MS)
        this.sendGateUntil = Math.max(this.sendGateUntil, now + wait);
      this.throttledUntil = now + THROTTLED_SHOWN_MS;
      return this.show('throttled', THROTTLED_WORDS);
    }
    // A 5xx or a timeout: there but struggling (see the file comment).
    if (outcome.kind === 'transient') return false;
    if (this.offline) {
      // A probe still out keeps `probing` until it answers: never two at a time.
      this.offline = false;
      this.probeDelayMs = this.options.probeInitialMs;
    }
    // There, but refusing the key: every send fails until the clerk changes it (any other
    // answer, a file's refusal included, means the key was accepted).
    if (
      outcome.kind === 'permanent' &&
      (outcome.error.status === 401 || outcome.error.status === 403)
    )
      return this.show('refused', KEY_REFUSED_WORDS);
    if (this.state !== 'online' && now >= this.sendGateUntil && now >= this.throttledUntil)
      return this.show('online', null);
    return false;
  }

  /**
   * The answer of a first version call (on start, after a switch): unreachable says offline at
   * once (probing takes over from the current delay); anything else counts as an answer.
   */
  noteFirstAnswer(outcome: ApOutcome<unknown>, now: number): boolean {
    if (outcome.kind === 'transient' && outcome.offline) {
      this.offline = true;
      this.nextProbeAt = now + this.probeDelayMs;
      return this.show('offline', offlineWords(outcome.message));
    }
    return this.note(outcome.kind === 'ok' ? outcome : ANSWERED, now);
  }

  /** Whether the host should send a probe now: offline, due and none out (it is then out). */
  startProbe(now: number): boolean {
    if (!this.offline || this.probing || now < this.nextProbeAt) return false;
    this.probing = true;
    return true;
  }

  /**
   * The answer of the probe started by `startProbe`: still unreachable → the next one later
   * (doubling up to the maximum; `nextTryAt` changed, the words did not); any answer → as `note`.
   */
  probeAnswered(outcome: ApOutcome<unknown>, now: number): boolean {
    this.probing = false;
    if (outcome.kind === 'transient' && outcome.offline) {
      this.probeDelayMs = Math.min(this.options.probeMaxMs, this.probeDelayMs * 2);
      this.nextProbeAt = now + this.probeDelayMs;
      return false;
    }
    return this.note(outcome.kind === 'ok' ? outcome : ANSWERED, now);
  }

  /** Whether a request may leave now (not offline, no long Retry-After). */
  maySend(now: number): boolean {
    return !this.offline && now >= this.sendGateUntil;
  }

  /** When the next probe (offline) or the end of a throttle is due, for the header; else null. */
  nextTryAt(): number | null {
    if (this.offline) return this.nextProbeAt;
    if (this.state === 'throttled') return Math.max(this.throttledUntil, this.sendGateUntil);
    return null;
  }

  /** Another access point: forget what was known of the old one. */
  reset(): boolean {
    this.offline = false;
    this.probing = false;
    this.throttledUntil = 0;
    this.sendGateUntil = 0;
    this.probeDelayMs = this.options.probeInitialMs;
    return this.show(this.initial, null);
  }

  private show(state: ReachState, message: string | null): boolean {
    if (this.state === state && this.message === message) return false;
    this.state = state;
    this.message = message;
    return true;
  }
}
