import type { StateCounts } from '../app/contract';
import { summarizeQueue } from './tray';

/** A finished drop, as the notification tells it. */
export interface DropOutcome {
  sent: number;
  attention: number;
}

/** The notification text for a finished drop: "12 sent, 2 need attention". */
export function dropMessage(o: DropOutcome): string {
  const sent = `${o.sent} sent`;
  if (!o.attention) return sent;
  return `${sent}, ${o.attention} need${o.attention === 1 ? 's' : ''} attention`;
}

/** Timers (parameters, so tests can use fake ones). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Decides when a drop has finished, so the clerk gets exactly one notification per drop: once
 * nothing is in progress for `quietMs` after documents were in progress or reached an end (files
 * added in several chunks, or a retry right after, still count as the same drop; a drop so fast
 * that it was never seen in progress still counts). The numbers are what changed since the queue
 * was last idle.
 */
export class DropNotifier {
  private baseline: DropOutcome | null = null;
  private inDrop = false;
  private pending: unknown = null;
  private latest: DropOutcome = { sent: 0, attention: 0 };

  constructor(
    private readonly notify: (outcome: DropOutcome) => void,
    private readonly quietMs = 1500,
    private readonly timers: Timers = {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
  ) {}

  /** Feed the latest counts (from every `documents:changed`). */
  update(counts: StateCounts): void {
    const s = summarizeQueue(counts);
    this.latest = { sent: s.sent, attention: s.attention };
    // The first counts seen (at start-up) are where the first drop is counted from.
    this.baseline ??= { ...this.latest };
    if (s.inProgress > 0) {
      this.inDrop = true;
      if (this.pending !== null) {
        this.timers.clearTimeout(this.pending);
        this.pending = null;
      }
      return;
    }
    const grew =
      this.latest.sent > this.baseline.sent || this.latest.attention > this.baseline.attention;
    if (!this.inDrop && !grew) {
      // Idle, nothing new (a delivery receipt, a cancel): count the next drop from here.
      this.baseline = { ...this.latest };
      return;
    }
    this.inDrop = true;
    this.pending ??= this.timers.setTimeout(() => this.finish(), this.quietMs);
  }

  /** Stop any pending notification (app quitting). */
  dispose(): void {
    if (this.pending !== null) this.timers.clearTimeout(this.pending);
    this.pending = null;
  }

  private finish(): void {
    this.pending = null;
    this.inDrop = false;
    const base = this.baseline ?? { sent: 0, attention: 0 };
    const outcome = {
      sent: Math.max(0, this.latest.sent - base.sent),
      attention: Math.max(0, this.latest.attention - base.attention),
    };
    this.baseline = { ...this.latest };
    if (outcome.sent + outcome.attention > 0) this.notify(outcome);
  }
}
