/**
 * The list reader's worker thread (dist/list-worker.cjs): its own read-only connection to the
 * engine's database answers `documents:list`, so a page never waits for the engine's thread (a
 * WAL reader neither waits for the writer nor holds it up). Each request is read in one read
 * transaction: the page, its total and the counts from the same snapshot.
 */
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { emptyCounts, type DocumentState, type StateCounts } from '../contract';
import { DocumentList } from './document-list';
import { toDocumentRow } from './document-record';
import type { ListReply, ListRequest, ListWorkerData } from './list-reader';

const data = workerData as ListWorkerData;
// This bundle carries better-sqlite3's JavaScript; its native module is found from here (in the
// installers both sit outside the asar, which a worker thread cannot read).
const nativeBinding =
  data.nativeBinding ??
  createRequire(__filename).resolve('better-sqlite3/build/Release/better_sqlite3.node');
const db = new Database(data.file, { readonly: true, nativeBinding });
db.pragma('busy_timeout = 5000');
// Read through a memory map and a larger page cache: a list walks index pages and a search
// reads rows, which otherwise cost one system call per page on this connection.
db.pragma(`mmap_size = ${data.mmapBytes}`);
db.pragma(`cache_size = -${data.cacheKiB}`);

const countsStmt = db.prepare('SELECT state, n FROM state_counts');
const counts = (): StateCounts => {
  const c = emptyCounts();
  for (const r of countsStmt.all() as { state: DocumentState; n: number }[]) c[r.state] = r.n;
  return c;
};
// `read` below holds the read transaction around the page, its total and the counts.
const table = new DocumentList(db, counts, (fn) => fn());
const read = db.transaction((query: ListRequest['query']) => {
  const { rows, total } = table.list(query);
  return { rows: rows.map(toDocumentRow), total, counts: counts() };
});

parentPort?.on('message', (req: ListRequest) => {
  let reply: ListReply;
  try {
    reply = { id: req.id, ok: true, value: read(req.query) };
  } catch (err) {
    reply = { id: req.id, ok: false, message: (err as Error)?.message ?? String(err) };
  }
  parentPort?.postMessage(reply);
});
