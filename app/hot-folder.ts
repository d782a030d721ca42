/**
 * The hot folder: invoices saved (or moved) into a watched folder are added to the queue once
 * they are complete, and afterwards moved to `sent/` or `failed/` (with `<file>.reason.txt` saying
 * why) when their document is final. Used by the engine (setting `hotFolder`), so the app, the
 * browser host and `peppol-desk watch` all behave the same.
 */
import { isOfficeLockFile } from './domain/file-names';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { IncomingFile } from './contract';
import { isInside } from './hot-folder-refusal';
import { HalfWrittenFiles, INCOMPLETE_WAIT_MS } from './hot-folder-complete';
import { HotFolderNotices, halfWrittenWords, unreadableFolderWords } from './hot-folder-notices';
import type { HotFolder, HotFolderDeps, HotFolderOptions } from './hot-folder-options';
import { readHotFile, sha256Of } from './hot-folder-read';
import { watchFolder, type EntryKind } from './folder-watcher';
import {
  ANSWER_MAY_FOLLOW,
  HOT_FOLDER_SUBFOLDERS,
  failedOnDisk,
  MAX_RETRY_MOVES,
  MAY_BE_RETRIED,
  moveFinal,
  outcomeFor,
  reasonText,
  type FailedMove,
  type HotFolderOutcome,
  type PendingFile,
} from './hot-folder-outcome';

export { hotFolderRefusal } from './hot-folder-refusal';
export type { HotFolder, HotFolderDeps, HotFolderOptions } from './hot-folder-options';
export {
  HOT_FOLDER_SUBFOLDERS,
  outcomeFor,
  reasonText,
  type HotFolderDocumentStatus,
  type HotFolderOutcome,
} from './hot-folder-outcome';

// Files moved to sent/ whose buyer may still reject them are remembered this many at most.
const MAX_AWAITING_ANSWER = 10_000;
/**
 * Files moved to failed/ because their document was cancelled are remembered this long (longer
 * than the app's Undo window), so an Undo puts them back where they were; at most this many.
 */
const CANCEL_UNDO_MEMORY_MS = 120_000;
/** Files taken per `add` at most (as `documents:add` stores them: one slice, one sync). */
const TAKE_FILES = 250;
/** Bytes read per `add` at most, so a group of large files is not all held in memory at once. */
const TAKE_BYTES = 16 * 1024 * 1024;
const MAX_CANCEL_MOVES = 10_000;
/**
 * Documents added and not final yet, at most (held ones, and accepted ones waiting only for their
 * delivery, aside): the next files wait in the folder until some are done. A month-end drop is taken as fast as it goes out, not all at once ahead of
 * it (issue 9 point 1: 100,000 files). At ~500 invoices a second this is about 20 s of work.
 */
export const HOT_FOLDER_BACKLOG = 10_000;

/**
 * Start watching `options.folder`. Only `.xml` files (any case, not hidden) are taken, in the
 * folder and its subfolders, except `sent/` and `failed/`. Files already there are taken too
 * (the engine recognises ones it already has by their content, so nothing is added twice).
 */
