import { describe, expect, it } from 'vitest';
import { emptyCounts, type DocumentState } from '../../app/contract';
import { EngineEvents, type EventsSource } from '../../app/engine/events';

// `send` ends when the documents of its drop are settled; it hears of them through the engine's
// coalesced change events. The last documents of a drop used to wait out the coalescing delay
// (150 ms in the app) before `send` could print its summary.

/** Documents in memory, as the events read them. */
function documents(states: Record<number, DocumentState>): EventsSource {
  return {
    counts: () => emptyCounts(),
    *briefChunks(ids) {
      yield {
        ids,
        rows: ids.map((id) => ({
          id,
          file_name: `${id}.xml`,
          state: states[id]!,
          problem_code: null,
          problem_message: null,
          accepted_at: null,
        })),
      };
    },
  };
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('waiting for a drop to settle', () => {
  it('hears at once when every document it still waits for has changed, not a coalescing delay later', async () => {
    const states: Record<number, DocumentState> = { 1: 'sending', 2: 'sending', 3: 'queued' };
    // A coalescing delay no test would wait out: only the early flush can end the wait.
    const events = new EngineEvents(documents(states), 60_000, 60_000);
    const flushes: number[][] = [];
    events.on('documents:changed', (p) => flushes.push(p.ids));
    let settled = false;
    const waiting = events.waitUntilSettled([1, 2, 3], { includeAccepted: true }).then(() => {
      settled = true;
    });

    states[1] = 'accepted';
    states[2] = 'accepted';
    events.changed([1, 2]);
    // Document 3 has not changed: the change waits for the coalesced flush, as before.
    await nextTurn();
    await nextTurn();
    expect(flushes).toEqual([]);
    expect(settled).toBe(false);

    // A document the waiter does not wait for does not bring the flush forward either.
    events.changed([99]);
    await nextTurn();
    expect(flushes).toEqual([]);

    states[3] = 'accepted';
    events.changed([3]);
    await waiting;
    expect(settled).toBe(true);
    expect(flushes).toEqual([[1, 2, 99, 3]]);
    events.stopWaiters();
  });

  it('keeps waiting when the early flush finds a document still on its way', async () => {
    const states: Record<number, DocumentState> = { 1: 'queued' };
    const events = new EngineEvents(documents(states), 60_000, 60_000);
    let flushes = 0;
    events.on('documents:changed', () => flushes++);
    let settled = false;
    const waiting = events.waitUntilSettled([1], { includeAccepted: true }).then(() => {
      settled = true;
    });
    states[1] = 'sending';
    events.changed([1]);
    await nextTurn();
    expect(flushes).toBe(1);
    expect(settled).toBe(false);
    states[1] = 'accepted';
    events.changed([1]);
    await waiting;
    expect(flushes).toBe(2);
    events.stopWaiters();
  });
});
