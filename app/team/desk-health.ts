/**
 * Whether a team desk can reach its access point, for the header: the single desk's rule
 * (app/queue/stages/connection.ts, ConnectionHealth.noteOutcome) applied to the answers of this
 * desk's checks, lookups, sends and delivery polls. A request that cannot reach the access point (refused,
 * reset, its address not found) makes it offline, in the single desk's words (`offlineWords`);
 * any answer from it (accepted or refused) makes it online again. While offline, one probe at a
 * time (the version call) backs off until the access point answers, so a desk with nothing to
 * send does not say "offline" forever. While offline the desk claims nothing (its `onChange`
 * tells TeamDesk.accessPointHealthChanged), as a single desk stops sending. The team database's
 * own reachability is the desk's (./desk.ts): the header says that first.
 */
import type { AccessPointClient, ApOutcome } from '../access-point/client';
import { offlineWords } from '../domain/problems';

/** What the health needs: the client in use (a switch swaps it) and whom to tell of a change. */
export interface DeskHealthDeps {
  client(): AccessPointClient;
  /** The state or its words changed (the header's status is emitted again). */
  onChange(): void;
  /** The first probe this long after going offline, doubling up to `probeMaxMs` (1 s, 30 s). */
  probeInitialMs?: number;
  probeMaxMs?: number;
}

/** See the file comment. */
export class DeskAccessPointHealth {
  /** Offline since the last request that could not reach the access point, until one answers. */
  offline = false;
  /** The single desk's words for why (null while online). */
  message: string | null = null;
  /** Probes sent since the start (tests count them). */
  probes = 0;
  private probeMs: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: DeskHealthDeps) {
    this.probeMs = deps.probeInitialMs ?? 1_000;
  }

  /** The header's state for the access point. */
  get state(): 'online' | 'offline' {
    return this.offline ? 'offline' : 'online';
  }

  /** What one request's outcome says: offline when it could not reach the access point. */
  noteOutcome(outcome: ApOutcome<unknown>): void {
    if (outcome.kind === 'transient' && outcome.offline) {
      if (this.offline) return;
      this.offline = true;
      this.message = offlineWords(outcome.message);
      this.probeMs = this.deps.probeInitialMs ?? 1_000;
      this.scheduleProbe();
      this.deps.onChange();
      return;
    }
    // A 5xx or a timeout comes from a server that is there but struggling: as on a single
    // desk, only an answer (accepted or refused) says it is back.
    if (outcome.kind === 'transient' || !this.offline) return;
    this.offline = false;
    this.message = null;
    this.clearProbe();
    this.deps.onChange();
  }

  /** Another access point: forget what was known of the old one. */
  reset(): void {
    const was = this.offline;
    this.offline = false;
    this.message = null;
    this.clearProbe();
    if (was) this.deps.onChange();
  }

  /** No more probes (the desk stops). */
  stop(): void {
    this.stopped = true;
    this.clearProbe();
  }

  private scheduleProbe(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.offline || this.stopped) return;
      this.probes++;
      void this.deps
        .client()
        .version()
        .then((outcome) => {
          if (outcome.kind === 'transient' && outcome.offline) {
            this.probeMs = Math.min(this.deps.probeMaxMs ?? 30_000, this.probeMs * 2);
            this.scheduleProbe();
          } else {
            // The version call answered (whatever it said): the access point is there.
            this.noteOutcome(
              outcome.kind === 'ok' ? outcome : { kind: 'ok', value: null, status: 200 },
            );
          }
        })
        .catch(() => this.scheduleProbe());
    }, this.probeMs);
    this.timer.unref();
  }

  private clearProbe(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
