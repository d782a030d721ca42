/**
 * Where the hot folder puts a final document's file (`sent/` or `failed/`), and the reason file
 * written beside one that failed.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { DocumentState } from './contract';
import { NEWS_MAY_FOLLOW_STATES, WENT_OUT_STATES } from './domain/states';
import { fileErrorWords, type HotFolderNotices } from './hot-folder-notices';

/**
 * Failed documents a clerk may still send (Retry, or Check again after a fix): their files' moves
 * to failed/ are remembered, the newest this many, so that the file follows the document (a walk:
 * an invoice delivered after Retry stayed in failed/ under its old reason).
 */
export const MAX_RETRY_MOVES = 10_000;
export const MAY_BE_RETRIED = new Set<DocumentState>(['failed', 'unreachable', 'invalid']);

/** Files of a document moved to failed/: where each was, and where it is now. */
export interface FailedMove {
  at: number;
  /** The document's state when they were moved. */
  state: DocumentState;
  files: { from: PendingFile; to: string }[];
}

/** A file of the hot folder. */
export interface PendingFile {
  path: string;
  /** Path relative to the watched folder, e.g. `march/inv-1.xml`. */
  name: string;
}

/** Where a final document's file goes. */
export type HotFolderOutcome = 'sent' | 'failed';

/** Subfolders the hot folder moves files into (never watched themselves). */
export const HOT_FOLDER_SUBFOLDERS: readonly HotFolderOutcome[] = ['sent', 'failed'];

// Delivered, and not rejected by the buyer (a rejection moves the file to failed/, even later):
// what went out, less `accepted` (its delivery may still fail; see outcomeFor).
const SENT_STATES = new Set<DocumentState>(WENT_OUT_STATES.filter((s) => s !== 'accepted'));
// `held` is not here: a held duplicate waits for the clerk (Send anyway or Cancel), so its file
// stays in the watched folder until then and goes to sent/ or failed/ with the decision.
const FAILED_STATES = new Set<DocumentState>([
  'invalid',
  'failed',
  'unreachable',
  'cancelled',
  'rejected',
  'superseded',
]);
// After these a buyer's answer may still come (and may be a rejection): see
// NEWS_MAY_FOLLOW_STATES (a handled rejection is no longer followed here: its file went to
// failed/ with the rejection, and the set is only read for files in sent/).
export const ANSWER_MAY_FOLLOW = new Set<DocumentState>(
  NEWS_MAY_FOLLOW_STATES.filter((s) => s !== 'accepted'),
);
/**
 * `sent` / `failed` for a final state, null while the document still has work ahead (or, when
 * held, waits for a decision in the app). With delivery tracked, an accepted document is not sent
 * yet: its delivery may still fail.
 */
export function outcomeFor(state: DocumentState, tracksDelivery = true): HotFolderOutcome | null {
  if (SENT_STATES.has(state) || (state === 'accepted' && !tracksDelivery)) return 'sent';
  if (FAILED_STATES.has(state)) return 'failed';
  return null;
}

/** What the hot folder needs to know about a document. */
export interface HotFolderDocumentStatus {
  state: DocumentState;
  /** The plain-language problem, when there is one. */
  reason: string | null;
  /** Extra lines for the reason file (e.g. the broken rules of an invalid invoice). */
  details: string[];
  /** The SHA-256 of its file (hex), when known: a file is matched to it only by its content. */
  sha256?: string;
  /**
   * Its id as people see it, when not the one the folder knows it by: a team desk's file kept on
   * this computer while the team's database was away is known by its spool number (below 0)
   * until the team gives it its own (walk 24: reason files named "document #-1").
   */
  shownId?: number;
}

/** The reason file's last line: the document it was, read back at the next start. */
const DOCUMENT_LINE = /^Peppol Desk document #(\d+)$/m;

/** Reason text written beside a file moved to `failed/` (naming its document, when given). */
export function reasonText(status: HotFolderDocumentStatus, id?: number): string {
  const fallback: Partial<Record<DocumentState, string>> = {
    cancelled: 'The invoice was cancelled in Peppol Desk and was not sent.',
    invalid:
      'The invoice breaks the Peppol rules. Fix it in your accounting system and save it again.',
    unreachable: 'The receiver could not be found on the Peppol network.',
    failed: 'The invoice could not be sent.',
    superseded:
      'Replaced by a corrected file with the same invoice number, added after it: this file was not sent, the corrected one goes instead.',
  };
  // The app's words say "drop it again"; here the file came through the folder.
  const reason = status.reason?.replace(/\bdrop it again\b/g, 'save it into the hot folder again');
  const lines = [reason ?? fallback[status.state] ?? `Not sent (${status.state}).`];
  if (status.details.length) lines.push('', ...status.details);
  const shown = status.shownId ?? id;
  if (shown !== undefined && shown > 0) lines.push('', `Peppol Desk document #${shown}`);
  return lines.join('\n') + '\n';
}

