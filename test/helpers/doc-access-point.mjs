// An access point written only from the `[doc]` lines of ../shared/api-contract.md, as another
// team would write one from the provider's public documentation: none of app/sandbox's own choices
// (`[ours]`). Peppol Desk is judged against such an implementation, so tests send to it with the
// real CLI and every mismatch shows as a failure. Plain node:http on 127.0.0.1, no code shared with
// the app. Types in doc-access-point.d.mts.
//
// Where the docs allow more than one behaviour, an option picks one (a real implementation picks
// one too): which lookup query form is understood, how "not found" is said, the send answer's
// status, the status strings' case, the Content-Type, chunked bodies, throttling with Retry-After
// as an HTTP date, 5xx with an HTML body.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

/** The receivers the provider documents for tests, by participant id (`scheme:value`). */
const DOC_RECEIVERS = new Set([
  '9915:phase4-test-receiver',
  '9915:reject-all',
  '9915:timeout-test',
  '9915:invalid-cert',
  '9915:invoice-only',
  '9915:credit-note-only',
]);

/** The statuses a transaction moves through after `pending`, one per time it is reported. */
const DEFAULT_STEPS = ['processing', 'queued_for_as4', 'sending', 'delivered'];

/** @param {string} xml */
function buyerOf(xml) {
  const party = /<cac:AccountingCustomerParty>([\s\S]*?)<\/cac:AccountingCustomerParty>/.exec(xml);
  const endpoint =
    party && /<cbc:EndpointID schemeID="([^"]*)">([^<]*)<\/cbc:EndpointID>/.exec(party[1]);
  return endpoint ? `${endpoint[1]}:${endpoint[2].trim()}` : null;
}

/** @param {string} xml */
function numberOf(xml) {
  const id = /<cbc:ID>([^<]*)<\/cbc:ID>/.exec(xml);
  return id ? id[1] : null;
}

/** @param {string} xml */
function rootOf(xml) {
  const root = /<(?:\w+:)?(Invoice|CreditNote)[\s>]/.exec(xml);
  return root ? root[1] : null;
}

/**
 * Start the access point on a free port of 127.0.0.1.
 * @param {import('./doc-access-point.d.mts').DocAccessPointOptions} [initial]
 */
