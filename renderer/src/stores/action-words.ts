/** What the clerk's actions share: counted words, a stopped action's line, the refresh after. */
import type { Stopped } from '../../../app/contract';
import { FIX_EACH, FIX_IT, LEFT_REFUSED_WHY } from '../lib/retry-all-words';
import { useDetailStore } from './detail-store';
import { useDocumentsStore } from './documents-store';

/** How long the Undo of a cancel is offered on screen (the engine allows it a little longer). */
export const UNDO_OFFER_MS = 10_000;

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The action stopped part way (a slice could not be written, e.g. the disk is full): what was
 * done stays done and was counted in the title; this line says what was not, and why.
 */
export function stoppedLines(stopped: Stopped | undefined, notDone: string): string[] {
  if (!stopped) return [];
  return [
    `Stopped part way: ${plural(stopped.left, 'document was', 'documents were')} not ${notDone}. ${stopped.message}`,
  ];
}

export function refreshAfterAction(): void {
  useDocumentsStore.getState().clearSelection();
  useDocumentsStore.getState().requestRefresh();
  void useDetailStore.getState().reload();
}

/**
 * What a team's Retry held instead of sending (their last attempt may be at the team's earlier
 * access point), and why, in the toast: the first reason (all of one Retry read alike).
 */
export function heldLines(held: { id: number; message: string }[] | undefined): string[] {
  if (!held?.length) return [];
  return [
    `${plural(held.length, 'document was', 'documents were')} held, not sent: ${held[0]!.message}`,
  ];
}

/**
 * Documents a team's Retry left because their buyer, looked up again, is still not on Peppol
 * (walk 20: Retry all counted 326, moved 90, and said nothing of the other 236).
 */
export function notOnPeppolLines(n: number | undefined): string[] {
  if (!n) return [];
  return [
    `${plural(n, 'document was', 'documents were')} not sent: ${n === 1 ? 'its buyer was' : 'their buyers were'} looked up again and ${n === 1 ? 'is' : 'are'} not on the Peppol network. Check the buyer's Peppol ID, or send ${n === 1 ? 'it' : 'them'} another way.`,
  ];
}

/**
 * What a Retry does with invoices whose delivery failed: the desk looks each buyer up again first
 * and sends only those found (walk 19b: the words promised a send that did not come).
 */
export function resendWords(n: number, what: 'Retry' | 'Retry all'): string {
  const them = n === 1 ? 'it' : 'them';
  const how = `${what} looks ${n === 1 ? 'its buyer' : 'their buyers'} up again on Peppol and sends ${them} again as a new submission (${n === 1 ? 'unless its buyer is' : 'except those whose buyer is'} not found there)`;
  return `${how}: do it once the cause is fixed (the buyer's access point, say), or ask your provider first.`;
}

/** A Retry of a practice copy once invoices go for real; the access point in use follows. */
export const PRACTICE_COPY_RETRY =
  'This invoice went to the built-in Sandbox in practice: nothing reached Peppol or a buyer. Retry does not send it for real by itself: it then waits for your decision, to send it through';

/** A chosen Retry's files the access point had refused itself, sent again as the clerk asked. */
export function resentToFixLines(n: number | undefined): string[] {
  if (!n) return [];
  const [it, is] = n === 1 ? ['it', 'it is'] : ['them', 'they are'];
  const fix = n === 1 ? FIX_IT : FIX_EACH;
  return [
    `${n} of them the access point had refused itself: ${is} sent again as you asked. Unless the reason is gone it will refuse ${it} again: then ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`,
  ];
}

/**
 * The files Retry left as they are, by why: the access point refused the file itself, or the
 * kept copy is gone (the details offer no Retry for them; walk 16; walk 24: "(or its copy is
 * gone)" where the app knows which applies).
 */
export function leftToFixLines(n: number | undefined, copyGone = 0): string[] {
  if (!n) return [];
  const left = (k: number) =>
    `${plural(k, 'file was', 'files were')} left as ${k === 1 ? 'it is' : 'they are'}`;
  const refused = n - copyGone;
  return [
    ...(refused > 0
      ? [`${left(refused)}: ${LEFT_REFUSED_WHY}. ${refused === 1 ? FIX_IT : FIX_EACH}`]
      : []),
    ...(copyGone > 0
      ? [
          `${left(copyGone)}: Peppol Desk no longer has a whole copy of ${copyGone === 1 ? 'it' : 'them'}. Add the invoice ${copyGone === 1 ? 'file' : 'files'} again.`,
        ]
      : []),
  ];
}

/** What a Retry of chosen documents did besides trying them again, line by line. */
export function chosenRetryLines(r: {
  resentToFixIds?: number[];
  leftToFix?: number;
  leftCopyGoneIds?: number[];
  stillNotOnPeppol?: number;
}): string[] {
  return [
    ...resentToFixLines(r.resentToFixIds?.length),
    ...leftToFixLines(r.leftToFix, r.leftCopyGoneIds?.length),
    ...notOnPeppolLines(r.stillNotOnPeppol),
  ];
}
