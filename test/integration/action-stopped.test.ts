import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentState } from '../../app/contract';
import { ACTION_SLICE, RETRY_SLICE } from '../../app/engine/user-actions';
import { engineInternals } from '../../app/engine/internals';
import { invokeHandler } from '../../app/errors';
import { startSandbox } from '../../app/sandbox/server';
import type { DocumentsRepo } from '../../app/store/documents-repo';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// The queue not started: every added document stays waiting (received) until it is cancelled.
const engines = useEngines({ autoStart: false });
const liveEngines = useEngines();

const DISK_FULL = 'The disk is full: free space, then Resume.';

/**
 * From now on, the `nth` outermost transaction of `repo` that moves a document to `to` fails at
 * its end the way a full disk fails a commit (SQLITE_FULL): everything it wrote is rolled back.
 * Returns how many such transactions committed.
 */
function failNthSlice(repo: DocumentsRepo, to: DocumentState, nth: number): { committed: number } {
  const seen = { committed: 0 };
  let depth = 0;
  let moved = false;
  let slices = 0;
  const tx = repo.tx.bind(repo);
  repo.tx = ((fn: () => unknown) => {
    if (depth > 0) return tx(fn);
    depth++;
    moved = false;
    try {
      const result = tx(() => {
        const r = fn();
        if (moved && ++slices === nth) {
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }
        return r;
      });
      if (moved) seen.committed++;
      return result;
    } finally {
      depth--;
    }
  }) as typeof repo.tx;
  const through = repo.transitionThrough.bind(repo);
  repo.transitionThrough = (id, steps) => {
    const done = through(id, steps);
    if (done && steps[steps.length - 1]!.to === to) moved = true;
    return done;
  };
  return seen;
}

const statesOf = (repo: DocumentsRepo, ids: readonly number[]): DocumentState[] =>
  ids.map((id) => repo.get(id)!.state);

