import type { Db } from './db';

/** Key/value settings persisted in SQLite (never the API key: that lives in a SecretStore). */
export class SettingsRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.setStmt = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.delStmt = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The stored JSON value of `key`, or `fallback`. */
  get<T>(key: string, fallback: T): T {
    const raw = this.getStmt.get(key) as string | undefined;
    if (raw === undefined) return fallback;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return fallback;
    }
  }

  /** Store `value` as JSON; `undefined` deletes the key. */
  set(key: string, value: unknown): void {
    if (value === undefined) this.delStmt.run(key);
    else this.setStmt.run(key, JSON.stringify(value));
  }
}
