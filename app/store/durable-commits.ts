/**
 * How a commit of the store reaches the disk: synced at once (FULL), deferred to a group commit
 * whose write-ahead log sync runs off the event loop (`durable`), or not synced at all for steps
 * that are simply done again after a power cut (`txRedoable`). See docs/performance.md.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';
import type { Db } from './db';

/**
 * The commit modes of one connection; DocumentsRepo's `tx`, `durable` and `txRedoable` are these.
 * The lookup and remote-validation caches make their own for `txRedoable` (a lost row is only
 * asked for again).
 */
export class DurableCommits {
  /** The connection's own synchronous level (FULL from openDb), restored after relaxed commits. */
  private readonly syncLevel: number;
  /** The write-ahead log sync running now, and the one queued after it (see `durable`). */
  private syncing: Promise<void> | null = null;
  private syncNext: Promise<void> | null = null;
  /**
   * Runs its argument in one transaction (a savepoint inside another). Made once: better-sqlite3's
   * `db.transaction(fn)` builds four wrapper functions and their properties on every call, which
   * was a few µs per commit on the engine's thread, thousands of commits per 10,000 invoices.
   */
  private readonly inTransaction: (fn: () => unknown) => unknown;

  constructor(private readonly db: Db) {
    this.syncLevel = Number(db.pragma('synchronous', { simple: true }));
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * Run `fn` in one transaction. `'deferred'`: its commit is written but not synced to disk here
   * (the event loop does not wait for the disk); the caller acts on it only once
   * {@link durable} resolves, which makes it exactly as safe as a synced commit.
   */
  tx<T>(fn: () => T, commit: 'synced' | 'deferred' = 'synced'): T {
    if (commit === 'deferred') return this.txRedoable(fn);
    return this.inTransaction(fn) as T;
  }

  /**
   * Resolves once every commit made before the call is on disk at the connection's level (FULL
   * from openDb): the write-ahead log is synced in a thread-pool thread, not on the event loop,
   * and commits made meanwhile share the next sync (group commit). Null when there is nothing to
   * wait for (in-memory databases, relaxed levels): the caller goes on at once.
   */
  durable(): Promise<void> | null {
    if (this.syncLevel < 2 || this.db.memory) return null;
    if (this.syncing === null) {
      const run = syncFile(`${this.db.name}-wal`).finally(() => {
        if (this.syncing === run) this.syncing = null;
      });
      this.syncing = run;
      return run;
    }
    // A sync is running, and may have started before this commit: the next one carries it.
    this.syncNext ??= this.syncing
      .catch(() => undefined)
      .then(() => {
        this.syncNext = null;
        return this.durable() ?? undefined;
      });
    return this.syncNext;
  }

  /**
   * Run `fn` in one transaction whose commit is not synced to disk (synchronous=NORMAL for this
   * commit only), for steps a power cut may undo because they are simply done again: claims and
   * results of validation and receiver lookup (a document found in `validating` or `resolving` at
   * start goes back one step; verdicts and lookups are deterministic or cached). In WAL mode the
   * log is written in order and the next ordinary (FULL) commit syncs these frames along, so what
   * a synced commit depends on is never lost while it survives: the claim that sends a document
   * (and everything before it) is synced before the request leaves. See docs/performance.md.
   */
  txRedoable<T>(fn: () => T): T {
    // Inside another transaction the outer commit decides (and the pragma cannot change there).
    if (this.db.inTransaction) return this.inTransaction(fn) as T;
    // A pragma takes effect when prepared, so it cannot be a prepared statement run again.
    this.db.pragma(`synchronous = ${Math.min(this.syncLevel, 1)}`);
    try {
      return this.inTransaction(fn) as T;
    } finally {
      this.db.pragma(`synchronous = ${this.syncLevel}`);
    }
  }
}

/**
 * fdatasync a file off the event loop; a file that does not exist has nothing to sync. Only the
 * sync goes to the thread pool: opening and closing the file are quick system calls made here.
 * Each step sent to the thread pool also waits for a turn of the event loop to be told it is
 * done, and while `send` reads and adds files a turn can take tens of ms; the claims of the
 * first requests waited for three of them (issue 9 point 2).
 */
function syncFile(path: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    fdatasync(fd, (err) => {
      try {
        closeSync(fd);
      } catch {
        // The sync's own outcome is what counts; a descriptor that cannot be closed is gone.
      }
      if (err) reject(err);
      else resolve();
    });
  });
}
