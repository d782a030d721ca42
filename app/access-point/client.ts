import type { Dispatcher } from 'undici';
// undici's Pool and its `request` alone, by their module paths: the package's index also loads
// fetch, WebSocket, the caches, mocks and proxy agents, about 150 ms of CPU at every start before
// the first request could leave. test/unit/undici-pool.test.ts checks they are the very ones
// `undici` exports and that a request goes through them.
import Pool from 'undici/lib/dispatcher/pool';
import dispatcherRequest from 'undici/lib/api/api-request';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip } from 'node:zlib';

import {
  LOOKUP_QUERIES,
  parseBody,
  providerNotFound,
  webPage,
  toApError,
  toBatchResults,
  toLookup,
  toListedTransaction,
  toTransaction,
  verdictOfRefusal,
  type ApError,
  type BatchItemAnswer,
  type LookupAnswer,
  type RemoteVerdict,
  type SendAnswer,
  type TransactionAnswer,
  type VersionInfo,
} from './answers';
import { keyIdOf } from './key-id';
import { RouteMiss } from './route-miss';

// Reading the provider's answers lives in answers.ts; re-exported for every import from here.
export {
  batchBody,
  batchItemJson,
  toLookup,
  type ApError,
  type BatchItemAnswer,
  type LookupAnswer,
  type RemoteVerdict,
  type SendAnswer,
  type TransactionAnswer,
  type VersionInfo,
} from './answers';

const gzipAsync = promisify(gzip);

/** How the client reaches one access point. */
export interface AccessPointClientOptions {
  /** Provider base URL, e.g. `https://app.goroute.ai/peppol-api`. */
  baseUrl: string;
  apiKey: string | null;
  /** Connections in the pool (keep-alive). */
  connections?: number;
  /** Per-request timeout for headers and body, ms (default 30 s, as the provider documents). */
  timeoutMs?: number;
  /** TCP/TLS connect timeout, ms (default: the request timeout, at most 10 s). */
  connectTimeoutMs?: number;
  /**
   * Gzip request bodies at or above this size (bytes); null = never. Not documented by the
   * provider: on a 415 the request is repeated uncompressed and gzip stays off for this client.
   */
  gzipAboveBytes?: number | null;
  /** For tests: a dispatcher to use instead of the pool. */
  dispatcher?: Dispatcher;
}

/**
 * Outcome of one call, as a value: `ok`, a `transient` failure worth retrying (429, 5xx,
 * timeouts, connection errors; `retryAfterMs` from Retry-After), or a `permanent` one that needs a
 * person (400, 401, 403, 404, 409, 413, 415, 422).
 */
export type ApOutcome<T> =
  | { kind: 'ok'; value: T; status: number }
  | {
      kind: 'transient';
      status: number | null;
      retryAfterMs: number | null;
      message: string;
      offline: boolean;
    }
  | { kind: 'permanent'; error: ApError };

/** What went wrong in a failed call, in the access point's or the network's words ('' when ok). */
export function failureReason(outcome: ApOutcome<unknown>): string {
  if (outcome.kind === 'permanent') return outcome.error.message;
  return outcome.kind === 'transient' ? outcome.message : '';
}

const PERMANENT = new Set([400, 401, 403, 404, 409, 413, 415, 422]);

/** Parse Retry-After (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The version call's address (see RouteMiss: a 404 there says what the URL does not have). */
const VERSION_PATH = '/peppol/version';

/**
 * HTTP client for the provider contract (../shared/api-contract.md) on an undici Pool with
 * keep-alive: one pool per access point origin.
 */