// A clerk's action on many documents goes a slice per transaction (issue 9 point 5). When a
// slice cannot be written, the slices before it are done: the answer must say so (and keep their
// Undo), not answer an error as if nothing had happened.
describe('an action on many documents that stops part way', () => {
  it('cancel: counts what was cancelled, names what was not and why, and its Undo puts back exactly those', async () => {
    const e = await engines();
    const n = ACTION_SLICE * 2 + 50;
    const ids = (await e.handlers['documents:add']({ files: makeInvoices(n, 'AST') })).added.map(
      (a) => a.id,
    );
    expect(ids).toHaveLength(n);
    const { repo } = engineInternals(e);
    const seen = failNthSlice(repo, 'cancelled', 2);

    const answer = await e.handlers['documents:cancel']({ ids });
    expect(seen.committed).toBe(1);
    expect(answer).toMatchObject({
      cancelled: ACTION_SLICE,
      stopped: { left: n - ACTION_SLICE, code: 'DISK_FULL', message: DISK_FULL },
    });
    expect(answer.undoToken).toBeTruthy();
    const states = statesOf(repo, ids);
    expect(states.slice(0, ACTION_SLICE).every((s) => s === 'cancelled')).toBe(true);
    expect(states.slice(ACTION_SLICE).every((s) => s === 'received')).toBe(true);

    // The Undo of what was done: exactly those back.
    expect(await e.handlers['documents:uncancel']({ undoToken: answer.undoToken! })).toEqual({
      restored: ACTION_SLICE,
    });
    expect(statesOf(repo, ids).every((s) => s === 'received')).toBe(true);
  });

  it('cancel: when the first slice fails nothing is cancelled, and the answer is the error in words', async () => {
    const e = await engines();
    const ids = (await e.handlers['documents:add']({ files: makeInvoices(30, 'ASF') })).added.map(
      (a) => a.id,
    );
    const { repo } = engineInternals(e);
    failNthSlice(repo, 'cancelled', 1);
    const res = await invokeHandler(e.handlers, 'documents:cancel', { ids });
    expect(res).toEqual({ ok: false, error: { code: 'DISK_FULL', message: DISK_FULL } });
    expect(statesOf(repo, ids).every((s) => s === 'received')).toBe(true);
  });

  it('undo: puts back what it reached, and the same Undo puts back the rest afterwards', async () => {
    const e = await engines();
    const n = ACTION_SLICE * 2 + 50;
    const ids = (await e.handlers['documents:add']({ files: makeInvoices(n, 'ASU') })).added.map(
      (a) => a.id,
    );
    const { repo } = engineInternals(e);
    const answer = await e.handlers['documents:cancel']({ ids });
    expect(answer.cancelled).toBe(n);

    failNthSlice(repo, 'received', 2);
    const first = await e.handlers['documents:uncancel']({ undoToken: answer.undoToken! });
    expect(first).toMatchObject({
      restored: ACTION_SLICE,
      stopped: { left: n - ACTION_SLICE, code: 'DISK_FULL' },
    });
    const mid = statesOf(repo, ids);
    expect(mid.filter((s) => s === 'received')).toHaveLength(ACTION_SLICE);
    expect(mid.filter((s) => s === 'cancelled')).toHaveLength(n - ACTION_SLICE);

    // The disk has room again (the spy fails only the one slice): the rest comes back.
    const rest = await e.handlers['documents:uncancel']({ undoToken: answer.undoToken! });
    expect(rest).toEqual({ restored: n - ACTION_SLICE });
    expect(statesOf(repo, ids).every((s) => s === 'received')).toBe(true);
    // Used up now.
    const again = await invokeHandler(e.handlers, 'documents:uncancel', {
      undoToken: answer.undoToken!,
    });
    expect(again.ok).toBe(false);
  });

  it('retry: those reached are sent, those not stay failed, and a second Retry sends them once', async () => {
    const sandbox = await startSandbox({
      latencyMs: 0,
      faults: { status: { status: 500, every: 1 } },
    });
    cleanups.push(() => sandbox.close());
    // 500s, one attempt allowed, never "in trouble": failed with Retry offered (Retry all leaves
    // a file the access point refused itself).
    const e = await liveEngines({
      endpoint: sandbox.url,
      trackDelivery: false,
      timings: { troubleAfterMs: 600_000 },
    });
    await e.handlers['settings:set']({ maxAttempts: 1 });
    const n = RETRY_SLICE + 100;
    const ids = (await e.handlers['documents:add']({ files: makeInvoices(n, 'ASR') })).added.map(
      (a) => a.id,
    );
    await e.waitUntilSettled(ids);
    const { repo } = engineInternals(e);
    expect(statesOf(repo, ids).every((s) => s === 'failed')).toBe(true);

    sandbox.setFaults({});
    failNthSlice(repo, 'queued', 2);
    const answer = await e.handlers['documents:retry']({ allFailed: true });
    expect(answer).toMatchObject({
      retried: RETRY_SLICE,
      stopped: { left: n - RETRY_SLICE, code: 'DISK_FULL', message: DISK_FULL },
    });
    await e.waitUntilSettled(ids, { includeAccepted: true });
    const states = statesOf(repo, ids);
    expect(states.filter((s) => s === 'accepted')).toHaveLength(RETRY_SLICE);
    expect(states.filter((s) => s === 'failed')).toHaveLength(n - RETRY_SLICE);

    expect(await e.handlers['documents:retry']({ allFailed: true })).toEqual({
      retried: n - RETRY_SLICE,
    });
    await e.waitUntilSettled(ids, { includeAccepted: true });
    expect(statesOf(repo, ids).every((s) => s === 'accepted')).toBe(true);
    expect(sandbox.stats().acceptedDocuments).toBe(n);
    expect(sandbox.stats().duplicateContentAccepts).toBe(0);
  }, 120_000);
});
