/**
 * The hot folder's file watcher: reports each file in a folder (and, when asked, its subfolders)
 * once it is complete, and again when it is saved with other content. One `fs.watch` per folder,
 * whose events name the file that changed, so the cost of a file does not grow with the number of
 * files in the folder (issue 9: chokidar, used before, listed and stat'ed the whole folder again
 * after every change in it, at most once a second, and watched every file on its own; with a
 * month-end drop of 100,000 files that listing became most of the work).
 *
 * A file is complete once its size, time and inode stayed the same for `stabilityMs` with no event
 * about it in between. A folder is listed again now and then as a backstop (events the operating
 * system dropped, e.g. when its queue overflowed): no sooner than `rescanMinMs` after the last
 * listing, nor before 50 times as long as that listing took, so listings never take more than a
 * fiftieth of the time however large the folder.
 */
import { lstatSync, readdirSync, watch, type Dirent, type FSWatcher, type Stats } from 'node:fs';
import { join, sep } from 'node:path';

/** What a path in the folder is, as far as the watcher cares. */
export type EntryKind = 'file' | 'dir' | 'link' | 'other';

/** Options of {@link watchFolder}. */
export interface FolderWatchOptions {
  /** The watched folder (absolute path). */
  folder: string;
  /** Also its subfolders (each watched on its own); default only its own files. */
  subfolders?: boolean;
  /** How long a file must stay the same before it is reported, ms. */
  stabilityMs: number;
  /** True for a path never reported (nor, for a folder, looked into). */
  ignored(path: string, kind: EntryKind): boolean;
  /** Least time between two backstop listings of the folders, ms (default 2000). */
  rescanMinMs?: number;
}

/** What the watcher reports. */
export interface FolderWatchListener {
  /**
   * `path` is complete: new, or saved again with other content. Links are reported at once.
   * `name` is its name in its folder, the very string the watcher keeps for it: a listener that
   * keeps it (rather than a path built from it) holds no string of its own per file.
   */
  file(path: string, name: string): void;
  error?(err: Error): void;
  /**
   * The watched folder went missing (not there at start, moved away, deleted: e.g. a network
   * share not mounted), or is back and watched again. Said once per change.
   */
  folder?(state: 'missing' | 'watching'): void;
}

/** Work done so far, counted (tests check that it grows with the files, not the folder). */
export interface FolderWatchWork {
  /** Entries read by listing folders (the first listing and the backstop's). */
  entriesListed: number;
  /** `lstat` calls. */
  stats: number;
}

/** A running watcher. */
export interface FolderWatcher {
  /** Resolves once the folders are listed and watched (files already there are then waiting). */
  readonly ready: Promise<void>;
  readonly work: FolderWatchWork;
  /** Stop for good: every `fs.watch` and timer is closed, and nothing reopens them. */
  close(): Promise<void>;
}

/**
 * A file seen in the folder: one per file while it is there (a month-end drop of 100,000 files
 * waits here until each is moved out), so numbers only: a `size:mtime:inode` string was a tree of
 * four strings per file (issue 9 point 1, `watch`'s memory).
 */
interface FileState {
  /** Size, time and inode when last looked at. */
  size: number;
  mtimeMs: number;
  ino: number;
  /** When they were first seen so (performance.now()). */
  since: number;
  /** True once reported with these very size, time and inode. */
  reported: boolean;
  timer: NodeJS.Timeout | null;
}

interface WatchedDir {
  watcher: FSWatcher | null;
  /** The inode of the folder `watcher` watches: another one at the same path is watched anew. */
  ino: number | null;
  files: Map<string, FileState>;
}

const sameAs = (f: FileState, s: Stats) =>
  f.size === s.size && f.mtimeMs === s.mtimeMs && f.ino === s.ino;

/** The state of a file first seen now, as `s` says. */
const fileState = (s: Stats, since: number, reported: boolean): FileState => ({
  size: s.size,
  mtimeMs: s.mtimeMs,
  ino: s.ino,
  since,
  reported,
  timer: null,
});

