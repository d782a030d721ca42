/**
 * The contract's documents: their states and the filters over them, a row of the table, the
 * detail panel, the timeline and what an add returns. Part of app/contract.ts (import from there).
 */
import type { Environment } from './connection';
import type { DocumentSummary, Finding } from '../validation/types';

/** Persisted life of one document. See app/domain/states.ts for the allowed transitions. */
export type DocumentState =
  | 'received'
  | 'validating'
  | 'invalid'
  | 'ready'
  | 'resolving'
  | 'unreachable'
  | 'queued'
  | 'sending'
  | 'retry_wait'
  | 'accepted'
  | 'delivered'
  | 'failed'
  | 'held'
  | 'cancelled'
  // The buyer's business response (Peppol Invoice Response), after delivery:
  | 'acknowledged'
  | 'in_process'
  | 'under_query'
  | 'conditionally_accepted'
  | 'buyer_accepted'
  | 'rejected'
  | 'paid'
  // A failed or invalid document whose corrected file was added (see Pipeline.supersede).
  | 'superseded'
  // A rejected, queried or conditionally accepted invoice the clerk marked as dealt with (a credit
  // note sent, the query answered, the condition met): out of Needs attention; the buyer's answer
  // stays on it (business_response).
  | 'handled';

/** Every state, in pipeline order (for counts and filters). */
export const DOCUMENT_STATES: readonly DocumentState[] = [
  'received',
  'validating',
  'invalid',
  'ready',
  'resolving',
  'unreachable',
  'queued',
  'sending',
  'retry_wait',
  'accepted',
  'delivered',
  'failed',
  'held',
  'cancelled',
  'acknowledged',
  'in_process',
  'under_query',
  'conditionally_accepted',
  'buyer_accepted',
  'rejected',
  'paid',
  'superseded',
  'handled',
];

/** Invoice Response codes (UNCL 4343 subset used by Peppol) and the state each one puts a document in. */
export const BUSINESS_RESPONSE_STATES = {
  AB: 'acknowledged',
  IP: 'in_process',
  UQ: 'under_query',
  CA: 'conditionally_accepted',
  AP: 'buyer_accepted',
  RE: 'rejected',
  PD: 'paid',
} as const satisfies Record<string, DocumentState>;

/** A business response code the app knows. */
export type BusinessResponseCode = keyof typeof BUSINESS_RESPONSE_STATES;

/** The states a buyer's response leads to. */
export const RESPONSE_STATES: readonly DocumentState[] = Object.values(BUSINESS_RESPONSE_STATES);

/** The filters of the document table. */
export type DocumentFilter = 'attention' | 'progress' | 'sent' | 'responded' | 'all';

/** Which states each filter shows. */
export const FILTER_STATES: Record<Exclude<DocumentFilter, 'all'>, readonly DocumentState[]> = {
  // A buyer's rejection, query or condition needs the clerk; never counted as sent.
  attention: [
    'invalid',
    'unreachable',
    'failed',
    'held',
    'rejected',
    'under_query',
    'conditionally_accepted',
  ],
  progress: ['received', 'validating', 'ready', 'resolving', 'queued', 'sending', 'retry_wait'],
  sent: ['accepted', 'delivered', 'acknowledged', 'in_process', 'buyer_accepted', 'paid'],
  // Every document the buyer answered, whatever the answer (handled ones too).
  responded: [...RESPONSE_STATES, 'handled'],
};

/** Columns the document table can sort by (in the engine, so it works at any size). */
export type DocumentSortKey =
  | 'state'
  | 'fileName'
  | 'invoiceNumber'
  | 'buyerName'
  | 'amount'
  | 'issueDate'
  | 'updatedAt'
  | 'id';

/** A sort order of the document table. */
export interface DocumentSort {
  key: DocumentSortKey;
  dir: 'asc' | 'desc';
}

/** A problem a person must see: what happened, and what to do about it. */
export interface DocumentProblem {
  code: string;
  message: string;
  /** `add-again`: the kept copy of the file is gone; the same file added again is stored anew. */
  action:
    | 'fix-file'
    | 'add-again'
    | 'retry'
    | 'check-settings'
    | 'check-receiver'
    | 'decide'
    | 'wait'
    | 'none';
}

/** One row of the document table. */
export interface DocumentRow {
  id: number;
  fileName: string;
  sha256: string;
  size: number;
  state: DocumentState;
  docType: 'Invoice' | 'CreditNote' | null;
  invoiceNumber: string | null;
  buyerName: string | null;
  receiverId: string | null;
  amount: string | null;
  currency: string | null;
  issueDate: string | null;
  transactionId: string | null;
  attempts: number;
  problem: DocumentProblem | null;
  createdAt: number;
  updatedAt: number;
  acceptedAt: number | null;
  deliveredAt: number | null;
  /** The buyer's latest business response code (AB, IP, UQ, CA, AP, RE, PD), if any. */
  businessResponse: string | null;
  sellerName: string | null;
  /**
   * The access point this document was queued for (its URL, or `sandbox` for the built-in one)
   * and its environment; it is sent only there unless the clerk reroutes it.
   */
  accessPoint: string | null;
  environment: Environment | null;
  /** When the next automatic attempt is due (waiting to retry). */
  nextAttemptAt: number | null;
}

