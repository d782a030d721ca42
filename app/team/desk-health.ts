/**
 * Whether a team desk can reach its access point, for the header: the single desk's rule
 * (app/access-point/reachability.ts, shared with app/queue/stages/connection.ts) applied to the
 * answers of this desk's checks, lookups (the clerk's "Check again" and Retry included), sends
 * and delivery polls. Offline in the single desk's words when a request cannot reach the access
 * point, "Throttled" after a 429, the key refused after a 401 or 403, in trouble after a run of
 * 5xx or timeouts or of sends out with no answer, online again on an answer. This host drives
 * the probe on its own timer: while held (offline, refused, in trouble), one probe at a time (the
 * version call) backs off until the access point answers, so a desk with nothing to send does not
 * say "offline" forever. While held the desk claims nothing (its `onChange` tells
 * TeamDesk.accessPointHealthChanged), as a single desk stops sending. The team database's own
 * reachability is the desk's (./desk.ts): the header says that first.
 */
import type { AccessPointClient, ApOutcome } from '../access-point/client';
import { ADDRESS_CHECK_PARTICIPANT, versionLeavesAddressOpen } from '../access-point/address-check';
import { environmentWordOf } from '../domain/environment';
import {
  Reachability,
  PROBE_MAX_MS,
  silenceCheckMs,
  type ReachState,
  type RequestKind,
  type SendSubject,
} from '../access-point/reachability';

/** What the health needs: the client in use (a switch swaps it) and whom to tell of a change. */
export interface DeskHealthDeps {
  client(): AccessPointClient;
  /** The state or its words changed (the header's status is emitted again). */
  onChange(): void;
  /** The first probe this long after going offline, doubling up to `probeMaxMs` (1 s, 5 s). */
  probeInitialMs?: number;
  probeMaxMs?: number;
  /** A run of 5xx or timeouts this long says trouble (default 5 s). */
  troubleAfterMs?: number;
  /** The clock (ms; Date.now by default). */
  now?: () => number;
}

/** A probe that threw instead of answering: as if the access point could not be reached. */
const PROBE_THREW: ApOutcome<unknown> = {
  kind: 'transient',
  status: null,
  retryAfterMs: null,
  message: 'The connection check failed',
  offline: true,
};

/** See the file comment. */
export class DeskAccessPointHealth {
  /** Probes sent since the start (tests count them). */
  probes = 0;
  private readonly reach: Reachability;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** The environment the access point names in its version answer (null: none heard yet). */
  private named: string | null = null;

  constructor(private readonly deps: DeskHealthDeps) {
    this.reach = new Reachability(
      {
        probeInitialMs: deps.probeInitialMs ?? 1_000,
        probeMaxMs: deps.probeMaxMs ?? PROBE_MAX_MS,
        ...(deps.troubleAfterMs !== undefined ? { troubleAfterMs: deps.troubleAfterMs } : {}),
      },
      // A team desk's header says Online until a request says otherwise.
      'online',
    );
    this.now = deps.now ?? Date.now;
  }

  /** The header's state for the access point. */
  get state(): ReachState {
    return this.reach.state;
  }

  /** The single desk's words for it (null while online). */
  get message(): string | null {
    return this.reach.message;
  }

  /** Offline since the last request that could not reach the access point, until one answers. */
  get offline(): boolean {
    return this.reach.offline;
  }

  /** A send's 403 for an invoice to `receiver`: whether sends are refused for the account now. */
  noteForbidden(receiver: string | null, said: string): boolean {
    if (this.reach.noteForbidden(receiver, said, this.now())) this.deps.onChange();
    return this.reach.sendsRefused;
  }

  /** Offline, the key refused or in trouble: the desk claims nothing, a probe backs off. */
  get held(): boolean {
    return this.reach.held;
  }

  /** The environment word of the access point's last version answer, as it said it. */
  get namedEnvironment(): string | null {
    return this.named;
  }

  /**
   * Ask the access point in use which environment it is (one version call: at the start and
   * after a switch). A team desk otherwise calls it only while held, and the header and each
   * claimed document would go on with the key's guess (walk 12). Settles when answered.
   */
  askEnvironment(): Promise<void> {
    const client = this.deps.client();
    return client
      .version()
      .then(async (outcome) => {
        this.noteEnvironment(outcome);
        // Does the URL lead to an access point at all (app/access-point/address-check.ts)?
        if (!versionLeavesAddressOpen(outcome)) return;
        const looked = await client.lookup(ADDRESS_CHECK_PARTICIPANT);
        if (!this.stopped && client === this.deps.client()) this.noteOutcome(looked);
      })
      .catch(() => undefined);
  }

  private noteEnvironment(outcome: ApOutcome<unknown>): void {
    if (this.stopped || outcome.kind !== 'ok') return;
    const named = environmentWordOf(outcome.value);
    if (named === this.named) return;
    this.named = named;
    this.deps.onChange();
  }

  /** When the next probe (offline) or the end of a throttle is due, for the header. */
  nextTryAt(): number | null {
    return this.reach.nextTryAt();
  }

  /** What one request's outcome says (offline, throttled, refused, trouble, online). */
  noteOutcome(outcome: ApOutcome<unknown>, request?: RequestKind, subject?: SendSubject): void {
    const changed = this.reach.note(outcome, this.now(), request, subject);
    this.scheduleProbe();
    if (changed) this.deps.onChange();
  }

  /**
   * Every so often: this desk's sends out with no answer for as long as a run of failures must
   * last say trouble, as on a single desk (Reachability.noteSilence; walk 8: "Online" for 30 s
   * while an access point took the requests and answered none). The desk then claims nothing
   * and a probe asks until the access point answers. `active`: false while the desk cannot use
   * the team database (it says that first). Ended by {@link stop}.
   */
  watchSilence(silentForMs: () => number, active: () => boolean): void {
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.silenceTimer = setInterval(() => {
      if (this.stopped || !active()) return;
      if (!this.reach.noteSilence(silentForMs(), this.now())) return;
      this.scheduleProbe();
      this.deps.onChange();
    }, silenceCheckMs(this.deps.troubleAfterMs));
    this.silenceTimer.unref();
  }

  /** Another access point: forget what was known of the old one. */
  reset(): void {
    this.clearProbe();
    const named = this.named !== null;
    this.named = null;
    if (this.reach.reset() || named) this.deps.onChange();
  }

  /** No more probes (the desk stops). */
  stop(): void {
    this.stopped = true;
    this.clearProbe();
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.silenceTimer = null;
  }

  /** Held: a timer for the next probe (one at a time); otherwise none. */
  private scheduleProbe(): void {
    if (!this.reach.held) return this.clearProbe();
    if (this.stopped || this.timer || this.reach.probing) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.stopped || !this.reach.startProbe(this.now())) return this.scheduleProbe();
        this.probes++;
        void this.deps
          .client()
          .version()
          .catch(() => PROBE_THREW)
          .then((outcome) => {
            this.noteEnvironment(outcome);
            const changed = this.reach.probeAnswered(outcome, this.now());
            this.scheduleProbe();
            if (changed) this.deps.onChange();
          });
      },
      Math.max(0, this.reach.nextProbeAt - this.now()),
    );
    this.timer.unref();
  }

  private clearProbe(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
