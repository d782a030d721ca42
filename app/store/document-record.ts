/**
 * The `documents` table as TypeScript sees it: the row type column for column, what a patch may
 * set, the narrower rows the list and the briefs read, and the mapping to the contract's
 * `DocumentRow`. No SQL here: the statements live in documents-repo.ts and document-list.ts.
 */
import type { BodyRef } from './body-files';
import type {
  DocumentFilter,
  DocumentProblem,
  DocumentRow,
  DocumentSort,
  DocumentState,
  Environment,
} from '../contract';

/** A row of the `documents` table, column for column. */
export interface DocumentRecord {
  id: number;
  file_name: string;
  sha256: string;
  size: number;
  state: DocumentState;
  doc_type: 'Invoice' | 'CreditNote' | null;
  invoice_number: string | null;
  seller_id: string | null;
  buyer_name: string | null;
  receiver_id: string | null;
  amount: string | null;
  currency: string | null;
  issue_date: string | null;
  summary_json: string | null;
  validation_json: string | null;
  idempotency_key: string;
  transaction_id: string | null;
  attempts: number;
  next_attempt_at: number | null;
  problem_code: string | null;
  problem_message: string | null;
  problem_action: DocumentProblem['action'] | null;
  duplicate_of: number | null;
  send_anyway: number;
  business_response: string | null;
  created_at: number;
  updated_at: number;
  accepted_at: number | null;
  delivered_at: number | null;
  next_poll_at: number | null;
  /** The batch this document was sent in while that batch's outcome is unknown (migration 003). */
  batch_key: string | null;
  /** 1 while an attempt may have reached the access point unanswered (migration 007). */
  send_outcome_unknown: number;
  /** The buyer's note with the latest business response, and when it came (migration 009). */
  business_response_note: string | null;
  business_response_at: number | null;
  /** The access point and environment the document is pinned to (migration 010). */
  access_point: string | null;
  environment: Environment | null;
  /** The environment the access point named when it accepted the document (migration 021). */
  said_environment: 'test' | 'production' | null;
  seller_name: string | null;
  /** The API key (a fingerprint) and time of the attempt that may have left it in doubt (020). */
  doubt_key: string | null;
  doubt_at: number | null;
  /** Could not be read as an invoice: the number its file seems to carry (migration 023). */
  unread_number: string | null;
}

/** Fields a transition may set besides the state. */
export type DocumentPatch = Partial<
  Pick<
    DocumentRecord,
    | 'doc_type'
    | 'invoice_number'
    | 'seller_id'
    | 'buyer_name'
    | 'receiver_id'
    | 'amount'
    | 'currency'
    | 'issue_date'
    | 'summary_json'
    | 'validation_json'
    | 'transaction_id'
    | 'attempts'
    | 'next_attempt_at'
    | 'problem_code'
    | 'problem_message'
    | 'problem_action'
    | 'duplicate_of'
    | 'send_anyway'
    | 'business_response'
    | 'business_response_note'
    | 'business_response_at'
    | 'access_point'
    | 'environment'
    | 'said_environment'
    | 'seller_name'
    | 'accepted_at'
    | 'delivered_at'
    | 'next_poll_at'
    | 'batch_key'
    | 'send_outcome_unknown'
    | 'idempotency_key'
    | 'doubt_key'
    | 'doubt_at'
    | 'unread_number'
  >
>;

/** The columns `patch` and `transition` may set (anything else in a patch is ignored). */
export const PATCHABLE_COLUMNS: ReadonlySet<string> = new Set<string>([
  'doc_type',
  'invoice_number',
  'seller_id',
  'buyer_name',
  'receiver_id',
  'amount',
  'currency',
  'issue_date',
  'summary_json',
  'validation_json',
  'transaction_id',
  'attempts',
  'next_attempt_at',
  'problem_code',
  'problem_message',
  'problem_action',
  'duplicate_of',
  'send_anyway',
  'business_response',
  'business_response_note',
  'business_response_at',
  'access_point',
  'environment',
  'said_environment',
  'seller_name',
  'accepted_at',
  'delivered_at',
  'next_poll_at',
  'batch_key',
  'send_outcome_unknown',
  'idempotency_key',
  'doubt_key',
  'doubt_at',
  'unread_number',
]);

/** A new document as inserted by `documents:add`. */
export interface NewDocument {
  fileName: string;
  sha256: string;
  size: number;
  body: Uint8Array;
  /**
   * Where `body` was appended and synced (`DocumentsRepo.storeBodies`); absent: it is
   * stored in the database with the row.
   */
  bodyRef?: BodyRef | null;
  idempotencyKey: string;
  /** The access point in use when it was added, and its environment: the document's pin. */
  accessPoint?: string | null;
  environment?: Environment | null;
}

