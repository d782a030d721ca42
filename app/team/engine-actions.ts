/**
 * The clerk's requests on a team outbox that read a document's file or change documents beyond
 * retry: the invoice view and its attachments (the body read from the team's store), the export
 * (the team's rows read page by page from one snapshot), cancel with its Undo, "Send anyway", and
 * asking the access point again about a receiver. Every change is one write of the team store,
 * guarded by the state it starts from, with a timeline row naming this desk, seen by every desk.
 * The rules are the single desk's (app/engine/user-actions.ts, app/engine/documents.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  FILTER_STATES,
  type DocumentDetail,
  type DocumentProblem,
  type DocumentRow,
  type Handlers,
} from '../contract';
import { requireIds, toReceiverLookup } from '../engine/documents';
import { UNDO_CANCEL_WINDOW_MS, currentUser } from '../engine/user-actions';
import { ACCESS_POINT_CHANGED, CHECKS_DISAGREE, sentAlthoughWords } from '../domain/problems';
import { handledWords } from '../domain/states';
import { AppError } from '../errors';
import { readAttachment, readInvoice } from '../invoice-view/read-invoice';
import type { TeamHandlerContext } from './engine-context';
import { twoChecks } from '../queue/stages/two-checks';
import { checked, lookUpAgain, requeueReceiver } from './retry-lookups';
import { TEAM_KEY_PREFIX, type CancelledTeamDoc, type TeamDocument } from './store';

type ActionChannels =
  | 'documents:view'
  | 'documents:attachment'
  | 'documents:export'
  | 'documents:cancel'
  | 'documents:uncancel'
  | 'documents:sendAnyway'
  | 'documents:markHandled'
  | 'lookup:refresh';

/** A team document as a row of the documents table (what the team's store does not keep: null). */
export function teamRow(d: TeamDocument): DocumentRow {
  return {
    id: d.id,
    fileName: d.fileName,
    sha256: d.key.startsWith(TEAM_KEY_PREFIX) ? d.key.slice(TEAM_KEY_PREFIX.length) : d.key,
    size: d.size,
    state: d.state,
    docType: d.docType,
    invoiceNumber: d.invoiceNumber,
    buyerName: d.buyerName,
    receiverId: d.receiverId,
    amount: d.amount,
    currency: d.currency,
    issueDate: d.issueDate,
    transactionId: d.transactionId,
    attempts: d.attempts,
    problem: problemRow(shownProblem(d)),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    acceptedAt: d.acceptedAt ?? null,
    deliveredAt: d.deliveredAt ?? null,
    businessResponse: d.businessResponse ?? null,
    sellerName: d.sellerName ?? null,
    // Where the claim that sent it sent it; nothing before a desk claims it.
    accessPoint: d.sentVia ?? null,
    environment: d.sentEnvironment ?? null,
    nextAttemptAt: d.nextAttemptAt,
  };
}

function problemRow(p: TeamDocument['problem']): DocumentProblem | null {
  if (!p) return null;
  return {
    code: p.code,
    message: p.message,
    action: (p.action ?? 'none') as DocumentProblem['action'],
  };
}

/**
 * The problem a team document shows: none once cancelled. The store keeps a cancelled one's
 * problem so that Undo puts it back as it was, but "Send it anyway … or cancel it" beside
 * Cancelled would ask for a decision already taken (walk 14), as on a single desk, where a cancel
 * clears it.
 */
export function shownProblem(d: Pick<TeamDocument, 'state' | 'problem'>): TeamDocument['problem'] {
  return d.state === 'cancelled' ? null : d.problem;
}

/** The team document of a request's id (a file still kept on this computer: said so). */
export async function teamDocOf(ctx: TeamHandlerContext, id: number): Promise<TeamDocument> {
  const at = ctx.teamDesk.teamIdOf(id);
  if (at === 'kept') {
    throw new AppError(
      'KEPT_LOCALLY',
      'This file is kept on this computer until the team database can be reached again.',
    );
  }
  const d = at === null ? null : await ctx.store.get(at);
  if (!d) throw new AppError('NOT_FOUND', `Document #${id} does not exist.`);
  return d;
}

