/**
 * `documents:add`: refuse what is not a file, oversized or empty; skip a file already known (same
 * name, same bytes); store the rest with their bytes, and answer once they are on disk.
 *
 * How (issue 9, enqueue speed): first every file is hashed and checked against those known; then
 * the new files' bytes are appended to the body files and synced (store/body-files.ts: each body
 * written once, not into the write-ahead log and again into the database); then the rows are
 * stored in slices of {@link ADD_ROWS_SLICE}, each slice one transaction of a few statements
 * (store/insert-documents.ts) committed without a sync. The engine thread is given back between
 * two slices so the pipeline, the sender and the UI keep going during a large drop. A row is
 * committed only after its body is on disk. Before answering, `durable()` syncs the write-ahead log (in a
 * thread-pool thread) with every slice in it: the answer, the change event and the pipeline's kick
 * come only once every stored document is on disk, so an added document survives a power cut
 * exactly as with a synced commit (see docs/performance.md, "Flat cost per document and
 * durability"). What a power cut before the answer can undo is only documents nobody was told
 * about; whatever the pipeline did with them meanwhile is redone or synced after them (rule 1).
 */
import { createHash } from 'node:crypto';
import type { AddResult, IncomingFile } from '../contract';
import { isOfficeLockFile, lastPart } from '../domain/file-names';
import { newIdempotencyKey } from '../domain/idempotency-key';
import { firstNonBlankByte } from '../domain/xml-encoding';
import { isAllowedTransition } from '../domain/states';
import type { BodyRef } from '../store/body-files';
import type { KnownFile, NewDocument } from '../store/document-record';
// Not through ../validation: its index loads the rules, which run in the validation workers.
import { tooLargeMessage } from '../validation/too-large';
import type { EngineContext } from './context';

/**
 * Files hashed and checked against those known per turn of the engine thread by `documents:add`
 * (about 1 MB of typical invoices; their bytes go to the body files while the next are hashed).
 */
export const ADD_SLICE = 100;

/**
 * Rows stored per transaction by `documents:add`. A row holds no body (those are in the body
 * files), so a slice's cost is mostly its indexes: the content index (sha256, random) and the
 * file-name search index take a page write or a segment per commit whatever the slice holds, and
 * larger slices share them. Measured at 100,000 documents (`node test/bench/queue.mjs`'s
 * enqueue, 5 runs each): 500 rows take 8–14 ms of the engine thread per slice and the whole
 * enqueue 4.4–5.1 s, where 100 rows took 3–5 ms and 5.5–6.2 s. (Before the body files a slice
 * of 250 held the thread up to 189 ms, with its bodies in the write-ahead log; issue 9 point 5.)
 */
