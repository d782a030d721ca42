/**
 * Documents in and out: adding files (add-files.ts) and the handlers that read documents (list, export, detail, view, original, attachments, briefs, ids)
 * or ask the access point again about a receiver.
 */
import type { DocumentDetail, DocumentValidation, Handlers, ReceiverLookup } from '../contract';
import { DOCUMENT_STATES, MAX_BRIEF_IDS } from '../contract';
import { failureReason, type ApOutcome } from '../access-point/client';
import type { CachedLookup } from '../caches/participant-cache';
import { readsAsWords } from '../domain/plain-words';
import { mayHaveReachedAccessPoint } from '../domain/states';
import { AppError } from '../errors';
import { ACCESS_POINT_CHANGED } from '../domain/problems';
import { duplicateProblemNow } from '../domain/duplicate-number';
import { toDocumentRow, type DocumentRecord } from '../store/documents-repo';
import { practiceFields } from './events';
import type { DocumentSummary } from '../validation/types';
import type { EngineContext } from './context';
import { addFiles } from './add-files';

export { addFiles, sha256Hex } from './add-files';

/** The stored verdicts of a document (ours, and the access point's when it was asked). */
export function validationOf(json: string | null): DocumentValidation | null {
  return json ? (JSON.parse(json) as DocumentValidation) : null;
}

/** The ids of a request, or a BAD_REQUEST error in words. */
export function requireIds(ids: unknown): number[] {
  if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i))) {
    throw new AppError('BAD_REQUEST', 'Select one or more documents first.');
  }
  return ids as number[];
}

/** A cached lookup as the contract carries it (null: none). */
export function toReceiverLookup(entry: CachedLookup | null): ReceiverLookup | null {
  if (!entry) return null;
  const a = entry.answer;
  return {
    participantId: a.participantId,
    found: a.found,
    name: a.name,
    capabilities: a.capabilities,
    fetchedAt: entry.fetchedAt,
  };
}

type DocumentChannels =
  | 'documents:add'
  | 'documents:list'
  | 'documents:export'
  | 'documents:get'
  | 'documents:view'
  | 'documents:original'
  | 'documents:attachment'
  | 'documents:briefs'
  | 'documents:ids'
  | 'documents:waitingFor'
  | 'lookup:refresh';

