import type { DocumentFilter, DocumentState } from '../contract';

// The words a finance clerk reads for states and filters: one table for the screen, the CSV and
// the CLI, so `peppol-desk list` and the app never name the same state differently.

/** Plain words a finance clerk reads for each state. */
export const STATUS_WORDS: Record<DocumentState, string> = {
  received: 'Received',
  validating: 'Checking',
  invalid: 'Needs fixing',
  ready: 'Checked',
  resolving: 'Finding receiver',
  unreachable: 'Receiver not on Peppol',
  queued: 'Queued',
  sending: 'Sending',
  retry_wait: 'Waiting to retry',
  accepted: 'Accepted by access point',
  delivered: 'Delivered',
  failed: 'Failed',
  held: 'Needs your decision',
  cancelled: 'Cancelled',
  acknowledged: 'Acknowledged by buyer',
  in_process: 'In process at buyer',
  under_query: 'Under query by buyer',
  conditionally_accepted: 'Conditionally accepted by buyer',
  buyer_accepted: 'Accepted by buyer',
  rejected: 'Rejected by buyer',
  paid: 'Paid',
  superseded: 'Replaced by a corrected file',
  // Not "by you": on a team another desk's clerk may have, or a credit note sent for it did;
  // the timeline says which.
  handled: 'Handled',
};

/**
 * A document's status in words: its state's, except that one whose buyer is on Peppol but does
 * not take its type of document does not read "Receiver not on Peppol" (a team keeps it
 * `unreachable`, beside a reason saying the buyer is on Peppol).
 */
export function statusWordsOf(state: DocumentState, problemCode?: string | null): string {
  if (state === 'unreachable' && problemCode === 'RECEIVER_DOES_NOT_ACCEPT')
    return 'Buyer does not take this document';
  return STATUS_WORDS[state];
}

/** The filter tabs' names. */
export const FILTER_LABELS: Record<DocumentFilter, string> = {
  attention: 'Needs attention',
  progress: 'In progress',
  sent: 'Sent',
  responded: 'Buyer responded',
  all: 'All',
};

export const FILTER_ORDER: readonly DocumentFilter[] = [
  'attention',
  'progress',
  'sent',
  'responded',
  'all',
];
