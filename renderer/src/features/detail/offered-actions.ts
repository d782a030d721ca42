import type { DocumentDetail, DocumentProblem } from '../../../../app/contract';
import { handledFrom, teamSendsAfterCancel } from '../../../../app/domain/states';
import type { DocumentAction } from '../../stores/document-actions';

/** An action that is not offered here, and why (shown in place of its button). */
export interface Unavailable {
  action: DocumentAction;
  reason: string;
}

/** States of a document on its way out that nothing has sent yet: a cancel stops it. */
const WAITING_TO_GO: ReadonlySet<DocumentDetail['state']> = new Set([
  'received',
  'validating',
  'ready',
  'resolving',
  'queued',
]);

/**
 * Which buttons a document offers, beyond reading it, and the actions that cannot work for it
 * with the reason: a button that can only fail is not offered.
 */
export function actionsFor(
  d: Pick<DocumentDetail, 'problem' | 'state' | 'mayHaveReachedAccessPoint'> &
    Partial<Pick<DocumentDetail, 'timeline'>>,
  onTeam = false,
): { offered: DocumentAction[]; unavailable: Unavailable[] } {
  const { problem, state } = d;
  let candidates: DocumentAction[] = [];
  // Cancelled, to be sent after all (walk 18: once the Undo had gone nothing could send it): a
  // single desk checks it again from the start; a team's Retry takes one cancelled on its way out.
  if (state === 'cancelled')
    return {
      offered:
        !onTeam || teamSendsAfterCancel(d.timeline?.findLast((e) => e.to === 'cancelled')?.from)
          ? ['retry']
          : [],
      unavailable: [],
    };
  // A buyer that does not take this type of document: asked again once the clerk has talked to
  // them (walk 13: "Needs your decision" offered Cancel alone).
  if (state === 'held' && problem?.code === 'RECEIVER_DOES_NOT_ACCEPT')
    candidates = ['retry', 'sendAnyway', 'cancel'];
  else if (state === 'held') candidates = ['sendAnyway', 'cancel'];
  else if (state === 'failed' || state === 'unreachable' || problem?.action === 'retry')
    candidates = ['retry', 'cancel'];
  else if (state === 'retry_wait') candidates = ['retry', 'cancel'];
  else if (state === 'invalid') candidates = ['cancel'];
  // Not sent yet and nothing wrong: the clerk who paused to stop one invoice cancels it here (a
  // walk found the row's checkbox the only way). Sending and later have nothing to cancel.
  else if (WAITING_TO_GO.has(state)) candidates = ['cancel'];
  // The buyer rejected, queried or accepted it on a condition: once the clerk has dealt with it
  // (a credit note, an answer, the condition met), it can leave Needs attention; and come back.
  else if (handledFrom(true).includes(state)) candidates = ['markHandled'];
  else if (handledFrom(false).includes(state)) candidates = ['markNotHandled'];
  const unavailable: Unavailable[] = [];
  const offered = candidates.filter((a) => {
    const reason = whyNot(a, d);
    if (reason) unavailable.push({ action: a, reason });
    return reason === null;
  });
  return { offered, unavailable };
}

function whyNot(
  action: DocumentAction,
  d: Pick<DocumentDetail, 'problem' | 'state' | 'mayHaveReachedAccessPoint'>,
): string | null {
  const code = d.problem?.code ?? '';
  if (action === 'sendAnyway' && code === 'RECEIVER_DOES_NOT_ACCEPT')
    return "Send anyway is not offered: the buyer's Peppol registration does not accept this type of document, so the network would refuse it.";
  if (action === 'retry' && d.state === 'failed' && d.problem?.action === 'fix-file')
    // Chosen in the list, Retry sends it all the same (the refusal may have been the access
    // point's mistake): said here, so that this and the list's Retry agree (walk 23b).
    return 'Retry is not offered: the access point refused this file itself, so the same file would most likely be refused again. Fix it in your accounting system and add the corrected file. (If you know the refusal was a mistake of the access point, select it in the list and choose Retry: it is sent again.)';
  if (action === 'retry' && d.problem?.action === 'add-again')
    return 'Retry is not offered: Peppol Desk no longer has a whole copy of this file. Add the invoice file again.';
  if (action === 'cancel' && d.mayHaveReachedAccessPoint)
    return WAITING_TO_GO.has(d.state)
      ? 'Cancel is not offered: an earlier try may already have reached the access point. Peppol Desk sends it again to find out (it cannot arrive twice).'
      : 'Cancel is not offered: this invoice may already have reached the access point. Retry to find out (it cannot arrive twice).';
  return null;
}

const ACTION_HINTS: Record<DocumentProblem['action'], string> = {
  'fix-file': 'Fix the file in your invoicing software, then drop the corrected file again.',
  // The message says it: "Add the invoice file again."
  'add-again': '',
  retry: 'You can try again now, or wait for the automatic retry.',
  'check-settings': 'Open Settings and check the provider address and API key.',
  // Said by each problem's own message (see actionHint).
  'check-receiver': '',
  decide: 'Decide whether to send it anyway or cancel it.',
  wait: 'Nothing to do: Peppol Desk keeps trying.',
  none: '',
};

/**
 * The line under a problem that says what the clerk can do, or null. It must stay true for the
 * document: a failed document has no automatic retry (nothing is scheduled), so it is not promised.
 * Null where the problem's own message already says what to do.
 */
export function actionHint(d: Pick<DocumentDetail, 'problem' | 'nextAttemptAt'>): string | null {
  const { problem } = d;
  if (!problem) return null;
  if (problem.action === 'retry' && d.nextAttemptAt === null)
    return 'Peppol Desk will not try again by itself: choose Retry when you are ready.';
  // Every problem about the buyer says what to do in its own words (walk 22: "Check the buyer's
  // Peppol ID, or send this invoice another way." then "Ask the buyer for their Peppol ID, or
  // send this invoice another way."). A lookup that failed says to use Send anyway or cancel.
  if (problem.action === 'check-receiver') return null;
  // The check's message ends "Fix the invoice in your accounting system and drop it again.":
  // the same advice again in other words would only make the clerk wonder about a difference.
  if (problem.code === 'VALIDATION') return null;
  // A buyer's rejection says what to agree and send (walk 10: three instructions in a row).
  if (problem.code === 'BUYER_REJECTED') return null;
  // The same for any message that already says to fix the file and add it again (an access
  // point's refusal: a walk read the advice twice, in two wordings).
  if (problem.action === 'fix-file' && /\bagain\.?\s*$/.test(problem.message)) return null;
  return ACTION_HINTS[problem.action] || null;
}
