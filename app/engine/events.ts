/**
 * The engine's events: listeners per event, `documents:changed` coalesced per flush, and the
 * waiters of `waitUntilSettled` (told the ids of each flush, so they re-read only what changed).
 */
import { DOCUMENT_STATES, RESPONSE_STATES } from '../contract';
import type { EventName, Events, PracticeCounts, StateCounts } from '../contract';
import type { DocumentBrief } from '../store/documents-repo';

/** Open ids the settle backstop re-reads per tick: bounded work, whatever the drop's size. */
const SETTLE_BACKSTOP_IDS = 1000;

const SETTLED = new Set<string>([
  'invalid',
  'unreachable',
  'delivered',
  'failed',
  'held',
  'cancelled',
  'superseded',
  ...RESPONSE_STATES,
]);

/** What the events need to read: the counts, and brief rows of listed ids in bounded chunks. */
export interface EventsSource {
  counts(): StateCounts;
  /** Of the Sent and Needs attention filters' documents, the practice ones (the single desk's). */
  practiceCounts?(): PracticeCounts;
  briefChunks(ids: readonly number[]): Iterable<{ ids: readonly number[]; rows: DocumentBrief[] }>;
}

type Listener = (payload: never) => void;

/** A waiter of `waitUntilSettled`, told of the changes (see EngineEvents.changed and flush). */
interface SettleWaiter {
  /** Told the ids of each flush. */
  onFlush(changed: readonly number[]): void;
  /**
   * `id` changed since the last flush. True when every id the waiter still waits for has: its
   * answer may be one flush away, so the flush comes now instead of after the coalescing delay.
   */
  noteChanged?(id: number): boolean;
}

/**
 * The practice counts as the list result and the change event carry them (contract.ts:
 * `practiceSent`, `practiceAttention`, `failedToFix`).
 */
export function practiceFields(p: PracticeCounts): {
  practiceSent: number;
  practiceAttention: number;
  failedToFix: number;
} {
  return { practiceSent: p.sent, practiceAttention: p.attention, failedToFix: p.failedToFix };
}

/** Listeners, coalesced change events and settle waiters of one engine. */
export class EngineEvents {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly changedIds = new Set<number>();
  /** Told the ids of each flush, so a waiter re-reads only what changed (see waitForIds). */
  private readonly settleWaiters = new Set<SettleWaiter>();
  /** Backstop timers of waiters still open: stopped with the engine (the database closes). */
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** A flush brought forward for a waiter whose every open id changed (see SettleWaiter). */
  private flushSoon: NodeJS.Immediate | null = null;

  constructor(
    private readonly source: EventsSource,
    private readonly coalesceMs: number,
    private readonly settleBackstopMs: number,
  ) {}

