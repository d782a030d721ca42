/**
 * Practice copies that never went out: documents pinned to the built-in Sandbox that it never
 * took (no transaction), of the same bytes as a file added again for real. Walk 18: once a
 * provider was set up, such files (a buyer not found, a held duplicate, an invalid one) were
 * "already known" when dropped again, so they could only go through their practice rows, and a
 * held practice duplicate compared itself with its practice twin ("Delivered", in practice)
 * while the real one had just gone: the clerk sent the same bytes twice. Both reads are cheap:
 * the count comes from practice_counts (migration 022), the copies from the sha256 index, and
 * only while some practice document may still be unsent.
 */
import { WENT_OUT_STATES } from '../domain/states';
import type { Db } from './db';
import type { DocumentRecord } from './document-record';

/** States a practice copy of an unsent file cannot be in: it went out, or it is done with. */
const NOT_PENDING_SQL = [...WENT_OUT_STATES, 'cancelled', 'superseded', 'rejected', 'handled']
  .map((s) => `'${s}'`)
  .join(', ');

/** At most this many copies of one file are retired per add (a bounded read per file). */
const COPIES_MAX = 64;

export class PracticeCopies {
  private stmts: ReturnType<typeof prepare> | null = null;

  constructor(private readonly db: Db) {}

  /** Prepared at first use: a repository may be opened on a database migrated only so far. */
  private get s(): ReturnType<typeof prepare> {
    return (this.stmts ??= prepare(this.db));
  }

  /** Whether any practice document may still be unsent (a count kept by triggers). */
  anyPending(): boolean {
    return (this.s.pending.get() as { n: number }).n > 0;
  }

  /** The practice documents of these bytes the built-in Sandbox never took. */
  unsentCopies(sha256: string): DocumentRecord[] {
    return this.s.unsent.all(sha256) as DocumentRecord[];
  }
}

function prepare(db: Db) {
  return {
    pending: db.prepare(
      `SELECT coalesce(sum(n), 0) AS n FROM practice_counts WHERE state NOT IN (${NOT_PENDING_SQL})`,
    ),
    unsent: db.prepare(
      `SELECT * FROM documents WHERE sha256 = ? AND access_point = 'sandbox'
         AND transaction_id IS NULL AND state NOT IN ('sending', ${NOT_PENDING_SQL})
       ORDER BY id LIMIT ${COPIES_MAX}`,
    ),
  };
}