/** The team ids of a request's ids (files still kept here, and unknown ids, left out). */
function teamIds(ctx: TeamHandlerContext, ids: unknown): number[] {
  const out: number[] = [];
  for (const id of requireIds(ids)) {
    const at = ctx.teamDesk.teamIdOf(id);
    if (typeof at === 'number') out.push(at);
  }
  return out;
}

/**
 * What the detail panel shows beyond the team's row: the receiver's lookup as this desk knows it,
 * and the document's summary and findings. The team's store keeps neither; the findings are this
 * desk's check of the stored file (cached by content, so opening a detail again costs no check).
 */
export async function teamDetailExtras(
  ctx: TeamHandlerContext,
  d: TeamDocument,
): Promise<Pick<DocumentDetail, 'lookup' | 'summary' | 'validation' | 'sellerName'>> {
  const lookup = d.receiverId
    ? toReceiverLookup(ctx.connection.participants.peek(d.receiverId))
    : null;
  const c = await checked(ctx, d);
  if (!c?.ok) return { lookup, summary: null, validation: null, sellerName: null };
  return {
    lookup,
    summary: c.summary,
    // With the access point's answer when this desk asked it (cached here): both verdicts.
    validation: twoChecks(
      { ...c.verdict, valid: !c.verdict.findings.some((f) => f.flag === 'fatal') },
      ctx.remote.cached(teamRow(d).sha256),
      d.receiverId !== null,
    ).validation,
    sellerName: c.summary.sellerName,
  };
}

/**
 * The timeline words of "Send anyway" for each of `ids`, grouped by words: the single desk's
 * (app/queue/lifecycle/clerk.ts) — for a document held because the checks disagree, what each
 * check said, as far as this desk knows it (its cached answers; plain words otherwise).
 */
async function sendAnywayWords(
  ctx: TeamHandlerContext,
  ids: readonly number[],
  who: string,
): Promise<Map<string, number[]>> {
  const groups = new Map<string, number[]>();
  const add = (words: string, id: number) => {
    const group = groups.get(words);
    if (group) group.push(id);
    else groups.set(words, [id]);
  };
  const docs = await ctx.store.getMany(ids);
  const disagreeing = docs.filter((d) => d.state === 'held' && d.problem?.code === CHECKS_DISAGREE);
  // Held by a Retry after the team moved: sent as a new submission (the store gives it a new
  // key round), through the team's access point now.
  const moved = docs.filter((d) => d.state === 'held' && d.problem?.code === ACCESS_POINT_CHANGED);
  const special = new Set([...disagreeing, ...moved].map((d) => d.id));
  for (const id of ids) if (!special.has(id)) add(`Send anyway, decided by ${who}`, id);
  if (moved.length > 0) {
    const to = (await ctx.store.accessPoint())?.label ?? "the team's access point";
    const words = `Send anyway, decided by ${who}: sent through ${to} as a new submission (under a new idempotency key)`;
    for (const d of moved) add(words, d.id);
  }
  for (const d of disagreeing) {
    const remote = ctx.remote.cached(teamRow(d).sha256);
    // The access point rejected it: ours found no error. It accepted it: ours found errors.
    const c = remote?.valid ? await checked(ctx, d) : null;
    const findings = c?.ok ? c.verdict.findings : [];
    const known = remote !== null && (!remote.valid || findings.some((f) => f.flag === 'fatal'));
    add(
      known
        ? sentAlthoughWords({ findings, accessPoint: remote }, who)
        : `Sent anyway by ${who} although our check and the access point's disagreed`,
      d.id,
    );
  }
  return groups;
}

