/**
 * What the hot folder tells the clerk on screen (a walk: files it refused went to failed/ and
 * appeared nowhere in the window, a missing folder was not reported, a file it could not move
 * stayed put in silence): whether the folder is there, and the last files it could not take or
 * move, each with the reason in plain words.
 */
import type { HotFolderNotice, HotFolderStatus } from './contract';

/** Notices kept (the newest); older ones are in the log and, for refused files, in failed/. */
export const MAX_HOT_FOLDER_NOTICES = 20;

/**
 * A file system error in a clerk's words (no error codes on screen); `reading`: while reading a
 * file (a walk: an unreadable file was blamed on the folder).
 */
export function fileErrorWords(err: unknown, reading = false): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'it was no longer there';
    case 'EACCES':
    case 'EPERM':
      return reading
        ? 'Peppol Desk is not allowed to read it'
        : 'Peppol Desk is not allowed to change that folder';
    case 'ENAMETOOLONG':
      return 'its name is too long for that folder';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EROFS':
      return 'the folder is read-only';
    case 'EBUSY':
      return 'another program has it open';
    default:
      return 'the computer refused it';
  }
}

/** The hot folder, or a folder in it (`err.path`), could not be read: said on screen. */
export function unreadableFolderWords(err: unknown, folder: string): string {
  const path = (err as NodeJS.ErrnoException | null)?.path;
  const what = path && path !== folder ? `The folder ${path} in the hot folder` : 'The hot folder';
  return `${what} could not be read: ${fileErrorWords(err)}.`;
}

/** How a notice of a file still waiting in the folder begins (see {@link HotFolderNotices.taken}). */
const NOT_TAKEN_YET = 'Not taken yet:';

/** A file that stayed half-written (or empty), said on screen: it waits in the folder. */
export function halfWrittenWords(empty: boolean): string {
  return empty
    ? `${NOT_TAKEN_YET} the file is empty. It stays in the folder and is taken once it has been written; if it stays empty, export the invoice again.`
    : `${NOT_TAKEN_YET} the file looks incomplete (the invoice does not end where it should). It stays in the folder and is taken once it is complete; if it stays like this, export the invoice again.`;
}

/** The hot folder's state as the screen shows it; `changed` is called after each change. */
export class HotFolderNotices {
  private readonly notices: HotFolderNotice[] = [];
  private seq = 0;
  private missing = false;

  constructor(
    private readonly folder: string,
    private readonly now: () => number,
    private readonly changed: () => void,
  ) {}

  /** A file not taken, or not moved: `name` (relative to the folder) and why, in plain words. */
  add(name: string, message: string): void {
    // The same thing about the folder again (one that cannot be read, met at every listing): said
    // once, its time moved on, not a screenful of copies (and not back after it was dismissed). A
    // file's is news each time (the file was saved again).
    const same =
      name === '' ? this.notices.find((n) => n.name === '' && n.message === message) : undefined;
    if (same) {
      same.at = this.now();
      return;
    }
    this.notices.push({ seq: ++this.seq, name, message, at: this.now() });
    if (this.notices.length > MAX_HOT_FOLDER_NOTICES) this.notices.shift();
    this.changed();
  }

  /**
   * `name` was taken after all: its "Not taken yet" notice (half-written, empty) is no longer
   * true (walk 13: it stayed on screen beside the file's row saying Delivered).
   */
  taken(name: string): void {
    const before = this.notices.length;
    for (let i = this.notices.length - 1; i >= 0; i--) {
      const n = this.notices[i]!;
      if (n.name === name && n.message.startsWith(NOT_TAKEN_YET)) this.notices.splice(i, 1);
    }
    if (this.notices.length !== before) this.changed();
  }

  setMissing(missing: boolean): void {
    if (missing === this.missing) return;
    // Back: the files named were in the folder that went away (a walk: its lines stayed, naming
    // files the new folder does not hold).
    if (!missing) this.notices.length = 0;
    this.missing = missing;
    this.changed();
  }

  status(): HotFolderStatus {
    return { folder: this.folder, missing: this.missing, notices: [...this.notices] };
  }
}
