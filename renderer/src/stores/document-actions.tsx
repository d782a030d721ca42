import { sendAnywayLead } from '../lib/send-anyway-words';
import type { ReactNode } from 'react';
import { MAX_BRIEF_IDS, type DocumentState, type ErrorValue } from '../../../app/contract';
import { NOTHING_TO_CANCEL, handledFrom } from '../../../app/domain/states';
import { getApi } from '../bridge';
import { ownAccessPointWords } from '../lib/format';
import { DuplicateCompare } from '../features/confirm/duplicate-compare';
import { useConfirmStore } from './confirm-store';
import { useConnectionStore } from './connection-store';
import { useDetailStore } from './detail-store';
import { useDocumentsStore } from './documents-store';
import { toastError, useToastStore } from './toast-store';
import {
  chosenRetryLines,
  heldLines,
  leftToFixLines,
  notOnPeppolLines,
  plural,
  refreshAfterAction,
  resendWords,
  stoppedLines,
  PRACTICE_COPY_RETRY,
  UNDO_OFFER_MS,
} from './action-words';
import { markHandled } from './mark-handled';

export { stoppedLines, UNDO_OFFER_MS };

export type DocumentAction = 'retry' | 'cancel' | 'sendAnyway' | 'markHandled' | 'markNotHandled';

export const ACTION_LABELS: Record<DocumentAction, string> = {
  retry: 'Retry',
  cancel: 'Cancel',
  sendAnyway: 'Send anyway',
  markHandled: 'Mark as handled',
  markNotHandled: 'Mark as not handled',
};

/** The states each action applies to (the rest of a selection is left as it is). */
function appliesTo(
  action: DocumentAction,
  state: DocumentState,
  problemCode: string | null,
): boolean {
  if (action === 'cancel') return !NOTHING_TO_CANCEL.has(state);
  // One whose buyer does not take its type of document cannot go, whoever decides (its details
  // do not offer it either: features/detail/offered-actions.ts).
  if (action === 'sendAnyway')
    return state === 'held' && problemCode !== 'RECEIVER_DOES_NOT_ACCEPT';
  if (action === 'markHandled' || action === 'markNotHandled')
    return handledFrom(action === 'markHandled').includes(state);
  return true;
}

/** What the toast says when nothing selected is something the action applies to. */
const NOTHING_TO_DO: Partial<Record<DocumentAction, string>> = {
  cancel: 'Nothing to cancel: the selected documents are already sent or finished.',
  sendAnyway: 'Nothing to send anyway: none of the selected documents is held for a decision.',
  markHandled:
    'Nothing to mark as handled: none of the selected documents was rejected, queried or accepted on a condition by the buyer.',
  markNotHandled: 'Nothing to mark as not handled: none of the selected documents is handled.',
};

/**
 * Nothing selected can be cancelled and `sending` of the `selected` are being sent right now
 * (walk 9: "already sent or finished" was said of invoices on their way).
 */
function nothingToCancelWhileSending(sending: number, selected: number): string {
  const who =
    sending === selected
      ? selected === 1
        ? 'the selected document is'
        : 'the selected documents are'
      : `${sending} of the selected documents ${sending === 1 ? 'is' : 'are'}`;
  const rest = sending < selected ? '; the others are already sent or finished' : '';
  return `Nothing to cancel: ${who} being sent right now and may already have reached the access point${rest}.`;
}

/** Why the rest of a selection stays as it is (see `othersLine`). */
const OTHERS_ARE: Partial<Record<DocumentAction, string>> = {
  cancel: 'being sent now, already sent or finished',
  sendAnyway: 'not held',
  markHandled: 'not rejected, queried or accepted on a condition by the buyer',
  markNotHandled: 'not marked as handled',
};

/** What a confirmation counts of a document: its state and problem code. */
interface StateNow {
  state: DocumentState;
  problemCode: string | null;
}

/**
 * The rows of `ids` as the table last loaded them, or null when some are not loaded (a
 * selection of every document).
 */
function loadedStates(ids: readonly number[]): Map<number, StateNow> | null {
  const byId = new Map<number, StateNow>();
  for (const rows of Object.values(useDocumentsStore.getState().pages))
    for (const r of rows) byId.set(r.id, { state: r.state, problemCode: r.problem?.code ?? null });
  return ids.every((id) => byId.has(id)) ? byId : null;
}

