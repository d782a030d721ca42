import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrate';
import { MIGRATIONS, type Migration } from './migrations';

/** An open engine database. */
export type Db = Database.Database;

/** How to open the engine database. */
export interface OpenDbOptions {
  /** Folder that holds `peppol-desk.sqlite`; created when missing. `':memory:'` for tests. */
  dataDir: string;
  migrations?: readonly Migration[];
}

/**
 * Open (and migrate) the database in WAL mode.
 *
 * `synchronous=FULL`: the queue is an outbox. With NORMAL, a power cut can roll back the last
 * committed transactions; that is harmless for a cache but not for "this document was accepted
 * under key K" — losing that row would re-send with a fresh state. FULL fsyncs the WAL at every
 * commit; the engine commits per batch of transitions, so the cost stays small (see
 * docs/performance.md for the measurement).
 */
export function openDb(options: OpenDbOptions): Db {
  let file = ':memory:';
  if (options.dataDir !== ':memory:') {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    file = join(options.dataDir, 'peppol-desk.sqlite');
  }
  let db: Db | null = null;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Statement journals in memory: an UPDATE of a document (its state_counts trigger, its
    // indexes) keeps the pages it changes until it ends, and past 64 KB a transaction's journal
    // went to a temporary file: about 40 page writes per document on the engine thread, never
    // read back unless a statement fails (docs/performance.md). Nothing durable is in them.
    db.pragma('temp_store = MEMORY');
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (err) {
    db?.close();
    throw unusableDatabase(file, err);
  }
  if (file !== ':memory:') restrictDataDir(options.dataDir);
  return db;
}

/** The engine database cannot be used; the message names the file and what to do. */
export class DatabaseUnusableError extends Error {
  /** DATABASE_DAMAGED (corrupt or not a database) or DATABASE_UNAVAILABLE (cannot be opened). */
  readonly code: 'DATABASE_DAMAGED' | 'DATABASE_UNAVAILABLE';
  constructor(code: DatabaseUnusableError['code'], message: string) {
    super(message);
    this.name = 'DatabaseUnusableError';
    this.code = code;
  }
}

function unusableDatabase(file: string, err: unknown): unknown {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    // A copy aside before anyone (the user, a repair tool) touches it.
    const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    let kept = '';
    try {
      copyFileSync(file, aside);
      kept = ` A copy was kept as ${aside}.`;
    } catch {
      kept = '';
    }
    return new DatabaseUnusableError(
      'DATABASE_DAMAGED',
      `The Peppol Desk database ${file} is damaged and cannot be read.${kept} Restore the file from a backup, or move it out of the folder to start with an empty queue (then drop the invoices that were not sent yet again).`,
    );
  }
  if (
    code === 'SQLITE_CANTOPEN' ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_AUTH' ||
    code.startsWith('SQLITE_IOERR')
  ) {
    return new DatabaseUnusableError(
      'DATABASE_UNAVAILABLE',
      `The Peppol Desk database ${file} cannot be opened for writing. Check that the disk is connected and has free space, and that your user may write to the folder, then start Peppol Desk again.`,
    );
  }
  return err;
}

/**
 * The data folder holds invoices and the API key: only the user may enter it (0700) and read its
 * files (0600), whatever the umask said when they were created.
 */
export function restrictDataDir(dataDir: string): void {
  try {
    chmodSync(dataDir, 0o700);
    for (const name of [
      'peppol-desk.sqlite',
      'peppol-desk.sqlite-wal',
      'peppol-desk.sqlite-shm',
      'peppol-desk.lock',
      'peppol-desk.lock-journal',
      'peppol-desk.lock.pid',
      // A team desk's spool (app/team/spool.ts): files kept while the team database is away.
      'team-spool.sqlite',
      'team-spool.sqlite-wal',
      'team-spool.sqlite-shm',
    ]) {
      const p = join(dataDir, name);
      if (existsSync(p)) chmodSync(p, 0o600);
    }
  } catch {
    // A folder we do not own (shared setups): leave its rights to its owner.
  }
}
