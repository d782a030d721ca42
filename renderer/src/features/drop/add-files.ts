import { MAX_ADD_CALL_BYTES, type AddResult, type IncomingFile } from '../../../../app/contract';
import { getApi } from '../../bridge';
import { useDocumentsStore } from '../../stores/documents-store';
import { useToastStore } from '../../stores/toast-store';
import type { Collected, PickedFile } from './collect-files';
import { summarize } from './drop-summary';

/** Limits of one `documents:add` call: big enough to be fast, small enough to keep memory flat. */
const MAX_FILES_PER_CALL = 200;
const MAX_BYTES_PER_CALL = MAX_ADD_CALL_BYTES;

function chunk(files: PickedFile[]): PickedFile[][] {
  const chunks: PickedFile[][] = [];
  let current: PickedFile[] = [];
  let bytes = 0;
  for (const f of files) {
    if (
      current.length > 0 &&
      (current.length >= MAX_FILES_PER_CALL || bytes + f.file.size > MAX_BYTES_PER_CALL)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.file.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

let adding = Promise.resolve();

/** Reads the files chunk by chunk, hands them to the engine and shows one running summary. */
export function addFiles(collected: Collected): Promise<void> {
  // One add at a time, in drop order, so summaries never interleave.
  adding = adding.then(() => addNow(collected));
  return adding;
}

async function addNow({ files, skipped }: Collected): Promise<void> {
  const toasts = useToastStore.getState();
  if (files.length === 0) {
    toasts.push({
      kind: 'warning',
      title: skipped > 0 ? `No XML files found (${skipped} other files skipped)` : 'Nothing to add',
      lines: [],
      ttlMs: 8000,
    });
    return;
  }
  const total: AddResult = { added: [], known: [], rejected: [] };
  const toastId = toasts.push({
    kind: 'info',
    title: `Adding ${files.length} files…`,
    lines: [],
    ttlMs: null,
  });
  let done = 0;
  for (const part of chunk(files)) {
    const incoming: IncomingFile[] = [];
    for (const f of part) {
      try {
        incoming.push({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) });
      } catch {
        total.rejected.push({
          fileName: f.name,
          message: 'The file could not be read. Check that it still exists.',
        });
      }
    }
    const result = await getApi().invoke('documents:add', { files: incoming });
    if (!result.ok) {
      toasts.update(toastId, {
        kind: 'error',
        title:
          done > 0 ? `Stopped after ${done} of ${files.length} files` : 'Could not add the files',
        lines: [result.error.message],
        ttlMs: null,
      });
      useDocumentsStore.getState().requestRefresh();
      return;
    }
    total.added.push(...result.value.added);
    total.known.push(...result.value.known);
    total.rejected.push(...result.value.rejected);
    done += part.length;
    if (done < files.length)
      toasts.update(toastId, { title: `Adding files… ${done} of ${files.length}` });
  }
  const summary = summarize(total, skipped);
  toasts.update(toastId, {
    kind: total.rejected.length > 0 ? 'warning' : 'success',
    ...summary,
    ttlMs: total.rejected.length > 0 ? null : 10000,
  });
  useDocumentsStore.getState().requestRefresh();
}