/**
 * The state and problem of each of `ids` as the engine has them now, read in calls of
 * MAX_BRIEF_IDS (walk 8: "Cancel 86 documents?" was counted from the table's last load while
 * they were being sent, then "0 documents cancelled"); ids it does not know are left out. The
 * table's last load when the engine does not answer, or null when that does not hold them all:
 * the confirmation then does not count.
 */
async function statesNow(ids: readonly number[]): Promise<Map<number, StateNow> | null> {
  const byId = new Map<number, StateNow>();
  for (let i = 0; i < ids.length; i += MAX_BRIEF_IDS) {
    const r = await getApi().invoke('documents:briefs', { ids: ids.slice(i, i + MAX_BRIEF_IDS) });
    if (!r.ok) return loadedStates(ids);
    for (const b of r.value.rows) byId.set(b.id, { state: b.state, problemCode: b.problemCode });
  }
  return byId;
}

/**
 * Asks before what is hard to take back, then runs the action: Send anyway shows a duplicate
 * beside the document it duplicates; a Cancel of more than one document is confirmed.
 * "Keep" is always the default: Enter or Escape changes nothing.
 */
export async function requestDocumentAction(action: DocumentAction, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const ask = useConfirmStore.getState().ask;
  // What the confirmation counts is what the action applies to (the rest is left as it is).
  const states = await statesNow(ids);
  const targets = states
    ? ids.filter((id) => {
        const now = states.get(id);
        return now !== undefined && appliesTo(action, now.state, now.problemCode);
      })
    : ids;
  const others = ids.length - targets.length;
  if (targets.length === 0) {
    const sendingNow = states ? ids.filter((id) => states.get(id)?.state === 'sending').length : 0;
    useToastStore.getState().push({
      kind: 'info',
      title:
        action === 'cancel' && sendingNow > 0
          ? nothingToCancelWhileSending(sendingNow, ids.length)
          : (NOTHING_TO_DO[action] ?? 'Nothing to do for the selected documents.'),
      lines: [],
      ttlMs: 6000,
    });
    return;
  }
  // Marking is taken back as easily (Undo): not asked first.
  if (action === 'markHandled' || action === 'markNotHandled')
    return markHandled(targets, action === 'markHandled', ids.length);
  const othersLine =
    others > 0 ? (
      <p>
        The other {plural(others, 'selected document is', 'selected documents are')}{' '}
        {OTHERS_ARE[action]} and {others === 1 ? 'stays' : 'stay'} as{' '}
        {others === 1 ? 'it is' : 'they are'}.
      </p>
    ) : null;
  if (action === 'cancel' && ids.length > 1) {
    const what = states
      ? plural(targets.length, 'document', 'documents')
      : 'the selected documents';
    const ok = await ask({
      title: `Cancel ${what}?`,
      body: (
        <>
          <p>
            They will not be sent. Documents that may already have reached the access point are
            kept. You can undo this for a few seconds afterwards.
          </p>
          {othersLine}
        </>
      ),
      confirmLabel: `Cancel ${what}`,
      keepLabel: 'Keep them',
      testId: 'confirm-cancel',
    });
    if (!ok) return;
  }
  if (action === 'sendAnyway') {
    const ok = await askSendAnyway(targets, states !== null, othersLine);
    if (!ok) return;
  }
  // A Retry of invoices whose delivery failed sends them again as new submissions: asked first
  // (a clerk's walk: "select all, Retry" re-submitted one without a word).
  const undelivered = states
    ? targets.filter((id) => states.get(id)?.problemCode === 'DELIVERY_FAILED').length
    : 0;
  // A practice copy once invoices go for real (walk 22 B5: "Your access point accepted it").
  const practiceCopy =
    action === 'retry' && undelivered === 1 && targets.length === 1
      ? await isPracticeCopy(targets[0]!)
      : false;
  if (action === 'retry' && undelivered > 0) {
    const ok = await ask({
      title: practiceCopy
        ? 'Retry a practice copy?'
        : `Send ${plural(undelivered, 'invoice', 'invoices')} again whose delivery failed?`,
      body: (
        <p>
          {practiceCopy
            ? `${PRACTICE_COPY_RETRY} ${accessPointInUse()}, or cancel it.`
            : `Your access point accepted ${undelivered === 1 ? 'it but could not deliver it' : 'them but could not deliver them'}. ${resendWords(undelivered, 'Retry')}`}
        </p>
      ),
      confirmLabel: 'Send again',
      keepLabel: 'Not now',
      testId: 'confirm-retry-undelivered',
    });
    if (!ok) return;
  }
  await runDocumentAction(action, targets, ids.length);
}

