/** Opening the SQLite team store's file (the store's own connection and each listener's). */
import Database from 'better-sqlite3';
import { TeamStoreUnavailableError } from '../store';

/** The file opened for a desk (WAL, full sync, foreign keys, waiting for other desks' writes). */
export function openFile(file: string, label: string): Database.Database {
  let db: Database.Database | null = null;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Other desks' transactions are short: wait for them rather than fail.
    db.pragma('busy_timeout = 10000');
    return db;
  } catch (err) {
    db?.close();
    const code = String((err as { code?: unknown }).code ?? '');
    if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM')
      throw new TeamStoreUnavailableError(label, 'the file cannot be opened');
    throw err;
  }
}
