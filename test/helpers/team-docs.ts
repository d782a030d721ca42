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

/**
 * A queued invoice of `body` with only what the queue needs: its key, file name and number; no
 * parties, amount or dates (the claim and plan tests, where those do not matter).
 */
export function bareTeamDoc(
  body: Uint8Array,
  fileName: string,
  invoiceNumber: string | null = null,
): NewTeamDocument {
  return {
    key: teamKeyOf(body),
    fileName,
    body,
    state: 'queued',
    docType: 'Invoice',
    invoiceNumber,
    senderId: null,
    receiverId: null,
    buyerName: null,
    amount: null,
    currency: null,
    issueDate: null,
    problem: null,
  };
}