/** Whether a document was a practice copy for the built-in Sandbox, now that it is not in use. */
async function isPracticeCopy(id: number): Promise<boolean> {
  const status = useConnectionStore.getState().status;
  if (!status || status.environment === 'sandbox' || status.team) return false;
  const r = await getApi().invoke('documents:get', { id });
  return r.ok && r.value.accessPoint === 'sandbox';
}

/** The access point sends go through now: the team's on a team desk, else this desk's. */
function accessPointInUse(): string {
  const status = useConnectionStore.getState().status;
  if (!status) return 'the access point in use';
  return status.team?.accessPoint ?? ownAccessPointWords(status);
}

async function askSendAnyway(
  ids: number[],
  known: boolean,
  othersLine: ReactNode,
): Promise<boolean> {
  const ask = useConfirmStore.getState().ask;
  if (ids.length === 1) {
    const r = await getApi().invoke('documents:get', { id: ids[0]! });
    const held = r.ok ? r.value : null;
    // Held because the access point changed: it goes through the one in use now, asked first
    // (a walk's "Send anyway" rerouted at once), with the reason it was held.
    if (held?.problem?.code === 'ACCESS_POINT_CHANGED') {
      const here = accessPointInUse();
      return ask({
        title: `Send it through ${here}?`,
        body: (
          <>
            <p>{held.problem.message}</p>
            {othersLine}
          </>
        ),
        confirmLabel: `Send through ${here}`,
        keepLabel: 'Keep holding',
        testId: 'confirm-send-anyway',
      });
    }
    // Only a duplicate has something to compare; other holds are decided in their details.
    if (!held?.duplicateOf) return true;
    return ask({
      title: 'Send this possible duplicate anyway?',
      body: (
        <>
          <p data-testid="send-anyway-lead">{sendAnywayLead(held, held.duplicateOf)}</p>
          <DuplicateCompare first={held.duplicateOf} held={held} />
          {othersLine}
        </>
      ),
      confirmLabel: 'Send anyway',
      keepLabel: 'Keep holding',
      testId: 'confirm-send-anyway',
    });
  }
  const what = known ? plural(ids.length, 'held document', 'held documents') : 'the held documents';
  return ask({
    title: known ? `Send ${what} anyway?` : `Send ${what} among these ${ids.length} anyway?`,
    body: (
      <>
        <p>
          Each was held for a reason of its own (a possible duplicate, checks that disagree, or an
          access point or API key changed since it was queued): its details say which. Open a
          document's details to check it before sending it on its own.
        </p>
        {othersLine}
      </>
    ),
    confirmLabel: known ? `Send ${ids.length} anyway` : 'Send them anyway',
    keepLabel: 'Keep holding',
    testId: 'confirm-send-anyway',
  });
}