/** A file in `failed/` with the document its reason file names. */
export interface FailedOnDisk {
  id: number;
  /** Path relative to `failed/` (and so to the watched folder it came from), `/`-separated. */
  name: string;
  path: string;
  mtimeMs: number;
}

/**
 * The files in `<folder>/failed` whose reason file names their document, newest first, at most
 * `most` (read at start: what a Retry after a restart must find again).
 */
export function failedOnDisk(folder: string, most: number): FailedOnDisk[] {
  const base = join(folder, 'failed');
  const found: { reason: string; name: string; mtimeMs: number }[] = [];
  const walk = (dir: string, rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path, `${rel}${e.name}/`);
      else if (e.isFile() && e.name.endsWith('.reason.txt')) {
        const mtimeMs = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
        if (mtimeMs !== undefined) found.push({ reason: path, name: rel + e.name, mtimeMs });
      }
    }
  };
  walk(base, '');
  found.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const out: FailedOnDisk[] = [];
  for (const f of found.slice(0, most)) {
    const path = f.reason.slice(0, -'.reason.txt'.length);
    if (!existsSync(path)) continue;
    let text: string;
    try {
      text = readFileSync(f.reason, 'utf8');
    } catch {
      continue;
    }
    const id = DOCUMENT_LINE.exec(text)?.[1];
    if (id === undefined) continue;
    out.push({
      id: Number(id),
      name: f.name.slice(0, -'.reason.txt'.length),
      path,
      mtimeMs: f.mtimeMs,
    });
  }
  return out;
}

/** A free path for `target`: `name.xml`, else `name (2).xml`, `name (3).xml`, … */
export function freePath(target: string): string {
  if (!existsSync(target)) return target;
  const ext = extname(target);
  const stem = target.slice(0, target.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/** The reason file of `failedPath` when that file is no longer there. */
function forgetOldReason(failedPath: string): void {
  if (existsSync(failedPath)) return;
  try {
    rmSync(`${failedPath}.reason.txt`, { force: true });
  } catch {
    // Left: it names a document the next start no longer finds in failed/ (failedOnDisk).
  }
}

/** Where {@link moveFinal} moves files, and whom it tells. */
export interface HotFolderMover {
  folder: string;
  /** False: files stay where they are (CLI `watch --no-move`); only logged. */
  move: boolean;
  log(message: string): void;
  notices: HotFolderNotices;
}

/**
 * Move a final file to `sent/` or `failed/` (with its reason beside it), keeping its place under
 * subfolders; returns where it is now, or null when it could not be moved (then said on screen).
 * `sentOrNot` false: a file refused before it became a document.
 */
export function moveFinal(
  m: HotFolderMover,
  file: PendingFile,
  outcome: HotFolderOutcome,
  reason: string | null,
  sentOrNot = true,
): string | null {
  if (!m.move) {
    m.log(`Hot folder: ${file.name} ${outcome === 'sent' ? 'sent' : 'not sent'} (left in place)`);
    return file.path;
  }
  if (!existsSync(file.path)) return null;
  const target = freePath(join(m.folder, outcome, file.name));
  try {
    mkdirSync(dirname(target), { recursive: true });
    // The reason first: whoever sees the file in failed/ finds its reason beside it.
    if (reason !== null) writeFileSync(`${target}.reason.txt`, reason);
    renameSync(file.path, target);
    m.log(`Hot folder: ${file.name} → ${outcome}/`);
    // Sent after the clerk moved it back from failed/: the reason left there stood for nothing
    // (walk 18: "failed/INV-7.xml.reason.txt" beside no file, for an invoice that had gone).
    if (outcome === 'sent') forgetOldReason(join(m.folder, 'failed', file.name));
    return target;
  } catch (err) {
    // Not moved: no reason file may stand for a file that is not there.
    if (reason !== null) rmSync(`${target}.reason.txt`, { force: true });
    // Gone meanwhile: another desk watching the same folder moved it first (a walk: "It stays in
    // the hot folder" for files already in sent/). Nothing for the clerk to look for, and no
    // error in the log either (walk 17: ten "could not be moved … ENOENT" lines for 100 files
    // that two desks had filed correctly).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(file.path)) {
      m.log(`Hot folder: ${file.name} was moved meanwhile (by another desk watching this folder)`);
      return null;
    }
    m.log(`Hot folder: ${file.name} could not be moved to ${outcome}/ (${(err as Error).message})`);
    const what = !sentOrNot ? 'Not taken' : outcome === 'sent' ? 'Sent' : 'Not sent';
    const stays = sentOrNot ? ', and it is not sent again from there' : '';
    m.notices.add(
      file.name,
      `${what}, but it could not be moved to the ${outcome} subfolder: ${fileErrorWords(err)}. It stays in the hot folder${stays}.`,
    );
    return null;
  }
}
