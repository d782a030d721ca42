import { MAX_ADD_CALL_BYTES, type AddResult, type IncomingFile } from '../../../../app/contract';
import { DEFAULT_MAX_BYTES, tooLargeMessage } from '../../../../app/domain/too-large';
import { getApi } from '../../bridge';
import { formatCount } from '../../lib/format';
import { useDocumentsStore } from '../../stores/documents-store';
import {
  dropLeftOut,
  dropMessageKey,
  nameList,
  useLastDropStore,
} from '../../stores/last-drop-store';
import { useToastStore } from '../../stores/toast-store';
import type { Collected, PickedFile } from './collect-files';
import { skippedLines, summarize } from './drop-summary';

/** Limits of one `documents:add` call: big enough to be fast, small enough to keep memory flat. */
const MAX_FILES_PER_CALL = 200;
const MAX_BYTES_PER_CALL = MAX_ADD_CALL_BYTES;

let adding = Promise.resolve();
/** Files dropped but not handed to the engine yet (all adds in the queue). */
let notAddedYet = 0;
/** Drops whose folders are still being read (their files are not counted yet). */
let readingNow = 0;

/** Leaving the page while files are still being added asks first (the rest would be lost). */
function onBeforeUnload(e: BeforeUnloadEvent): void {
  if (notAddedYet === 0 && readingNow === 0) return;
  e.preventDefault();
  // Older browsers show (or need) a returnValue; modern ones show their own words.
  e.returnValue =
    notAddedYet > 0
      ? `${formatCount(notAddedYet)} files were not added yet. Leave anyway?`
      : 'The dropped files are still being read. Leave anyway?';
}

/** A drop whose folders are being read: its message, shown at once, and the end of the reading. */
export interface Reading {
  toastId: number;
  /** Files found so far (said on the message). */
  found(files: number): void;
  /** The folders could not be read: said on the message. */
  failed(err: unknown): void;
  done(): void;
}

/**
 * Say at once that a drop is being read (walk 13: a folder of 10,000 files showed nothing for
 * 11 s, and leaving the page did not ask first meanwhile). The same message then counts the adds.
 */
export function startReading(): Reading {
  const toasts = useToastStore.getState();
  if (notAddedYet === 0 && readingNow === 0)
    window.addEventListener('beforeunload', onBeforeUnload);
  readingNow += 1;
  const toastId = toasts.push({
    kind: 'info',
    title: 'Reading the dropped files…',
    lines: [],
    ttlMs: null,
  });
  let ended = false;
  const reading: Reading = {
    toastId,
    found: (files) => {
      if (!ended)
        toasts.update(toastId, { title: `Reading the dropped files… ${formatCount(files)} found` });
    },
    failed: (err) => {
      if (ended) return;
      toasts.update(toastId, {
        kind: 'error',
        title: 'The dropped files could not be read',
        lines: [
          `${err instanceof Error ? err.message : String(err)}. Nothing of this drop was added: drop the files again.`,
        ],
      });
      reading.done();
    },
    done: () => {
      if (ended) return;
      ended = true;
      readingNow -= 1;
      if (notAddedYet === 0 && readingNow === 0)
        window.removeEventListener('beforeunload', onBeforeUnload);
    },
  };
  return reading;
}

/** Files still to be added (for the leave-page warning and tests). */
export function filesNotAddedYet(): number {
  return notAddedYet;
}

/** Reads the files chunk by chunk, hands them to the engine and shows one running summary. */
export function addFiles(collected: Collected, reading?: Reading): Promise<void> {
  // One add at a time, in drop order, so summaries never interleave.
  if (notAddedYet === 0) window.addEventListener('beforeunload', onBeforeUnload);
  notAddedYet += collected.files.length;
  reading?.done();
  let remaining = collected.files.length;
  const handed = (n: number) => {
    remaining -= n;
    notAddedYet -= n;
  };
  const run = adding.then(() => addNow(collected, handed, reading?.toastId));
  adding = run.finally(() => {
    notAddedYet = Math.max(0, notAddedYet - remaining);
    if (notAddedYet === 0 && readingNow === 0)
      window.removeEventListener('beforeunload', onBeforeUnload);
  });
  return adding;
}

