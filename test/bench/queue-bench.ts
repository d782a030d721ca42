/**
 * Queue benchmark (issue 3): time to enqueue 100,000 documents, state transitions per second at
 * synchronous FULL and NORMAL, and database size per 10,000 documents. Bundled and run by
 * test/bench/queue.mjs.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, memorySecretStore } from '../../app/engine';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { makeInvoice } from '../helpers/invoices';

/** The database, its log and the body files (issue 9 point 4) of a data folder, in bytes. */
function dirSize(dir: string): number {
  let total = 0;
  const bodies = existsSync(join(dir, 'bodies')) ? readdirSync(join(dir, 'bodies')) : [];
  for (const f of [
    'peppol-desk.sqlite',
    'peppol-desk.sqlite-wal',
    ...bodies.map((b) => join('bodies', b)),
  ]) {
    try {
      total += statSync(join(dir, f)).size;
    } catch {
      // absent
    }
  }
  return total;
}

async function enqueue(total: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-q-'));
  // The queue not started: this measures the enqueue itself (hash, dedupe, insert with body,
  // timeline), not validation running between the chunks.
  const engine = await createEngine({
    dataDir: dir,
    secrets: memorySecretStore(),
    host: 'cli',
    autoStart: false,
  });
  const CHUNK = 1000;
  // The files exist before the clock starts (generating them is not enqueueing).
  const chunks: { name: string; bytes: Uint8Array }[][] = [];
  for (let i = 0; i < total; i += CHUNK) {
    const files = [];
    for (let j = i; j < Math.min(total, i + CHUNK); j++) {
      files.push({ name: `Q-${j}.xml`, bytes: makeInvoice(`Q-${String(j).padStart(7, '0')}`) });
    }
    chunks.push(files);
  }
  // How long the engine thread is held at a time while adding (the UI and the sender wait that
  // long): the largest gap between two turns of the event loop.
  let longestBlockMs = 0;
  let last = performance.now();
  let adding = true;
  const turn = () => {
    const now = performance.now();
    longestBlockMs = Math.max(longestBlockMs, now - last);
    last = now;
    if (adding) setImmediate(turn);
  };
  setImmediate(turn);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const files of chunks) await engine.handlers['documents:add']({ files });
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpu);
  adding = false;
  // Stopping copies what is left of the write-ahead log back into the database (checkpoints run
  // in a worker thread while adding): timed apart, as the whole cost of the drop on disk.
  const stopStarted = performance.now();
  await engine.stop();
  const stopSeconds = (performance.now() - stopStarted) / 1000;
  const db = openDb({ dataDir: dir });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const bytes = dirSize(dir);
  rmSync(dir, { recursive: true, force: true });
  return {
    total,
    seconds,
    perSecond: total / seconds,
    bytesPer10k: (bytes / total) * 10_000,
    userSeconds: cpuUsed.user / 1e6,
    systemSeconds: cpuUsed.system / 1e6,
    longestBlockMs,
    stopSeconds,
  };
}

/**
 * The floor on this disk and CPU for `total` documents like the benchmark's: their bytes written
 * once to one file in chunks of 1,000 with an fdatasync per chunk (what a synced commit per chunk
 * must at least cost), and sha256 of every one on one thread.
 */
function floor(total: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-floor-'));
  const body = Buffer.from(makeInvoice('FLOOR-0000001'));
  const chunk = Buffer.concat(Array.from({ length: 1000 }, () => body));
  const fd = openSync(join(dir, 'bodies'), 'w');
  let started = performance.now();
  for (let i = 0; i < total; i += 1000) {
    writeSync(fd, chunk, 0, Math.min(1000, total - i) * body.length);
    fdatasyncSync(fd);
  }
  const writeSeconds = (performance.now() - started) / 1000;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  started = performance.now();
  for (let i = 0; i < total; i++) createHash('sha256').update(body).digest('hex');
  const hashSeconds = (performance.now() - started) / 1000;
  return { writeSeconds, hashSeconds, megabytes: (total * body.length) / 1e6 };
}

