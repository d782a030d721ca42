/**
 * The team engine's events: listeners, `documents:changed` coalesced per flush (with the team's
 * counts as last read), and `waitUntilSettled`, which re-reads only the listed documents
 * not final yet, woken by the changes (a backstop timer covers a missed notification).
 */
import {
  emptyCounts,
  type DocumentState,
  type EventName,
  type Events,
  type StateCounts,
} from '../contract';
import { ON_THEIR_WAY } from '../domain/states';
import { isStoreUnavailable, type TeamStore } from './store';

/** True when a document in `state` needs no more work from a sending desk (delivery aside). */
export function isSettled(state: DocumentState): boolean {
  return !ON_THEIR_WAY.has(state);
}

/** What the events read from the team. */
export interface TeamEventsSource {
  counts(): Promise<StateCounts>;
  /**
   * States of these ids (negative: spooled files, `'kept'` while they wait on this desk);
   * 'notFollowed': accepted, its delivery no longer asked about (TeamStore.notFollowed), so
   * settled even for a wait for delivery.
   */
  states(ids: readonly number[]): Promise<Map<number, DocumentState | 'kept' | 'notFollowed'>>;
}

type Listener = (payload: never) => void;

/** Events and settle waiters of one team engine. */
export class TeamEngineEvents {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly changedIds = new Set<number>();
  private readonly wakers = new Set<() => void>();
  /** Settle waiters' inboxes: the ids changed since each last read (`all`: read every id). */
  private readonly inboxes = new Set<{ ids: Set<number>; all: boolean }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private unknownChange = false;
  /** The counts of the last flush (metrics read them without a query). */
  counts: StateCounts = emptyCounts();
  /** Of the failed documents, those "Retry all" leaves (read with the counts: refreshCounts). */
  failedToFix = 0;

  constructor(
    private readonly source: TeamEventsSource,
    private readonly coalesceMs: number,
    private readonly backstopMs: number,
  ) {}

  /** Listen to one event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** True when someone listens to `event` (what nobody hears need not be computed). */
  heard(event: EventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  /** Tell every listener of `event`. */
  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: Events[E]) => void)(payload);
  }

  /**
   * These documents changed (here or on another desk): told in the next flush. No ids: something
   * changed, which is not known (the listener reconnected): waiters re-read all the same.
   */
  changed(ids: readonly number[]): void {
    if (ids.length === 0) this.unknownChange = true;
    for (const id of ids) this.changedIds.add(id);
    if (!this.flushTimer && !this.stopped) {
      this.flushTimer = setTimeout(() => this.flush(), this.coalesceMs);
    }
  }

  /** Emit the pending `documents:changed` (with the counts) and wake the settle waiters. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.changedIds.size === 0 && !this.unknownChange) return;
    const ids = [...this.changedIds];
    const unknown = this.unknownChange;
    this.changedIds.clear();
    this.unknownChange = false;
    // The counts of the last second (refreshed by the engine's tick): a flush costs no count
    // of the team's table, however many documents it holds.
    this.emit('documents:changed', { ids, counts: this.counts, failedToFix: this.failedToFix });
    for (const box of this.inboxes) {
      if (unknown) box.all = true;
      else for (const id of ids) box.ids.add(id);
    }
    for (const w of [...this.wakers]) w();
  }

  /** Resolves true at the next flush, false after the backstop (nothing heard). */
  private nextChange(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (heard: boolean) => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(heard);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), this.backstopMs);
      this.wakers.add(wake);
    });
  }

  /**
   * Resolves when every listed document is final (every document of the team when no ids are
   * given). Each round reads only the ids still open.
   */
  async waitUntilSettled(ids?: number[], opts: { includeAccepted?: boolean } = {}): Promise<void> {
    // Accepted counts as settled unless the caller waits for delivery (`includeAccepted: false`).
    const settled = (s: DocumentState): boolean =>
      isSettled(s) && (opts.includeAccepted !== false || s !== 'accepted');
    if (!ids) {
      for (;;) {
        if (this.stopped) return;
        const counts = await this.source.counts().catch((err: unknown) => this.unanswered(err));
        const open = Object.entries(counts ?? {}).filter(
          ([s, n]) => n > 0 && !settled(s as DocumentState),
        );
        if (counts && open.length === 0) return;
        await this.nextChange();
      }
    }
    // Each round reads only the open ids that changed since the last read, so a change costs
    // what it touched, not the length of the wait list; the backstop (no news) reads them all.
    const open = new Set(ids);
    const box = { ids: new Set<number>(), all: true };
    this.inboxes.add(box);
    try {
      while (open.size > 0 && !this.stopped) {
        const batch = box.all ? [...open] : [...box.ids].filter((id) => open.has(id));
        box.all = false;
        box.ids.clear();
        const states =
          batch.length > 0
            ? await this.source.states(batch).catch((err: unknown) => this.unanswered(err))
            : null;
        if (states) {
          // Unknown ids are left out: nothing to wait for.
          for (const id of batch) {
            const s = states.get(id);
            const waits = s === 'kept' || (s !== undefined && s !== 'notFollowed' && !settled(s));
            if (!waits) open.delete(id);
          }
        }
        // A read that failed (database down) is made again after the next change or the
        // backstop, never at once: no busy loop while the database cannot be reached.
        const failed = batch.length > 0 && !states;
        if (open.size > 0 && (failed || (!box.all && box.ids.size === 0))) {
          if (!(await this.nextChange()) || failed) box.all = true;
        }
      }
    } finally {
      this.inboxes.delete(box);
    }
  }

  /**
   * A read the database could not answer (down, cut off, busy) is null: made again later. Any
   * other error is a bug and ends the wait with it, said, where retrying swallowed it and the
   * wait hung without a word (a second statement of one name broke every read that way).
   */
  private unanswered(err: unknown): null {
    if (this.stopped || isStoreUnavailable(err) || isBusy(err)) return null;
    throw err;
  }

  /** No more events; waiters return. */
  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const w of [...this.wakers]) w();
  }
}

/** SQLite's "another connection holds the lock" after its busy timeout: try again. */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * Read the team's counts and how many failed documents "Retry all" leaves into `events` (what
 * every change event then carries, as a single desk's does; walk 24 B2: a team's button counted
 * those too). Two reads: the counts kept per state, and a count of the failed files that need a
 * person (a partial index, migration 013), neither growing with the queue.
 */
export async function refreshCounts(
  store: Pick<TeamStore, 'counts' | 'failedToFix'>,
  events: Pick<TeamEngineEvents, 'counts' | 'failedToFix'>,
): Promise<StateCounts> {
  const [counts, toFix] = await Promise.all([teamCounts(store), store.failedToFix()]);
  events.counts = counts;
  events.failedToFix = toFix;
  return counts;
}

/** The team's counts, every state present (one query). */
export async function teamCounts(store: Pick<TeamStore, 'counts'>): Promise<StateCounts> {
  const counts = emptyCounts();
  for (const [state, n] of Object.entries(await store.counts())) {
    counts[state as DocumentState] = n ?? 0;
  }
  return counts;
}
