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
import type { TeamStore } from './store';

/** States that need more work from some desk: everything else is final on a team outbox. */
const OPEN = new Set<DocumentState>([
  'received',
  'validating',
  'ready',
  'resolving',
  'queued',
  'sending',
  'retry_wait',
]);

/** True when a document in `state` needs no more work (a team outbox does not track delivery). */
export function isSettled(state: DocumentState): boolean {
  return !OPEN.has(state);
}

/** What the events read from the team. */
export interface TeamEventsSource {
  counts(): Promise<StateCounts>;
  /** States of these ids (negative: spooled files, `'kept'` while they wait on this desk). */
  states(ids: readonly number[]): Promise<Map<number, DocumentState | 'kept'>>;
}

type Listener = (payload: never) => void;

/** Events and settle waiters of one team engine. */
export class TeamEngineEvents {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly changedIds = new Set<number>();
  private readonly wakers = new Set<() => void>();
  private flushTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private unknownChange = false;
  /** The counts of the last flush (metrics read them without a query). */
  counts: StateCounts = emptyCounts();

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
    this.changedIds.clear();
    this.unknownChange = false;
    // The counts of the last second (refreshed by the engine's tick): a flush costs no count
    // of the team's table, however many documents it holds.
    this.emit('documents:changed', { ids, counts: this.counts });
    for (const w of [...this.wakers]) w();
  }

  /** Resolves at the next flush, or after the backstop. */
  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.backstopMs);
      this.wakers.add(done);
    });
  }

  /**
   * Resolves when every listed document is final (every document of the team when no ids are
   * given). Each round reads only the ids still open.
   */
  async waitUntilSettled(ids?: number[]): Promise<void> {
    if (!ids) {
      for (;;) {
        if (this.stopped) return;
        const counts = await this.source.counts().catch(() => null);
        if (counts && [...OPEN].every((s) => counts[s] === 0)) return;
        await this.nextChange();
      }
    }
    let open = [...new Set(ids)];
    while (open.length > 0 && !this.stopped) {
      const states = await this.source.states(open).catch(() => null);
      if (states) {
        // Unknown ids are left out: nothing to wait for.
        open = open.filter((id) => {
          const s = states.get(id);
          return s === 'kept' || (s !== undefined && !isSettled(s));
        });
      }
      if (open.length > 0) await this.nextChange();
    }
  }

  /** No more events; waiters return. */
  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const w of [...this.wakers]) w();
  }
}

/** The team's counts, every state present (one query). */
export async function teamCounts(store: Pick<TeamStore, 'counts'>): Promise<StateCounts> {
  const counts = emptyCounts();
  for (const [state, n] of Object.entries(await store.counts())) {
    counts[state as DocumentState] = n ?? 0;
  }
  return counts;
}
