/**
 * Documents for a team's queue in the team store tests: distinct bytes (so a distinct key) for
 * each, numbered under the test's own tag.
 */
import { teamKeyOf, type NewTeamDocument } from '../../app/team/store';
import { makeInvoice } from './invoices';

/** A maker of new team documents `<tag>-1`, `<tag>-2`, …; `overrides` win (a body sets the key). */
export function teamDocMaker(
  tag: string,
): (overrides?: Partial<NewTeamDocument>) => NewTeamDocument {
  let n = 0;
  return (overrides = {}) => {
    const i = ++n;
    const body = overrides.body ?? makeInvoice(`${tag}-${i}`);
    return {
      key: teamKeyOf(body),
      fileName: `${tag.toLowerCase()}-${i}.xml`,
      body,
      state: 'queued',
      docType: 'Invoice',
      invoiceNumber: `${tag}-${i}`,
      senderId: '0208:0000000097',
      receiverId: '0208:0000000196',
      buyerName: `Buyer ${i}`,
      amount: '100.00',
      currency: 'EUR',
      issueDate: '2026-01-01',
      problem: null,
      ...overrides,
    };
  };
}
