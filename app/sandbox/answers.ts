/**
 * What the sandbox answers with, independent of the endpoint: the documented size limits, an
 * answer before it is written, the error body every error shares, and a request's context.
 */

/** Size limits the provider documents (read as MiB, the lenient reading). */
export const LIMITS = {
  /** One document, on send or inside a batch. */
  documentBytes: 15 * 1024 * 1024,
  /** One batch request body. */
  batchBytes: 50 * 1024 * 1024,
  /** Documents in one batch. */
  batchDocuments: 100,
} as const;

/** An HTTP answer before it is written: status, JSON body, extra headers. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The `error` member of every error body. */
export interface ErrorInfo {
  code: string;
  message: string;
  details: { rule: string; location: string; message: string }[] | string;
  request_id: string;
}

/** What happened to one document: accepted as a transaction, or refused with an HTTP status. */
export type DocumentOutcome =
  { accepted: true; transactionId: string } | { accepted: false; status: number; error: ErrorInfo };

/** Build the documented error body. */
export function errorAnswer(
  status: number,
  code: string,
  message: string,
  requestId: string,
  details: ErrorInfo['details'] = [],
  headers?: Record<string, string>,
): Answer {
  return { status, body: { error: { code, message, details, request_id: requestId } }, headers };
}

/** Per-request context the endpoint handlers need. */
export interface RequestContext {
  requestId: string;
  /** Value of X-API-Key ('' when absent): idempotency keys are scoped by it. */
  apiKey: string;
  /** Trimmed Idempotency-Key header, or null. */
  idempotencyKey: string | null;
  /** The fault plan's `deliveryFails` fired: what this request has accepted fails at delivery. */
  deliveryFails?: boolean;
}