function transitions(sync: 'FULL' | 'NORMAL', perTx: number, count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-t-'));
  const db = openDb({ dataDir: dir });
  db.pragma(`synchronous = ${sync}`);
  const repo = new DocumentsRepo(db);
  const body = makeInvoice('T');
  const ids: number[] = [];
  repo.tx(() => {
    for (let i = 0; i < count; i++) {
      ids.push(
        repo.insert({
          fileName: `t${i}`,
          sha256: `s${i}`,
          size: body.length,
          body,
          idempotencyKey: `k${i}`,
        }),
      );
    }
  });
  const started = performance.now();
  for (let i = 0; i < ids.length; i += perTx) {
    repo.tx(() => {
      for (const id of ids.slice(i, i + perTx)) repo.transition(id, 'received', 'validating');
    });
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { sync, perTx, count, perSecond: count / seconds };
}

/**
 * The document table's list query at `total` rows: a page at the start and at the end, sorted by
 * buyer and by amount, with and without a filter; and the query as it was before migration 006
 * (SELECT *, no index: `NOT INDEXED`) for comparison. Median of 5 runs each, ms.
 */
function listQueries(total: number) {
  const db = openDb({ dataDir: ':memory:' });
  const repo = new DocumentsRepo(db);
  const summary = JSON.stringify({
    lines: Array.from({ length: 20 }, (_, i) => ({ id: i, name: 'x'.repeat(60) })),
  });
  const validation = JSON.stringify({
    findings: Array.from({ length: 5 }, () => ({ message: 'y'.repeat(120) })),
  });
  const states = ['accepted', 'delivered', 'invalid', 'queued'] as const;
  const CHUNK = 10_000;
  for (let i = 0; i < total; i += CHUNK) {
    repo.tx(() => {
      for (let j = i; j < Math.min(total, i + CHUNK); j++) {
        const id = repo.insert({
          fileName: `L-${j}.xml`,
          sha256: `sha-${j}`,
          size: 4000,
          body: new Uint8Array(1),
          idempotencyKey: `key-${j}`,
        });
        repo.patch(id, {
          invoice_number: `INV-${(j * 7919) % total}`,
          buyer_name: `Buyer ${(j * 104729) % 5000}`,
          amount: String(((j * 31) % 100_000) / 100),
          currency: 'EUR',
          issue_date: '2026-11-01',
          summary_json: summary,
          validation_json: validation,
        });
        db.prepare('UPDATE documents SET state = ? WHERE id = ?').run(
          states[j % states.length],
          id,
        );
      }
    });
  }
  const median = (fn: () => void) => {
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      fn();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[2]!;
  };
  const last = total - 200;
  const cases = [
    { what: 'first page, newest first', q: {} },
    {
      what: 'last page, sorted by buyer',
      q: { sort: { key: 'buyerName', dir: 'asc' }, offset: last },
    },
    {
      what: 'last page, sorted by amount (desc)',
      q: { sort: { key: 'amount', dir: 'desc' }, offset: last },
    },
    {
      what: 'Needs attention, sorted by buyer, page 10',
      q: { filter: 'attention', sort: { key: 'buyerName', dir: 'asc' }, offset: 2000 },
    },
    {
      what: 'search "Buyer 42", sorted by invoice number',
      q: { search: 'Buyer 42', sort: { key: 'invoiceNumber', dir: 'asc' } },
    },
  ] as const;
  const rows = cases.map((c) => ({
    what: c.what,
    ms: median(() => repo.list({ ...c.q, limit: 200 })),
  }));
  const before = median(() =>
    db
      .prepare(
        `SELECT * FROM documents NOT INDEXED ORDER BY buyer_name COLLATE NOCASE ASC, id ASC LIMIT 200 OFFSET ${last}`,
      )
      .all(),
  );
  const exportAll = median(() => repo.listAll({ sort: { key: 'buyerName', dir: 'asc' } }));
  db.close();
  return { total, rows, before, exportAll };
}

async function main() {
  const total = Number(process.argv[2] ?? 100_000);
  const e = await enqueue(total);
  const f = floor(total);
  // `--enqueue-only`: the enqueue and its floor, for comparing changes to the write path.
  if (process.argv.includes('--enqueue-only')) {
    process.stdout.write(JSON.stringify({ enqueue: e, floor: f }) + '\n');
    return;
  }
  const t = [
    transitions('FULL', 1, 2000),
    transitions('NORMAL', 1, 2000),
    transitions('FULL', 64, 50_000),
    transitions('NORMAL', 64, 50_000),
  ];
  const list = listQueries(total);
  process.stdout.write(JSON.stringify({ enqueue: e, floor: f, transitions: t, list }) + '\n');
}

void main();
