/**
 * The bytes of added documents, kept in append-only files beside the database (issue 9 point 4).
 *
 * Why not in SQLite: a body stored in a table is written twice, into the write-ahead log and again
 * into the database at the checkpoint, and a month-end drop is some 700 MB of invoices. Here each
 * body is written once, appended to a file of this folder (`bodies/000001.bodies`, …); the
 * document's row says where (`documents.body_file`, `body_offset`; its `size` is the length).
 *
 * Durability: {@link BodyFiles.sync} flushes what was appended (fdatasync, in a thread-pool thread)
 * and the folder's entry for a new file. `documents:add` commits the rows only after their bodies
 * are synced, so no row on disk can point at bytes that a power cut took away. Bytes appended
 * without a row after them (a crash before the commit, a file found known meanwhile) are never
 * read; they stay as unused space.
 *
 * One writer per file: a BodyFiles opens a new file (the next number, created exclusively) the
 * first time it appends, and another when that one is full, so two engines, or a tool and the
 * app, never append to one file. The engine that holds the data folder (data-dir-lock.ts: one at
 * a time) goes on appending to the file the previous holder last created, named in
 * `bodies/current`, until it is full: a folder used by a `peppol-desk send` per invoice keeps one
 * file, not one per run. Only holders write `current`, and only naming a file a holder created,
 * so a tool appending without the lock (its own new files) is never appended to by another.
 * Reading is by position and needs no lock.
 */
import {
  closeSync,
  fdatasync,
  fstatSync,
  fsync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import { writev } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors';
import { promisify } from 'node:util';

const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);
const writevAsync = promisify(writev);

/** Where a body is: its file's number and its first byte in it (the length is the row's size). */
export interface BodyRef {
  file: number;
  offset: number;
}

/** A file takes no more appends past this size (bytes); the next one is opened. */
export const BODY_FILE_MAX_BYTES = 1 << 30;

/** Files kept open for reading at most. */
const OPEN_READERS = 32;

/** Bodies written per system call (a slice of the caller's list). */
const WRITE_SLICE = 256;

const NAME = /^(\d{6,})\.bodies$/;

/** In the bodies folder: the number of the file the folder's holder appends to. */
export const CURRENT_FILE = 'current';

/** The file name of body file `n`. */
export function bodyFileName(n: number): string {
  return `${String(n).padStart(6, '0')}.bodies`;
}

/** The problem code of a document whose kept copy is gone (see {@link BodyUnreadableError}). */
export const BODY_LOST = 'BODY_UNREADABLE';

/**
 * A document's stored copy is gone or cut short (the data folder changed by hand, a partial
 * restore from a backup, a security tool that removed a file). Said per document: the document
 * fails with this message and nothing else stops.
 */
export class BodyUnreadableError extends AppError {
  /** What happened to the copy, in words ("is missing (…)"). */
  constructor(readonly what: string) {
    super(BODY_LOST, lostCopyWords(what));
    this.name = 'BodyUnreadableError';
  }
}

/**
 * What a document whose kept copy is gone says (`what` happened to it). `reachedMaybe`: its last
 * send may have been accepted unanswered, so adding the file again could send it twice.
 */
export function lostCopyWords(what: string, reachedMaybe = false): string {
  const start = `The copy of this invoice that Peppol Desk keeps ${what}`;
  return reachedMaybe
    ? `${start}, so it cannot be sent again. Its last send may already have reached the access point: ask your provider whether it arrived before you add the invoice file again.`
    : `${start}, so it cannot be checked or sent. Add the invoice file again.`;
}

interface Writer {
  file: number;
  fd: number;
  /** Bytes appended (written or being written). */
  size: number;
  /** Writes not ended yet: the file is not closed before they end. */
  writes: Set<Promise<void>>;
}

