/**
 * The desk's local spool: while the team database cannot be reached, files dropped on this desk
 * and send outcomes it could not write are kept here (one small SQLite file in the data folder)
 * and handed over when the database is back. Rows leave the spool once handed over, so it stays
 * as small as what is waiting.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { LIMIT_PARAM } from '../store/document-record';
import { restrictDataDir } from '../store/db';
import type { ClaimRef, TeamOutcome } from './store';

/** The spool's file name in the data folder. */
export const SPOOL_FILE = 'team-spool.sqlite';

/** How long the spool remembers which document a handed-over file became. */
const HANDED_KEPT_MS = 7 * 24 * 3600_000;

/** A file kept while the database was down; `id` is its spool number (shown as `-id`). */
export interface SpooledFile {
  id: number;
  name: string;
  bytes: Uint8Array;
  /** How long ago it was dropped here and kept (ms, this computer's clock). */
  keptMs: number;
}

/** An outcome that could not be written: applied under its fence when the database is back. */
export interface SpooledOutcome {
  claim: ClaimRef;
  outcome: TeamOutcome;
}

/** The spool of one data folder (see the file comment). */
export class TeamSpool {
  private readonly db: Database.Database;
  /**
   * Files kept, counted once at the first {@link counts} and kept up to date by this object (the
   * data folder's lock makes it the spool's only writer): a status read while the database is
   * away costs the same whether 10 or 100,000 files were kept meanwhile.
   */
  private fileCount: number | null = null;

  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, SPOOL_FILE));
    // Its files hold invoices: the user's only, as the data folder's own (walk 10: 0644). SQLite
    // gives the log files the rights of the database file.
    restrictDataDir(dataDir);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS spool_files (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, body BLOB NOT NULL,
        added_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS spool_outcomes (
        doc_id INTEGER NOT NULL, fence INTEGER NOT NULL, outcome_json TEXT NOT NULL,
        PRIMARY KEY (doc_id, fence));
      CREATE TABLE IF NOT EXISTS spool_handed (
        spool_id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL, handed_at INTEGER NOT NULL);`);
  }

  /** Keep a file; returns its spool number. */
  addFile(name: string, bytes: Uint8Array): number {
    const r = this.db
      .prepare('INSERT INTO spool_files (name, body, added_at) VALUES (?, ?, ?)')
      .run(name, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), Date.now());
    if (this.fileCount !== null) this.fileCount += r.changes;
    return Number(r.lastInsertRowid);
  }

  /** The oldest kept files, at most `limit`. */
  files(limit: number): SpooledFile[] {
    const rows = this.db
      .prepare(`SELECT id, name, body, added_at FROM spool_files ORDER BY id ${LIMIT_PARAM}`)
      .all(limit) as { id: number; name: string; body: Buffer; added_at: number }[];
    const now = Date.now();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      bytes: new Uint8Array(r.body),
      keptMs: Math.max(0, now - r.added_at),
    }));
  }

  /** These files are on the team's queue now (as documents `docIds`, same order) or refused. */
  handedOver(files: readonly { spoolId: number; docId: number | null }[]): void {
    const del = this.db.prepare('DELETE FROM spool_files WHERE id = ?');
    const map = this.db.prepare(
      'INSERT OR REPLACE INTO spool_handed (spool_id, doc_id, handed_at) VALUES (?, ?, ?)',
    );
    const now = Date.now();
    let removed = 0;
    this.db.transaction(() => {
      for (const f of files) {
        removed += del.run(f.spoolId).changes;
        if (f.docId !== null) map.run(f.spoolId, f.docId, now);
      }
      // Which document a kept file became matters to the run that kept it: a week is plenty.
      this.db.prepare('DELETE FROM spool_handed WHERE handed_at < ?').run(now - HANDED_KEPT_MS);
    })();
    // Counted once the transaction committed (a failed one removed nothing).
    if (this.fileCount !== null) this.fileCount -= removed;
  }

  /** The team document a handed-over spooled file became (null: still kept, or refused). */
  handedAs(spoolId: number): number | null {
    const r = this.db
      .prepare('SELECT doc_id FROM spool_handed WHERE spool_id = ?')
      .pluck()
      .get(spoolId);
    return typeof r === 'number' ? r : null;
  }

  /** The name of this spooled file while it waits for the database, else null. */
  keptName(spoolId: number): string | null {
    const r = this.db.prepare('SELECT name FROM spool_files WHERE id = ?').pluck().get(spoolId);
    return typeof r === 'string' ? r : null;
  }

  /** Keep an outcome that could not be written, and when its answer came (`answeredAt`, ms). */
  addOutcome(claim: ClaimRef, outcome: TeamOutcome, answeredAt: number = Date.now()): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO spool_outcomes (doc_id, fence, outcome_json) VALUES (?, ?, ?)',
      )
      .run(claim.id, claim.fence, JSON.stringify({ ...outcome, answeredAt }));
  }

  /** Every outcome kept (few: at most the sends that were in flight). */
  outcomes(): SpooledOutcome[] {
    const rows = this.db
      .prepare('SELECT doc_id, fence, outcome_json FROM spool_outcomes ORDER BY doc_id')
      .all() as { doc_id: number; fence: number; outcome_json: string }[];
    const now = Date.now();
    return rows.map((r) => {
      const { answeredAt, ...outcome } = JSON.parse(r.outcome_json) as TeamOutcome & {
        answeredAt?: number;
      };
      // An acceptance is dated when its answer came, however long it waited here.
      if (outcome.kind === 'accepted' && answeredAt !== undefined)
        outcome.answeredMsAgo = Math.max(0, now - answeredAt);
      return { claim: { id: r.doc_id, fence: r.fence }, outcome: outcome as TeamOutcome };
    });
  }

  /** This outcome was applied (or dropped because its fence moved). */
  outcomeDone(claim: ClaimRef): void {
    this.db
      .prepare('DELETE FROM spool_outcomes WHERE doc_id = ? AND fence = ?')
      .run(claim.id, claim.fence);
  }

  /**
   * The team id of `id`: itself when ≥ 0; for a spooled file (negative), the document it became,
   * `'kept'` while it waits in the spool, or null when it is unknown.
   */
  teamIdOf(id: number): number | 'kept' | null {
    if (id >= 0) return id;
    const handed = this.handedAs(-id);
    if (handed !== null) return handed;
    return this.keptName(-id) !== null ? 'kept' : null;
  }

  /** What waits: files and outcomes (outcomes are few: at most the sends that were in flight). */
  counts(): { files: number; outcomes: number } {
    const files = (this.fileCount ??= this.db
      .prepare('SELECT count(*) FROM spool_files')
      .pluck()
      .get() as number);
    const outcomes = this.db.prepare('SELECT count(*) FROM spool_outcomes').pluck().get() as number;
    return { files, outcomes };
  }

  close(): void {
    this.db.close();
  }
}