/** The handlers of the clerk's requests above (see the file comment). */
export function teamActionHandlers(ctx: TeamHandlerContext): Pick<Handlers, ActionChannels> {
  const { store, teamDesk, desk } = ctx;

  // What each recent cancel of this desk changed, so that its Undo puts exactly those back. In
  // memory, as on a single desk: Undo is offered for seconds, and a restart ends the offer.
  const recentCancels = new Map<string, { until: number; docs: CancelledTeamDoc[] }>();
  const forgetOldCancels = (now: number): void => {
    for (const [token, c] of recentCancels) if (c.until < now) recentCancels.delete(token);
  };

  return {
    'documents:view': async ({ id }) =>
      readInvoice(await store.body((await teamDocOf(ctx, id)).id)),
    'documents:attachment': async ({ id, index }) => {
      if (!Number.isInteger(index) || index < 0)
        throw new AppError('BAD_REQUEST', 'No such attachment.');
      return readAttachment(await store.body((await teamDocOf(ctx, id)).id), index);
    },
    'documents:export': async (arg) => {
      const { filter, search, sort } = arg ?? {};
      const states = filter && filter !== 'all' ? FILTER_STATES[filter] : undefined;
      // Read at one instant (one snapshot), a page at a time: the store never holds more.
      const rows: DocumentRow[] = [];
      await store.exportRows(
        {
          ...(states ? { states } : {}),
          ...(search ? { search } : {}),
          // The list's order (as on the screen).
          ...(sort ? { sort } : {}),
        },
        (page) => {
          for (const d of page) rows.push(teamRow(d));
        },
      );
      return { rows };
    },
    'documents:cancel': async ({ ids }) => {
      const list = requireIds(ids);
      const done = list.length ? await store.cancel(desk.id, list) : [];
      const after = await store.states(list);
      const refused = list
        .filter((id) => after.has(id) && after.get(id) !== 'cancelled')
        .map((id) => ({
          id,
          message:
            'Not cancelled: it may already have reached the access point, or it is already final.',
        }));
      const at = Date.now();
      forgetOldCancels(at);
      let undoToken: string | undefined;
      if (done.length > 0) {
        undoToken = randomUUID();
        recentCancels.set(undoToken, { until: at + UNDO_CANCEL_WINDOW_MS, docs: done });
      }
      return {
        cancelled: done.length,
        ...(refused.length ? { refused } : {}),
        ...(undoToken ? { undoToken } : {}),
      };
    },
    'documents:uncancel': async ({ undoToken }) => {
      forgetOldCancels(Date.now());
      const action = recentCancels.get(String(undoToken));
      if (!action)
        throw new AppError(
          'UNDO_EXPIRED',
          // Adding a cancelled file again finds it known; Retry takes one cancelled on its way
          // out (domain/states TEAM_SEND_AFTER_CANCEL_FROM).
          'It is too late to undo this cancel. An invoice cancelled on its way out can still be sent: open it and choose Retry.',
        );
      // Back to the state each was cancelled from (same key: a cancelled document never reached
      // the access point, the cancel refuses those that may have), only those still cancelled.
      const restored = await store.uncancel(
        desk.id,
        action.docs,
        `Cancel undone by ${currentUser()}`,
      );
      // Used once (kept until the team's store has answered: a failed write can be tried again).
      recentCancels.delete(String(undoToken));
      teamDesk.sender.pump();
      return { restored };
    },
    'documents:sendAnyway': async ({ ids }) => {
      // Only held documents are released, to the queue (as on a single desk): a team desk holds
      // those its and the access point's checks disagree about (./desk-remote-check).
      const list = teamIds(ctx, ids);
      let released = 0;
      if (list.length) {
        for (const [words, group] of await sendAnywayWords(ctx, list, currentUser())) {
          released += await store.sendAnyway(desk.id, group, words);
        }
      }
      teamDesk.sender.pump();
      return { released };
    },
    'documents:markHandled': async ({ ids, handled }) => {
      const list = teamIds(ctx, ids);
      const on = handled === true;
      const detail = handledWords(on, currentUser());
      return { changed: list.length ? await store.markHandled(desk.id, list, on, detail) : 0 };
    },
    'lookup:refresh': async ({ id }) => {
      const d = await teamDocOf(ctx, id);
      if (!d.receiverId) {
        throw new AppError('NO_RECEIVER', 'This document has no buyer Peppol ID to look up.');
      }
      const lookup = await lookUpAgain(ctx, d.receiverId);
      if (lookup.found) await requeueReceiver(ctx, d.receiverId, lookup);
      return lookup;
    },
  };
}