export function startHotFolder(options: HotFolderOptions, deps: HotFolderDeps): HotFolder {
  const folder = options.folder;
  const move = options.move ?? true;
  const stabilityMs = options.stabilityMs ?? 2000;
  const log = deps.log ?? (() => undefined);
  const outcomeDirs = HOT_FOLDER_SUBFOLDERS.map((s) => join(folder, s));
  const backlog = options.backlog ?? HOT_FOLDER_BACKLOG;
  // Per document on its way: the names of its files (path relative to the folder, `/`-separated;
  // the watcher's own string for a file of the folder itself, so nothing more is kept per file).
  const pending = new Map<number, string[]>();
  // The document that took each of those names last: a file saved again with new content is
  // the newer document's, and an earlier one's end (a cancel) never moves it (a walk's did).
  const ownerOf = new Map<string, number>();
  const heldLogged = new Set<number>();
  const tracksDelivery = deps.tracksDelivery ?? true;
  // Files in sent/ whose buyer may still answer: a rejection moves them on to failed/.
  const awaitingAnswer = new Map<number, PendingFile[]>();
  // Files a Cancel moved to failed/: where each was, and where it is now (for Undo).
  const cancelMoves = new Map<number, FailedMove>();
  // Files moved to failed/ whose document may still be sent after all (Retry).
  const retryMoves = new Map<number, FailedMove>();
  const clock = deps.now ?? Date.now;
  let closed = false;
  const notices = new HotFolderNotices(folder, clock, () => {
    if (!closed) deps.onStatus?.();
  });

  const ignored = (path: string, kind: EntryKind): boolean => {
    if (path === folder) return false;
    if (outcomeDirs.some((d) => isInside(path, d))) return true;
    if (kind === 'link') return false; // reported as skipped by read()
    // Hidden files, and the lock files office programs keep beside an open file (`~$name.xml`;
    // walk 13: one was taken and failed as "not an XML invoice").
    if (basename(path).startsWith('.') || isOfficeLockFile(path)) return true;
    return kind === 'file' && !/\.xml$/i.test(path);
  };

  // One file at a time, in arrival order: adds and moves never race each other.
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void> | void) => {
    chain = chain.then(work).catch((err: unknown) => {
      log(`Hot folder: ${(err as Error).message}`);
    });
  };

  const read = (path: string, name: string) =>
    closed ? null : readHotFile(path, name, { log, notices, maxBytes: deps.maxBytes, refuse });

  // Complete files not taken yet, by name, in arrival order (once each: read when taken).
  const arrived = new Set<string>();
  /** The file of a name, as `finish` takes it. */
  const fileOf = (name: string): PendingFile => ({ path: join(folder, name), name });
  /** Documents that may still be added now (those set aside do not count). */
  // Documents on their way that no longer count against the backlog: held ones wait for the
  // clerk, accepted ones only for their delivery's answer (which can take minutes at a real
  // access point: the folder must not stop for it).
  const aside = new Set<number>();
  const room = () => backlog - (pending.size - aside.size);
  // Taken again once this much room is free, not file by file: a group per add, as without a
  // backlog (one add of one file per document done cost a sync each).
  const refill = Math.max(1, Math.min(TAKE_FILES, Math.ceil(backlog / 4)));
  let fullLogged = false;

  // Files that looked half-written when read wait in the folder and are read again now and then.
  const halfWritten = new HalfWrittenFiles({
    waitMs: options.incompleteMs ?? INCOMPLETE_WAIT_MS,
    recheckMs: Math.max(stabilityMs, 1_000),
    now: clock,
    log,
    stuck: (name, empty) => notices.add(name, halfWrittenWords(empty)),
    again: (names) => {
      if (closed) return;
      for (const name of names) {
        arrived.delete(name);
        arrived.add(name);
      }
      takeMore();
    },
  });

  /**
   * Take files that arrived, up to TAKE_FILES (or TAKE_BYTES) in one `add`: one add, and one sync
   * of the queue, for a group of files instead of one per file (issue 9: a month-end drop of
   * 100,000 files moved into the folder at once).
   */
  async function takeGroup(): Promise<void> {
    const files: IncomingFile[] = [];
    // The name of each file taken, as `add` answers it (the same string as `arrived` held).
    const names = new Map<string, string>();
    const most = Math.min(TAKE_FILES, room());
    let bytes = 0;
    for (const name of arrived) {
      if (files.length >= most || bytes >= TAKE_BYTES) break;
      arrived.delete(name);
      const got = read(join(folder, name), name);
      if (got === null) {
        halfWritten.forget(name);
        continue;
      }
      if (halfWritten.waits(name, got.bytes, got.mtimeMs)) continue;
      notices.taken(name);
      const body = got.bytes;
      files.push({ name, bytes: body });
      names.set(name, name);
      bytes += body.byteLength;
    }
    if (files.length === 0) return;
    const result = await deps.add(files);
    for (const r of result.rejected) {
      const name = names.get(r.fileName);
      if (name !== undefined) refuse(name, r.message);
    }
    for (const entry of [...result.added, ...result.known]) {
      const name = names.get(entry.fileName);
      if (name === undefined) continue;
      const list = pending.get(entry.id) ?? [];
      if (!list.includes(name)) list.push(name);
      pending.set(entry.id, list);
      ownerOf.set(name, entry.id);
      check(entry.id);
    }
  }

  // A group is queued or being taken: files that arrive meanwhile wait for the next one.
  let taking = false;

  /**
   * One group per turn of the chain, then back in line: the moves of documents that became final
   * meanwhile go in between, instead of waiting for the whole drop to be added.
   */
  function queueGroup(): void {
    taking = true;
    enqueue(async () => {
      try {
        // One turn first: the files whose wait ends at the same moment (a drop) arrive together.
        await new Promise((resolve) => setImmediate(resolve));
        if (!closed) await takeGroup();
      } finally {
        taking = false;
        takeMore();
      }
    });
  }

  /** Another group, when files wait and there is room for them (else once documents are done). */
  function takeMore(): void {
    if (taking || closed || arrived.size === 0) return;
    if (room() >= refill) return queueGroup();
    if (fullLogged) return;
    fullLogged = true;
    log(
      `Hot folder: ${backlog} invoices are on their way; the other files wait in the folder and are taken as those are done`,
    );
  }

  /**
   * A complete file (new, or saved again): taken with the others that arrived meanwhile. Kept by
   * its name in the folder, and for a file of the folder itself by the watcher's own string.
   */
  function arrive(path: string, base: string): void {
    const top = path.length === folder.length + 1 + base.length && path.endsWith(base);
    const name = top ? base : relative(folder, path).split(sep).join('/');
    arrived.delete(name);
    arrived.add(name);
    takeMore();
  }

  /**
   * A document whose files were moved to failed/ has moved on (a cancel undone, a Retry, a
   * cancel or a correction of a failed one): its files go back where they were, and from there
   * on as the document goes (to sent/, or to failed/ again with the new reason).
   */
  function restoreMoved(id: number): void {
    const moved = cancelMoves.get(id) ?? retryMoves.get(id);
    if (!moved) return;
    const status = deps.status(id);
    if (status?.state === moved.state) return;
    cancelMoves.delete(id);
    retryMoves.delete(id);
    if (!status) return;
    if (outcomeFor(status.state, tracksDelivery) === 'failed') {
      // Failed another way (cancelled, replaced by a corrected file): the file stays in failed/,
      // and its reason says what is true now (a walk: a superseded invoice's said "fix it").
      for (const { to } of moved.files) {
        if (existsSync(to)) writeFileSync(`${to}.reason.txt`, reasonText(status, id));
      }
      rememberFailedMove(id, { ...moved, state: status.state, at: clock() });
      return;
    }
    const back: PendingFile[] = [];
    for (const { from, to } of moved.files) {
      if (!existsSync(to) || existsSync(from.path)) continue;
      try {
        mkdirSync(dirname(from.path), { recursive: true });
        renameSync(to, from.path);
        rmSync(`${to}.reason.txt`, { force: true });
        back.push(from);
        log(`Hot folder: ${from.name} back from failed/ (${status.state} now)`);
      } catch (err) {
        log(`Hot folder: ${from.name} could not be moved back (${(err as Error).message})`);
      }
    }
    if (back.length) pending.set(id, [...(pending.get(id) ?? []), ...back.map((f) => f.name)]);
    for (const f of back) if (!ownerOf.has(f.name)) ownerOf.set(f.name, id);
  }

  /**
   * Files of `id` now in failed/, followed while its document may still leave its state: a
   * cancel's for its Undo (briefly), a failure's for a Retry (the newest MAX_RETRY_MOVES).
   */
  function rememberFailedMove(id: number, record: FailedMove): void {
    if (record.files.length === 0) return;
    if (record.state === 'cancelled') {
      forgetOldCancelMoves();
      cancelMoves.set(id, record);
    } else if (MAY_BE_RETRIED.has(record.state)) {
      if (retryMoves.size >= MAX_RETRY_MOVES) retryMoves.delete(retryMoves.keys().next().value!);
      retryMoves.set(id, record);
    }
  }

  function forgetOldCancelMoves(): void {
    const before = clock() - CANCEL_UNDO_MEMORY_MS;
    for (const [id, m] of cancelMoves) {
      if (m.at >= before && cancelMoves.size <= MAX_CANCEL_MOVES) break;
      cancelMoves.delete(id);
    }
  }

  function check(id: number): void {
    restoreMoved(id);
    const answered = awaitingAnswer.get(id);
    if (answered) {
      const now = deps.status(id);
      if (!now || !ANSWER_MAY_FOLLOW.has(now.state)) awaitingAnswer.delete(id);
      if (now?.state === 'rejected') {
        for (const f of answered) finish(f, 'failed', reasonText(now, id));
      }
      // Its file saved again (the same bytes): moved on below as the document went (a walk: it
      // stayed in the folder, silent, for good).
      if (!pending.has(id)) return;
    }
    const names = pending.get(id);
    if (!names) return;
    const status = deps.status(id);
    if (!status) {
      heldLogged.delete(id);
      aside.delete(id);
      pending.delete(id);
      for (const name of names) if (ownerOf.get(name) === id) ownerOf.delete(name);
      return takeMore();
    }
    const outcome = outcomeFor(status.state, tracksDelivery);
    if (!outcome) {
      if (status.state === 'held' && !heldLogged.has(id)) {
        heldLogged.add(id);
        // Why, in the document's words (walk 9: "as a possible duplicate" was said of a credit
        // note the buyer does not accept).
        const why = status.reason ? `: ${status.reason}` : ' for a decision';
        for (const name of names) log(`Hot folder: ${name} is held${why} (decide in Peppol Desk)`);
      }
      // Waiting for the clerk or for the delivery's answer only: not counted as on its way (and
      // counted again when a clerk sends a held one on).
      const waits = status.state === 'held' || status.state === 'accepted';
      if (waits !== aside.has(id)) {
        if (waits) aside.add(id);
        else aside.delete(id);
        takeMore();
      }
      return;
    }
    heldLogged.delete(id);
    aside.delete(id);
    pending.delete(id);
    takeMore();
    const own = names.filter((name) => ownerOf.get(name) === id);
    for (const name of own) ownerOf.delete(name);
    const files = own.map(fileOf).filter((f) => !savedAgainSince(f, status.sha256));
    const moved: PendingFile[] = [];
    const cancelled: { from: PendingFile; to: string }[] = [];
    for (const f of files) {
      const target = finish(f, outcome, outcome === 'failed' ? reasonText(status, id) : null);
      if (target) moved.push({ path: target, name: f.name });
      if (target && move && outcome === 'failed') cancelled.push({ from: f, to: target });
    }
    rememberFailedMove(id, { at: clock(), state: status.state, files: cancelled });
    if (outcome === 'sent' && ANSWER_MAY_FOLLOW.has(status.state) && tracksDelivery) {
      if (awaitingAnswer.size >= MAX_AWAITING_ANSWER) {
        awaitingAnswer.delete(awaitingAnswer.keys().next().value!);
      }
      awaitingAnswer.set(id, [...(awaitingAnswer.get(id) ?? []), ...(move ? moved : files)]);
    }
  }

  /**
   * Whether `file` was saved again with other content after it was taken as the document of
   * content `sha256` (walk 13: an ERP's corrected invoice, saved over the same name a moment
   * later, was moved to sent/ although only the first version went out). Such a file is not
   * this document's: it stays in the folder and is taken as a file of its own.
   */
  function savedAgainSince(file: PendingFile, sha256: string | undefined): boolean {
    if (!move || sha256 === undefined) return false;
    const now = sha256Of(file.path);
    if (now === null || now === sha256) return false;
    log(
      `Hot folder: ${file.name} was saved again with other content after it was taken; taken again`,
    );
    arrived.delete(file.name);
    arrived.add(file.name);
    takeMore();
    return true;
  }

  /** A file not taken: moved to failed/ with the reason (when moving), and said on screen. */
  function refuse(name: string, message: string): void {
    const to = finish(fileOf(name), 'failed', message + '\n', false);
    const where = !move
      ? 'It was left in the folder.'
      : to
        ? "It is in the folder's failed subfolder, with this reason beside it."
        : '';
    notices.add(name, `Not taken: ${message}${where ? ` ${where}` : ''}`);
  }

  /** Move (or, with move off, log) a final file; returns where it is now, or null. */
  const finish = (
    file: PendingFile,
    outcome: HotFolderOutcome,
    reason: string | null,
    sentOrNot = true,
  ): string | null => moveFinal({ folder, move, log, notices }, file, outcome, reason, sentOrNot);

  const unsubscribe = deps.onChanged((ids) => {
    if (closed) return;
    if (pending.size + awaitingAnswer.size + cancelMoves.size + retryMoves.size === 0) return;
    const ours = ids.filter(
      (id) =>
        pending.has(id) || awaitingAnswer.has(id) || cancelMoves.has(id) || retryMoves.has(id),
    );
    if (ours.length) enqueue(() => ours.forEach(check));
  });

  /**
   * At start: the files in failed/ that a Retry may still send, found by their reason files (the
   * document named there, and only when the file's content is that document's), are followed as
   * if moved in this run; one whose document moved on meanwhile follows it now.
   */
  function recallFailed(): void {
    if (!move || closed) return;
    const byId = new Map<number, FailedMove>();
    for (const f of failedOnDisk(folder, MAX_RETRY_MOVES)) {
      const m = byId.get(f.id) ?? { at: f.mtimeMs, state: 'failed', files: [] };
      m.files.push({ from: fileOf(f.name), to: f.path });
      byId.set(f.id, m);
    }
    for (const [id, m] of byId) {
      const status = deps.status(id);
      if (!status?.sha256) continue;
      m.files = m.files.filter((f) => sha256Of(f.to) === status.sha256);
      if (m.files.length === 0 || cancelMoves.has(id) || retryMoves.has(id)) continue;
      const outcome = outcomeFor(status.state, tracksDelivery);
      if (outcome === 'failed' && !MAY_BE_RETRIED.has(status.state)) continue;
      // Still failed: followed from now on. Moved on meanwhile: followed at once.
      rememberFailedMove(id, outcome === 'failed' ? { ...m, state: status.state } : m);
      if (outcome !== 'failed') check(id);
    }
  }
  enqueue(recallFailed);

  // A file is complete once it kept its size for `stabilityMs` (one written slowly is never read
  // half-way; one renamed in is complete at once). One saved again with new content (after it
  // was taken) is a new document. Links are reported as they are, for read() to skip them.
  const saidErrors = new Set<string>();
  const watcher = watchFolder(
    { folder, subfolders: options.subfolders === true, stabilityMs, ignored },
    {
      file: arrive,
      error: (err) => {
        // Said once (walk 11: a locked subfolder's error came again at every scan, every 2 s).
        if (saidErrors.has(err.message) || saidErrors.size >= 100) return;
        saidErrors.add(err.message);
        log(`Hot folder: ${err.message}`);
        notices.add('', unreadableFolderWords(err, folder));
      },
      folder: (state) => {
        saidErrors.clear();
        log(
          state === 'missing'
            ? `Hot folder: ${folder} is not there; files saved into it are taken once it is back`
            : `Hot folder: ${folder} is there again and watched`,
        );
        notices.setMissing(state === 'missing');
      },
    },
  );

  return {
    folder,
    ready: watcher.ready,
    work: watcher.work,
    status: () => notices.status(),
    async close() {
      if (closed) return;
      closed = true;
      halfWritten.close();
      unsubscribe();
      await watcher.close();
      await chain;
    },
  };
}
