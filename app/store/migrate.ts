import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Migration } from './migrations';

/** Raised when the database does not match the migrations this build knows. */
export class MigrationError extends Error {
  constructor(
    readonly code: 'MIGRATION_UNKNOWN' | 'MIGRATION_EDITED' | 'MIGRATION_BROKE_KEYS',
    message: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** sha256 of a migration's SQL, recorded when it is applied. */
export function migrationHash(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * Apply every pending migration, each in its own transaction, recording its hash. Start-up stops
 * with a named error when the database has a migration this build does not know (a newer app
 * wrote it) or when an applied migration was edited afterwards.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = db
    .prepare('SELECT id, name, sha256 FROM schema_migrations ORDER BY id')
    .all() as { id: number; name: string; sha256: string }[];
  const known = new Map(migrations.map((m) => [m.id, m]));
  for (const row of applied) {
    const m = known.get(row.id);
    if (!m) {
      throw new MigrationError(
        'MIGRATION_UNKNOWN',
        `The data folder was written by a newer Peppol Desk (migration ${row.name}). Update the app.`,
      );
    }
    if (migrationHash(m.sql) !== row.sha256) {
      throw new MigrationError(
        'MIGRATION_EDITED',
        `Migration ${m.name} was changed after it was applied; refusing to start.`,
      );
    }
  }
  const done = new Set(applied.map((r) => r.id));
  const record = db.prepare(
    'INSERT INTO schema_migrations (id, name, sha256, applied_at) VALUES (?, ?, ?, ?)',
  );
  const newlyApplied: number[] = [];
  const pending = [...migrations].sort((a, b) => a.id - b.id).filter((m) => !done.has(m.id));
  if (pending.length === 0) return newlyApplied;
  // Foreign keys off while migrating (it cannot change inside a transaction): a table rebuild
  // (006) drops the old table, which with foreign keys on would cascade-delete every body and
  // event. Each migration checks the keys itself before it commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  // In WAL mode each migration commits without a sync of its own (a fresh data folder paid one
  // per migration before `send`'s first request): a lost commit takes every later one with it,
  // so a power cut can only leave the schema some migrations back — applied again at the next
  // start — and the first synced commit after them (nothing is stored before it) syncs them all.
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  if (db.pragma('journal_mode', { simple: true }) === 'wal') db.pragma('synchronous = NORMAL');
  try {
    for (const m of pending) {
      db.transaction(() => {
        db.exec(m.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) {
          throw new MigrationError(
            'MIGRATION_BROKE_KEYS',
            `Migration ${m.name} left ${broken.length} broken reference(s); refusing to start.`,
          );
        }
        record.run(m.id, m.name, migrationHash(m.sql), Date.now());
      })();
      newlyApplied.push(m.id);
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    db.pragma(`synchronous = ${synchronous}`);
  }
  return newlyApplied;
}
