/**
 * What the provider's answers mean, read defensively (../shared/api-contract.md): the answer
 * types, the error body, batch bodies as sent and batch results, receiver lookups and transaction
 * statuses. No I/O here: client.ts makes the requests and hands the bodies to these readers.
 */

/** A provider error body, flattened. */
export interface ApError {
  status: number;
  code: string;
  message: string;
  details: unknown;
  /** The access point's `request_id`, when it gave one (kept in the technical details). */
  requestId?: string | null;
}

/** `GET /peppol/version`. */
export interface VersionInfo {
  version: string;
  peppol_ap_id?: string;
  environment?: string;
  status?: string;
  /**
   * Ours, not the provider's docs: true when the access point answers an identical batch sent
   * again under the same Idempotency-Key with the first answer (our sandbox does). Batches are
   * used only then (see AccessPointClient.batchSupported).
   */
  batch_idempotency?: boolean;
}

/** Answer of a single send. */
export interface SendAnswer {
  transactionId: string;
  status: string;
}

/** One item of a batch answer. */
export interface BatchItemAnswer {
  id: string;
  status: 'accepted' | 'rejected';
  transaction_id?: string;
  error?: { code?: string; message?: string; details?: unknown } | string;
}

/** Receiver lookup answer (the superset the sandbox gives; providers may give less). */
export interface LookupAnswer {
  found: boolean;
  participantId: string;
  name: string | null;
  capabilities: { document_type: string; process_id: string }[] | null;
  raw: unknown;
}

/** The access point's own validation answer (`POST /api/v1/validate`). */
export interface RemoteVerdict {
  valid: boolean;
  errors: { rule: string; location: string; message: string }[];
  warnings: { rule: string; location: string; message: string }[];
}

/** Transaction status. */
export interface TransactionAnswer {
  id: string;
  status: string;
  deliveredAt: string | null;
  /** The provider's words about a failed delivery (its message, not its JSON). */
  error: string | null;
  /** The provider's code for a failed delivery (e.g. CERTIFICATE_ERROR), when it gave one. */
  errorCode?: string | null;
  businessResponse: string | null;
  /** The buyer's note (reason, description) with the response, and when the response came. */
  businessResponseNote?: string | null;
  businessResponseAt?: string | null;
}

/**
 * The code of a 404 that is not the provider's answer (its error body, or a lookup's
 * `found`/`registered`) but a page or word of a web server that has no such address: the provider
 * URL is wrong, not the buyer (walk 9: a mistyped URL said every buyer was "not registered on
 * the Peppol network"). See `addressNotFound` in ./reachability.ts.
 */
export const NO_SUCH_ADDRESS = 'NO_SUCH_ADDRESS';

/**
 * A 404 that is the provider's "not found" (a receiver not on Peppol, a transaction it does not
 * know), not a web server's "no such address".
 */
export function providerNotFound(error: ApError): boolean {
  return error.status === 404 && error.code !== NO_SUCH_ADDRESS;
}

/** A body the provider's API answers with: its error object, or a lookup's answer. */
function providerBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  return (typeof b.error === 'object' && b.error !== null) || 'found' in b || 'registered' in b;
}

/** An answer's text as JSON, or the text itself when it is not JSON (null when empty). */
export function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/**
 * A web page (HTML) where the provider's API answers JSON: with a 2xx, the provider URL leads to
 * a web site, not an access point (walk 9: a send answered so was taken as accepted).
 */
export function webPage(contentType: string | string[] | undefined, text: string): boolean {
  const type = String(contentType ?? '').toLowerCase();
  return type.includes('text/html') || /^\s*<(!doctype\s+html|html)[\s>]/i.test(text);
}

/**
 * The provider's error body (or whatever came instead) as an {@link ApError}; `page`: a 2xx
 * answered with a web page ({@link webPage}), no answer of the provider's either.
 */