  /** Listen to one event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** Tell every listener of `event`. */
  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: Events[E]) => void)(payload);
  }

  /**
   * These documents changed: told in the next coalesced `documents:changed`, at the end of this
   * turn when a settle waiter waits only for documents that changed (the last of a drop: `send`
   * then ends as soon as they are recorded, not up to a coalescing delay later).
   */
  changed(ids: readonly number[]): void {
    let soon = false;
    for (const id of ids) {
      if (this.changedIds.has(id)) continue;
      this.changedIds.add(id);
      for (const w of this.settleWaiters) if (w.noteChanged?.(id) === true) soon = true;
    }
    if (soon && !this.flushSoon) this.flushSoon = setImmediate(() => this.flush());
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.coalesceMs);
  }

  /** Emit the pending `documents:changed` now (if any) and tell the settle waiters. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.flushSoon = null;
    if (this.changedIds.size === 0) return;
    const ids = [...this.changedIds];
    this.changedIds.clear();
    const practice = this.source.practiceCounts?.();
    const counts = this.source.counts();
    this.emit('documents:changed', {
      ids,
      counts,
      ...(practice ? practiceFields(practice) : {}),
    });
    for (const w of [...this.settleWaiters]) w.onFlush(ids);
  }

  /** Resolves when every listed document (or every document) needs no more work now. */
  waitUntilSettled(ids?: number[], opts: { includeAccepted?: boolean } = {}): Promise<void> {
    const includeAccepted = opts.includeAccepted ?? false;
    if (ids) return this.waitForIds(ids, includeAccepted);
    return new Promise<void>((resolve) => {
      const waiter: SettleWaiter = {
        onFlush: () => {
          if (this.allSettled(includeAccepted)) {
            this.settleWaiters.delete(waiter);
            this.settleTimers.delete(timer);
            clearInterval(timer);
            resolve();
          }
        },
      };
      // Events drive the check; the interval is a backstop for changes made before we listened.
      const timer = setInterval(() => waiter.onFlush([]), 500);
      this.settleTimers.add(timer);
      this.settleWaiters.add(waiter);
      waiter.onFlush([]);
    });
  }

  /** Stop the waiters' backstop timers (the engine stops: the database closes). */
  stopWaiters(): void {
    for (const t of this.settleTimers) clearInterval(t);
  }

  /** Every document (no ids): settled when no document is in a state that still needs work. */
  private allSettled(includeAccepted: boolean): boolean {
    const counts = this.source.counts();
    return DOCUMENT_STATES.every(
      (s) => counts[s] === 0 || SETTLED.has(s) || (includeAccepted && s === 'accepted'),
    );
  }

  /**
   * Wait for the listed documents without re-reading all of them on every change: the ids still
   * open are kept in a set; the first check reads each once, then each flush re-reads only the
   * listed ids it names, so settling a drop of N documents reads O(N) rows in total. A backstop
   * re-reads a bounded slice of the open ids when no flush came for 500 ms (changes made by
   * another process on the same data folder send no event here).
   */
  private waitForIds(ids: number[], includeAccepted: boolean): Promise<void> {
    const isDone = (b: DocumentBrief) =>
      SETTLED.has(b.state) ||
      (includeAccepted && b.state === 'accepted') ||
      // Delivery tracking gave up on it (see the pipeline): nothing more will happen by itself.
      b.problem_code === 'DELIVERY_UNCONFIRMED';
    const listed = new Set(ids);
    const open = new Set(listed);
    const reread = (list: readonly number[]) => {
      for (const { ids: chunk, rows } of this.source.briefChunks(list)) {
        const seen = new Set<number>();
        for (const b of rows) {
          seen.add(b.id);
          if (isDone(b)) open.delete(b.id);
          else open.add(b.id);
        }
        // A document that no longer exists needs no more work.
        for (const id of chunk) if (!seen.has(id)) open.delete(id);
      }
    };
    return new Promise<void>((resolve) => {
      let backstop = open.values();
      let lastFlush = performance.now();
      // Open ids among the changes not flushed yet: when they are all of them, flush now.
      let openChanged = 0;
      const finishIfDone = () => {
        if (open.size > 0) return;
        this.settleWaiters.delete(waiter);
        this.settleTimers.delete(timer);
        clearInterval(timer);
        resolve();
      };
      const waiter: SettleWaiter = {
        onFlush: (changed) => {
          lastFlush = performance.now();
          // The flush took every pending change.
          openChanged = 0;
          reread(changed.filter((id) => listed.has(id)));
          finishIfDone();
        },
        noteChanged: (id) => {
          if (!open.has(id)) return false;
          openChanged++;
          return openChanged >= open.size;
        },
      };
      const backstopMs = this.settleBackstopMs;
      const timer = setInterval(() => {
        if (performance.now() - lastFlush < backstopMs) return;
        const slice: number[] = [];
        for (let n = 0; n < SETTLE_BACKSTOP_IDS; n++) {
          let next = backstop.next();
          if (next.done) {
            backstop = open.values();
            next = backstop.next();
            if (next.done) break;
          }
          slice.push(next.value);
        }
        reread(slice);
        // The re-read may have closed ids that had changed: count the open ones again.
        openChanged = 0;
        for (const id of this.changedIds) if (open.has(id)) openChanged++;
        finishIfDone();
      }, backstopMs);
      this.settleWaiters.add(waiter);
      this.settleTimers.add(timer);
      reread(ids);
      finishIfDone();
    });
  }
}
