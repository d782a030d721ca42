/**
 * `documents:add`: refuse what is not a file, oversized or empty; skip a file already known (same
 * name, same bytes); store the rest with their bytes, and answer once they are on disk.
 *
 * How (issue 9, enqueue speed): the files are stored in slices of {@link ADD_SLICE}, each slice
 * one transaction of a few statements (store/insert-documents.ts) committed without a sync, and
 * the engine thread is given back between two slices so the pipeline, the sender and the UI keep
 * going during a large drop. Before answering, `durable()` syncs the write-ahead log (in a
 * thread-pool thread) with every slice in it: the answer, the change event and the pipeline's kick
 * come only once every stored document is on disk, so an added document survives a power cut
 * exactly as with a synced commit (see docs/performance.md, "Flat cost per document and
 * durability"). What a power cut before the answer can undo is only documents nobody was told
 * about; whatever the pipeline did with them meanwhile is redone or synced after them (rule 1).
 */
import { createHash } from 'node:crypto';
import type { AddResult, IncomingFile } from '../contract';
import { newIdempotencyKey } from '../domain/idempotency-key';
import type { NewDocument } from '../store/document-record';
// Not through ../validation: its index loads the rules, which run in the validation workers.
import { tooLargeMessage } from '../validation/too-large';
import type { EngineContext } from './context';

/**
 * Files stored per transaction by `documents:add` (about 1 MB of typical invoices). At 100,000
 * documents a slice of 250 held the engine's thread up to 189 ms at a time (the list's requests
 * waited behind it; issue 9 point 5); 100 keeps a slice to a few tens of ms.
 */
export const ADD_SLICE = 100;

/** sha256 hex of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Why a file is refused before anything is hashed or stored, or null. */
function refusal(f: IncomingFile, limit: number): AddResult['rejected'][number] | null {
  if (!f || typeof f.name !== 'string' || !(f.bytes instanceof Uint8Array)) {
    return { fileName: String(f?.name ?? '?'), message: 'This item is not a file.' };
  }
  // An oversized file costs nothing but this check.
  if (f.bytes.byteLength > limit) {
    return { fileName: f.name, message: tooLargeMessage(f.bytes.byteLength, limit) };
  }
  if (f.bytes.byteLength === 0) {
    return {
      fileName: f.name,
      message: 'The file is empty. Export the invoice again from your accounting system.',
    };
  }
  return null;
}

/** Give the event loop a turn (timers, I/O, other requests) between two slices. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Add files (see the file's comment). `added`, `known` and `rejected` each keep the order of
 * `files`. Should storing fail half-way, the slices stored before stay (a retry finds them known).
 */
export async function addFiles(ctx: EngineContext, files: IncomingFile[]): Promise<AddResult> {
  const { repo, connection } = ctx;
  const result: AddResult = { added: [], known: [], rejected: [] };
  const limit = ctx.settings.get('maxDocumentBytes');
  const storable: IncomingFile[] = [];
  for (const f of files) {
    const refused = refusal(f, limit);
    if (refused) result.rejected.push(refused);
    else storable.push(f);
  }
  for (let i = 0; i < storable.length; i += ADD_SLICE) {
    if (i > 0) await (ctx.checkpointer?.backlog() ?? yieldToEventLoop());
    const slice = storable.slice(i, i + ADD_SLICE);
    const hashes = slice.map((f) => sha256Hex(f.bytes));
    repo.txRedoable(() => {
      // Per file: the id of the document it already is, or the index in `fresh` of its new one.
      const outcome: ({ known: number } | { fresh: number })[] = [];
      const fresh: NewDocument[] = [];
      // The same name and bytes twice in one slice: the second is the first one, known.
      const inSlice = new Map<string, number>();
      slice.forEach((f, k) => {
        const sha256 = hashes[k]!;
        // The same bytes under the same name: this very file was added before (this is also
        // what makes `peppol-desk send` resumable). Under another name it is a new document,
        // which validation holds as a duplicate of the live one (see the pipeline).
        const existing = repo.findKnownFile(sha256, f.name);
        if (existing !== null) return void outcome.push({ known: existing });
        const key = `${sha256}/${f.name}`;
        const earlier = inSlice.get(key);
        if (earlier !== undefined) return void outcome.push({ fresh: -1 - earlier });
        inSlice.set(key, fresh.length);
        outcome.push({ fresh: fresh.length });
        fresh.push({
          fileName: f.name,
          sha256,
          size: f.bytes.byteLength,
          body: f.bytes,
          idempotencyKey: newIdempotencyKey(),
          accessPoint: connection.accessPoint,
          environment: connection.environment,
        });
      });
      const ids = repo.insertMany(fresh);
      slice.forEach((f, k) => {
        const o = outcome[k]!;
        if ('known' in o) result.known.push({ id: o.known, fileName: f.name });
        else if (o.fresh < 0) result.known.push({ id: ids[-1 - o.fresh]!, fileName: f.name });
        else result.added.push({ id: ids[o.fresh]!, fileName: f.name });
      });
    });
  }
  // The pipeline may start checking the new documents while the log is synced: checking and
  // the lookup are redoable, and the claim that sends one is synced after these commits, which
  // takes them along (docs/performance.md, durability rule 1). The first verdicts of `send` no
  // longer wait for this sync (issue 9 point 2).
  if (result.added.length) ctx.pipeline.kick();
  // Nothing is said about the new documents before they are on disk.
  await repo.durable();
  if (result.added.length) ctx.events.changed(result.added.map((a) => a.id));
  return result;
}