/** `f` now as `s` says: changed, so a new window from `now`, not reported yet. */
function changed(f: FileState, s: Stats, now: number): void {
  f.size = s.size;
  f.mtimeMs = s.mtimeMs;
  f.ino = s.ino;
  f.since = now;
  f.reported = false;
}

function kindOf(d: Dirent | Stats): EntryKind {
  if (d.isSymbolicLink()) return 'link';
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  return 'other';
}

/** Start watching (see the file's comment). */
export function watchFolder(
  options: FolderWatchOptions,
  listener: FolderWatchListener,
): FolderWatcher {
  const { folder, stabilityMs } = options;
  const subfolders = options.subfolders ?? false;
  const rescanMinMs = options.rescanMinMs ?? 2000;
  const dirs = new Map<string, WatchedDir>();
  const work: FolderWatchWork = { entriesListed: 0, stats: 0 };
  let closed = false;
  let rescanTimer: NodeJS.Timeout | null = null;

  const fail = (err: unknown) => {
    if (!closed) listener.error?.(err instanceof Error ? err : new Error(String(err)));
  };

  const lstat = (path: string): Stats | null => {
    work.stats++;
    try {
      return lstatSync(path);
    } catch {
      return null;
    }
  };

  /** Look at a file again when it may have stayed the same for `stabilityMs`. */
  const schedule = (dir: string, name: string, f: FileState, ms: number) => {
    if (f.timer) return;
    f.timer = setTimeout(() => settle(dir, name, f), Math.max(1, ms));
  };

  function settle(dir: string, name: string, f: FileState): void {
    f.timer = null;
    const d = dirs.get(dir);
    if (closed || d?.files.get(name) !== f) return;
    const s = lstat(join(dir, name));
    if (!s || kindOf(s) !== 'file') {
      d.files.delete(name);
      return;
    }
    const now = performance.now();
    // Still being written: a full window from now.
    if (!sameAs(f, s)) changed(f, s, now);
    const left = f.since + stabilityMs - now;
    if (left > 1) return schedule(dir, name, f, left);
    if (f.reported) return;
    f.reported = true;
    listener.file(join(dir, name), name);
  }

  /** Something happened to `dir/name` (an event, or a name found by a listing). */
  function touch(dir: string, name: string): void {
    const d = dirs.get(dir);
    if (closed || !d) return;
    const path = join(dir, name);
    const known = d.files.get(name);
    const s = lstat(path);
    if (!s) {
      // Moved away or deleted.
      if (known?.timer) clearTimeout(known.timer);
      d.files.delete(name);
      if (dirs.has(path)) forgetDir(path);
      return;
    }
    const kind = kindOf(s);
    if (known) {
      // Unchanged (or a link, reported once): nothing to do; changed: a new window.
      if (kind !== 'file' || sameAs(known, s)) return;
      changed(known, s, performance.now());
      schedule(dir, name, known, stabilityMs);
      return;
    }
    if (options.ignored(path, kind)) return;
    if (kind === 'dir') {
      if (subfolders && !dirs.has(path)) addDir(path);
      return;
    }
    if (kind === 'link') {
      // Never followed: reported once, at once, so that the hot folder can say it skipped it.
      d.files.set(name, fileState(s, 0, true));
      listener.file(path, name);
      return;
    }
    if (kind !== 'file') return;
    const f = fileState(s, performance.now(), false);
    d.files.set(name, f);
    schedule(dir, name, f, stabilityMs);
  }

  /** An event of `dir`'s watch: it names the entry, or (rarely) nothing: then list the folder. */
  function onEvent(dir: string, name: string | null): void {
    if (closed) return;
    if (name === null) list(dir);
    else touch(dir, name);
  }

  function addDir(dir: string): void {
    const d: WatchedDir = { watcher: null, ino: null, files: new Map() };
    dirs.set(dir, d);
    watchDir(dir, d);
    list(dir);
  }

  /**
   * (Re)open `dir`'s `fs.watch`, on the folder at that path now. Without one (the folder was
   * missing, or moved away and made again: the old watch follows the moved folder), only the
   * backstop listing sees its files, so that is checked at every listing.
   */
  function watchDir(dir: string, d: WatchedDir): void {
    d.watcher?.close();
    d.watcher = null;
    const s = lstat(dir);
    d.ino = s?.isDirectory() ? s.ino : null;
    if (d.ino === null) return;
    try {
      const watcher = watch(dir, { persistent: true }, (_type, name) =>
        onEvent(dir, name === null ? null : name.toString()),
      );
      watcher.on('error', (err) => {
        // The folder went away (or cannot be watched any more): the backstop watches it anew.
        if (d.watcher === watcher) d.watcher = null;
        watcher.close();
        if (dir !== folder) return forgetDir(dir);
        if (!missing) fail(err);
      });
      d.watcher = watcher;
    } catch (err) {
      fail(err);
    }
  }

  /** True when `dir`'s watch is on the folder at its path (else it is watched anew). */
  function watchedWell(dir: string, d: WatchedDir): boolean {
    if (!d.watcher) return false;
    const s = lstat(dir);
    return s !== null && s.isDirectory() && s.ino === d.ino;
  }

  function forgetDir(dir: string): void {
    const d = dirs.get(dir);
    if (!d) return;
    d.watcher?.close();
    for (const f of d.files.values()) if (f.timer) clearTimeout(f.timer);
    dirs.delete(dir);
    for (const other of [...dirs.keys()]) if (other.startsWith(dir + sep)) forgetDir(other);
  }

  // The watched folder is not there (said once, until it is back).
  let missing = false;
  function setMissing(now: boolean): void {
    if (now === missing || closed) return;
    missing = now;
    listener.folder?.(now ? 'missing' : 'watching');
  }

  /**
   * List one folder: new entries are looked at, entries no longer there forgotten, and with
   * `recheck` the known files too (saved again while no watch saw it).
   */
  function list(dir: string, recheck = false): void {
    const d = dirs.get(dir);
    if (!d || closed) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (dir === folder && (err as NodeJS.ErrnoException).code === 'ENOENT') setMissing(true);
      else fail(err);
      return;
    }
    if (dir === folder) setMissing(false);
    work.entriesListed += entries.length;
    const present = new Set<string>();
    for (const e of entries) {
      present.add(e.name);
      if (dirs.has(join(dir, e.name))) continue;
      if (d.files.has(e.name)) {
        if (recheck) touch(dir, e.name);
        continue;
      }
      // Skipped by name and kind without a stat (other files, its own subfolders, hidden ones).
      if (options.ignored(join(dir, e.name), kindOf(e))) continue;
      touch(dir, e.name);
    }
    for (const [name, f] of d.files) {
      if (present.has(name)) continue;
      if (f.timer) clearTimeout(f.timer);
      d.files.delete(name);
    }
  }

  /** The backstop: every folder listed again, paced by what the last listing cost. */
  function scheduleRescan(lastMs: number): void {
    if (closed) return;
    rescanTimer = setTimeout(
      () => {
        const t0 = performance.now();
        for (const [dir, d] of [...dirs]) {
          // A folder not watched (well): watched anew, and its known files looked at again.
          const well = watchedWell(dir, d);
          if (!well) watchDir(dir, d);
          list(dir, !well);
        }
        scheduleRescan(performance.now() - t0);
      },
      Math.max(rescanMinMs, 50 * lastMs),
    );
    rescanTimer.unref();
  }

  const t0 = performance.now();
  addDir(folder);
  scheduleRescan(performance.now() - t0);

  return {
    ready: Promise.resolve(),
    work,
    close() {
      closed = true;
      if (rescanTimer) clearTimeout(rescanTimer);
      for (const dir of [...dirs.keys()]) forgetDir(dir);
      return Promise.resolve();
    },
  };
}