/** Runs an action on documents, tells the person what happened, and refreshes what they see. */
export async function runDocumentAction(
  action: DocumentAction,
  ids: number[],
  /** How many the clerk selected (the others were left out as nothing to do). */
  selected: number = ids.length,
): Promise<void> {
  if (ids.length === 0) return;
  if (action === 'markHandled' || action === 'markNotHandled')
    return markHandled(ids, action === 'markHandled', selected);
  const api = getApi();
  let message: string;
  let lines: string[] = [];
  let undo: (() => void) | undefined;
  let stopped: string[] = [];
  if (action === 'retry') {
    const r = await api.invoke('documents:retry', { ids });
    if (!r.ok) return toastError('Could not retry', r.error);
    // Files that needed fixing are checked again, not sent (walk 12: "9 documents will be tried
    // again" of nine invalid files, which then needed fixing again).
    const rechecked = r.value.rechecked ?? 0;
    const toSend = r.value.retried - rechecked;
    message =
      rechecked === 0 || toSend > 0
        ? `${plural(toSend, 'document', 'documents')} will be tried again.`
        : `${plural(rechecked, 'file', 'files')} will be checked again.`;
    lines = heldLines(r.value.held);
    if (rechecked > 0 && toSend > 0)
      lines.push(
        `${plural(rechecked, 'file that needed fixing', 'files that needed fixing')} will be checked again.`,
      );
    if (rechecked > 0)
      lines.push(
        'A file is checked as it was added: if it still needs fixing, fix it and drop the corrected file.',
      );
    lines.push(...chosenRetryLines(r.value));
    // Walk 10: "0 documents will be tried again." and nothing more for a selection Retry skips.
    const left =
      selected -
      r.value.retried -
      (r.value.held?.length ?? 0) -
      (r.value.stopped?.left ?? 0) -
      (r.value.leftToFix ?? 0) -
      (r.value.stillNotOnPeppol ?? 0);
    if (left > 0)
      lines.push(
        `${plural(left, 'document was', 'documents were')} not tried again: Retry is for documents that failed or whose buyer was not on Peppol. Open ${left === 1 ? 'it' : 'one'} to see what ${left === 1 ? 'it needs' : 'each needs'}.`,
      );
    stopped = stoppedLines(r.value.stopped, 'tried again');
  } else if (action === 'cancel') {
    const r = await api.invoke('documents:cancel', { ids });
    if (!r.ok) return toastError('Could not cancel', r.error);
    message = `${plural(r.value.cancelled, 'document', 'documents')} cancelled.`;
    const refused = r.value.refused ?? [];
    if (refused.length > 0) {
      // Kept, not cancelled: their last attempt may have reached the access point.
      lines = [
        `${plural(refused.length, 'document was', 'documents were')} kept: ${refused[0]!.message}`,
      ];
    }
    // Those neither cancelled nor kept (refused): being sent, sent or finished, left as they are.
    const left = selected - r.value.cancelled - refused.length - (r.value.stopped?.left ?? 0);
    if (left > 0)
      lines.push(
        `${plural(left, 'document was', 'documents were')} being sent, already sent or finished, and left as ${left === 1 ? 'it is' : 'they are'}.`,
      );
    stopped = stoppedLines(r.value.stopped, 'cancelled');
    const token = r.value.undoToken;
    if (token) undo = () => void undoCancel(token);
  } else {
    const r = await api.invoke('documents:sendAnyway', { ids });
    if (!r.ok) return toastError('Could not release for sending', r.error);
    message = `${plural(r.value.released, 'document', 'documents')} released for sending.`;
    const stillHeld = r.value.stillHeld ?? [];
    if (stillHeld.length > 0) {
      // Released as a duplicate, but the two checks disagree: a second decision is needed.
      lines = [
        `${plural(stillHeld.length, 'document is', 'documents are')} still held: ${stillHeld[0]!.message}`,
      ];
    }
    // Held no more when the request came (decided or cancelled meanwhile, say in another
    // window): a walk read only "0 documents released for sending".
    const gone = ids.length - r.value.released - stillHeld.length - (r.value.stopped?.left ?? 0);
    if (gone > 0)
      lines.push(
        `${plural(gone, 'document was', 'documents were')} no longer held (decided or cancelled meanwhile, perhaps in another window) and left as ${gone === 1 ? 'it is' : 'they are'}.`,
      );
    stopped = stoppedLines(r.value.stopped, 'released');
  }
  useToastStore.getState().push({
    // Stopped part way: stays until read (what was not done needs the clerk).
    kind: stopped.length ? 'warning' : 'success',
    title: message,
    lines: [...lines, ...stopped],
    ttlMs: stopped.length ? null : undo ? UNDO_OFFER_MS : 6000,
    ...(undo ? { action: { label: 'Undo', testId: 'toast-undo', run: undo } } : {}),
  });
  refreshAfterAction();
}