export const ADD_ROWS_SLICE = 500;

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
  // Walk 21b: chosen on its own, one was told it "looks like a PDF, image or spreadsheet" and
  // became a "Needs fixing" row; a dropped folder, send and the hot folder leave it alone. One
  // that holds XML is no lock file, whatever its name: added, as README says of a file chosen on
  // its own (walk 25 B2: a valid invoice named "~$lock.xml" was refused as a lock file).
  if (isOfficeLockFile(f.name) && f.bytes[firstNonBlankByte(f.bytes, 4096)] !== 0x3c /* < */) {
    return {
      fileName: f.name,
      message:
        'This is an office lock file (Word, Excel or LibreOffice keeps one beside a file it has open), not an invoice: it was not added.',
    };
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

/** What became of one storable file: a document already known, or the `fresh` entry it is. */
type Outcome = { known: KnownFile } | { fresh: number; first: boolean };

/**
 * Add files (see the file's comment). `added`, `known` and `rejected` each keep the order of
 * `files`. Should storing fail half-way, the slices stored before stay (a retry finds them known).
 */
export async function addFiles(ctx: EngineContext, files: IncomingFile[]): Promise<AddResult> {
  const { repo, connection } = ctx;
  // Invoices go for real: a file practised with in the built-in Sandbox is added as new.
  const real = connection.environment !== 'sandbox';
  const result: AddResult = { added: [], known: [], rejected: [] };
  const limit = ctx.settings.get('maxDocumentBytes');
  const storable: IncomingFile[] = [];
  for (const f of files) {
    const refused = refusal(f, limit);
    if (refused) result.rejected.push(refused);
    else storable.push(f);
  }
  // 1. Hash each file and sort out those already known, a slice at a time; the new files' bytes
  // are appended to the body files (written by the thread pool while the next slice is hashed).
  const outcomes: Outcome[] = [];
  const fresh: { file: IncomingFile; sha256: string; bodyRef: BodyRef | null }[] = [];
  // The same name and bytes twice in one call: the second is the first one, known.
  const inCall = new Map<string, number>();
  // Documents stored before this call, and by it: once another call stored some meanwhile, each
  // file is looked up again before its row is stored.
  const storedBefore = repo.insertedCount;
  let storedHere = 0;
  for (let i = 0; i < storable.length; i += ADD_SLICE) {
    if (i > 0) await yieldToEventLoop();
    const firstFresh = fresh.length;
    for (const f of storable.slice(i, i + ADD_SLICE)) {
      const sha256 = sha256Hex(f.bytes);
      // The same bytes under the same name (its last part: whether its folder was dropped or
      // it was alone): this very file was added before (this is also what makes `peppol-desk
      // send` resumable). Under another name it is a new document, which validation holds as a
      // duplicate of the live one (see the pipeline).
      const existing = repo.findKnownFile(sha256, f.name, real);
      if (existing !== null) {
        outcomes.push({ known: existing });
        continue;
      }
      const key = `${sha256}/${lastPart(f.name)}`;
      const earlier = inCall.get(key);
      if (earlier !== undefined) {
        outcomes.push({ fresh: earlier, first: false });
        continue;
      }
      inCall.set(key, fresh.length);
      outcomes.push({ fresh: fresh.length, first: true });
      fresh.push({ file: f, sha256, bodyRef: null });
    }
    const added = fresh.slice(firstFresh);
    const refs = repo.appendBodies(added.map((x) => x.file.bytes));
    if (refs) added.forEach((x, k) => (x.bodyRef = refs[k]!));
  }
  // 2. The new documents' bytes on disk before any row points at them (store/body-files.ts).
  if (fresh.length > 0) await repo.bodiesDurable();
  // 3. Their rows, a slice per transaction. Per `fresh` entry: its document's id, and whether
  // another call stored the same file while this one waited (then it is known).
  const ids: number[] = [];
  const storedMeanwhile = new Set<number>();
  // Invoices go for real: the practice copies of these files that never went out are not sent
  // (store/practice-copies.ts); read only while some practice document may be unsent.
  const retire = real && fresh.length > 0 && repo.practice.anyPending();
  for (let i = 0; i < fresh.length; i += ADD_ROWS_SLICE) {
    if (i > 0) await (ctx.checkpointer?.backlog() ?? yieldToEventLoop());
    const lookAgain = repo.insertedCount !== storedBefore + storedHere;
    repo.txRedoable(() => {
      const docs: NewDocument[] = [];
      const at: number[] = [];
      for (let k = i; k < Math.min(i + ADD_ROWS_SLICE, fresh.length); k++) {
        const { file, sha256, bodyRef } = fresh[k]!;
        const existing = lookAgain ? repo.findKnownFile(sha256, file.name, real) : null;
        if (existing !== null) {
          ids[k] = existing.id;
          storedMeanwhile.add(k);
          continue;
        }
        at.push(k);
        docs.push({
          fileName: file.name,
          sha256,
          size: file.bytes.byteLength,
          body: file.bytes,
          bodyRef,
          idempotencyKey: newIdempotencyKey(),
          accessPoint: connection.accessPoint,
          environment: connection.environment,
        });
      }
      repo.insertMany(docs).forEach((id, j) => {
        ids[at[j]!] = id;
        if (retire) retirePracticeCopies(ctx, docs[j]!, id);
      });
      storedHere += docs.length;
    });
  }
  storable.forEach((f, k) => {
    const o = outcomes[k]!;
    if ('known' in o) {
      // Cancelled: not sent because it is known (walk 18: "already known" read as taken care
      // of); the drop's message says how to send it after all.
      const cancelled = o.known.state === 'cancelled' ? { cancelled: true } : {};
      result.known.push({ id: o.known.id, fileName: f.name, ...cancelled });
    } else if (!o.first || storedMeanwhile.has(o.fresh)) {
      result.known.push({ id: ids[o.fresh]!, fileName: f.name });
    } else result.added.push({ id: ids[o.fresh]!, fileName: f.name });
  });
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

/**
 * The practice copies of this file (the same bytes under the same name, as "already known" takes
 * it) that never went out, now that it is document `id`: not sent (see the caller).
 */
function retirePracticeCopies(ctx: EngineContext, file: NewDocument, id: number): void {
  const name = lastPart(file.fileName);
  for (const r of ctx.repo.practice.unsentCopies(file.sha256)) {
    if (lastPart(r.file_name) !== name || !isAllowedTransition(r.state, 'cancelled')) continue;
    ctx.pipeline.lifecycle.retirePractice(r, id);
  }
}
