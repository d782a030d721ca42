import type { DocumentProblem } from '../contract';

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
