import { describe, expect, it } from 'vitest';
import type { DocumentState } from '../../app/contract';
import { TeamEngineEvents } from '../../app/team/engine-events';
import { TeamStoreUnavailableError } from '../../app/team/store';

// `send` on a team outbox waits for its documents with waitUntilSettled: a change must cost the
// ids it touched, not a re-read of every document still waited for (flat cost per event).

describe('team settle waiter', () => {
  it('reads every id once, then only the changed ones still open; the backstop reads them all', async () => {
    const states = new Map<number, DocumentState>();
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
    for (const id of ids) states.set(id, 'queued');
    const reads: number[][] = [];
    const events = new TeamEngineEvents(
      {
        counts: () => Promise.reject(new Error('not used')),
        states: (asked) => {
          reads.push([...asked]);
          return Promise.resolve(new Map(asked.map((id) => [id, states.get(id)!])));
        },
      },
      1,
      // A long backstop: every read below comes from a change, none from the timer.
      60_000,
    );
    const settled = events.waitUntilSettled(ids);
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(cond()).toBe(true);
    };
    await until(() => reads.length === 1);
    expect(reads[0]).toHaveLength(1000);

    // Two documents of the wait list and one that is not in it change.
    states.set(5, 'accepted');
    states.set(6, 'sending');
    events.changed([5, 6, 5000]);
    events.flush();
    await until(() => reads.length === 2);
    expect(reads[1]!.sort((a, b) => a - b)).toEqual([5, 6]);

    // The rest end; each change reads only what it names.
    for (const id of ids) states.set(id, 'accepted');
    events.changed(ids.filter((id) => id !== 5));
    events.flush();
    await settled;
    expect(reads).toHaveLength(3);
    expect(reads[2]).toHaveLength(999);
    events.stop();
  });

  it('a change it could not name (listener reconnected) reads every open id again', async () => {
    const reads: number[][] = [];
    let state: DocumentState = 'queued';
    const events = new TeamEngineEvents(
      {
        counts: () => Promise.reject(new Error('not used')),
        states: (asked) => {
          reads.push([...asked]);
          return Promise.resolve(new Map(asked.map((id) => [id, state])));
        },
      },
      1,
      60_000,
    );
    const settled = events.waitUntilSettled([1, 2, 3]);
    for (let i = 0; i < 200 && reads.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    state = 'accepted';
    events.changed([]);
    events.flush();
    await settled;
    expect(reads).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    events.stop();
  });
  it('while the database cannot be reached it reads again at the backstop, not in a busy loop', async () => {
    let reads = 0;
    const events = new TeamEngineEvents(
      {
        counts: () => Promise.reject(new Error('not used')),
        states: () => {
          reads++;
          return Promise.reject(new TeamStoreUnavailableError('db@host', 'connection refused'));
        },
      },
      1,
      50,
    );
    const t0 = performance.now();
    const settled = events.waitUntilSettled([1, 2, 3]);
    // It keeps trying...
    for (let i = 0; i < 500 && reads < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const elapsedMs = performance.now() - t0;
    events.stop();
    await settled;
    expect(reads).toBeGreaterThanOrEqual(3);
    // ...about once per 50 ms backstop (a busy loop makes thousands in that time).
    expect(reads).toBeLessThanOrEqual(elapsedMs / 50 + 2);
  });

  it('a read failing for another reason (a bug) ends the wait with that error instead of hanging', async () => {
    // A second prepared statement under one name made every read fail; the wait swallowed the
    // error and tried again for ever, without a word.
    let reads = 0;
    const events = new TeamEngineEvents(
      {
        counts: () => Promise.reject(new Error('prepared statement "readStates" already exists')),
        states: () => {
          reads++;
          return Promise.reject(new Error('prepared statement "readStates" already exists'));
        },
      },
      1,
      50,
    );
    await expect(events.waitUntilSettled([1, 2])).rejects.toThrow(/readStates/);
    await expect(events.waitUntilSettled()).rejects.toThrow(/readStates/);
    expect(reads).toBe(1);
    events.stop();
  });

  it('a busy SQLite file is tried again, and the wait ends once the documents are final', async () => {
    let reads = 0;
    const events = new TeamEngineEvents(
      {
        counts: () => Promise.reject(new Error('not used')),
        states: (ids) => {
          reads++;
          if (reads === 1) {
            return Promise.reject(
              Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
            );
          }
          return Promise.resolve(new Map(ids.map((id) => [id, 'accepted' as DocumentState])));
        },
      },
      1,
      20,
    );
    await events.waitUntilSettled([1, 2]);
    expect(reads).toBe(2);
    events.stop();
  });
});
