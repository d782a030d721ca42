/**
 * SqliteTeamStore.enqueue in one immediate transaction (writes are one at a time, so each
 * document sees those added before it in the same call): a waiting first version of the same
 * number and file name is replaced, the number guard holds a second version of a live one
 * (../number-guard), then the row, its body and its timeline row.
 */
import { lastPart } from '../../domain/file-names';
import type Database from 'better-sqlite3';
import type { DocumentState } from '../../contract';
import {
  guardNumber,
  numberLiveSql,
  numberOf,
  FIXED_SQL,
  REPLACEABLE_SQL,
  replacedByWords,
  replacesWordsOf,
  type NumberTaken,
  type ReplacedDoc,
} from '../number-guard';
import { addedEvent, enqueueValues } from '../store-rows';
import type { EnqueueResult, NewTeamDocument } from '../store';
import { INSERT_EVENT, NOW } from './statements';

type Stmt = (sql: string) => Database.Statement;

/** Add `docs` for desk `deskId` (see TeamStore.enqueue). */
export function enqueueDocuments(
  db: Database.Database,
  stmt: Stmt,
  deskId: string,
  docs: readonly NewTeamDocument[],
  real: boolean,
): EnqueueResult[] {
  const insert = stmt(
    `INSERT INTO team_documents (key, file_name, size, state, doc_type, invoice_number,
       sender_id, receiver_id, buyer_name, amount, currency, issue_date, problem_code,
       problem_message, problem_action, seller_name, duplicate_of, added_by, created_at,
       updated_at, due_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${NOW}, ${NOW},
       CASE WHEN ? = 'queued' THEN ${NOW} END)
     ON CONFLICT (key) DO NOTHING RETURNING id`,
  );
  // Earlier versions a new document replaces: waiting under its file name, or failures of its
  // number under any (../number-guard).
  const waiting = stmt(
    `SELECT d.id, d.state, d.file_name AS fileName FROM team_documents d
     WHERE d.sender_id = ? AND d.invoice_number = ? AND d.doc_type = ? AND d.file_name = ?
       AND d.key <> ? AND ${REPLACEABLE_SQL} ORDER BY d.id`,
  );
  const fixed = stmt(
    `SELECT d.id, d.state, d.file_name AS fileName FROM team_documents d
     WHERE d.sender_id = ? AND d.invoice_number = ? AND d.doc_type = ? AND d.key <> ?
       AND ${FIXED_SQL} ORDER BY d.id`,
  );
  // A first version that could not be read as an invoice, of this number (what its file seemed
  // to carry) under the same last part of the file name: a correction replaces it (migration 012).
  const unreadable = stmt(
    `SELECT d.id, d.state, d.file_name AS fileName FROM team_documents d
     WHERE d.unread_number = ? AND d.state = 'invalid' AND d.unread_number IS NOT NULL
       AND d.key <> ? ORDER BY d.id LIMIT 64`,
  );
  const markUnreadable = stmt('UPDATE team_documents SET unread_number = ? WHERE id = ?');
  const supersede = stmt(
    `UPDATE team_documents SET state = 'superseded', updated_at = ${NOW}, due_at = NULL,
       next_attempt_at = NULL, next_poll_at = NULL, problem_code = NULL, problem_message = NULL,
       problem_action = NULL
     WHERE id = ?`,
  );
  const taken = stmt(
    `SELECT id, key, state FROM team_documents
     WHERE sender_id = ? AND invoice_number = ? AND doc_type = ? AND ${numberLiveSql('?')}
     ORDER BY id LIMIT 1`,
  );
  const body = stmt('INSERT INTO team_document_bodies (document_id, body) VALUES (?, ?)');
  const existing = stmt('SELECT id, state FROM team_documents WHERE key = ?');
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() =>
      docs.map((doc): EnqueueResult => {
        const guarded = numberOf(doc) !== null;
        const number = [doc.senderId, doc.invoiceNumber, doc.docType] as const;
        const old = guarded ? (waiting.all(...number, doc.fileName, doc.key) as ReplacedDoc[]) : [];
        if (doc.docType !== null && doc.invoiceNumber !== null) {
          const them = unreadable.all(doc.invoiceNumber, doc.key) as ReplacedDoc[];
          old.push(...them.filter((o) => lastPart(o.fileName) === lastPart(doc.fileName)));
        }
        for (const o of old) supersede.run(o.id);
        const t = guarded
          ? (taken.get(...number, real ? 1 : 0) as NumberTaken | undefined)
          : undefined;
        const checked = guardNumber(doc, t ?? null);
        // What goes on (not held) replaces the failures of its number.
        if (guarded && checked.state === 'queued') {
          const failures = fixed.all(...number, doc.key) as ReplacedDoc[];
          for (const o of failures) supersede.run(o.id);
          old.push(...failures);
        }
        const d =
          old.length > 0 && !checked.problem && !checked.note
            ? { ...checked, note: replacesWordsOf(old) }
            : checked;
        const row = insert.get(d.key, ...enqueueValues(d), deskId, d.state) as
          { id: number } | undefined;
        const had = row ? null : (existing.get(d.key) as { id: number; state: DocumentState });
        const id = row?.id ?? had!.id;
        for (const o of old)
          event.run(o.id, deskId, o.state, 'superseded', replacedByWords(d.fileName, id), null);
        if (row) {
          body.run(row.id, Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength));
          if (d.unreadNumber) markUnreadable.run(d.unreadNumber, row.id);
          const added = addedEvent(d);
          event.run(row.id, deskId, null, d.state, added.detail, added.technical);
          return { key: d.key, id: row.id, created: true, state: d.state };
        }
        return { key: d.key, id: had!.id, created: false, state: had!.state };
      }),
    )
    .immediate();
}
