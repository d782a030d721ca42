/**
 * Inserting a slice of `documents:add` at once: the rows and their first timeline entries in one
 * statement each, whatever their number. A body already in a body file (`bodyRef`, see
 * body-files.ts) is only pointed at by its row; any other takes one statement (bodies are blobs).
 *
 * Why not one INSERT per row: the `state_counts` trigger (migration 011) makes every INSERT on
 * `documents` a write to two tables, so SQLite opened a statement journal for each row, holding a
 * copy of every page the row touched (the table and its dozen indexes: some 60 KB per row, spilled
 * to a temporary file). One statement for the slice journals each page once.
 */
import type { Db } from './db';
import type { NewDocument } from './document-record';

/** Inserts `docs` (state `received`) in the caller's transaction; returns their ids in order. */
export type InsertDocuments = (docs: readonly NewDocument[], now: number) => number[];

/**
 * Prepare the statements once, at the first call (a repository opened on an older schema, as
 * migration tests do, never inserts this way); the returned function runs them.
 */
export function prepareInsertDocuments(db: Db): InsertDocuments {
  let prepared: ReturnType<typeof prepare> | null = null;
  return (docs, now) => {
    if (docs.length === 0) return [];
    prepared ??= prepare(db);
    const { insertRows, insertBody, insertEvents } = prepared;
    const rows = docs.map((d) => [
      d.fileName,
      d.sha256,
      d.size,
      d.idempotencyKey,
      d.accessPoint ?? null,
      d.environment ?? null,
      d.bodyRef?.file ?? null,
      d.bodyRef?.offset ?? null,
    ]);
    const inserted = insertRows.all({ now, docs: JSON.stringify(rows) }) as {
      id: number;
      key: string;
    }[];
    // RETURNING comes in no promised order: the idempotency key (unique) says which row is which.
    const idOf = new Map(inserted.map((r) => [r.key, r.id]));
    const ids = docs.map((d) => idOf.get(d.idempotencyKey)!);
    docs.forEach((d, i) => {
      if (!d.bodyRef) insertBody.run(ids[i], d.body);
    });
    insertEvents.run({ now, events: JSON.stringify(docs.map((d, i) => [ids[i], d.fileName])) });
    return ids;
  };
}

function prepare(db: Db) {
  return {
    insertRows: db.prepare(`INSERT INTO documents
      (file_name, sha256, size, state, idempotency_key, created_at, updated_at, access_point,
       environment, body_file, body_offset)
      SELECT value ->> 0, value ->> 1, value ->> 2, 'received', value ->> 3, @now, @now,
        value ->> 4, value ->> 5, value ->> 6, value ->> 7
      FROM json_each(@docs) ORDER BY key
      RETURNING id, idempotency_key AS key`),
    insertBody: db.prepare('INSERT INTO document_bodies (document_id, body) VALUES (?, ?)'),
    insertEvents: db.prepare(`INSERT INTO document_events
      (document_id, at, from_state, to_state, detail, technical)
      SELECT value ->> 0, @now, NULL, 'received', value ->> 1, NULL
      FROM json_each(@events) ORDER BY key`),
  };
}
