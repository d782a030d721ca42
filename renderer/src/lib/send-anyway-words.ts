import type { DocumentRow } from '../../../app/contract';
import { versionWentOut } from '../../../app/domain/duplicate-number';
import { ON_THEIR_WAY } from '../../../app/domain/states';

/** A document's kind in the Send anyway confirmation's words. */
export function kindWord(docType: DocumentRow['docType']): string {
  return docType === 'CreditNote' ? 'credit note' : 'invoice';
}

/**
 * What sending a held duplicate anyway would do, in the confirmation's first line, from what its
 * first version is now (walk 14: "The buyer may receive the same invoice twice" was said when
 * the first had been cancelled, and of two invoices with one number and other amounts).
 */
export function sendAnywayLead(
  held: Pick<DocumentRow, 'docType' | 'problem' | 'invoiceNumber'>,
  first: Pick<DocumentRow, 'id' | 'state'>,
): string {
  const kind = kindWord(held.docType);
  const no = held.invoiceNumber ? ` ${held.invoiceNumber}` : '';
  const sameBytes = held.problem?.code === 'DUPLICATE_CONTENT';
  const went = versionWentOut(first.state);
  if (!went && !ON_THEIR_WAY.has(first.state)) {
    return `The first one (document #${first.id}) was not sent: only this ${kind} would go to the buyer. Compare the two before deciding.`;
  }
  const when = went ? 'already has' : 'is about to receive';
  return sameBytes
    ? `The buyer ${when} this same ${kind} (document #${first.id}): sending it anyway, the buyer receives it twice. Compare the two before deciding.`
    : `The buyer ${when} ${kind}${no} with other content (document #${first.id}): sending this one too gives the buyer two ${kind}s with one number. Compare the two before deciding.`;
}