/** The columns the document table shows (not the summary and validation JSON, which are big). */
export const LIST_COLUMNS = [
  'id',
  'file_name',
  'sha256',
  'size',
  'state',
  'doc_type',
  'invoice_number',
  'buyer_name',
  'receiver_id',
  'amount',
  'currency',
  'issue_date',
  'transaction_id',
  'attempts',
  'problem_code',
  'problem_message',
  'problem_action',
  'created_at',
  'updated_at',
  'accepted_at',
  'delivered_at',
  'business_response',
  'seller_name',
  'access_point',
  'environment',
  'said_environment',
  'next_attempt_at',
] as const satisfies readonly (keyof DocumentRecord)[];

/** What a list query reads of a document: the table row's columns only. */
export type DocumentListRecord = Pick<DocumentRecord, (typeof LIST_COLUMNS)[number]>;

/**
 * The columns the send stage reads when it claims documents (queued, due retries, a batch sent
 * again): what a request, its claim and its outcome need. Not the summary and verdict JSON, nor
 * the list's columns: a claim reads hundreds of rows a second, and copying the wide ones into
 * JavaScript strings cost more than the rest of the claim. The body is read separately (bounded
 * by the in-flight budget); the receiver, document type and pin travel in it or were settled
 * before the document was queued.
 */
export const CLAIM_COLUMNS = [
  'id',
  'state',
  'size',
  'idempotency_key',
  'attempts',
  'batch_key',
  // Whether it is in doubt, and under which API key and since when (see sending.doubtStale).
  'send_outcome_unknown',
  'doubt_key',
  'doubt_at',
  // What a hold in doubt calls it (an invoice or a credit note).
  'doc_type',
  // Whose 403s say the account may not send (access-point/reachability noteForbidden).
  'receiver_id',
] as const satisfies readonly (keyof DocumentRecord)[];

/** What a claim for sending reads of a document (see {@link CLAIM_COLUMNS}). */
export type ClaimableRecord = Pick<DocumentRecord, (typeof CLAIM_COLUMNS)[number]>;

/** What settling and summaries read of a document. */
export type DocumentBrief = Pick<
  DocumentRecord,
  'id' | 'file_name' | 'state' | 'problem_code' | 'problem_message' | 'accepted_at'
>;

/** Ids per `briefs` call: one statement reads this many rows at most. */
export const BRIEF_CHUNK = 2000;

/** A document a file was added as before (DocumentsRepo.findKnownFile). */
export type KnownFile = Pick<DocumentRecord, 'id' | 'state'>;

/** Filter, search and order of the document table. */
export interface DocumentListQuery {
  filter?: DocumentFilter;
  search?: string;
  sort?: DocumentSort;
}

/** Map a record to the row the UI shows. */
export function toDocumentRow(r: DocumentListRecord): DocumentRow {
  return {
    id: r.id,
    fileName: r.file_name,
    sha256: r.sha256,
    size: r.size,
    state: r.state,
    docType: r.doc_type,
    invoiceNumber: r.invoice_number,
    buyerName: r.buyer_name,
    receiverId: r.receiver_id,
    amount: r.amount,
    currency: r.currency,
    issueDate: r.issue_date,
    transactionId: r.transaction_id,
    attempts: r.attempts,
    problem: r.problem_code
      ? {
          code: r.problem_code,
          message: r.problem_message ?? '',
          action: r.problem_action ?? 'none',
        }
      : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    acceptedAt: r.accepted_at,
    deliveredAt: r.delivered_at,
    businessResponse: r.business_response,
    sellerName: r.seller_name,
    accessPoint: r.access_point,
    // Once accepted, where the access point said the invoice went (a key's prefix only guesses).
    environment: (r.accepted_at !== null ? r.said_environment : null) ?? r.environment,
    nextAttemptAt: r.next_attempt_at,
  };
}

/**
 * A LIMIT given as a parameter, as an expression (`? + 0`): SQLite (3.53) plans with the value of
 * a bare `LIMIT ?`, and so marks the statement to be prepared again whenever that parameter is
 * bound, which better-sqlite3 does on every run: each claim and each pump's read of due rows was
 * parsed and planned anew, 50–100 µs on this machine where the read itself takes under 1 µs. The
 * plans of these statements do not depend on the limit (an index walk in the ORDER BY's order).
 */
export const LIMIT_PARAM = 'LIMIT ? + 0';
