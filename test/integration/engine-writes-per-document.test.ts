// Issue 9 (throughput): the engine thread's writes per document on its way from received to
// accepted. Counted with spies on the repository, never timed.
import { describe, expect, it, vi } from 'vitest';
import type { DocumentState } from '../../app/contract';
import { engineInternals } from '../../app/engine/internals';
import { openDb } from '../../app/store/db';
import type { StateStep } from '../../app/store/documents-repo';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const engines = useEngines();

describe('writes per document in the default mode', () => {
  it('a checked document whose buyer is cached goes on to queued in the same write; every step stays on the timeline', async () => {
    const e = await engines({ trackDelivery: false });
    const { repo } = engineInternals(e);
    /** Per document: the state writes (one UPDATE each) and the steps they recorded. */
    const writes = new Map<number, StateStep[][]>();
    const through = repo.transitionThrough.bind(repo);
    vi.spyOn(repo, 'transitionThrough').mockImplementation((id, steps) => {
      const ok = through(id, steps);
      if (ok) writes.set(id, [...(writes.get(id) ?? []), [...steps]]);
      return ok;
    });
    const patch = vi.spyOn(repo, 'patch');
    const inState = vi.spyOn(repo, 'inState');
    // Every statement run, with the statement it ran (its SQL is `source`).
    const statementRun = vi.spyOn(
      Object.getPrototypeOf(engineInternals(e).db.prepare('SELECT 1')),
      'run',
    );
    // One buyer for everything (the sample's): looked up for the first invoice, then cached.
    const first = await e.handlers['documents:add']({ files: makeInvoices(1, 'FIRST') });
    await e.waitUntilSettled(
      first.added.map((a) => a.id),
      { includeAccepted: true },
    );
    writes.clear();
    inState.mockClear();
    statementRun.mockClear();
    const n = 200;
    const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'WRITES') });
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids, { includeAccepted: true });
    expect(repo.counts().accepted).toBe(n + 1);

    const perDoc = ids.map((id) => writes.get(id) ?? []);
    // received → validating; validating → ready → resolving → queued (one UPDATE);
    // queued → sending; sending → accepted. (Before: six writes, and a second UPDATE for the
    // fields of four of them.)
    const direct = perDoc.filter((w) => w.length === 4);
    expect(direct).toHaveLength(n);
    // Each write's timeline entries in one INSERT: one per write and the add's for all of them
    // (before: one per step, seven per document).
    const timelineInserts = statementRun.mock.contexts.filter((s) =>
      String((s as { source: string }).source).startsWith('INSERT INTO document_events'),
    ).length;
    expect(timelineInserts).toBeGreaterThanOrEqual(4 * n);
    expect(timelineInserts).toBeLessThanOrEqual(4 * n + 10);
    statementRun.mockRestore();
    expect(direct[0]!.map((steps) => steps.map((s) => `${s.from}->${s.to}`).join(' '))).toEqual([
      'received->validating',
      'validating->ready ready->resolving resolving->queued',
      'queued->sending',
      'sending->accepted',
    ]);
    // Fields ride in the state's UPDATE: no separate write of them.
    expect(patch).not.toHaveBeenCalled();
    // The resolve stage had nothing to read again.
    const readyRows = inState.mock.calls
      .map((c, i) => (c[0] === 'ready' ? (inState.mock.results[i]!.value as unknown[]).length : 0))
      .reduce((a, b) => a + b, 0);
    expect(readyRows).toBe(0);

    // The clerk's timeline still tells every step, in order, for a document that went directly.
    const directId = ids[ids.length - 1]!;
    const story = repo.timeline(directId).map((t) => t.to);
    expect(story).toEqual<DocumentState[]>([
      'received',
      'validating',
      'ready',
      'resolving',
      'queued',
      'sending',
      'accepted',
    ]);
    expect(repo.timeline(directId).find((t) => t.to === 'queued')!.detail).toMatch(
      /^Receiver found/,
    );
  });

  it('reads the largest file size (a setting) from the database once, not once per checked document', async () => {
    const e = await engines({ trackDelivery: false });
    const { db } = engineInternals(e);
    // Every statement's `get`, with the statement it ran (its SQL is `source`).
    const statementGet = vi.spyOn(Object.getPrototypeOf(db.prepare('SELECT 1')), 'get');
    const n = 60;
    const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'SETTING') });
    await e.waitUntilSettled(
      res.added.map((a) => a.id),
      { includeAccepted: true },
    );
    expect(engineInternals(e).repo.counts().accepted).toBe(n);
    const sources = statementGet.mock.contexts.map((s) => String((s as { source: string }).source));
    // The spy saw the checks' own reads (the verdict cache is asked once per document)...
    expect(
      sources.filter((s) => s.includes('FROM validation_cache')).length,
    ).toBeGreaterThanOrEqual(n);
    // ...and the settings at most a few times in all (it was once per document).
    expect(sources.filter((s) => s.includes('FROM settings')).length).toBeLessThan(5);
    statementGet.mockRestore();
  });

  it('keeps statement journals in memory: the UPDATE of a document never writes its old pages to a temporary file', () => {
    // Each UPDATE of a document (trigger and indexes) journals the pages it changes; on a file
    // that was about 40 page writes per document (counted with strace on 1,000 invoices).
    const db = openDb({ dataDir: engines.tempDir() });
    try {
      expect(Number(db.pragma('temp_store', { simple: true }))).toBe(2); // MEMORY
    } finally {
      db.close();
    }
  });
});
