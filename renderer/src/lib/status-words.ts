import type { DocumentState } from '../../../app/contract';

// The words live in the domain (the CLI uses them too); tone and icon are the screen's own.
export {
  FILTER_LABELS,
  FILTER_ORDER,
  STATUS_WORDS,
  statusWordsOf,
} from '../../../app/domain/status-words';

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
  conditionally_accepted: 'attention',
  buyer_accepted: 'done',
  rejected: 'attention',
  paid: 'done',
  superseded: 'muted',
  handled: 'muted',
};

export const TONE_ICON: Record<StatusTone, string> = {
  progress: '◔',
  done: '✓',
  attention: '!',
  muted: '–',
};
