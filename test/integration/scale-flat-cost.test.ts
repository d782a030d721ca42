// Issue 9: no work that grows with the number of documents in the data folder on a per-event path.
// These tests count rows read and statements run with spies; they never time anything.
import { describe, expect, it, vi } from 'vitest';
import { type Engine } from '../../app/engine';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { DOCUMENT_STATES } from '../../app/contract';
import { makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines();
const tempDir = engines.tempDir;

async function engine(extra: { concurrency?: number } = {}): Promise<Engine> {
  return engines({
    ...extra,
    // Only event-driven reads are counted: the backstop (for changes by another process) waits.
    timings: { settleBackstopMs: 60_000 },
    // Many small flushes: the old check re-read every document of the drop on each of them.
    coalesceMs: 2,
    trackDelivery: false,
  });
}

/** Rows read through `briefs` and calls of `get`, from the moment of the call. */
function countReads(e: Engine) {
  const briefs = vi.spyOn(engineInternals(e).repo, 'briefs');
  const get = vi.spyOn(engineInternals(e).repo, 'get');
  return {
    rows: () => briefs.mock.results.reduce((n, r) => n + (r.value as unknown[]).length, 0),
    gets: () => get.mock.calls.length,
    reset: () => {
      briefs.mockClear();
      get.mockClear();
    },
  };
}

describe('settling a drop', () => {
  it('reads O(N) document rows in total for a drop of N documents, never one at a time', async () => {
    const e = await engine();
    const n = 300;
    const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'SETTLE') });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(n);
    const listed = new Set(ids);
    const flushes: number[] = [];
    e.on('documents:changed', (p) => flushes.push(p.ids.filter((id) => listed.has(id)).length));
    const reads = countReads(e);
    await e.waitUntilSettled(ids, { includeAccepted: true });
    expect(engineInternals(e).repo.counts().accepted).toBe(n);
    // Each document is read once at the start, then once per flush that names it: rows read are
    // N + the listed ids the flushes carried (a document changes state 6 times on its way to
    // accepted), whatever the number of flushes. Re-reading the drop per flush reads N per flush.
    const named = flushes.reduce((a, b) => a + b, 0);
    expect(reads.rows()).toBe(n + named);
    expect(reads.rows()).toBeLessThanOrEqual(8 * n);
    expect(reads.gets()).toBe(0);
  });

  it('re-reads only the changed document when one status changes', async () => {
    const e = await engine();
    await e.handlers['queue:pause'](undefined);
    const n = 200;
    const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'ONE') });
    const ids = res.added.map((a) => a.id);
    // Paused: validation and lookups go on, sending does not; every document ends up queued.
    await expect.poll(() => engineInternals(e).repo.counts().queued, { timeout: 20_000 }).toBe(n);
    // Let the last coalesced event of the lookups go out before listening.
    await new Promise((r) => setTimeout(r, 100));
    const reads = countReads(e);
    let settled = false;
    const waiting = e.waitUntilSettled(ids, { includeAccepted: true }).then(() => {
      settled = true;
    });
    expect(reads.rows()).toBe(n); // the first check reads each document once
    const cancelled = await e.handlers['documents:cancel']({ ids: [ids[0]!] });
    expect(cancelled).toEqual({ cancelled: 1, undoToken: expect.any(String) });
    reads.reset(); // the cancel itself reads its document; the flush comes after
    await expect.poll(() => reads.rows()).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(reads.rows()).toBe(1);
    expect(reads.gets()).toBe(0);
    expect(settled).toBe(false);
    await e.handlers['documents:cancel']({ ids: ids.slice(1) });
    await waiting;
    expect(settled).toBe(true);
  });

  it('still sees a change made by another process (no event) through the bounded backstop', async () => {
    const dir = tempDir();
    const e = await engines({
      dataDir: dir,
      coalesceMs: 2,
    });
    await e.handlers['queue:pause'](undefined);
    const res = await e.handlers['documents:add']({ files: makeInvoices(3, 'OTHER') });
    const ids = res.added.map((a) => a.id);
    await expect.poll(() => engineInternals(e).repo.counts().queued, { timeout: 20_000 }).toBe(3);
    const waiting = e.waitUntilSettled(ids);
    // Another connection (as `peppol-desk cancel` would) changes the rows: no event here.
    const other = openDb({ dataDir: dir });
    const repo2 = new DocumentsRepo(other);
    for (const id of ids) expect(repo2.transition(id, 'queued', 'cancelled')).toBe(true);
    other.close();
    await waiting;
    expect(engineInternals(e).repo.counts().cancelled).toBe(3);
  });
});

