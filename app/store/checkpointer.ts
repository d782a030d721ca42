/**
 * Write-ahead log checkpoints off the engine thread (issue 9, enqueue speed).
 *
 * SQLite copies the log back into the database file (a checkpoint) from the connection that
 * commits, once the log passes 1,000 pages: with a large drop that was every other slice of
 * `documents:add`, each time writing megabytes and syncing two files on the event loop — more
 * than half of the time spent adding. Here the engine's connection does not checkpoint
 * (`wal_autocheckpoint = 0`); a worker thread with a connection of its own runs a PASSIVE
 * checkpoint (never in a writer's way) whenever the log has grown since the last one, and the
 * engine thread only sends it a message.
 *
 * Durability is SQLite's own: a checkpoint syncs the log before copying it and the database file
 * before the log may be reused (the worker's connection is synchronous=FULL), whichever
 * connection runs it. Should the worker not start or die, the engine's connection checkpoints
 * itself again as before (`fallback`).
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Db } from './db';

/** Pages of log (4 KB each) after which a checkpoint is asked for: SQLite's own default. */
const CHECKPOINT_PAGES = 1000;
/** How often the log's size is looked at while the engine runs (a stat, no SQL). */
const LOOK_EVERY_MS = 250;
/** Smaller writes are checkpointed at most this often. */
const SMALL_WRITES_MS = 2000;
/**
 * The log is cut back to this size when it is reused after a complete checkpoint: a drop of
 * 100,000 invoices may grow it to hundreds of MB while checkpoints catch up.
 */
export const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
/**
 * Past this size of log, `documents:add` waits (without blocking the event loop) for the worker
 * to copy all of it back: while slices keep coming, each checkpoint ends with newer frames in the
 * log, so the log could only grow; after a complete one the next write reuses it from its start.
 */
export const WAL_BACKLOG_BYTES = 256 * 1024 * 1024;

// Plain CommonJS, evaluated as the worker's script: nothing to bundle or unpack.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
parentPort.on('message', (mode) => {
  if (mode === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ done: db.pragma('wal_checkpoint(' + mode + ')')[0] });
  } catch (err) {
    parentPort.postMessage({ failed: String((err && err.message) || err) });
  }
});
parentPort.postMessage({ ready: true });
`;

/** Where the worker loads better-sqlite3 from (the same copy as the engine), or null. */
function sqlitePath(): string | null {
  try {
    return require.resolve('better-sqlite3');
  } catch {
    return null;
  }
}

/** Checkpoints of one database file, run by a worker thread (see the file's comment). */
export class Checkpointer {
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Size and modification time of the log file, and the time, when a checkpoint was last asked for. */
  private lastSize = 0;
  private lastWritten = 0;
  private lastAsked = 0;
  /** Number of the last checkpoint asked for, and who waits for a complete one after theirs. */
  private asked = 0;
  private waiters: { after: number; resolve: () => void }[] = [];
  /** Checkpoints done by the worker, and the last one's result (for tests). */
  checkpoints = 0;
  last: { busy: number; log: number; checkpointed: number } | null = null;

  private constructor(
    private readonly db: Db,
    private readonly log: (message: string) => void,
    private readonly backlogBytes: number,
  ) {}

  /** The worker has its connection and checkpoints instead of the engine's connection. */
  get active(): boolean {
    return this.timer !== null;
  }

  /**
   * Start checkpointing `db` from a worker thread; null for an in-memory database (or when
   * better-sqlite3 cannot be found), which keeps checkpointing itself.
   */
  static start(
    db: Db,
    log: (message: string) => void = () => {},
    backlogBytes = WAL_BACKLOG_BYTES,
  ): Checkpointer | null {
    const sqlite = sqlitePath();
    if (db.memory || sqlite === null) return null;
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    const c = new Checkpointer(db, log, backlogBytes);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, file: db.name } });
    c.worker = worker;
    worker.on('message', (msg: { ready?: true; done?: Checkpointer['last']; failed?: string }) => {
      if (msg.ready) {
        // Only now: until the worker has its connection, the engine's keeps checkpointing.
        db.pragma('wal_autocheckpoint = 0');
        c.timer = setInterval(() => c.nudge(), LOOK_EVERY_MS);
        c.timer.unref();
        return;
      }
      c.running = false;
      if (msg.done) {
        c.checkpoints++;
        c.last = msg.done;
        if (msg.done.log === msg.done.checkpointed) c.release(c.asked);
      } else c.log(`Checkpoint in the background failed (${msg.failed}); will try again.`);
      // Someone waits for the log to be copied back: go on at once, not at the next look.
      if (c.waiters.length > 0) c.request();
    });
    worker.on('error', (err) => c.fallback(`it stopped (${err.message})`));
    worker.on('exit', () => c.fallback('it exited'));
    worker.unref();
    return c;
  }

  /**
   * Ask for a checkpoint when the log was written since the last one and either grew by
   * {@link CHECKPOINT_PAGES} pages or {@link SMALL_WRITES_MS} passed (a few small commits do not
   * cost two syncs each time).
   */
  nudge(now: number = Date.now()): void {
    if (this.worker === null || this.running || this.timer === null) return;
    let size = 0;
    let written = 0;
    try {
      const st = statSync(`${this.db.name}-wal`);
      size = st.size;
      written = st.mtimeMs;
    } catch {
      return; // no log file: nothing to copy back
    }
    if (written === this.lastWritten && size === this.lastSize) return;
    // The file keeps its size when the log is reused from its start: then only time tells.
    const grew = size - this.lastSize >= CHECKPOINT_PAGES * 4096;
    if (!grew && now - this.lastAsked < SMALL_WRITES_MS) return;
    this.lastSize = size;
    this.lastWritten = written;
    this.lastAsked = now;
    this.request();
  }

  /**
   * When the log is past {@link WAL_BACKLOG_BYTES} (or the size given to `start`): a promise that resolves once a checkpoint
   * asked for after this call copied all of it back (or the worker is gone); null otherwise.
   */
  backlog(): Promise<void> | null {
    if (this.worker === null || this.timer === null) return null;
    try {
      if (statSync(`${this.db.name}-wal`).size <= this.backlogBytes) return null;
    } catch {
      return null;
    }
    const after = this.asked;
    const waiting = new Promise<void>((resolve) => this.waiters.push({ after, resolve }));
    if (!this.running) this.request();
    return waiting;
  }

  private request(): void {
    if (this.worker === null || this.running) return;
    this.running = true;
    this.asked++;
    this.worker.postMessage('PASSIVE');
  }

  /** Resolve who waited for a complete checkpoint asked for after theirs (`upTo` or earlier). */
  private release(upTo: number): void {
    const done = this.waiters.filter((w) => w.after < upTo);
    this.waiters = this.waiters.filter((w) => w.after >= upTo);
    for (const w of done) w.resolve();
  }

  /** Stop the worker (before the engine's connection closes, which checkpoints one last time). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.stopTimer();
    this.worker = null;
    this.release(Infinity);
    if (worker === null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref(); // until it has closed its connection: the engine's close comes after
    worker.postMessage('close');
    await exited;
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The worker is gone: the engine's connection checkpoints itself again. */
  private fallback(why: string): void {
    if (this.worker === null) return; // closed on purpose
    this.worker = null;
    this.stopTimer();
    this.running = false;
    this.release(Infinity);
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    this.log(`Checkpoints run on the main thread again: the background worker ${why}.`);
  }
}
