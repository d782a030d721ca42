import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { ADD_ROWS_SLICE, ADD_SLICE } from '../../app/engine/add-files';
import { engineInternals } from '../../app/engine/internals';
import { invokeHandler } from '../../app/errors';
import { newIdempotencyKey } from '../../app/domain/idempotency-key';
import { Checkpointer } from '../../app/store/checkpointer';
import { openDb } from '../../app/store/db';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';

const engines = useEngines({ autoStart: false });

describe('documents:add (enqueue)', () => {
  it('stores a large drop in slices of a few statements, lets the event loop run between them, and answers once they are synced', async () => {
    const e = await engines();
    const { repo } = engineInternals(e);
    const n = 3 * ADD_ROWS_SLICE + 10;
    const files = makeInvoices(n, 'SLICE');
    const slices = vi.spyOn(repo, 'insertMany');
    const commits = vi.spyOn(repo, 'txRedoable');
    let synced = false;
    const durable = repo.durable.bind(repo);
    vi.spyOn(repo, 'durable').mockImplementation(() => {
      const p = durable();
      expect(p).not.toBeNull(); // a file database: there is a sync to wait for
      return p!.then(() => {
        synced = true;
      });
    });
    let done = false;
    let turns = 0;
    const turn = () => {
      turns++;
      if (!done) setImmediate(turn);
    };
    setImmediate(turn);
    const res = await e.handlers['documents:add']({ files });
    done = true;
    // Answered only after the write-ahead log with every slice was synced.
    expect(synced).toBe(true);
    expect(res.added).toHaveLength(n);
    expect(res.added.map((a) => a.fileName)).toEqual(files.map((f) => f.name));
    // One transaction and one multi-row insert per slice, not per document.
    expect(slices).toHaveBeenCalledTimes(4);
    expect(slices.mock.calls.map(([docs]) => docs.length)).toEqual([
      ADD_ROWS_SLICE,
      ADD_ROWS_SLICE,
      ADD_ROWS_SLICE,
      10,
    ]);
    expect(commits).toHaveBeenCalledTimes(4);
    // The event loop turned between the slices (the UI and the sender keep going).
    expect(turns).toBeGreaterThanOrEqual(3);
    // Rows, bodies, timelines and the per-state counts (kept by the trigger) are all there.
    expect(repo.counts().received).toBe(n);
    const ids = res.added.map((a) => a.id);
    expect(new Set(ids).size).toBe(n);
    for (const k of [0, ADD_SLICE, ADD_ROWS_SLICE, n - 1]) {
      const id = ids[k]!;
      expect(Buffer.from(repo.getBody(id)).equals(Buffer.from(files[k]!.bytes))).toBe(true);
      expect(repo.timeline(id)).toEqual([
        {
          at: expect.any(Number),
          from: null,
          to: 'received',
          detail: files[k]!.name,
          technical: null,
        },
      ]);
      expect(repo.get(id)!.file_name).toBe(files[k]!.name);
    }
  });

  it('the same file twice in one call is added once (the second is known); the same bytes under another name is a new document', async () => {
    const e = await engines();
    const bytes = makeInvoice('TWICE-1');
    const res = await e.handlers['documents:add']({
      files: [
        { name: 'a.xml', bytes },
        { name: 'a.xml', bytes },
        { name: 'b.xml', bytes },
        { name: 'empty.xml', bytes: new Uint8Array(0) },
      ],
    });
    expect(res.added.map((a) => a.fileName)).toEqual(['a.xml', 'b.xml']);
    expect(res.known).toEqual([{ id: res.added[0]!.id, fileName: 'a.xml' }]);
    expect(res.rejected.map((r) => r.fileName)).toEqual(['empty.xml']);
    expect(engineInternals(e).repo.counts().received).toBe(2);
    const again = await e.handlers['documents:add']({ files: [{ name: 'b.xml', bytes }] });
    expect(again.known).toEqual([{ id: res.added[1]!.id, fileName: 'b.xml' }]);
  });

  it('writes each body once, to the body files of the data folder, and commits no row before its body is on disk', async () => {
    const dataDir = engines.tempDir();
    const e = await engines({ dataDir });
    const { repo, db } = engineInternals(e);
    const files = makeInvoices(2 * ADD_ROWS_SLICE + 5, 'ONCE');
    // What happened, in order: the body files' sync ending, and each slice of rows.
    const order: string[] = [];
    const bodiesDurable = repo.bodiesDurable.bind(repo);
    vi.spyOn(repo, 'bodiesDurable').mockImplementation(() => {
      const p = bodiesDurable();
      expect(p).not.toBeNull();
      return p!.then(() => void order.push('bodies synced'));
    });
    const insertMany = repo.insertMany.bind(repo);
    vi.spyOn(repo, 'insertMany').mockImplementation((docs) => {
      order.push(`rows ${docs.length}`);
      // Every row points at its body; none is written into the database.
      for (const d of docs) expect(d.bodyRef).toEqual({ file: 1, offset: expect.any(Number) });
      return insertMany(docs);
    });
    const res = await e.handlers['documents:add']({ files });
    expect(res.added).toHaveLength(files.length);
    expect(order).toEqual([
      'bodies synced',
      `rows ${ADD_ROWS_SLICE}`,
      `rows ${ADD_ROWS_SLICE}`,
      'rows 5',
    ]);
    expect(db.prepare('SELECT COUNT(*) FROM document_bodies').pluck().get()).toBe(0);
    // The bytes once each, nothing else, and each read back exactly.
    const total = files.reduce((n, f) => n + f.bytes.byteLength, 0);
    expect(statSync(join(dataDir, 'bodies', '000001.bodies')).size).toBe(total);
    res.added.forEach((a, k) =>
      expect(Buffer.from(repo.getBody(a.id)).equals(Buffer.from(files[k]!.bytes))).toBe(true),
    );
    // Known files cost no bytes: the same drop again writes nothing.
    const again = await e.handlers['documents:add']({ files });
    expect(again.known).toHaveLength(files.length);
    expect(statSync(join(dataDir, 'bodies', '000001.bodies')).size).toBe(total);
  });

  it('reads the bodies of earlier runs and of documents stored in the database before body files existed', async () => {
    const dataDir = engines.tempDir();
    const first = await engines({ dataDir });
    const before = await first.handlers['documents:add']({ files: makeInvoices(3, 'RUN1') });
    // A document as added by an older version: its body in the database.
    const old = makeInvoice('OLD-1');
    const oldId = engineInternals(first).repo.insert({
      fileName: 'old.xml',
      sha256: 'f'.repeat(64),
      size: old.byteLength,
      body: old,
      idempotencyKey: newIdempotencyKey(),
    });
    await engines.stop(first);
    const second = await engines({ dataDir });
    const { repo } = engineInternals(second);
    const after = await second.handlers['documents:add']({ files: makeInvoices(2, 'RUN2') });
    expect(Buffer.from(repo.getBody(oldId)).equals(Buffer.from(old))).toBe(true);
    for (const [res, prefix] of [
      [before, 'RUN1'],
      [after, 'RUN2'],
    ] as const) {
      const files = makeInvoices(res.added.length, prefix);
      res.added.forEach((a, k) =>
        expect(Buffer.from(repo.getBody(a.id)).equals(Buffer.from(files[k]!.bytes))).toBe(true),
      );
    }
    // The second run appended to a file of its own.
    expect(readdirSync(join(dataDir, 'bodies')).sort()).toEqual(['000001.bodies', '000002.bodies']);
  });

  it('keeps one body file across runs of an engine that holds the folder (a send per invoice)', async () => {
    const dataDir = engines.tempDir();
    const added: { id: number; prefix: string }[] = [];
    for (const prefix of ['PER1', 'PER2', 'PER3']) {
      // autoStart: the engine takes the data folder, as the app and every sending command do.
      const e = await engines({ dataDir, autoStart: true });
      const res = await e.handlers['documents:add']({ files: makeInvoices(1, prefix) });
      expect(res.added).toHaveLength(1);
      added.push({ id: res.added[0]!.id, prefix });
      await engines.stop(e);
    }
    expect(readdirSync(join(dataDir, 'bodies')).sort()).toEqual(['000001.bodies', 'current']);
    const last = await engines({ dataDir });
    for (const a of added) {
      const bytes = makeInvoices(1, a.prefix)[0]!.bytes;
      expect(Buffer.from(engineInternals(last).repo.getBody(a.id)).equals(Buffer.from(bytes))).toBe(
        true,
      );
    }
  });

  it('stores a file once when two drops add it at the same time', async () => {
    const e = await engines();
    const files = makeInvoices(ADD_ROWS_SLICE + 3, 'RACE');
    const [a, b] = await Promise.all([
      e.handlers['documents:add']({ files }),
      e.handlers['documents:add']({ files: [...files].reverse() }),
    ]);
    expect(a.added.length + b.added.length).toBe(files.length);
    expect(a.known.length + b.known.length).toBe(files.length);
    const idOf = new Map([...a.added, ...a.known].map((x) => [x.fileName, x.id]));
    for (const x of [...b.added, ...b.known]) expect(x.id).toBe(idOf.get(x.fileName));
    expect(engineInternals(e).repo.counts().received).toBe(files.length);
  });

  it('stores nothing and says the disk is full when the bodies cannot be written', async () => {
    const e = await engines();
    const { repo } = engineInternals(e);
    vi.spyOn(repo, 'bodiesDurable').mockImplementation(() =>
      Promise.reject(
        Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }),
      ),
    );
    const answer = await invokeHandler(e.handlers, 'documents:add', {
      files: makeInvoices(5, 'FULL'),
    });
    expect(answer).toEqual({
      ok: false,
      error: { code: 'DISK_FULL', message: expect.stringMatching(/disk is full/) },
    });
    expect(repo.counts().received).toBe(0);
  });

  it('gives each new document a time-ordered idempotency key (UUID version 7)', async () => {
    const e = await engines();
    const res = await e.handlers['documents:add']({ files: makeInvoices(30, 'KEY') });
    const keys = res.added.map((a) => engineInternals(e).repo.get(a.id)!.idempotency_key);
    for (const k of keys) {
      expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(keys).size).toBe(30);
    // The first 48 bits are the time: keys made later sort later.
    const times = keys.map((k) => parseInt(k.replace(/-/g, '').slice(0, 12), 16));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('newIdempotencyKey', () => {
  it('puts the time in the first 48 bits and stays unique within one millisecond', () => {
    const at = Date.UTC(2026, 11, 2, 10, 0, 0);
    const keys = Array.from({ length: 2000 }, () => newIdempotencyKey(at));
    expect(new Set(keys).size).toBe(2000);
    for (const k of keys.slice(0, 5)) {
      expect(parseInt(k.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
      expect(k[14]).toBe('7');
    }
  });
});

describe('checkpoints in a worker thread', () => {
  function tableOfBlobs(dataDir: string) {
    const db = openDb({ dataDir });
    db.exec('CREATE TABLE blobs (b BLOB)');
    const insert = db.prepare('INSERT INTO blobs (b) VALUES (?)');
    const write = (mb: number) =>
      db.transaction(() => {
        for (let i = 0; i < mb * 16; i++) insert.run(Buffer.alloc(64 * 1024, i));
      })();
    return { db, write };
  }

  it('takes checkpoints off the engine connection and copies the log back from the worker', async () => {
    const { db, write } = tableOfBlobs(engines.tempDir());
    const c = Checkpointer.start(db)!;
    try {
      expect(c).not.toBeNull();
      await expect.poll(() => c.active, { timeout: 10_000 }).toBe(true);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      write(8);
      await expect.poll(() => c.checkpoints, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await c.close();
      db.close();
    }
  });

  it('makes a writer wait for a complete checkpoint once the log is past its bound, after which the log is reused', async () => {
    const dir = engines.tempDir();
    const { db, write } = tableOfBlobs(dir);
    const c = Checkpointer.start(db, () => {}, 4 * 1024 * 1024)!;
    try {
      await expect.poll(() => c.active, { timeout: 10_000 }).toBe(true);
      expect(c.backlog()).toBeNull(); // a small log: nothing to wait for
      write(6);
      const waiting = c.backlog();
      expect(waiting).not.toBeNull();
      await waiting;
      expect(c.last!.log).toBe(c.last!.checkpointed);
      const before = statSync(`${db.name}-wal`).size;
      write(1);
      // Reused from its start: one more MB did not make the file longer.
      expect(statSync(`${db.name}-wal`).size).toBeLessThanOrEqual(before);
    } finally {
      await c.close();
      db.close();
    }
  });

  it('lets the connection checkpoint itself again when the worker dies', async () => {
    const logs: string[] = [];
    const { db } = tableOfBlobs(engines.tempDir());
    const c = Checkpointer.start(db, (m) => logs.push(m))!;
    try {
      await expect.poll(() => c.active, { timeout: 10_000 }).toBe(true);
      await (c as unknown as { worker: Worker }).worker.terminate();
      await expect.poll(() => c.active).toBe(false);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      expect(logs.join('\n')).toMatch(/main thread again/);
      expect(c.backlog()).toBeNull();
    } finally {
      await c.close();
      db.close();
    }
  });

  it('is not started for an in-memory database', () => {
    const db = openDb({ dataDir: ':memory:' });
    expect(Checkpointer.start(db)).toBeNull();
    db.close();
  });
});
