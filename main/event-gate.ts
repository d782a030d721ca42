import type { EventName, Events } from '../app/contract';

/**
 * Holds engine events back until the renderer says it is listening, then delivers them (the
 * pattern of Electron Fiddle). While held they are coalesced, so the buffer never grows: the ids of
 * `documents:changed` are merged with the newest counts, and for the other events only the newest
 * payload matters.
 */
export class EventGate {
  private open = false;
  private changedIds = new Set<number>();
  private held = new Map<EventName, Events[EventName]>();

  constructor(
    private readonly deliver: <E extends EventName>(name: E, payload: Events[E]) => void,
  ) {}

  /** Deliver now when the renderer listens, else hold (coalesced). */
  push<E extends EventName>(name: E, payload: Events[E]): void {
    if (this.open) {
      this.deliver(name, payload);
      return;
    }
    if (name === 'documents:changed') {
      for (const id of (payload as Events['documents:changed']).ids) this.changedIds.add(id);
    }
    this.held.set(name, payload);
  }

  /** The renderer listens: deliver what was held, then pass events straight through. */
  ready(): void {
    this.open = true;
    const held = this.held;
    const ids = [...this.changedIds];
    this.held = new Map();
    this.changedIds.clear();
    for (const [name, payload] of held) {
      if (name === 'documents:changed') {
        const counts = (payload as Events['documents:changed']).counts;
        this.deliver('documents:changed', { ids, counts });
      } else {
        this.deliver(name, payload as Events[typeof name]);
      }
    }
  }

  /** The page is (re)loading: hold events until it says it listens again. */
  close(): void {
    this.open = false;
  }

  /** True while events pass straight through. */
  get isOpen(): boolean {
    return this.open;
  }
}