async function addNow(
  { files, skipped }: Collected,
  handed: (n: number) => void = () => undefined,
  readingToast?: number,
): Promise<void> {
  const toasts = useToastStore.getState();
  if (files.length === 0) {
    if (readingToast !== undefined) toasts.dismiss(readingToast);
    toasts.push({
      kind: 'warning',
      title:
        skipped.length > 0
          ? `No invoice files found (${formatCount(skipped.length)} other files skipped)`
          : 'Nothing to add',
      lines: skippedLines(skipped),
      ttlMs: 8000,
    });
    return;
  }
  const total: AddResult = { added: [], known: [], rejected: [] };
  const settings = await getApi().invoke('settings:get', undefined);
  const maxBytes = settings.ok ? settings.value.maxDocumentBytes : DEFAULT_MAX_BYTES;
  const words = {
    kind: 'info' as const,
    title: `Adding ${formatCount(files.length)} files…`,
    lines: [],
  };
  const toastId = readingToast ?? toasts.push({ ...words, ttlMs: null });
  if (readingToast !== undefined) toasts.update(toastId, words);
  // The drop's files named in the engine's journal first: if it stops part way (Peppol Desk
  // stopped, this page closed), any page later says which were not added (walk 23b). Without
  // a journal (an engine that does not answer it) it goes on as before.
  const begun = await getApi().invoke('drops:begin', { names: files.map((f) => f.name) });
  const dropId = begun.ok ? begun.value.dropId : null;
  // Drops stopped before whose files this one names are over, or told again (walk 25 A4).
  if (dropId !== null) void useLastDropStore.getState().loadUnfinished();
  // Files gone through (added, known or refused), and the part read for the next call.
  let done = 0;
  let part: PickedFile[] = [];
  let partBytes = 0;
  let incoming: IncomingFile[] = [];
  /** Hands the part read so far to the engine; false when it did not answer (said so). */
  const handOver = async (): Promise<boolean> => {
    const result = await getApi().invoke('documents:add', {
      files: incoming,
      ...(dropId !== null ? { drop: { id: dropId, handed: done + part.length } } : {}),
    });
    if (!result.ok) {
      const title =
        done > 0
          ? `Stopped after ${formatCount(done)} of ${formatCount(files.length)} files`
          : 'Could not add the files';
      const left = files.length - done;
      const notAddedLine = `${formatCount(left)} ${left === 1 ? 'file was' : 'files were'} not added. Drop the same files again once Peppol Desk answers: those already added are recognised and not added twice.`;
      // Kept by the drop zone too, as any file not added is (walk 23: said only by this message,
      // which a reload takes away).
      const at = Date.now();
      useLastDropStore.getState().remember({
        ...dropLeftOut(at, title, [
          ...summarize(total, []).leftOut,
          {
            files: left,
            // Which, and what stopped it, as of then (walk 23b: "Show which" named none, and
            // repeated "is not answering" on a page that was back online).
            line: `${nameList(files.slice(done).map((f) => f.name))}: not added, Peppol Desk stopped answering then (${result.error.message.replace(/\.$/, '')}). Drop the same files again: those already added are recognised and not added twice.`,
          },
        ]),
        // The journal's drop is this one: a page that hears of it later does not add it twice.
        ...(dropId !== null ? { journal: dropId } : {}),
      });
      toasts.update(toastId, {
        key: dropMessageKey(at),
        kind: 'error',
        title,
        // Say what is not in the app (a walk: the host stopped mid-drop; 300 of 500 files were
        // never added, and nothing said so): dropping all again adds only those.
        lines: [result.error.message, notAddedLine],
        ttlMs: null,
      });
      useDocumentsStore.getState().requestRefresh();
      return false;
    }
    total.added.push(...result.value.added);
    total.known.push(...result.value.known);
    total.rejected.push(...result.value.rejected);
    if (result.value.heldForDecision)
      total.heldForDecision = (total.heldForDecision ?? 0) + result.value.heldForDecision;
    done += part.length;
    handed(part.length);
    part = [];
    partBytes = 0;
    incoming = [];
    if (done < files.length)
      toasts.update(toastId, {
        title: `Adding files… ${formatCount(done)} of ${formatCount(files.length)}`,
        lines: [
          `Stay on this page until all are added: the other ${formatCount(files.length - done)} are not added yet.`,
        ],
      });
    return true;
  };
  for (const f of files) {
    // A chosen file's size is a look at the disk (the browser asks for it when first read): one
    // per file, between the reads. Asked for all 5,000 files of a drop first, it held the page
    // for over a second (walk 23).
    const size = f.file.size;
    // A file over the largest accepted size is refused here, by name, before it is read: sent,
    // it made the whole request too large, and every file after it was left out (a walk: one
    // 50 MB export stopped a drop of eleven, naming none of them).
    if (size > maxBytes) {
      total.rejected.push({ fileName: f.name, message: tooLargeMessage(size, maxBytes) });
      done += 1;
      handed(1);
      continue;
    }
    // Calls of a bounded size: big enough to be fast, small enough to keep memory flat.
    const full = part.length >= MAX_FILES_PER_CALL || partBytes + size > MAX_BYTES_PER_CALL;
    if (part.length > 0 && full && !(await handOver())) return;
    part.push(f);
    partBytes += size;
    try {
      incoming.push({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) });
    } catch {
      total.rejected.push({
        fileName: f.name,
        message: 'The file could not be read. Check that it still exists.',
      });
    }
  }
  if (part.length > 0 && !(await handOver())) return;
  const summary = summarize(total, skipped);
  // Files not added stay listed by the drop zone after the message is closed; those left alone on
  // purpose are named by this message only (walk 21b).
  const notAdded = total.rejected.length;
  const at = Date.now();
  const leftOut = notAdded > 0 ? dropLeftOut(at, summary.leftOutTitle, summary.leftOut) : null;
  // The engine's journal keeps them too, for any page (walk 25 B1: a new tab had no trace).
  let kept = false;
  if (dropId !== null) {
    const words = leftOut && { title: leftOut.title, lines: leftOut.lines, notAdded };
    const ended = await getApi().invoke('drops:end', {
      dropId,
      ...(words ? { leftOut: words } : {}),
    });
    kept = ended.ok && words !== null;
  }
  if (leftOut)
    useLastDropStore.getState().remember({
      ...leftOut,
      ...(dropId !== null ? { journal: dropId } : {}),
      ...(kept ? { inJournal: true as const } : {}),
    });
  toasts.update(toastId, {
    ...(notAdded > 0 ? { key: dropMessageKey(at) } : {}),
    kind: total.rejected.length > 0 ? 'warning' : 'success',
    title: summary.title,
    lines: summary.lines,
    ttlMs: total.rejected.length > 0 ? null : 10000,
  });
  useDocumentsStore.getState().requestRefresh();
}