/** A document's state and problem, without the rest of its row (`documents:briefs`). */
export interface DocumentBriefRow {
  id: number;
  fileName: string;
  state: DocumentState;
  problemCode: string | null;
  problemMessage: string | null;
  /** On a team outbox: the name of the desk that sent it (when one did). */
  sentBy?: string | null;
  /** When the access point accepted it (ms), if it did: a run tells what an earlier one sent. */
  acceptedAt?: number | null;
  /**
   * The id to name it by when not `id`: on a team desk, a file kept on this computer while the
   * team's database was away, asked for by its spool number (below 0), has the team's id since
   * (walk 24: `peppol-desk send-anyway -167`).
   */
  shownId?: number;
}

/** Most ids one `documents:briefs` call takes (bounded statements and memory). */
export const MAX_BRIEF_IDS = 2000;

/** One step of a document's timeline. */
export interface TimelineEvent {
  at: number;
  from: DocumentState | null;
  to: DocumentState;
  /** What happened, in a clerk's words. */
  detail: string | null;
  /**
   * What the access point or the network said exactly (redacted of the API key), for "Show
   * technical details" only: never shown on the row, the timeline text or the CSV.
   */
  technical: string | null;
  /** On a team outbox: the name of the desk that made this step. */
  desk?: string | null;
}

/** What the access point said about a receiver, and when (the UI shows the answer's age). */
export interface ReceiverLookup {
  participantId: string;
  found: boolean;
  name: string | null;
  capabilities: { document_type: string; process_id: string }[] | null;
  fetchedAt: number;
}

/** One message of the access point's own validator, as it gave it. */
export interface AccessPointMessage {
  rule: string;
  location: string;
  message: string;
}

/** The access point's own check of a document (setting `remoteValidation`), as it answered. */
export interface AccessPointCheck {
  valid: boolean;
  errors: AccessPointMessage[];
  warnings: AccessPointMessage[];
}

/** Our check of a document, and the access point's when it was asked. */
export interface DocumentValidation {
  ruleset: string;
  findings: Finding[];
  /** The access point's answer; absent when it was not asked or could not answer. */
  accessPoint?: AccessPointCheck;
  /**
   * True when one check says valid and the other invalid: the document is held (problem
   * `CHECKS_DISAGREE`) until the person cancels it or sends it anyway.
   */
  checksDisagree?: boolean;
}

/** Everything the detail panel shows about one document. */
export interface DocumentDetail extends DocumentRow {
  /** The cached receiver lookup, if one is known and fresh. */
  lookup: ReceiverLookup | null;
  summary: DocumentSummary | null;
  validation: DocumentValidation | null;
  timeline: TimelineEvent[];
  /** The buyer's note with its latest response (the reason of a rejection), and when it came. */
  businessResponseNote: string | null;
  businessResponseAt: number | null;
  /**
   * For a document held as a possible duplicate: the document it duplicates (the first one), so
   * that "Send anyway" shows the two side by side. Null otherwise.
   */
  duplicateOf: DuplicateOfRow | null;
  /**
   * True when its last attempt may have reached the access point: it cannot be cancelled (the
   * engine refuses), so the screen says why instead of offering Cancel.
   */
  mayHaveReachedAccessPoint: boolean;
  /**
   * Held because it was queued for another access point, and its last attempt there may have
   * reached it: sending it through another one could deliver it twice (it may be cancelled, once
   * the clerk has checked there). Absent when not so.
   */
  heldInDoubt?: boolean;
}

/** The document a held duplicate duplicates, as "Send anyway" compares it. */
export interface DuplicateOfRow extends DocumentRow {
  /**
   * Its payment due date (BT-9, or the payment means' due date), from its summary: null when it
   * has none or none is known here (walk 24 B9: the comparison had no due date).
   */
  dueDate: string | null;
}

/** Counts per state. */
export type StateCounts = Record<DocumentState, number>;

/**
 * Of the Sent and the Needs attention filters' documents, those of practice in the built-in
 * Sandbox (a single desk: the header shows them apart from real ones).
 */
export interface PracticeCounts {
  sent: number;
  attention: number;
  /**
   * Read with them, though not of practice: failed documents "Retry all" leaves as they are (the
   * access point refused the file itself, or its copy is gone: fix the file, or add it again).
   */
  failedToFix: number;
}

/** A file handed to the engine: its name (as dropped, may include a folder path) and its bytes. */
export interface IncomingFile {
  name: string;
  bytes: Uint8Array;
}

/** What happened to each file of an add. */
export interface AddResult {
  added: { id: number; fileName: string }[];
  /** `cancelled`: the document it was added as is cancelled, so it is not sent. */
  known: { id: number; fileName: string; cancelled?: boolean }[];
  rejected: { fileName: string; message: string }[];
  /**
   * Of `added`, how many were held for a decision as they were added (a team desk knows then:
   * its number guard runs in the add; a single desk's check says so in each row a moment later).
   */
  heldForDecision?: number;
}

/** An empty count for every state. */
export function emptyCounts(): StateCounts {
  const counts = {} as StateCounts;
  for (const s of DOCUMENT_STATES) counts[s] = 0;
  return counts;
}

/**
 * A drop from the app stopped part way (Peppol Desk stopped, or its page closed, before every
 * file was handed over): `names`, the first of the `notAdded` files not taken (migration 025).
 */
export interface UnfinishedDrop {
  id: number;
  startedAt: number;
  total: number;
  notAdded: number;
  /** Of its files not taken, how many a later drop named (dropped again: migration 026). */
  inLaterDrop?: number;
  names: string[];
  /**
   * A drop that ended, every file taken, with files not added (refused): what its page said of
   * them (migration 027). `notAdded` counts them then, and `names` is empty.
   */
  leftOut?: DropLeftOutWords;
}

/** What a page said of the files of its drop not added: its message's title and lines. */
export interface DropLeftOutWords {
  title: string;
  lines: string[];
  notAdded: number;
}
