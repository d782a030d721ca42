/**
 * Earlier copies of a file added again (the same bytes; engine/add-files.ts compares the names)
 * that the new document now stands for (walk 18):
 * - practice copies that never went out: pinned to the built-in Sandbox, never taken by it (no
 *   transaction). Once a provider was set up, such files (a buyer not found, a held duplicate)
 *   were "already known" when dropped again, so they could only go through their practice rows,
 *   and a held practice duplicate compared itself with its practice twin ("Delivered", in
 *   practice) while the real one had just gone: the clerk sent the same bytes twice;
 * - cancelled copies: a cancel is only allowed while nothing may have reached the access point,
 *   and dropping the file again said "already known" and sent nothing, so a cancel made by
 *   mistake could not be taken back after its Undo had gone.
 * The reads are cheap and bounded: a count kept by triggers (practice_counts, migration 022;
 * state_counts) says whether there can be any, then the sha256 index finds them.
 */
import { WENT_OUT_STATES } from '../domain/states';
import type { Db } from './db';
import type { DocumentRecord } from './document-record';

/** States a practice copy of an unsent file cannot be in: it went out, or it is done with. */
const NOT_PENDING_SQL = [...WENT_OUT_STATES, 'cancelled', 'superseded', 'rejected', 'handled']
  .map((s) => `'${s}'`)
  .join(', ');

/** At most this many copies of one file are read per add (a bounded read per file). */
const COPIES_MAX = 64;

export class EarlierCopies {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      practicePending: db.prepare(
        `SELECT coalesce(sum(n), 0) AS n FROM practice_counts WHERE state NOT IN (${NOT_PENDING_SQL})`,
      ),
      cancelled: db.prepare(
        `SELECT coalesce(sum(n), 0) AS n FROM state_counts WHERE state = 'cancelled'`,
      ),
      copies: db.prepare(
        `SELECT * FROM documents WHERE sha256 = @sha256 AND (state = 'cancelled'
           OR (@practice AND access_point = 'sandbox' AND transaction_id IS NULL
             AND state NOT IN ('sending', ${NOT_PENDING_SQL})))
         ORDER BY id LIMIT ${COPIES_MAX}`,
      ),
    };
  }

  /**
   * Whether an add must look for earlier copies: some document is cancelled, or (`real`: invoices
   * go for real) some practice document may be unsent. Two counts kept by triggers.
   */
  anyFor(real: boolean): boolean {
    const n = (s: { get(): unknown }) => (s.get() as { n: number }).n;
    return n(this.stmts.cancelled) > 0 || (real && n(this.stmts.practicePending) > 0);
  }

  /** The cancelled documents of these bytes, and (`real`) the unsent practice ones. */
  of(sha256: string, real: boolean): DocumentRecord[] {
    return this.stmts.copies.all({ sha256, practice: real ? 1 : 0 }) as DocumentRecord[];
  }
}
