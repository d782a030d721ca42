/**
 * Write-ahead log checkpoints off the engine thread (issue 9, enqueue speed).
 *
 * SQLite copies the log back into the database file (a checkpoint) from the connection that
 * commits, once the log passes 1,000 pages: with a large drop that was every other slice of
 * `documents:add`, each time writing megabytes and syncing two files on the event loop — more
 * than half of the time spent adding. Here the engine's connection does not checkpoint
 * (`wal_autocheckpoint = 0`); a worker thread with a connection of its own runs a PASSIVE
 * checkpoint (never in a writer's way) when SQLite would have — 1,000 pages of log not yet copied
 * back, read from the wal-index every 250 ms — and the engine thread only sends it a message.
 *
 * Durability is SQLite's own: a checkpoint syncs the log before copying it and the database file
 * before the log may be reused (the worker's connection is synchronous=FULL), whichever
 * connection runs it. Should the worker not start or die, the engine's connection checkpoints
 * itself again as before (`fallback`).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Db } from './db';

/** Pages of log after which a checkpoint is asked for: SQLite's own default. */
const CHECKPOINT_PAGES = 1000;
/** SQLite's default page size (the engine's databases use it). */
const PAGE_BYTES = 4096;
/** How often the log is looked at while the engine runs (48 bytes read, no SQL). */
const LOOK_EVERY_MS = 250;
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
    // A last checkpoint here, off the engine's thread: the engine's connection closes after this
    // one and would otherwise copy the whole log back and delete it itself (see
    // Checkpointer.close). TRUNCATE also empties the log file; without waiting for anyone (busy
    // timeout 0) it is at worst a PASSIVE one.
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // The engine's own close checkpoints what is left.
    }
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
  /** The wal-index file (`-shm`), read for the log's frame counts; null until opened. */
  private shm: number | null = null;
  private readonly header = Buffer.alloc(100);
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
   * Frames in the log and frames of it not yet copied back into the database, read from the
   * wal-index header (`mxFrame` at byte 16, the checkpoint's `nBackfill` at byte 96, native byte
   * order: SQLite's documented WAL-index format); null when it cannot be read.
   */
  frames(): { inLog: number; pending: number } | null {
    try {
      this.shm ??= openSync(`${this.db.name}-shm`, 'r');
      if (readSync(this.shm, this.header, 0, 100, 0) < 100) return null;
    } catch {
      return null;
    }
    const le = endianness() === 'LE';
    const inLog = le ? this.header.readUInt32LE(16) : this.header.readUInt32BE(16);
    const backfilled = le ? this.header.readUInt32LE(96) : this.header.readUInt32BE(96);
    return { inLog, pending: Math.max(0, inLog - backfilled) };
  }

  /**
   * Ask for a checkpoint when {@link CHECKPOINT_PAGES} frames of the log are not yet copied back:
   * the moment SQLite's own automatic checkpoint would have run on the engine thread.
   */
  nudge(): void {
    if (this.worker === null || this.running || this.timer === null) return;
    if ((this.frames()?.pending ?? CHECKPOINT_PAGES) < CHECKPOINT_PAGES) return;
    this.request();
  }

  /**
   * When the log is longer than {@link WAL_BACKLOG_BYTES} (or the size given to `start`): a
   * promise that resolves once a checkpoint asked for after this call copied all of it back (or
   * the worker is gone); null otherwise.
   */
  backlog(): Promise<void> | null {
    if (this.worker === null || this.timer === null) return null;
    // The log's length, not what is left to copy: checkpoints keep up with the slices, but the
    // log is reused from its start only after a complete one with no write in between.
    const frames = this.frames();
    if (frames === null || frames.inLog * PAGE_BYTES <= this.backlogBytes) return null;
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

  /**
   * Stop the worker, after it has copied the log back one last time. Called before the engine's
   * connection closes: that close (the last connection) checkpoints what the log still holds on
   * the engine's thread, and after this only what was written since (nothing, at the end of
   * `send`) — the copy and its two syncs run here, meanwhile the engine closes its other parts.
   */
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
    if (this.shm !== null) closeSync(this.shm);
    this.shm = null;
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
