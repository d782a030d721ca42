/** Types of test/helpers/doc-access-point.mjs (an access point written from the docs alone). */

/** A refusal of a document before it is accepted. */
export interface DocRefusal {
  status: number;
  code: string;
  message: string;
  /** The docs allow a list of `{rule, location, message}` or a string. */
  details: unknown;
}

export interface DocAccessPointOptions {
  /** The one key it takes (X-API-Key). */
  apiKey?: string;
  /** Receivers registered besides the documented test receivers (`scheme:value`). */
  receivers?: string[];
  /** The one lookup query form understood; the others answer 400. */
  lookupForm?: 'peppol_id' | 'scheme-identifier' | 'identifier';
  /** How an unknown receiver is said: 404, or 200 `{found: false}`. */
  notFound?: 'status-404' | 'found-false';
  /** Status of an accepted single send (2xx). */
  sendStatus?: 200 | 201 | 202;
  /** Statuses after `pending`, one per time a transaction is reported. */
  steps?: string[];
  /** Status strings (transactions', batch items') as the docs write them, or upper case. */
  statusCase?: 'lower' | 'upper';
  /** Content-Type of JSON answers. */
  contentType?: string;
  /** Answers in several chunks without Content-Length. */
  chunked?: boolean;
  /** Files `POST /api/v1/validate` answers with 422. */
  validateFails?: (xml: string) => boolean;
  /** A refusal for a document (send or batch item), or null to go on. */
  refuse?: (xml: string) => DocRefusal | null;
  /** The next this many POSTs answer 429 with Retry-After. */
  throttle?: number;
  /** Retry-After in seconds (1) or as an HTTP date one second ahead. */
  retryAfter?: 'seconds' | 'date';
  /** The next this many POSTs answer 503 with an HTML body. */
  serverErrors?: number;
  /** The next this many sends or batches that succeed are done, but the answer is lost (the
   * connection drops before it is written). */
  dropAnswers?: number;
  /**
   * Say `batch_idempotency: true` in the version answer and keep it: an identical batch under the
   * same Idempotency-Key gets the first answer (not in the docs; default false). The client
   * sends batches only to an access point that says so.
   */
  batchIdempotency?: boolean;
  /** The paths `dropAnswers` applies to (default both `/api/v1/send` and `/api/v1/batch`). */
  dropAnswersOf?: string[];
  /**
   * A single send's refusal is the first result of its Idempotency-Key too: the same key gets it
   * again, whatever `refuse` says by then (default false: only acceptances are kept).
   */
  replayRefusals?: boolean;
  /** List items carry an `id` of their own (a row number) besides `transaction_id`. */
  listRowIds?: boolean;
}

export interface DocAccessPoint {
  url: string;
  apiKey: string;
  /** Change options while running. */
  set(options: DocAccessPointOptions): void;
  /** How many times each invoice number was accepted (a transaction made). */
  acceptedByNumber(): Map<string, number>;
  /** Requests made to a route, e.g. `POST /api/v1/send` or `GET /api/v1/transactions/{id}`. */
  requests(route: string): number;
  /** Every status some answer reported (as stored, lower case). */
  reportedStatuses(): Set<string>;
  /** The faults given so far: 429s, 503s and answers lost. */
  faults(): { throttled: number; serverErrors: number; dropped: number };
  close(): Promise<void>;
}

export declare function startDocAccessPoint(
  options?: DocAccessPointOptions,
): Promise<DocAccessPoint>;