export class AccessPointClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  /** Set to false after a 415 on a gzip body: the provider takes identity only. */
  private gzipAllowed = true;
  /** Batch paths still to try, best first; emptied when the provider has no batch endpoint. */
  private batchPaths = ['/api/v1/send/batch', '/api/v1/batch'];
  /** Whether the version answer said identical batches are deduplicated; null: not asked yet. */
  private batchDeduplicated: boolean | null = null;
  private gzippedCount = 0;
  /** The lookup query form (index in LOOKUP_QUERIES) this provider last understood. */
  private lookupForm = 0;
  /** It answered that form with something else than 400/422: a 400 is then about the id. */
  private lookupFormKnown = false;
  /** Whether this address answered as an access point, or led nowhere (RouteMiss). */
  readonly routeMiss = new RouteMiss();

  /** Which API key it sends with (a fingerprint: see keyIdOf). */
  readonly keyId: string;

  constructor(private readonly options: AccessPointClientOptions) {
    this.keyId = keyIdOf(options.apiKey);
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Pool(this.origin, {
        connections: options.connections ?? 16,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        connectTimeout: options.connectTimeoutMs ?? Math.min(this.timeoutMs, 10_000),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      this.ownsDispatcher = true;
    }
  }

  /** The base URL this client talks to. */
  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /**
   * Whether batches may be used. Only with an access point whose version answer says it
   * deduplicates identical batches (`batch_idempotency`, ours: the provider documents
   * idempotency for single sends only), because a batch whose answer is lost must be sent again
   * and, anywhere else, could be accepted twice. False until that answer came, and once the
   * provider answered 404/405 on every batch path: send singly.
   */
  get batchSupported(): boolean {
    return this.batchDeduplicated === true && this.batchPaths.length > 0;
  }

  /**
   * True until the access point has answered a version call (any answer but none at all): until
   * then nobody knows whether batches may be used, and a send stage that would batch waits.
   */
  get batchesPending(): boolean {
    return this.batchDeduplicated === null;
  }

  /** Whether request bodies are still gzipped (false after a 415), and how many were. */
  get gzipState(): { enabled: boolean; sent: number } {
    return {
      enabled: this.options.gzipAboveBytes != null && this.gzipAllowed,
      sent: this.gzippedCount,
    };
  }

  /** `GET /peppol/version` (its answer also says whether batches may be used). */
  async version(): Promise<ApOutcome<VersionInfo>> {
    const asked = this.request('GET', VERSION_PATH, null, {}, (b) => b as VersionInfo);
    this.routeMiss.watch(asked);
    const outcome = await asked;
    if (outcome.kind === 'ok') {
      const body = outcome.value as Partial<VersionInfo> | null;
      this.batchDeduplicated =
        body !== null && typeof body === 'object' && body.batch_idempotency === true;
    } else if (
      !(outcome.kind === 'transient' && outcome.offline) &&
      this.batchDeduplicated === null
    ) {
      // Answered, but not what it says of batches (no version endpoint, a 5xx): single sends.
      this.batchDeduplicated = false;
    }
    return outcome;
  }

  /** `POST /api/v1/send` with the raw XML and the document's idempotency key. */
  send(xml: Uint8Array, idempotencyKey: string): Promise<ApOutcome<SendAnswer>> {
    return this.request(
      'POST',
      '/api/v1/send',
      xml,
      { 'content-type': 'application/xml', 'idempotency-key': idempotencyKey },
      (b) => {
        // An empty or non-JSON 2xx body reads as no fields (never a TypeError: see request()).
        const body = (b !== null && typeof b === 'object' ? b : {}) as {
          transaction_id?: string;
          id?: string;
          status?: string;
        };
        return {
          transactionId: String(body.transaction_id ?? body.id ?? ''),
          status: String(body.status ?? 'pending'),
        };
      },
    );
  }

  /**
   * `POST /api/v1/send/batch` (or `/api/v1/batch`) with a body built by {@link batchBody}: the
   * items keyed by the documents' idempotency keys, the batch keyed by `batchKey`. A 404/405
   * means this provider has no such endpoint: the next documented path is tried, and when none
   * is left the answer is `{kind: 'permanent'}` with status 404 and `batchSupported` turns false.
   */
  async sendBatch(body: Uint8Array, batchKey: string): Promise<ApOutcome<BatchItemAnswer[]>> {
    for (;;) {
      const path = this.batchPaths[0];
      if (path === undefined) {
        return {
          kind: 'permanent',
          error: {
            status: 404,
            code: 'BATCH_NOT_SUPPORTED',
            message: 'The access point has no batch endpoint.',
            details: null,
          },
        };
      }
      const outcome = await this.request(
        'POST',
        path,
        body,
        { 'content-type': 'application/json', 'idempotency-key': batchKey },
        (b) => toBatchResults(b),
      );
      if (
        outcome.kind === 'permanent' &&
        (outcome.error.status === 404 || outcome.error.status === 405) &&
        this.batchPaths[0] === path
      ) {
        this.batchPaths.shift();
        continue;
      }
      return outcome;
    }
  }

  /**
   * `POST /api/v1/validate` with the raw XML. A validation failure may come as a 400 or 422 error
   * (both documented) instead of `{valid: false}`: it is the verdict all the same.
   */
  async validate(xml: Uint8Array): Promise<ApOutcome<RemoteVerdict>> {
    const outcome = await this.request(
      'POST',
      '/api/v1/validate',
      xml,
      { 'content-type': 'application/xml' },
      (b) => {
        const body = (b ?? {}) as Partial<RemoteVerdict>;
        return {
          valid: body.valid !== false,
          errors: Array.isArray(body.errors) ? body.errors : [],
          warnings: Array.isArray(body.warnings) ? body.warnings : [],
        };
      },
    );
    if (outcome.kind !== 'permanent') return outcome;
    const { error } = outcome;
    if (error.status !== 400 && error.status !== 422) return outcome;
    return { kind: 'ok', status: error.status, value: verdictOfRefusal(error) };
  }

  /**
   * `GET /api/v1/participants/lookup` in the documented query form this provider takes (the docs
   * give three; a provider may take only one): a 400 or 422 means the query was not understood, so
   * the next form is asked, and the one that answered is asked first from then on. 404 and
   * `found:false` both mean not on Peppol.
   */
  async lookup(participantId: string): Promise<ApOutcome<LookupAnswer>> {
    const ask = (form: number) =>
      this.request(
        'GET',
        `/api/v1/participants/lookup?${LOOKUP_QUERIES[form]!(participantId)}`,
        null,
        {},
        (b) => toLookup(participantId, b),
      );
    const notUnderstood = (o: ApOutcome<unknown>) =>
      o.kind === 'permanent' && (o.error.status === 400 || o.error.status === 422);
    // When no form is understood (an id it refuses in every form, say), the first answer stands.
    // Once the provider understood a form, its 400 or 422 there is about this id: asked once.
    let outcome = await ask(this.lookupForm);
    if (!notUnderstood(outcome)) this.lookupFormKnown = true;
    for (let i = 1; i < LOOKUP_QUERIES.length && notUnderstood(outcome); i++) {
      if (this.lookupFormKnown) break;
      const form = (this.lookupForm + i) % LOOKUP_QUERIES.length;
      const next = await ask(form);
      if (notUnderstood(next)) continue;
      this.lookupForm = form;
      this.lookupFormKnown = true;
      outcome = next;
    }
    if (outcome.kind === 'permanent' && providerNotFound(outcome.error)) {
      return {
        kind: 'ok',
        status: 404,
        value: { found: false, participantId, name: null, capabilities: null, raw: outcome.error },
      };
    }
    if (outcome.kind !== 'ok') return outcome;
    if ('malformed' in outcome.value) {
      // Bad data from the provider is an error value, never an exception further down.
      return {
        kind: 'permanent',
        error: {
          status: outcome.status,
          code: 'BAD_LOOKUP_ANSWER',
          message: `The access point's answer about receiver ${participantId} could not be read (${outcome.value.malformed}).`,
          details: null,
        },
      };
    }
    return { kind: 'ok', status: outcome.status, value: outcome.value };
  }

  /** `GET /api/v1/transactions/{id}`. */
  transaction(id: string): Promise<ApOutcome<TransactionAnswer>> {
    return this.request('GET', `/api/v1/transactions/${encodeURIComponent(id)}`, null, {}, (b) =>
      toTransaction(b),
    );
  }

  /** `GET /api/v1/transactions?limit=N`: the newest transactions in one request. */
  transactions(limit: number): Promise<ApOutcome<TransactionAnswer[]>> {
    return this.request('GET', `/api/v1/transactions?limit=${limit}`, null, {}, (b) => {
      const body = b as { transactions?: unknown[]; data?: unknown[] } | unknown[] | null;
      const list = Array.isArray(body) ? body : (body?.transactions ?? body?.data ?? []);
      return Array.isArray(list) ? list.map((item) => toListedTransaction(item)) : [];
    });
  }

  /** Close the pool. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: Uint8Array | null,
    headers: Record<string, string>,
    map: (body: unknown) => T,
  ): Promise<ApOutcome<T>> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.options.apiKey) h['x-api-key'] = this.options.apiKey;
    let payload = body;
    const threshold = this.options.gzipAboveBytes;
    const gzipped =
      body !== null && threshold != null && this.gzipAllowed && body.byteLength >= threshold;
    if (gzipped && body) {
      // Off the main thread (zlib's thread pool); level 1: XML shrinks ~8× already.
      payload = await gzipAsync(body, { level: zlibConstants.Z_BEST_SPEED });
      h['content-encoding'] = 'gzip';
      this.gzippedCount++;
    }
    try {
      const res = await dispatcherRequest.call(this.dispatcher, {
        origin: this.origin,
        path: this.basePath + path,
        method,
        headers: h,
        body: payload ?? undefined,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      // Whatever the provider says back (an error echoing the request, say) loses the key here,
      // before it can reach the database, the screen, `list` or the CSV.
      const text = redactSecret(await res.body.text(), this.options.apiKey);
      const parsed = parseBody(text);
      const page = res.statusCode < 300 && webPage(res.headers['content-type'], text);
      if (res.statusCode >= 200 && res.statusCode < 300 && !page) {
        this.routeMiss.answered = true;
        return { kind: 'ok', status: res.statusCode, value: map(parsed) };
      }
      if (res.statusCode === 415 && gzipped) {
        // The provider takes no gzip: say so once, and repeat this request uncompressed.
        this.gzipAllowed = false;
        return this.request(method, path, body, headers, map);
      }
      const apError = toApError(res.statusCode, parsed, page);
      const error = await this.routeMiss.read(apError, path === VERSION_PATH);
      if (
        page ||
        PERMANENT.has(res.statusCode) ||
        (res.statusCode >= 400 &&
          res.statusCode < 500 &&
          res.statusCode !== 429 &&
          res.statusCode !== 408)
      ) {
        return { kind: 'permanent', error };
      }
      return {
        kind: 'transient',
        status: res.statusCode,
        retryAfterMs: parseRetryAfter(res.headers['retry-after']),
        message: error.message,
        offline: false,
      };
    } catch (err) {
      // A mistake in this program, not the network: retrying it as if the access point were away
      // would go on for ever. The queue stops with a fault instead (nothing is lost).
      if (isProgrammingError(err)) throw err;
      const e = err as { code?: string; message?: string };
      if (isConnectionError(e.code)) this.routeMiss.unreached = true;
      return {
        kind: 'transient',
        status: null,
        retryAfterMs: null,
        message: redactSecret(
          `${e.code ?? 'NETWORK'}: ${e.message ?? String(err)}`,
          this.options.apiKey,
        ),
        offline: isConnectionError(e.code),
      };
    }
  }
}

/** What stands in for the API key wherever the provider echoed it. */
export const REDACTED_KEY = '[API key hidden]';

/** `text` with every occurrence of `secret` replaced (nothing to hide when there is no key). */
export function redactSecret(text: string, secret: string | null | undefined): string {
  if (!secret || secret.length < 4 || !text.includes(secret)) return text;
  return text.split(secret).join(REDACTED_KEY);
}

/** Codes of errors that are a wrong call, never the network's doing (Node's and undici's). */
const PROGRAMMING_CODES = new Set([
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_URL',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
]);

/**
 * A bug rather than a failed request: a TypeError, RangeError, ReferenceError or SyntaxError
 * thrown by code (system and undici network errors carry a code and are none of these), or an
 * invalid-argument error of Node or undici.
 */
export function isProgrammingError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return PROGRAMMING_CODES.has(code);
  return (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError
  );
}

/** Connection-level failures mean the access point is unreachable (offline), not slow. */
function isConnectionError(code: string | undefined): boolean {
  return (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'ENETUNREACH' ||
    code === 'EHOSTUNREACH' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}
