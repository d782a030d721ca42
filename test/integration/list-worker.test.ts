import { describe, expect, it, vi } from 'vitest';
import type { Handlers } from '../../app/contract';
import type { EngineContext } from '../../app/engine/context';
import { documentHandlers } from '../../app/engine/documents';
import { EngineEvents } from '../../app/engine/events';
import { engineInternals } from '../../app/engine/internals';
import { openDb } from '../../app/store/db';
import { DocumentsRepo, toDocumentRow } from '../../app/store/documents-repo';
import type { ListPage, ListReader } from '../../app/store/list-reader';
import { distFile } from '../helpers/dist';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';
import { waitFor } from '../helpers/wait';

const openEngine = useEngines();

/** A page as read now from `repo` (what the worker's snapshot would hold at this instant). */
function pageNow(repo: DocumentsRepo, query: Parameters<DocumentsRepo['list']>[0]): ListPage {
  const { rows, total } = repo.list(query);
  return { rows: rows.map(toDocumentRow), total, counts: repo.counts() };
}

/**
 * The list handler over a real repository and real events, with a stand-in list reader: `read`
 * plays the worker (it may change documents and tell the change while "reading").
 */
function listHandler(read: (query: object, call: number) => ListPage | null) {
  const db = openDb({ dataDir: ':memory:' });
  const repo = new DocumentsRepo(db);
  const events = new EngineEvents(repo, 1000, 500);
  const told: number[][] = [];
  events.on('documents:changed', ({ ids }) => told.push(ids));
  let calls = 0;
  const lists = {
    list: (query: object) => Promise.resolve(read(query, ++calls)),
  } as unknown as ListReader;
  const ctx = { repo, events, lists } as unknown as EngineContext;
  const handler = documentHandlers(ctx)['documents:list'] as (
    arg: Parameters<Handlers['documents:list']>[0],
  ) => Promise<ListPage>;
  const ids = [1, 2, 3].map((i) =>
    repo.insert({
      fileName: `d${i}.xml`,
      sha256: `s${i}`,
      size: 1,
      body: new Uint8Array([1]),
      idempotencyKey: `k${i}`,
    }),
  );
  /** A state change committed and told, as the pipeline does it. */
  const changeAndTell = (id: number) => {
    repo.tx(() => repo.transition(id, 'received', 'validating'));
    events.changed([id]);
    events.flush();
  };
  return { repo, handler, ids, told, changeAndTell, calls: () => calls };
}

describe('documents:list off the engine thread', () => {
  it("answers with the worker's page when no change was told while it read", async () => {
    const t: ReturnType<typeof listHandler> = listHandler((query) => pageNow(t.repo, query));
    const inThread = vi.spyOn(t.repo, 'list');
    const page = await t.handler({ filter: 'all' });
    expect(page.rows.map((r) => r.id)).toEqual([...t.ids].reverse());
    expect(t.calls()).toBe(1);
    // Read by the stand-in worker only: nothing on the engine's thread beyond it.
    expect(inThread).toHaveBeenCalledTimes(1);
  });

  it('never answers with a page older than a change told while the worker read it', async () => {
    const t: ReturnType<typeof listHandler> = listHandler((query, call) => {
      const snapshot = pageNow(t.repo, query);
      // The first read races a change: committed and told after its snapshot was taken.
      if (call === 1) t.changeAndTell(t.ids[0]!);
      return snapshot;
    });
    const page = await t.handler({ filter: 'all' });
    expect(t.told).toEqual([[t.ids[0]]]);
    expect(t.calls()).toBe(2);
    expect(page.rows.find((r) => r.id === t.ids[0])?.state).toBe('validating');
    expect(page.counts.validating).toBe(1);
  });

  it('reads on the engine thread when changes keep being told during every worker read', async () => {
    const t: ReturnType<typeof listHandler> = listHandler((query, call) => {
      const snapshot = pageNow(t.repo, query);
      t.changeAndTell(t.ids[call - 1]!);
      return snapshot;
    });
    const page = await t.handler({ filter: 'progress' });
    // Two worker reads, each overtaken by news; then read where every told change is committed.
    expect(t.calls()).toBe(2);
    expect(t.told).toEqual([[t.ids[0]], [t.ids[1]]]);
    const states = new Map(page.rows.map((r) => [r.id, r.state]));
    expect(states.get(t.ids[0]!)).toBe('validating');
    expect(states.get(t.ids[1]!)).toBe('validating');
    expect(states.get(t.ids[2]!)).toBe('received');
  });

  it('reads on the engine thread when the worker does not serve', async () => {
    const t = listHandler(() => null);
    const page = await t.handler({});
    expect(page.total).toBe(3);
    expect(page.rows).toHaveLength(3);
  });

  it('the built worker answers every list as the engine thread would, and no page predates a change told before it', async () => {
    const engine = await openEngine({ listWorker: distFile('list-worker.cjs') });
    const { repo } = engineInternals(engine);
    const list = engine.handlers['documents:list'] as (
      arg: Parameters<Handlers['documents:list']>[0],
    ) => Promise<ListPage>;

    // While the documents go through: after each change event, a list asked for at once must
    // show every document that event named as it was then, or later (its updatedAt).
    const checks: Promise<void>[] = [];
    let violations = 0;
    let checked = 0;
    const off = engine.on('documents:changed', ({ ids }) => {
      const told = new Map(ids.map((id) => [id, repo.get(id)!.updated_at]));
      checks.push(
        list({ limit: 5000 }).then((page) => {
          for (const row of page.rows) {
            const at = told.get(row.id);
            if (at === undefined) continue;
            checked++;
            if (row.updatedAt < at) violations++;
          }
        }),
      );
    });
    const added = await engine.handlers['documents:add']({
      files: makeInvoices(60, 'LW').map((f) => ({ name: f.name, bytes: f.bytes })),
    });
    expect(added.added).toHaveLength(60);
    await engine.waitUntilSettled(
      added.added.map((a) => a.id),
      { includeAccepted: true },
    );
    off();
    await Promise.all(checks);
    expect(checked).toBeGreaterThan(60);
    expect(violations).toBe(0);

    // Same answers as the engine's thread, for filters, sorts and searches.
    const inThread = vi.spyOn(repo, 'list');
    for (const query of [
      {},
      { filter: 'sent' as const },
      { filter: 'progress' as const },
      { sort: { key: 'buyerName' as const, dir: 'asc' as const }, offset: 10, limit: 20 },
      { search: 'LW-0001' },
      {
        search: 'lw',
        filter: 'sent' as const,
        sort: { key: 'amount' as const, dir: 'desc' as const },
      },
    ]) {
      const fromWorker = await list(query);
      expect(inThread).not.toHaveBeenCalled();
      const expected = pageNow(repo, query);
      inThread.mockClear();
      expect(fromWorker).toEqual(expected);
    }
  });

  it('falls back to the engine thread, saying so once, when the list worker cannot start', async () => {
    const log = vi.fn();
    const engine = await openEngine({ listWorker: '/nonexistent/list-worker.cjs', log });
    const page = await (engine.handlers['documents:list'] as Handlers['documents:list'])({});
    expect(page).toMatchObject({ rows: [], total: 0 });
    await waitFor('the fallback to be logged', () => log.mock.calls.length > 0);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]![0])).toContain("read on the engine's thread");
  });
});
