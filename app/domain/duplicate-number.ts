import {
  FILTER_STATES,
  RESPONSE_STATES,
  type DocumentProblem,
  type DocumentState,
} from '../contract';

/**
 * Whether a document in `state` went out (accepted or later, the buyer's answers included): a second
 * version of its number is then told that the first is on its way to the buyer or with the buyer.
 */
export function versionWentOut(state: DocumentState): boolean {
  return FILTER_STATES.sent.includes(state) || RESPONSE_STATES.includes(state);
}

/** The same seller, number and type came before (`sent`: and went out) with other content. */
export function duplicateNumber(
  dupId: number,
  no: string,
  docType: string | null,
  sent = false,
): DocumentProblem & { code: 'DUPLICATE' } {
  const kind = docType === 'CreditNote' ? 'credit note' : 'invoice';
  // A sent invoice is corrected with a credit note and a new number, not sent again. "Sent": the
  // access point accepted it; delivered or not yet (walk 9: "already sent to the buyer" was said
  // of one only accepted).
  const how =
    kind === 'invoice' ? ', which is usually corrected with a credit note and a new number' : '';
  const first = sent
    ? `was already sent (document #${dupId}) with different content: if this corrects it, the first one is on its way to the buyer or with the buyer already${how}. Send`
    : `was already added (document #${dupId}) with different content. Send`;
  const what = `${docType === 'CreditNote' ? 'Credit note' : 'Invoice'} ${no} from this seller`;
  return {
    code: 'DUPLICATE',
    message: `${what} ${first} it anyway only if this is meant as a separate ${kind}; otherwise cancel it.`,
    action: 'decide',
  };
}

/**
 * The timeline's words for a retried document held because another version of its number
 * (`dupId`; `sent`: it went out) is live (single desk and team).
 */
export function retriedDuplicateWords(dupId: number, sent: boolean): string {
  return `Held instead of retried: another version of its number, document #${dupId}, ${sent ? 'was sent' : 'is on its way'}`;
}

/**
 * A held second version's problem as it reads now. Its words were written when it was held, and
 * the first version (`first`, as it is now) may have gone out since: the details then said "was
 * already added (document #N)" of an invoice the buyer had (walk 17). Other problems, and a
 * first version that is gone, are returned as they are.
 */
export function duplicateProblemNow(
  problem: DocumentProblem | null,
  first: { id: number; state: DocumentState } | null,
  no: string | null,
  docType: string | null,
): DocumentProblem | null {
  if (problem?.code !== 'DUPLICATE' || first === null) return problem;
  const p = duplicateNumber(first.id, no ?? '', docType, versionWentOut(first.state));
  return { code: p.code, message: p.message, action: p.action };
}