async function undoCancel(undoToken: string): Promise<void> {
  const r = await getApi().invoke('documents:uncancel', { undoToken });
  if (!r.ok) return toastError('Could not undo', r.error);
  const stopped = stoppedLines(r.value.stopped, 'put back');
  useToastStore.getState().push({
    kind: stopped.length ? 'warning' : 'success',
    title: `Cancel undone: ${plural(r.value.restored, 'document is', 'documents are')} back.`,
    lines: stopped,
    ttlMs: stopped.length ? null : 6000,
    // The same Undo puts back the rest, while its time lasts.
    ...(stopped.length
      ? {
          action: {
            label: 'Undo the rest',
            testId: 'toast-undo',
            run: () => void undoCancel(undoToken),
          },
        }
      : {}),
  });
  refreshAfterAction();
}

/**
 * How many failed documents failed at delivery (the access point accepted them, then could not
 * deliver them): a Retry sends those again as new submissions. Null when it cannot be told.
 */
async function failedAtDelivery(): Promise<
  { undelivered: number; failed: number } | { error: ErrorValue }
> {
  const failed = await getApi().invoke('documents:ids', { states: ['failed'] });
  // Its own words (walk 17: "Peppol Desk did not answer" while the team database was down).
  if (!failed.ok) return { error: failed.error };
  let n = 0;
  for (let i = 0; i < failed.value.ids.length; i += MAX_BRIEF_IDS) {
    const ids = failed.value.ids.slice(i, i + MAX_BRIEF_IDS);
    const briefs = await getApi().invoke('documents:briefs', { ids });
    if (!briefs.ok) return { error: briefs.error };
    n += briefs.value.rows.filter((r) => r.problemCode === 'DELIVERY_FAILED').length;
  }
  return { undelivered: n, failed: failed.value.ids.length };
}

/**
 * Retries every failed or unreachable document (the engine picks them, not the loaded rows).
 * Invoices whose delivery failed are among them: asked first, as a Retry of a selection asks (a
 * walk: "Retry all failed" re-submitted ten accepted invoices without a word).
 */
export async function retryAllFailed(): Promise<void> {
  const found = await failedAtDelivery();
  if ('error' in found) return toastError('Could not retry', found.error);
  const { undelivered } = found;
  // The others Retry all would also take: failed otherwise, or the buyer not found.
  const others = found.failed - undelivered + useDocumentsStore.getState().counts.unreachable;
  if (undelivered > 0) {
    const ok = await useConfirmStore.getState().ask({
      title: `Send ${plural(undelivered, 'invoice', 'invoices')} again whose delivery failed?`,
      body: (
        <>
          <p>
            Among the failed documents{' '}
            {undelivered === 1 ? 'is 1 invoice' : `are ${undelivered} invoices`} your access point
            accepted but could not deliver. {resendWords(undelivered, 'Retry all')}
          </p>
          {others > 0 && (
            // Said only when there are others (walk 17: said when every one failed at delivery).
            <p>
              To retry only the others, choose Not now, select them in the list and choose Retry.
            </p>
          )}
        </>
      ),
      confirmLabel: 'Retry all, sending them again',
      keepLabel: 'Not now',
      testId: 'confirm-retry-all-undelivered',
    });
    if (!ok) return;
  }
  const r = await getApi().invoke('documents:retry', { allFailed: true });
  if (!r.ok) return toastError('Could not retry', r.error);
  const stopped = stoppedLines(r.value.stopped, 'tried again');
  useToastStore.getState().push({
    kind: stopped.length ? 'warning' : 'success',
    title: `${plural(r.value.retried, 'document', 'documents')} will be tried again.`,
    lines: [
      ...heldLines(r.value.held),
      ...leftToFixLines(r.value.leftToFix, r.value.leftCopyGoneIds?.length),
      ...notOnPeppolLines(r.value.stillNotOnPeppol),
      ...stopped,
      ...(r.value.retried === 0 &&
      !r.value.held?.length &&
      !r.value.leftToFix &&
      !r.value.stillNotOnPeppol &&
      !stopped.length
        ? [
            // Walk 17: the desk that lost a race with another read only "0 documents will be
            // tried again".
            'None was failed any more: they were retried or decided meanwhile, perhaps on another desk or in another window.',
          ]
        : []),
    ],
    ttlMs: stopped.length ? null : 6000,
  });
  useDocumentsStore.getState().requestRefresh();
  void useDetailStore.getState().reload();
}
