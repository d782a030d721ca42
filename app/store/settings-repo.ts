import type { Db } from './db';

/**
 * Key/value settings persisted in SQLite (never the API key: that lives in a SecretStore). Values
 * read are remembered until this repository writes the key again: settings are written only
 * through it (one per database), and some are read for every document (the largest file size,
 * for each check), which was one statement per invoice on the engine's thread.
 */
export class SettingsRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;
  /** Raw stored JSON by key (undefined: no row), as last read outside a transaction. */
  private readonly read = new Map<string, string | undefined>();

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.setStmt = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.delStmt = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The stored JSON value of `key`, or `fallback`. */
  get<T>(key: string, fallback: T): T {
    const raw = this.stored(key);
    if (raw === undefined) return fallback;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return fallback;
    }
  }

  /** Store `value` as JSON; `undefined` deletes the key. */
  set(key: string, value: unknown): void {
    this.read.delete(key);
    if (value === undefined) this.delStmt.run(key);
    else this.setStmt.run(key, JSON.stringify(value));
  }

  private stored(key: string): string | undefined {
    if (this.read.has(key)) return this.read.get(key);
    const raw = this.getStmt.get(key) as string | undefined;
    // Inside a transaction a write may still be rolled back: read, but do not remember.
    if (!this.db.inTransaction) this.read.set(key, raw);
    return raw;
  }
}
