// The settings repository remembers what it read (some settings are read for every document) and
// never serves a value the database no longer holds.
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../app/store/db';
import { SettingsRepo } from '../../app/store/settings-repo';

let db: Db | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

describe('SettingsRepo', () => {
  it('reads a key from the database once until it writes that key again', () => {
    db = openDb({ dataDir: ':memory:' });
    const repo = new SettingsRepo(db);
    const rows = () => db!.prepare('SELECT COUNT(*) FROM settings').pluck().get() as number;
    expect(repo.get('maxDocumentBytes', 7)).toBe(7);
    repo.set('maxDocumentBytes', 2048);
    expect(rows()).toBe(1);
    expect(repo.get('maxDocumentBytes', 7)).toBe(2048);
    // Remembered: a row changed behind its back (no code does this) is not read again.
    db.prepare("UPDATE settings SET value = '4096' WHERE key = 'maxDocumentBytes'").run();
    expect(repo.get('maxDocumentBytes', 7)).toBe(2048);
    // Its own write is read back, and a deleted key reads as the fallback.
    repo.set('maxDocumentBytes', 8192);
    expect(repo.get('maxDocumentBytes', 7)).toBe(8192);
    repo.set('maxDocumentBytes', undefined);
    expect(repo.get('maxDocumentBytes', 7)).toBe(7);
    expect(rows()).toBe(0);
  });

  it('does not remember a value written in a transaction that was rolled back', () => {
    db = openDb({ dataDir: ':memory:' });
    const repo = new SettingsRepo(db);
    repo.set('batching', true);
    expect(repo.get('batching', false)).toBe(true);
    expect(() =>
      db!.transaction(() => {
        repo.set('batching', false);
        expect(repo.get('batching', true)).toBe(false);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(repo.get('batching', false)).toBe(true);
  });
});
