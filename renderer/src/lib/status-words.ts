import type { DocumentFilter, DocumentState } from '../../../app/contract';

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
};

/** The visual tone of a state: drives the icon and colour, never the only signal (words are always shown). */
export type StatusTone = 'progress' | 'done' | 'attention' | 'muted';

export const STATUS_TONE: Record<DocumentState, StatusTone> = {
  received: 'progress',
  validating: 'progress',
  invalid: 'attention',
  ready: 'progress',
  resolving: 'progress',
  unreachable: 'attention',
  queued: 'progress',
  sending: 'progress',
  retry_wait: 'progress',
  accepted: 'done',
  delivered: 'done',
  failed: 'attention',
  held: 'attention',
  cancelled: 'muted',
  acknowledged: 'done',
  in_process: 'done',
  under_query: 'attention',
  conditionally_accepted: 'done',
  buyer_accepted: 'done',
  rejected: 'attention',
  paid: 'done',
  superseded: 'muted',
};

export const TONE_ICON: Record<StatusTone, string> = {
  progress: '◔',
  done: '✓',
  attention: '!',
  muted: '–',
};

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
