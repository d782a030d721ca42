/** Opening the SQLite team store's file (the store's own connection and each listener's). */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { TeamStoreUnavailableError } from '../store';

/**
 * A new team file is made readable and writable by its owner and group only (walk 19b: 0644, its
 * invoices readable by every account of the computer); the desks of a team may run as other
 * accounts of one group. SQLite gives its -wal and -shm files the same permissions.
 */
function createPrivate(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o660);
  } catch {
    return; // There already, or cannot be made: opening it says what is wrong.
  }
  closeSync(fd);
  chmodSync(file, 0o660); // the umask may have narrowed it to 0640
}

/** The file opened for a desk (WAL, full sync, foreign keys, waiting for other desks' writes). */
export function openFile(file: string, label: string): Database.Database {
  let db: Database.Database | null = null;
  try {
    createPrivate(file);
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