/** The handlers that add and read documents. */
export function documentHandlers(ctx: EngineContext): Pick<Handlers, DocumentChannels> {
  const { repo } = ctx;

  /** The document a held duplicate duplicates, for the side-by-side "Send anyway" decision. */
  const duplicateOfRow = (r: DocumentRecord): DocumentDetail['duplicateOf'] => {
    const duplicate =
      r.state === 'held' &&
      (r.problem_code === 'DUPLICATE' || r.problem_code === 'DUPLICATE_CONTENT');
    if (!duplicate || r.duplicate_of === null) return null;
    const first = repo.get(r.duplicate_of);
    if (!first) return null;
    const summary = first.summary_json ? (JSON.parse(first.summary_json) as DocumentSummary) : null;
    return { ...toDocumentRow(first), dueDate: summary?.dueDate ?? null };
  };

  /** The stored bytes of a document, or a NOT_FOUND error in words. */
  const bodyOf = (id: number): Uint8Array => {
    if (!repo.get(id)) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
    return repo.getBody(id);
  };

  return {
    'documents:add': async ({ files, drop }) => {
      if (!Array.isArray(files)) throw new AppError('BAD_REQUEST', 'No files were given.');
      const result = await addFiles(ctx, files);
      // Taken (added, known or refused): the drop's journal says how far it got.
      if (drop) ctx.drops.handed(drop.id, drop.handed);
      return result;
    },
    'documents:list': (arg) => {
      const { rows, total } = repo.list(arg ?? {});
      const counts = repo.counts();
      return {
        rows: rows.map(toDocumentRow),
        total,
        counts,
        ...practiceFields(repo.practiceCounts()),
      };
    },
    'documents:export': (arg) => ({ rows: repo.listAll(arg ?? {}).map(toDocumentRow) }),
    'documents:get': ({ id }) => {
      const r = repo.get(id);
      if (!r) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
      const validation = validationOf(r.validation_json);
      const reached = mayHaveReachedAccessPoint(r);
      const heldElsewhere = r.state === 'held' && r.problem_code === ACCESS_POINT_CHANGED;
      const row = toDocumentRow(r);
      const duplicateOf = duplicateOfRow(r);
      return {
        ...row,
        // A second version's words as of now: its first version may have gone out since.
        problem: duplicateProblemNow(row.problem, duplicateOf, r.invoice_number, r.doc_type),
        summary: r.summary_json ? (JSON.parse(r.summary_json) as DocumentSummary) : null,
        validation,
        timeline: repo.timeline(id),
        businessResponseNote: r.business_response_note,
        businessResponseAt: r.business_response_at,
        lookup: r.receiver_id
          ? toReceiverLookup(ctx.connection.participants.peek(r.receiver_id))
          : null,
        duplicateOf,
        // Held for another access point, it may be cancelled once checked there: in doubt, said
        // apart (heldInDoubt), not as one that cannot be cancelled.
        mayHaveReachedAccessPoint: reached && !heldElsewhere,
        ...(reached && heldElsewhere ? { heldInDoubt: true } : {}),
      } satisfies DocumentDetail;
    },
    // The invoice view (and its XML parser) loads when a document is first opened: never in `send`.
    'documents:view': async ({ id }) =>
      (await import('../invoice-view/read-invoice')).readInvoice(bodyOf(id)),
    'documents:original': ({ id }) => {
      const r = repo.get(id);
      if (!r) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
      // A file from a dropped folder is named by its relative path: download it by its own name.
      const fileName = r.file_name.split(/[\\/]/).pop() || r.file_name;
      return { fileName, bytes: new Uint8Array(repo.getBody(id)) };
    },
    'documents:attachment': async ({ id, index }) => {
      if (!Number.isInteger(index) || index < 0)
        throw new AppError('BAD_REQUEST', 'No such attachment.');
      return (await import('../invoice-view/read-invoice')).readAttachment(bodyOf(id), index);
    },
    'documents:briefs': ({ ids }) => {
      const list = requireIds(ids);
      if (list.length > MAX_BRIEF_IDS) {
        throw new AppError('BAD_REQUEST', `Ask for at most ${MAX_BRIEF_IDS} documents at a time.`);
      }
      return {
        rows: repo.briefs(list).map((b) => ({
          id: b.id,
          fileName: b.file_name,
          state: b.state,
          problemCode: b.problem_code,
          problemMessage: b.problem_message,
          acceptedAt: b.accepted_at,
        })),
      };
    },
    'documents:waitingFor': ({ accessPoint }) => ({
      ids: repo.heldFor(accessPoint === undefined ? null : String(accessPoint)),
    }),
    'documents:ids': ({ states }) => {
      if (!Array.isArray(states) || !states.every((s) => DOCUMENT_STATES.includes(s))) {
        throw new AppError('BAD_REQUEST', 'Name the states of the documents to list.');
      }
      return { ids: repo.idsInStates(states) };
    },
    'lookup:refresh': async ({ id }) => {
      const r = repo.get(id);
      if (!r) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
      if (!r.receiver_id) {
        throw new AppError('NO_RECEIVER', 'This document has no buyer Peppol ID to look up.');
      }
      // Its answer (or its absence) tells the header, as a lookup of the pipeline does.
      return lookUpAgain(ctx.connection, r.receiver_id, (o) => ctx.pipeline.noteOutcome(o));
    },
  };
}

/**
 * Ask the access point about `receiver` again, bypassing the cache ("Check again"); the answer is
 * cached and its outcome told to `noteOutcome` (the header's connection). A lookup that could not
 * be made is an error in plain words. Shared by the team desk.
 */
export async function lookUpAgain(
  connection: EngineContext['connection'],
  receiver: string,
  noteOutcome?: (outcome: ApOutcome<unknown>) => void,
): Promise<ReceiverLookup> {
  const { client, participants } = connection;
  let failure = '';
  const entry = await participants.get(
    receiver,
    async () => {
      const outcome = await client.lookup(receiver);
      noteOutcome?.(outcome);
      if (outcome.kind === 'ok') return outcome.value;
      failure = failureReason(outcome);
      return null;
    },
    { refresh: true },
  );
  const lookup = toReceiverLookup(entry);
  if (!lookup) {
    throw new AppError(
      'LOOKUP_UNAVAILABLE',
      // The access point's words only when they read as words (no errno, JSON or XPath).
      `The access point could not look up ${receiver} right now${readsAsWords(failure) ? ` (${failure.trim()})` : ''}. Try again in a moment.`,
    );
  }
  return lookup;
}