describe('counts per state', () => {
  it('are kept by triggers through inserts, changes and deletes, and read without touching documents', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    const grouped = () => {
      const c = Object.fromEntries(DOCUMENT_STATES.map((s) => [s, 0]));
      for (const r of db
        .prepare('SELECT state, COUNT(*) AS n FROM documents GROUP BY state')
        .all() as { state: string; n: number }[])
        c[r.state] = r.n;
      return c;
    };
    const ids = Array.from({ length: 20 }, (_, i) =>
      repo.insert({
        fileName: `c${i}.xml`,
        sha256: `sha${i}`,
        size: 1,
        body: new Uint8Array([1]),
        idempotencyKey: `k${i}`,
      }),
    );
    expect(repo.counts()).toEqual(grouped());
    repo.tx(() => {
      for (const id of ids.slice(0, 12)) repo.transition(id, 'received', 'validating');
      for (const id of ids.slice(0, 5)) repo.transition(id, 'validating', 'invalid');
    });
    // A rolled-back transaction leaves the counts as they were.
    expect(() =>
      repo.tx(() => {
        repo.transition(ids[19]!, 'received', 'validating');
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    // A patch that does not touch the state, and an update setting the same state.
    repo.patch(ids[6]!, { invoice_number: 'X' });
    db.prepare("UPDATE documents SET state = 'validating' WHERE id = ?").run(ids[7]);
    db.prepare('DELETE FROM document_events WHERE document_id = ?').run(ids[0]);
    db.prepare('DELETE FROM document_bodies WHERE document_id = ?').run(ids[0]);
    db.prepare('DELETE FROM documents WHERE id = ?').run(ids[0]);
    expect(repo.counts()).toEqual(grouped());
    expect(repo.counts()).toMatchObject({ received: 8, validating: 7, invalid: 4 });
    // The statement reads the small per-state table only (plan checked, nothing timed).
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT state, n FROM state_counts`)
      .all()
      .map((r) => (r as { detail: string }).detail)
      .join(' ');
    expect(plan).toMatch(/state_counts/);
    expect(plan).not.toMatch(/\bdocuments\b/);
    const counts = vi.spyOn(repo, 'counts');
    // The list's total without a search comes from the counts, not from COUNT(*) over documents.
    const prepare = vi.spyOn(db, 'prepare');
    expect(repo.list({ filter: 'attention' }).total).toBe(4);
    expect(repo.list({}).total).toBe(19);
    expect(repo.list({ filter: 'progress' }).total).toBe(15);
    expect(counts).toHaveBeenCalledTimes(3);
    expect(prepare.mock.calls.map(([sql]) => sql).filter((sql) => /COUNT\(/.test(sql))).toEqual([]);
    db.close();
  });
});

describe('sending a drop in batches', () => {
  it('reads the queue about once per batch, not on every commit while a batch window is open, and batches the drop', async () => {
    const e = await engine();
    const n = 300;
    const inState = vi.spyOn(engineInternals(e).repo, 'inState');
    const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'WINDOW') });
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids, { includeAccepted: true });
    expect(engineInternals(e).repo.counts().accepted).toBe(n);
    const queuedReads = inState.mock.calls
      .map((c, i) => ({ state: c[0], rows: (inState.mock.results[i]!.value as unknown[]).length }))
      .filter((c) => c.state === 'queued');
    const stats = engineInternals(e).sandbox!.stats().requests.byEndpoint;
    const requests = (label: RegExp) =>
      Object.entries(stats)
        .filter(([l]) => label.test(l))
        .reduce((sum, [, s]) => sum + s.total, 0);
    const batches = requests(/^POST \/api\/v1\/(send\/)?batch$/);
    const singles = requests(/^POST \/api\/v1\/send$/);
    // A drop that trickles out of validation still leaves in batches, not one request each.
    expect(batches).toBeGreaterThan(0);
    expect(batches + singles).toBeLessThan(n / 4);
    // Each read of the queue ends a window (or fills free slots); rows read stay O(N), where
    // re-reading up to 800 rows on every commit of an open window was O(N × commits).
    expect(queuedReads.length).toBeLessThanOrEqual(2 * (batches + singles) + 10);
    expect(queuedReads.reduce((sum, c) => sum + c.rows, 0)).toBeLessThanOrEqual(3 * n);
  });
});

describe('commits that sync to disk', () => {
  it('validation and lookup steps commit without a sync; claims to send and outcomes are synced before anything acts on them', async () => {
    // A fixed concurrency: no rate pacing, under which the send stage commits synced instead.
    const e = await engine({ concurrency: 4 });
    const level = () => Number(engineInternals(e).db.pragma('synchronous', { simple: true }));
    expect(level()).toBe(2); // FULL outside any relaxed commit
    const seen = new Map<string, Set<number>>();
    const through = engineInternals(e).repo.transitionThrough.bind(engineInternals(e).repo);
    vi.spyOn(engineInternals(e).repo, 'transitionThrough').mockImplementation((id, steps) => {
      for (const { from, to } of steps) {
        const key = `${from}->${to}`;
        if (!seen.has(key)) seen.set(key, new Set());
        seen.get(key)!.add(level());
      }
      return through(id, steps);
    });
    // The send stage's commits are synced off the event loop (`durable`): held here until
    // released, to see that no request leaves and no outcome counts before its commit is on disk.
    // (`documents:add` itself answers only once its documents are on disk: held from after it.)
    const res = await e.handlers['documents:add']({ files: makeInvoices(20, 'SYNC') });
    let release!: () => void;
    const onDisk = new Promise<void>((r) => (release = r));
    const durable = engineInternals(e).repo.durable.bind(engineInternals(e).repo);
    const syncs = vi
      .spyOn(engineInternals(e).repo, 'durable')
      .mockImplementation(() => onDisk.then(() => durable() ?? undefined));
    const ids = res.added.map((a) => a.id);
    /** Send and batch requests the access point received. */
    const sends = () =>
      Object.entries(engineInternals(e).sandbox!.stats().requests.byEndpoint)
        .filter(([label]) => /^POST \/api\/v1\/(send|batch)/.test(label))
        .reduce((n, [, s]) => n + s.total, 0);
    try {
      await expect
        .poll(() => engineInternals(e).repo.counts().sending, { timeout: 10_000 })
        .toBeGreaterThan(0);
      const claimed = engineInternals(e).repo.idsInStates(['sending']);
      await new Promise((r) => setTimeout(r, 200));
      // Claimed and committed, not yet on disk: nothing reached the access point.
      expect(sends()).toBe(0);
      expect(engineInternals(e).sandbox!.stats().acceptedDocuments).toBe(0);
      expect(engineInternals(e).repo.idsInStates(['sending'])).toEqual(claimed);
    } finally {
      // Whatever happened: the engine's stop waits for the held syncs.
      release();
    }
    await e.waitUntilSettled(ids, { includeAccepted: true });
    expect(engineInternals(e).repo.counts().accepted).toBe(20);
    expect(engineInternals(e).sandbox!.stats().acceptedDocuments).toBe(20);
    expect(sends()).toBeGreaterThan(0);
    expect(syncs).toHaveBeenCalled();
    // Redone after a power cut (a document found validating or resolving goes back one step).
    for (const k of [
      'received->validating',
      'validating->ready',
      'ready->resolving',
      'resolving->queued',
    ])
      expect([...(seen.get(k) ?? [])]).toEqual([1]);
    // What must survive a power cut, the claim that sends and the access point's answer, is
    // committed for `durable` to sync (not synced on the event loop).
    expect([...(seen.get('queued->sending') ?? [])]).toEqual([1]);
    expect([...(seen.get('sending->accepted') ?? [])]).toEqual([1]);
    expect(level()).toBe(2);
  });

  it('durable() syncs the write-ahead log once for the commits made while a sync runs', async () => {
    const db = openDb({ dataDir: tempDir() });
    const repo = new DocumentsRepo(db);
    const id = repo.insert({
      fileName: 'a.xml',
      sha256: 'a'.repeat(64),
      size: 1,
      body: new Uint8Array([1]),
      idempotencyKey: 'k',
    });
    repo.tx(() => repo.transition(id, 'received', 'validating'), 'deferred');
    const first = repo.durable();
    repo.tx(() => repo.transition(id, 'validating', 'received'), 'deferred');
    const second = repo.durable();
    const third = repo.durable();
    expect(first).toBeInstanceOf(Promise);
    // Both later callers share the one sync that starts after the running one.
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    await Promise.all([first, second]);
    expect(repo.durable()).not.toBe(second);
    // Nothing to wait for in memory.
    const mem = new DocumentsRepo(openDb({ dataDir: ':memory:' }));
    expect(mem.durable()).toBeNull();
    db.close();
  });

  it('a relaxed commit inside another transaction leaves the outer one as it is', () => {
    const db = openDb({ dataDir: tempDir() });
    const repo = new DocumentsRepo(db);
    const level = () => Number(db.pragma('synchronous', { simple: true }));
    expect(repo.txRedoable(() => level())).toBe(1);
    expect(level()).toBe(2);
    expect(repo.tx(() => repo.txRedoable(() => level()))).toBe(2);
    expect(() =>
      repo.txRedoable(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(level()).toBe(2);
    db.close();
  });
});

describe('due delivery polls', () => {
  it('are read by walking the poll index per state up to the limit, never sorting every due row', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    const ids = Array.from({ length: 30 }, (_, i) =>
      repo.insert({
        fileName: `p${i}.xml`,
        sha256: `p${i}`,
        size: 1,
        body: new Uint8Array([1]),
        idempotencyKey: `p${i}`,
      }),
    );
    // Half accepted, half delivered, due at times that interleave (ties broken by id).
    ids.forEach((id, i) =>
      db
        .prepare('UPDATE documents SET state = ?, next_poll_at = ? WHERE id = ?')
        .run(i % 2 ? 'accepted' : 'delivered', 100 + (i % 5), id),
    );
    db.prepare("UPDATE documents SET state = 'received', next_poll_at = 0 WHERE id = ?").run(
      ids[0],
    );
    const due = repo.duePolls(103, 7);
    // Deliveries (accepted) first, then the buyers' responses (delivered); each by due time.
    const expected = ids
      .map((id, i) => ({ id, at: 100 + (i % 5), i, response: i % 2 ? 0 : 1 }))
      .filter((x) => x.i !== 0 && x.at <= 103)
      .sort((a, b) => a.response - b.response || a.at - b.at || a.id - b.id)
      .slice(0, 7)
      .map((x) => x.id);
    expect(due.map((d) => d.id)).toEqual(expected);
    // With fewer deliveries due than the limit, the earliest responses fill the rest.
    const all = repo.duePolls(103, 100);
    const accepted = all.filter((d) => d.state === 'accepted');
    expect(all.slice(0, accepted.length)).toEqual(accepted);
    expect(all.length).toBeGreaterThan(accepted.length);
    const stmt = (repo as unknown as { polls: { stmts: { duePolls: { source: string } } } }).polls
      .stmts.duePolls;
    const plan = (
      db
        .prepare(`EXPLAIN QUERY PLAN ${stmt.source}`)
        .all({ now: 1, limit: 1, ap: null, env: null }) as {
        detail: string;
      }[]
    ).map((r) => r.detail);
    // Each polled state (accepted, delivered, the five non-final buyer responses and handled) is
    // a range walk of the (state, next_poll_at) index; only the merged few are sorted.
    expect(
      plan.filter((d) => /USING INDEX documents_by_poll \(state=\? AND next_poll_at<\?\)/.test(d)),
    ).toHaveLength(8);
    expect(plan.some((d) => /SCAN documents/.test(d))).toBe(false);
    db.close();
  });
});
