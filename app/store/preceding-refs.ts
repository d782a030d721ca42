/**
 * The invoices checked documents refer to (BT-25; migration 019): kept with the check, read when
 * a document goes out (does it deal with a rejected or queried invoice?) and when the buyer
 * rejects an invoice (did a credit note for it already go out?). A reference counts only between
 * documents of the same seller to the same buyer. Both reads are index lookups:
 * nothing here grows with the data folder.
 */
import { WENT_OUT_STATES, handledFrom, type NamedDocument } from '../domain/states';
import type { Db } from './db';
import type { DocumentRecord } from './document-record';

const WENT_OUT_SQL = WENT_OUT_STATES.map((s) => `'${s}'`).join(', ');
const ANSWERED_SQL = handledFrom(true)
  .map((s) => `'${s}'`)
  .join(', ');

function prepare(db: Db) {
  return {
    insert: db.prepare(
      `INSERT OR IGNORE INTO preceding_refs (document_id, seller_id, ref)
       SELECT ?, ?, value FROM json_each(?)`,
    ),
    // The invoice named must be the same seller's and have gone to the same buyer: a credit note
    // for another buyer with a number that happens to match deals with nothing (walk 12).
    answeredBy: db.prepare(
      `SELECT t.* FROM preceding_refs r
         JOIN documents d ON d.id = r.document_id
         JOIN documents t ON t.seller_id = r.seller_id AND t.invoice_number = r.ref
           AND t.doc_type = 'Invoice' AND t.receiver_id = d.receiver_id
       WHERE r.document_id = ? AND t.id <> r.document_id AND t.state IN (${ANSWERED_SQL})
       ORDER BY t.id`,
    ),
    referredHandled: db.prepare(
      `SELECT t.id, t.state FROM preceding_refs r
         JOIN documents d ON d.id = r.document_id
         JOIN documents t ON t.seller_id = r.seller_id AND t.invoice_number = r.ref
           AND t.doc_type = 'Invoice' AND t.receiver_id = d.receiver_id
       WHERE r.document_id = ? AND t.id <> r.document_id AND t.state = 'handled'
       ORDER BY t.id`,
    ),
    sentFor: db.prepare(
      `SELECT d.id, d.doc_type, d.invoice_number FROM preceding_refs r
         JOIN documents d ON d.id = r.document_id
       WHERE r.seller_id = ? AND r.ref = ? AND d.receiver_id = ? AND d.id <> ?
         AND d.state IN (${WENT_OUT_SQL})
       ORDER BY d.id LIMIT 1`,
    ),
  };
}

export class PrecedingRefs {
  // Prepared at first use (a repository may be opened on a database migrated only so far).
  private stmts: ReturnType<typeof prepare> | null = null;

  constructor(private readonly db: Db) {}

  private get s() {
    return (this.stmts ??= prepare(this.db));
  }

  /** Keep the invoices document `id` of seller `sellerId` refers to. */
  record(id: number, sellerId: string, refs: readonly string[]): void {
    if (refs.length > 0) this.s.insert.run(id, sellerId, JSON.stringify(refs));
  }

  /** Rejected or queried invoices document `id` refers to (it just went out). */
  answered(id: number): DocumentRecord[] {
    return this.s.answeredBy.all(id) as DocumentRecord[];
  }

  /** Handled invoices document `id` refers to (it may have been what took them out). */
  referredHandled(id: number): { id: number; state: 'handled' }[] {
    return this.s.referredHandled.all(id) as { id: number; state: 'handled' }[];
  }

  /** A document that went out to `receiverId` referring to this seller's invoice `number`. */
  sentEarlierFor(
    sellerId: string,
    number: string,
    receiverId: string,
    exceptId: number,
  ): NamedDocument | null {
    const row = this.s.sentFor.get(sellerId, number, receiverId, exceptId);
    return (row as NamedDocument | undefined) ?? null;
  }
}