export function startDocAccessPoint(initial = {}) {
  /** @type {Required<import('./doc-access-point.d.mts').DocAccessPointOptions>} */
  const o = {
    apiKey: 'sk_test_doc',
    receivers: [],
    lookupForm: 'peppol_id',
    notFound: 'status-404',
    sendStatus: 200,
    steps: DEFAULT_STEPS,
    statusCase: 'lower',
    contentType: 'application/json',
    chunked: false,
    validateFails: () => false,
    refuse: () => null,
    throttle: 0,
    retryAfter: 'seconds',
    serverErrors: 0,
    dropAnswers: 0,
    dropAnswersOf: ['/api/v1/send', '/api/v1/batch'],
    listRowIds: false,
    batchIdempotency: false,
    replayRefusals: false,
    ...initial,
  };
  /** Transactions in the order they were made (newest last). */
  const transactions = [];
  const byId = new Map();
  /** Idempotency-Key → the first answer ({status, body}). */
  const replies = new Map();
  /** Accepted documents by invoice number (a transaction made for each acceptance). */
  const accepted = new Map();
  /** Requests by `METHOD path` (path without the query). */
  const requests = new Map();
  let throttleLeft = o.throttle;
  let serverErrorsLeft = o.serverErrors;
  let dropAnswersLeft = o.dropAnswers;
  /** How many answers of 429, 503 and lost answers were given (what the options asked for). */
  const faults = { throttled: 0, serverErrors: 0, dropped: 0 };
  let requestIds = 0;
  /** Every status some answer reported. */
  const reported = new Set();

  const known = (id) => DOC_RECEIVERS.has(id) || o.receivers.includes(id);
  const status = (s) => (o.statusCase === 'upper' ? s.toUpperCase() : s);

  function send(res, code, body, headers = {}) {
    const path = new URL(res.req.url ?? '/', 'http://127.0.0.1').pathname;
    if (dropAnswersLeft > 0 && o.dropAnswersOf.includes(path) && code < 300) {
      // Done, but the answer is lost on the way: the connection drops before it is written.
      dropAnswersLeft--;
      faults.dropped++;
      res.socket?.destroy();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/html; charset=utf-8' : o.contentType;
    if (o.chunked) {
      res.writeHead(code, { 'content-type': type, ...headers });
      // Several chunks, none at a JSON token's edge on purpose.
      const third = Math.ceil(text.length / 3) || 1;
      for (let i = 0; i < text.length; i += third) res.write(text.slice(i, i + third));
      res.end();
      return;
    }
    res.writeHead(code, {
      'content-type': type,
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  function error(res, code, errCode, message, details = [], headers = {}) {
    const request_id = `req_${++requestIds}`;
    send(res, code, { error: { code: errCode, message, details, request_id } }, headers);
  }

  /** One accepted document: a transaction in `pending`. */
  function makeTransaction(xml, receiver) {
    const now = new Date().toISOString();
    const tx = {
      id: `gr_${randomUUID()}`,
      receiver,
      reads: 0,
      created_at: now,
      updated_at: now,
      delivered_at: null,
      status: 'pending',
    };
    transactions.push(tx);
    byId.set(tx.id, tx);
    const number = numberOf(xml) ?? '';
    accepted.set(number, (accepted.get(number) ?? 0) + 1);
    return tx;
  }

  /** A document as it would be refused before it is accepted, or null. */
  function refusal(xml) {
    const own = o.refuse(xml);
    if (own) return own;
    const receiver = buyerOf(xml);
    if (receiver === null) {
      return {
        status: 400,
        code: 'INVALID_XML',
        message: 'No receiver in the document.',
        details: [],
      };
    }
    if (!known(receiver)) {
      return {
        status: 404,
        code: 'RECEIVER_NOT_FOUND',
        message: `Receiver ${receiver} is not registered in the SMP.`,
        details: [],
      };
    }
    const root = rootOf(xml);
    if (
      (receiver === '9915:invoice-only' && root !== 'Invoice') ||
      (receiver === '9915:credit-note-only' && root !== 'CreditNote')
    ) {
      return {
        status: 422,
        code: 'DOCUMENT_TYPE_NOT_SUPPORTED',
        message: `Receiver ${receiver} does not accept this document type.`,
        details: [],
      };
    }
    return null;
  }

  /** The transaction as reported: it moves one step first (the lifecycle goes on between asks). */
  function report(tx) {
    tx.reads++;
    if (tx.receiver === '9915:timeout-test') {
      tx.status = 'sending';
    } else if (tx.receiver === '9915:invalid-cert' && tx.reads >= 2) {
      tx.status = 'failed';
      tx.error = {
        code: 'CERTIFICATE_ERROR',
        message: "The receiving access point's certificate is not valid.",
      };
    } else {
      tx.status = o.steps[Math.min(tx.reads, o.steps.length) - 1] ?? 'pending';
    }
    const now = new Date().toISOString();
    tx.updated_at = now;
    if (tx.status === 'delivered' && !tx.delivered_at) tx.delivered_at = now;
    reported.add(tx.status);
    const out = {
      status: status(tx.status),
      created_at: tx.created_at,
      updated_at: tx.updated_at,
    };
    if (tx.delivered_at) out.delivered_at = tx.delivered_at;
    if (tx.error) out.error = tx.error;
    return out;
  }

  function lookupId(query) {
    if (o.lookupForm === 'peppol_id') return query.get('peppol_id');
    if (o.lookupForm === 'scheme-identifier') {
      const scheme = query.get('scheme');
      const identifier = query.get('identifier');
      return scheme && identifier ? `${scheme}:${identifier}` : null;
    }
    const identifier = query.get('identifier');
    return identifier && identifier.includes(':') ? identifier : null;
  }

  const LOOKUP_HELP = {
    peppol_id: '?peppol_id=<scheme>:<identifier>',
    'scheme-identifier': '?scheme=<scheme>&identifier=<identifier>',
    identifier: '?identifier=<scheme>:<identifier>',
  };

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const route = `${req.method} ${path.startsWith('/api/v1/transactions/') ? '/api/v1/transactions/{id}' : path}`;
    requests.set(route, (requests.get(route) ?? 0) + 1);
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');

    if (req.headers['x-api-key'] !== o.apiKey) {
      return error(res, 401, 'UNAUTHORIZED', 'Missing or invalid API key.');
    }
    if (req.method === 'POST' && throttleLeft > 0) {
      throttleLeft--;
      faults.throttled++;
      const after = o.retryAfter === 'date' ? new Date(Date.now() + 1000).toUTCString() : '1';
      return error(res, 429, 'RATE_LIMITED', 'Too many requests.', 'Slow down and try again.', {
        'retry-after': after,
      });
    }
    if (req.method === 'POST' && serverErrorsLeft > 0) {
      serverErrorsLeft--;
      faults.serverErrors++;
      return send(
        res,
        503,
        '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
      );
    }

    if (req.method === 'GET' && path === '/peppol/version') {
      return send(res, 200, {
        version: '1.0.0',
        peppol_ap_id: 'PNL000000',
        environment: 'sandbox',
        status: 'operational',
        // Not in the docs: said (and kept, below) only when asked for.
        ...(o.batchIdempotency ? { batch_idempotency: true } : {}),
      });
    }

    if (req.method === 'POST' && path === '/api/v1/send') {
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string' && replies.has(key)) {
        const first = replies.get(key);
        return send(res, first.status, first.body);
      }
      const refused = refusal(body);
      if (refused) {
        if (o.replayRefusals && typeof key === 'string') {
          const { status: code, ...rest } = refused;
          replies.set(key, { status: code, body: { error: { ...rest, request_id: 'replayed' } } });
        }
        return error(res, refused.status, refused.code, refused.message, refused.details);
      }
      const tx = makeTransaction(body, buyerOf(body));
      const answer = {
        status: o.sendStatus,
        body: { transaction_id: tx.id, status: status('pending') },
      };
      if (typeof key === 'string') replies.set(key, answer);
      return send(res, answer.status, answer.body);
    }

    if (req.method === 'POST' && path === '/api/v1/batch') {
      const batchKey = req.headers['idempotency-key'];
      const batchReply = typeof batchKey === 'string' ? `batch:${batchKey}` : null;
      if (o.batchIdempotency && batchReply && replies.has(batchReply)) {
        const first = replies.get(batchReply);
        return send(res, first.status, first.body);
      }
      let documents;
      try {
        documents = JSON.parse(body).documents;
      } catch {
        return error(res, 400, 'INVALID_REQUEST', 'The body is not JSON.');
      }
      if (!Array.isArray(documents) || documents.length === 0) {
        return error(res, 400, 'INVALID_REQUEST', 'documents must be a non-empty list.');
      }
      if (documents.length > 100) {
        return error(res, 400, 'BATCH_TOO_LARGE', 'At most 100 documents per batch.');
      }
      const results = documents.map((d) => {
        const xml = typeof d?.xml === 'string' ? d.xml : '';
        const refused = refusal(xml);
        if (refused) {
          return {
            id: d?.id,
            status: status('rejected'),
            error: { code: refused.code, message: refused.message, details: refused.details },
          };
        }
        const tx = makeTransaction(xml, buyerOf(xml));
        return { id: d?.id, status: status('accepted'), transaction_id: tx.id };
      });
      const acceptedCount = results.filter((r) => r.transaction_id).length;
      const answer = {
        batch_id: `batch_${randomUUID()}`,
        total_count: results.length,
        accepted_count: acceptedCount,
        rejected_count: results.length - acceptedCount,
        results,
      };
      if (o.batchIdempotency && batchReply) replies.set(batchReply, { status: 200, body: answer });
      return send(res, 200, answer);
    }

    if (req.method === 'POST' && path === '/api/v1/validate') {
      if (!body.trimStart().startsWith('<')) {
        return error(res, 400, 'INVALID_XML', 'The body is not XML.');
      }
      if (o.validateFails(body)) {
        return error(res, 422, 'VALIDATION_FAILED', 'The document failed validation.', [
          {
            rule: 'PEPPOL-EN16931-R001',
            location: '/Invoice',
            message: 'Business process MUST be provided.',
          },
        ]);
      }
      return send(res, 200, { valid: true, errors: [], warnings: [] });
    }

    if (
      req.method === 'GET' &&
      (path === '/api/v1/participants/lookup' || path === '/participants/lookup')
    ) {
      const id = lookupId(url.searchParams);
      if (id === null) {
        return error(
          res,
          400,
          'MISSING_PARAMETER',
          `Give the participant as ${LOOKUP_HELP[o.lookupForm]}.`,
        );
      }
      if (!known(id)) {
        if (o.notFound === 'found-false') return send(res, 200, { found: false });
        return error(res, 404, 'PARTICIPANT_NOT_FOUND', `Participant ${id} not found.`);
      }
      return send(res, 200, { found: true, participant_id: id });
    }

    if (req.method === 'GET' && path === '/api/v1/transactions') {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 50) || 50, 1000);
      const newest = transactions.slice(-limit).reverse();
      return send(res, 200, {
        transactions: newest.map((tx) => ({
          // The docs name `transaction_id` in lists; an `id` there may be the list's own.
          ...(o.listRowIds ? { id: transactions.indexOf(tx) + 1 } : {}),
          transaction_id: tx.id,
          ...report(tx),
        })),
      });
    }

    if (req.method === 'GET' && path.startsWith('/api/v1/transactions/')) {
      const tx = byId.get(decodeURIComponent(path.slice('/api/v1/transactions/'.length)));
      if (!tx) return error(res, 404, 'TRANSACTION_NOT_FOUND', 'No such transaction.');
      return send(res, 200, { id: tx.id, ...report(tx) });
    }

    return error(res, 404, 'NOT_FOUND', `No route ${req.method} ${path}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) error(res, 500, 'INTERNAL', String(err));
      else res.destroy();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({
        url: `http://127.0.0.1:${port}`,
        apiKey: o.apiKey,
        set(more) {
          Object.assign(o, more);
          if (more.throttle !== undefined) throttleLeft = more.throttle;
          if (more.serverErrors !== undefined) serverErrorsLeft = more.serverErrors;
          if (more.dropAnswers !== undefined) dropAnswersLeft = more.dropAnswers;
        },
        acceptedByNumber: () => new Map(accepted),
        requests: (route) => requests.get(route) ?? 0,
        reportedStatuses: () => new Set(reported),
        faults: () => ({ ...faults }),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
