/** The clerk's Mark as handled (and back), with a toast that offers to take it back. */
import { getApi } from '../bridge';
import { plural, refreshAfterAction, stoppedLines, UNDO_OFFER_MS } from './action-words';
import { toastError, useToastStore } from './toast-store';

/**
 * Marks a buyer's rejections or queries as handled (out of Needs attention), or back; the toast
 * offers to take it back.
 */
export async function markHandled(
  ids: number[],
  handled: boolean,
  selected: number = ids.length,
): Promise<void> {
  const r = await getApi().invoke('documents:markHandled', { ids, handled });
  if (!r.ok) return toastError('Could not mark the documents', r.error);
  const n = r.value.changed;
  const stopped = stoppedLines(r.value.stopped, handled ? 'marked' : 'put back');
  // Walk 10: "2 documents marked as handled" of 3 selected, with no word on the third.
  const left = selected - n - (r.value.stopped?.left ?? 0);
  const leftLines =
    left > 0
      ? [
          `${plural(left, 'document was', 'documents were')} left as ${left === 1 ? 'it is' : 'they are'}: ${handled ? 'Mark as handled is for a buyer’s rejection, question or condition not handled yet' : 'only a document marked as handled can go back'}.`,
        ]
      : [];
  useToastStore.getState().push({
    kind: stopped.length ? 'warning' : 'success',
    title: handled
      ? `${plural(n, 'document', 'documents')} marked as handled: out of Needs attention.`
      : `${plural(n, 'document is', 'documents are')} back in Needs attention.`,
    lines: [
      ...(handled && n > 0
        ? ['They stay under Buyer responded and All, with the buyer’s answer.']
        : []),
      ...leftLines,
      ...stopped,
    ],
    ttlMs: stopped.length ? null : UNDO_OFFER_MS,
    ...(n > 0 && !stopped.length
      ? {
          action: {
            label: 'Undo',
            testId: 'toast-undo',
            run: () => void markHandled(ids, !handled),
          },
        }
      : {}),
  });
  refreshAfterAction();
}
