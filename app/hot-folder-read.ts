/** Reading one file of the hot folder for the queue. */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
} from 'node:fs';
// Not through ./validation: its index loads the rules, which run in the validation workers.
import { tooLargeMessage } from './validation/too-large';
import { fileErrorWords, type HotFolderNotices } from './hot-folder-notices';
// The engine's own hash of a file's content: a file is matched to its document by it.
import { sha256Hex } from './engine/add-files';

/** The SHA-256 of a file's content as a document records it, or null when it cannot be read. */
export function sha256Of(path: string): string | null {
  try {
    return sha256Hex(readFileSync(path));
  } catch {
    return null;
  }
}

/** What {@link readHotFile} tells and asks. */
export interface HotFileReader {
  log(message: string): void;
  notices: HotFolderNotices;
  /** Largest file taken, bytes (setting `maxDocumentBytes`). */
  maxBytes?: (() => number) | undefined;
  /** A file not taken: moved to failed/ with `message` (and said on screen). */
  refuse(name: string, message: string): void;
}

/**
 * Read one complete file for the queue: its bytes and time, or null when it is not taken (gone, a
 * link, unreadable, or too large: then refused unread, with the reason).
 */
export function readHotFile(
  path: string,
  name: string,
  r: HotFileReader,
): { bytes: Buffer; mtimeMs: number } | null {
  if (!existsSync(path)) return null;
  try {
    if (lstatSync(path).isSymbolicLink()) {
      r.log(`Hot folder: ${name} skipped: it is a link, and links are not followed`);
      r.notices.add(
        name,
        'Not taken: it is a shortcut (link) to a file elsewhere, and shortcuts are not followed. Save or copy the invoice itself into the folder.',
      );
      return null;
    }
    // O_NOFOLLOW: a file swapped for a link after the check is not read through either.
    const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      // Size first: an oversized file is never read into memory.
      const limit = r.maxBytes?.();
      const { size, mtimeMs } = fstatSync(fd);
      if (limit !== undefined && size > limit) {
        // In the screen's words (walk 13: the log said "16784120 bytes" where the app said 16.0 MB).
        r.log(`Hot folder: ${name} is too large (${(size / (1024 * 1024)).toFixed(1)} MB)`);
        r.refuse(name, tooLargeMessage(size, limit));
        return null;
      }
      return { bytes: readFileSync(fd), mtimeMs };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    r.log(`Hot folder: ${name} could not be read (${(err as Error).message})`);
    r.notices.add(
      name,
      `Not taken: it could not be read (${fileErrorWords(err, true)}). Save it into the folder again once that is fixed.`,
    );
    return null;
  }
}
