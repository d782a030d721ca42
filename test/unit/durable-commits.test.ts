// DurableCommits runs every commit through one transaction function made when it is created
// (better-sqlite3 builds four wrappers per `db.transaction` call), with the same meaning: one
// transaction, a savepoint inside another, everything rolled back when the work throws.
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../app/store/db';
import { DurableCommits } from '../../app/store/durable-commits';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

let db: Db | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

describe('DurableCommits', () => {
  it('makes no new transaction function per commit, and commits and rolls back as before', () => {
    db = openDb({ dataDir: ':memory:' });
    db.exec('CREATE TABLE t (n INTEGER)');
    const commits = new DurableCommits(db);
    const made = vi.spyOn(db, 'transaction');
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    const count = () => db!.prepare('SELECT COUNT(*) FROM t').pluck().get() as number;
    for (let i = 0; i < 20; i++) {
      commits.tx(() => insert.run(i));
      commits.tx(() => insert.run(i), 'deferred');
      commits.txRedoable(() => insert.run(i));
    }
    expect(count()).toBe(60);
    expect(made).not.toHaveBeenCalled();
    // Inside another transaction: a savepoint, undone with the outer one.
    expect(() =>
      commits.tx(() => {
        insert.run(100);
        commits.txRedoable(() => insert.run(101));
        expect(db!.inTransaction).toBe(true);
        throw new Error('undo');
      }),
    ).toThrow('undo');
    expect(count()).toBe(60);
    // The value of the work is returned.
    expect(commits.tx(() => count())).toBe(60);
    expect(db.inTransaction).toBe(false);
  });

  // Open files are counted in /proc (Linux: this machine and CI).
  it.skipIf(process.platform !== 'linux')(
    'syncs the log of commits made before it, and leaves no file open behind',
    async () => {
      db = openDb({ dataDir: tempDir() });
      db.exec('CREATE TABLE t (n INTEGER)');
      const commits = new DurableCommits(db);
      const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
      const openFiles = () => readdirSync('/proc/self/fd').length;
      const before = openFiles();
      // Many at once share syncs (group commit); each resolves once its commit is on disk.
      const waits: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        commits.tx(() => insert.run(i), 'deferred');
        const wait = commits.durable();
        expect(wait).not.toBeNull();
        waits.push(wait!);
      }
      await Promise.all(waits);
      expect(openFiles()).toBe(before);
      // In memory there is nothing to sync: nothing to wait for.
      const memory = openDb({ dataDir: ':memory:' });
      expect(new DurableCommits(memory).durable()).toBeNull();
      memory.close();
    },
  );
});