/** See the file comment. */
export class BodyFiles {
  private writer: Writer | null = null;
  /** Every file open for appending: the current one, and full ones until they are synced. */
  private readonly writers = new Set<Writer>();
  /** Writers appended to since the last sync. */
  private readonly unsynced = new Set<Writer>();
  /** Syncs running: files are closed only when none is. */
  private syncing = 0;
  /** A file was created since the last sync: the folder's entry is synced too. */
  private folderUnsynced = false;
  /** Files open for reading, the most recently read kept (a long-lived folder has many files). */
  private readonly readers = new LRUCache<number, number>({
    max: OPEN_READERS,
    dispose: (fd) => closeSync(fd),
  });
  private closed = false;

  constructor(
    private readonly dir: string,
    /** A file takes no more appends past this size (tests make it small). */
    private readonly maxFileBytes = BODY_FILE_MAX_BYTES,
    /** This process holds the data folder: it may go on with the holders' current file. */
    private readonly holdsFolder = false,
  ) {}

  /**
   * Append `bodies` in order and say where each is. The bytes are written by the thread pool (the
   * engine's thread goes on hashing the next files meanwhile); they are on disk once a
   * {@link sync} called after this resolves.
   */
  append(bodies: readonly Uint8Array[]): BodyRef[] {
    if (this.closed) throw new Error('BodyFiles is closed');
    const refs: BodyRef[] = [];
    for (let i = 0; i < bodies.length; i += WRITE_SLICE) {
      const slice = bodies.slice(i, i + WRITE_SLICE);
      const bytes = slice.reduce((n, b) => n + b.byteLength, 0);
      const w = this.writerFor(bytes);
      let offset = w.size;
      for (const b of slice) {
        refs.push({ file: w.file, offset });
        offset += b.byteLength;
      }
      // The place is taken now; the write may end after a later one (distinct places).
      const write = writeAll(w.fd, slice, w.size, bytes);
      w.size += bytes;
      w.writes.add(write);
      this.unsynced.add(w);
      // Its error is the next sync's to report; the file is closed only after it ended.
      write.then(
        () => this.wrote(w, write),
        () => this.wrote(w, write),
      );
    }
    return refs;
  }

  /**
   * Resolves once everything appended before the call is on disk (and a new file's entry in the
   * folder); rejects when a write or the sync failed. Null when nothing was appended since the
   * last sync.
   */
  sync(): Promise<void> | null {
    if (this.unsynced.size === 0 && !this.folderUnsynced) return null;
    const writers = [...this.unsynced];
    const writes = writers.flatMap((w) => [...w.writes]);
    this.unsynced.clear();
    const folder = this.folderUnsynced;
    this.folderUnsynced = false;
    this.syncing++;
    return (async () => {
      try {
        await Promise.all(writes);
        await Promise.all(writers.map((w) => fdatasyncAsync(w.fd)));
        if (folder) await syncFolder(this.dir);
      } catch (err) {
        // Not known to be on disk: the next sync tries again (the caller fails its call).
        for (const w of writers) this.unsynced.add(w);
        this.folderUnsynced ||= folder;
        throw err;
      } finally {
        this.syncing--;
        this.closeWriters();
      }
    })();
  }

