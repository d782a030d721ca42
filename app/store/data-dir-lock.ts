import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors';

/** The lock database: held exclusively by the one engine working on a data folder. */
export const LOCK_FILE = 'peppol-desk.lock';
/** Beside it, the holder's pid in plain text, for the message a second engine shows. */
export const LOCK_PID_FILE = 'peppol-desk.lock.pid';

/** A second engine tried to work on a data folder another live process already works on. */
export class DataDirLockedError extends AppError {
  constructor(
    readonly pid: number | null,
    readonly dataDir: string,
  ) {
    super(
      'DATA_DIR_LOCKED',
      `Peppol Desk is already running with this data folder (${pid !== null ? `pid ${pid}` : 'another process'}). Close it or use --data-dir.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** A held lock; release it when the engine stops. */
export interface DataDirLock {
  release(): void;
}

/**
 * Take the data folder for this process, or answer with an error value when another live process
 * holds it.
 *
 * The lock is an exclusive SQLite lock (an OS file lock) on `peppol-desk.lock`, held for the
 * process's life. Why not a pid file alone: the operating system drops the lock the moment its
 * process dies, SIGKILL included, so a stale lock is taken over at once, without guessing whether
 * a pid is still alive or was reused, and without a race between two engines taking over the
 * same stale file. The holder's pid is written beside it only for the message.
 */
export function tryLockDataDir(
  dataDir: string,
  pid: number = process.pid,
): { ok: true; lock: DataDirLock } | { ok: false; error: DataDirLockedError } {
  // Made readable by the user alone before SQLite opens it: its journal takes the same rights
  // (walk 15: made with the umask's 0644, the journal stayed so while the engine ran).
  const file = join(dataDir, LOCK_FILE);
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    // With locking_mode EXCLUSIVE the write lock taken here is kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      return { ok: false, error: new DataDirLockedError(readHolderPid(dataDir), dataDir) };
    }
    throw err;
  }
  const pidFile = join(dataDir, LOCK_PID_FILE);
  writeFileSync(pidFile, `${pid}\n`);
  let held = true;
  return {
    ok: true,
    lock: {
      release() {
        if (!held) return;
        held = false;
        rmSync(pidFile, { force: true });
        db.close();
      },
    },
  };
}

/** Take the data folder or throw {@link DataDirLockedError}. */
export function lockDataDir(dataDir: string, pid?: number): DataDirLock {
  const res = tryLockDataDir(dataDir, pid);
  if (!res.ok) throw res.error;
  return res.lock;
}

function readHolderPid(dataDir: string): number | null {
  try {
    const n = Number(readFileSync(join(dataDir, LOCK_PID_FILE), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
