import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
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
    mkdirSync(options.dataDir, { recursive: true });
    file = join(options.dataDir, 'peppol-desk.sqlite');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, options.migrations ?? MIGRATIONS);
  return db;
}