export function toApError(status: number, body: unknown, page = false): ApError {
  const e = (
    body as {
      error?: { code?: string; message?: string; details?: unknown; request_id?: unknown };
    } | null
  )?.error;
  if ((status === 404 && !providerBody(body)) || page) {
    const words =
      typeof body === 'string' ? body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ') : '';
    const what =
      status === 404
        ? 'Not found (404): the access point has no such address'
        : `A web page (${status}), not an answer of the access point's API`;
    return {
      status,
      code: NO_SUCH_ADDRESS,
      message: `${what}${words.trim() ? ` (${words.trim().slice(0, 120)})` : ''}`,
      details: null,
    };
  }
  return {
    status,
    code: e?.code ?? `HTTP_${status}`,
    message:
      e?.message ?? (typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${status}`),
    details: e?.details ?? null,
    ...(typeof e?.request_id === 'string' ? { requestId: e.request_id } : {}),
  };
}

/**
 * A validation failure answered as an error (400 or 422, both documented) read as the verdict it
 * is: not valid, its errors from the error's `details` (a list of `{rule, location, message}` or a
 * string), else the error's own code and message.
 */
export function verdictOfRefusal(error: ApError): RemoteVerdict {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const listed = Array.isArray(error.details)
    ? error.details
        .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
        .map((d) => ({ rule: text(d.rule), location: text(d.location), message: text(d.message) }))
    : [];
  if (listed.length > 0) return { valid: false, errors: listed, warnings: [] };
  const said = typeof error.details === 'string' && error.details.trim() ? error.details : '';
  const message = said ? `${error.message}: ${said}` : error.message;
  return { valid: false, errors: [{ rule: error.code, location: '', message }], warnings: [] };
}

/**
 * The JSON body of a batch request: `{documents: [{id, xml}]}`, items in the given order, built
 * from pre-serialised items so the same items always give the same bytes (the batch key's
 * idempotency depends on it).
 */
export function batchBody(items: readonly { id: string; xml: string }[]): Buffer {
  return Buffer.from(`{"documents":[${items.map((i) => batchItemJson(i)).join(',')}]}`, 'utf8');
}

/** One item as it appears in a batch body; its length counts against the 50 MB limit. */
export function batchItemJson(item: { id: string; xml: string }): string {
  return JSON.stringify({ id: item.id, xml: item.xml });
}

/**
 * The per-document results of a batch answer (items without an id are left out), their statuses
 * in lower case as the docs write them, whatever case a provider uses: an `ACCEPTED` item read as
 * not mentioned would be sent again.
 */
export function toBatchResults(body: unknown): BatchItemAnswer[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return [];
  const items = results.filter(
    (r): r is BatchItemAnswer =>
      typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string',
  );
  for (const r of items) {
    if (typeof r.status === 'string') {
      r.status = r.status.trim().toLowerCase() as BatchItemAnswer['status'];
    }
  }
  return items;
}

/** A lookup answer that could not be read: kept apart from a real answer so it is never cached. */
export interface MalformedLookup {
  malformed: string;
}

/**
 * Read a lookup answer defensively: the body must be an object, `capabilities` absent/null or a
 * list. Capability entries without a string `document_type` are dropped; when a list was given and
 * not one entry is usable, the whole answer is malformed (we cannot tell what the receiver accepts).
 */
export function toLookup(participantId: string, body: unknown): LookupAnswer | MalformedLookup {
  if (body === null || body === undefined || body === '') {
    return { found: true, participantId, name: null, capabilities: null, raw: body ?? null };
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    return { malformed: 'the answer is not a JSON object' };
  }
  const b = body as Record<string, unknown>;
  const found = b.found !== false && b.registered !== false;
  const name = typeof b.name === 'string' ? b.name : null;
  let capabilities: LookupAnswer['capabilities'] = null;
  if (b.capabilities !== undefined && b.capabilities !== null) {
    if (!Array.isArray(b.capabilities)) {
      return { malformed: 'its list of accepted document types is not a list' };
    }
    capabilities = [];
    for (const c of b.capabilities as unknown[]) {
      if (typeof c !== 'object' || c === null) continue;
      const entry = c as { document_type?: unknown; process_id?: unknown };
      if (typeof entry.document_type !== 'string' || entry.document_type === '') continue;
      if (entry.process_id !== undefined && entry.process_id !== null) {
        if (typeof entry.process_id !== 'string') continue;
      }
      capabilities.push({
        document_type: entry.document_type,
        process_id: typeof entry.process_id === 'string' ? entry.process_id : '',
      });
    }
    if (b.capabilities.length > 0 && capabilities.length === 0) {
      return { malformed: 'none of its accepted document types could be read' };
    }
  }
  return { found, participantId, name, capabilities, raw: body };
}

/**
 * A transaction of a list (`GET /transactions?limit=N`): the docs name it `transaction_id` there,
 * and an `id` beside it may be the list's own (a row number), so `transaction_id` comes first.
 */
export function toListedTransaction(body: unknown): TransactionAnswer {
  const tx = toTransaction(body);
  const listed = (body as { transaction_id?: unknown } | null)?.transaction_id;
  if (listed !== undefined && listed !== null) tx.id = String(listed);
  return tx;
}

/** The Invoice Response codes (UNCL4343 subset) the contract names. */
const RESPONSE_CODES = new Set(['AB', 'IP', 'UQ', 'CA', 'RE', 'AP', 'PD']);

function responseCode(v: unknown): string | null {
  if (typeof v === 'string') return v.trim();
  const o = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  const c = o?.code ?? o?.response_code;
  return typeof c === 'string' ? c.trim() : null;
}

/**
 * The buyer's response a transaction carries. The contract names no field (walk 6: a provider's
 * `invoice_response` rejection read as Delivered): `business_response` as before (any code, kept
 * and said), else another usual name or the newest of a list, when it holds a known code.
 */
function buyerResponse(b: Record<string, unknown>): unknown {
  if (b.business_response != null) return b.business_response;
  const known = (v: unknown) => RESPONSE_CODES.has((responseCode(v) ?? '').toUpperCase());
  for (const k of ['invoice_response', 'buyer_response', 'response']) if (known(b[k])) return b[k];
  for (const k of ['responses', 'business_responses', 'invoice_responses']) {
    const list = b[k];
    if (Array.isArray(list)) return list.filter(known).at(-1) ?? null;
  }
  return null;
}

/** A transaction status answer, read defensively (any field may be missing). */
export function toTransaction(body: unknown): TransactionAnswer {
  const b = (body ?? {}) as {
    id?: string;
    transaction_id?: string;
    status?: string;
    delivered_at?: string;
    error?: unknown;
  };
  const br = buyerResponse(b as Record<string, unknown>);
  const err = b.error;
  const errObj = err !== null && typeof err === 'object' ? (err as Record<string, unknown>) : null;
  const brObj = br !== null && typeof br === 'object' ? (br as Record<string, unknown>) : null;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return {
    id: String(b.id ?? b.transaction_id ?? ''),
    // Statuses are compared as the docs write them (lower case), whatever case a provider uses.
    status: String(b.status ?? 'unknown')
      .trim()
      .toLowerCase(),
    deliveredAt: b.delivered_at ?? null,
    error:
      err == null
        ? null
        : typeof err === 'string'
          ? err
          : (text(errObj?.message) ?? text(errObj?.code) ?? 'no reason given'),
    errorCode: text(errObj?.code),
    businessResponse:
      br == null
        ? null
        : typeof br === 'string'
          ? br
          : String(brObj?.code ?? brObj?.response_code ?? JSON.stringify(br)),
    businessResponseNote:
      text(brObj?.reason) ?? text(brObj?.note) ?? text(brObj?.description) ?? text(brObj?.message),
    businessResponseAt: text(brObj?.received_at) ?? text(brObj?.issued_at),
  };
}

/**
 * The three documented query forms of a receiver lookup, for a participant id `scheme:value`:
 * `peppol_id=0106:123`, `scheme=0106&identifier=123`, `identifier=0106:123`.
 */
export const LOOKUP_QUERIES: readonly ((participantId: string) => string)[] = [
  (id) => `peppol_id=${encodeURIComponent(id)}`,
  (id) => {
    const colon = id.indexOf(':');
    const scheme = colon < 0 ? '' : id.slice(0, colon);
    return `scheme=${encodeURIComponent(scheme)}&identifier=${encodeURIComponent(id.slice(colon + 1))}`;
  },
  (id) => `identifier=${encodeURIComponent(id)}`,
];