  /** The `length` bytes at `ref`. */
  read(ref: BodyRef, length: number): Buffer {
    let fd = this.readers.get(ref.file);
    if (fd === undefined) {
      const file = bodyFileName(ref.file);
      try {
        fd = openSync(join(this.dir, file), 'r');
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') throw err;
        throw new BodyUnreadableError(`is missing (bodies/${file} is not in the data folder)`);
      }
      this.readers.set(ref.file, fd);
    }
    const out = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, out, got, length - got, ref.offset + got);
      if (n === 0) {
        const where = `bodies/${bodyFileName(ref.file)}, ${got} of ${length} bytes at ${ref.offset}`;
        throw new BodyUnreadableError(`is incomplete (${where})`);
      }
      got += n;
    }
    return out;
  }

  /**
   * Close every file; appends not synced yet are left to the operating system. A sync running
   * now closes its files when it ends.
   */
  close(): void {
    this.closed = true;
    this.writer = null;
    this.readers.clear();
    this.closeWriters();
  }

  /** A write to `w` ended (well or not). */
  private wrote(w: Writer, write: Promise<void>): void {
    w.writes.delete(write);
    this.closeWriters();
  }

  /**
   * Close the files no longer appended to, with no write running and not waiting for a sync (once
   * closed, every file as soon as its writes ended).
   */
  private closeWriters(): void {
    if (this.syncing > 0) return;
    for (const w of this.writers) {
      if (w.writes.size > 0) continue;
      if (!this.closed && (w === this.writer || this.unsynced.has(w))) continue;
      closeSync(w.fd);
      this.writers.delete(w);
    }
    if (this.closed) this.unsynced.clear();
  }

  /** The file to append `bytes` to: the current one, or a new one when it is full (or none yet). */
  private writerFor(bytes: number): Writer {
    const w = this.writer;
    if (w && (w.size === 0 || w.size + bytes <= this.maxFileBytes)) return w;
    // The full one is closed once nothing waits for its sync.
    this.writer = (!w && this.resume(bytes)) || this.create();
    this.writers.add(this.writer);
    this.closeWriters();
    return this.writer;
  }

  /** Create the next file, exclusively: another writer's new file is never opened for append. */
  private create(): Writer {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let n = this.lastFile() + 1;
    for (;;) {
      try {
        const fd = openSync(join(this.dir, bodyFileName(n)), 'wx', 0o600);
        this.folderUnsynced = true;
        // Not synced: when lost, the next holder creates a file of its own.
        if (this.holdsFolder) writeFileSync(join(this.dir, CURRENT_FILE), `${n}\n`);
        return { file: n, fd, size: 0, writes: new Set() };
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
        n++;
      }
    }
  }

  /**
   * The holders' current file, open to append after its last byte, when this process holds the
   * folder and `bytes` still fit; null otherwise (none named, gone, or full). Bytes a crashed add
   * left after the last document stay before the new ones, unread.
   */
  private resume(bytes: number): Writer | null {
    if (!this.holdsFolder) return null;
    let n: number;
    try {
      n = Number(readFileSync(join(this.dir, CURRENT_FILE), 'utf8').trim());
    } catch {
      return null;
    }
    if (!Number.isSafeInteger(n) || n <= 0) return null;
    let fd: number;
    try {
      fd = openSync(join(this.dir, bodyFileName(n)), 'r+');
    } catch {
      return null;
    }
    const size = fstatSync(fd).size;
    if (size > 0 && size + bytes > this.maxFileBytes) {
      closeSync(fd);
      return null;
    }
    return { file: n, fd, size, writes: new Set() };
  }

  /** The highest file number in the folder (0 when none): read once per new file. */
  private lastFile(): number {
    let last = this.writer?.file ?? 0;
    for (const name of readdirSync(this.dir)) {
      const m = NAME.exec(name);
      if (m) last = Math.max(last, Number(m[1]));
    }
    return last;
  }
}

/** Write `bufs` (`bytes` in all) at `position`, finishing a short write where it stopped. */
async function writeAll(
  fd: number,
  bufs: readonly Uint8Array[],
  position: number,
  bytes: number,
): Promise<void> {
  let written = 0;
  while (written < bytes) {
    const rest = written === 0 ? bufs : remainder(bufs, written);
    const { bytesWritten } = await writevAsync(fd, rest as Uint8Array[], position + written);
    if (bytesWritten === 0) throw new Error('The body file took no bytes.');
    written += bytesWritten;
  }
}

/** The part of `bufs` after its first `skip` bytes. */
function remainder(bufs: readonly Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of bufs) {
    if (skip >= b.byteLength) {
      skip -= b.byteLength;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

/** Make a new file's entry in `dir` durable (not possible, nor needed, on Windows). */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}
