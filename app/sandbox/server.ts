import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { errorAnswer, LIMITS, SandboxCore, type Answer, type RequestContext } from './core';
import { FaultInjector } from './faults';
import { TokenBucket } from './rate-limiter';
import type { FaultPlan, SandboxHandle, SandboxOptions } from './types';

export type { FaultPlan, FaultTrigger, SandboxHandle, SandboxOptions, SandboxStats } from './types';

type EndpointKind =
  'version' | 'send' | 'batch' | 'validate' | 'lookup' | 'transactions' | 'transaction';

interface Route {
  kind: EndpointKind;
  method: 'GET' | 'POST';
  /** Stats label, e.g. 'POST /api/v1/send'. */
  label: string;
  /** Transaction id for the detail route. */
  param?: string;
}

const EXACT_ROUTES: Record<string, Omit<Route, 'label'>> = {
  '/peppol/version': { kind: 'version', method: 'GET' },
  '/api/v1/version': { kind: 'version', method: 'GET' },
  '/api/v1/send': { kind: 'send', method: 'POST' },
  '/api/v1/send/batch': { kind: 'batch', method: 'POST' },
  '/api/v1/batch': { kind: 'batch', method: 'POST' },
  '/api/v1/validate': { kind: 'validate', method: 'POST' },
  '/api/v1/participants/lookup': { kind: 'lookup', method: 'GET' },
  '/participants/lookup': { kind: 'lookup', method: 'GET' },
  '/api/v1/transactions': { kind: 'transactions', method: 'GET' },
};
const TRANSACTION_PREFIX = '/api/v1/transactions/';

function matchRoute(path: string): Route | null {
  const exact = EXACT_ROUTES[path];
  if (exact) return { ...exact, label: `${exact.method} ${path}` };
  if (path.startsWith(TRANSACTION_PREFIX) && path.length > TRANSACTION_PREFIX.length) {
    const id = path.slice(TRANSACTION_PREFIX.length);
    if (!id.includes('/')) {
      return {
        kind: 'transaction',
        method: 'GET',
        label: 'GET /api/v1/transactions/{id}',
        param: safeDecode(id),
      };
    }
  }
  return null;
}

type BodyResult = { ok: true; body: Buffer } | { ok: false; answer: Answer };

/**
 * Start the sandbox access point: a real HTTP server implementing the provider contract
 * (/work/shared/api-contract.md) on loopback, with fault injection and counters for tests.
 *
 * Control endpoints (not counted, no latency, no faults, no rate limit):
 * `GET <basePath>/_sandbox/stats`, `GET <basePath>/_sandbox/accepted`,
 * `POST <basePath>/_sandbox/faults` (a FaultPlan as JSON), `POST <basePath>/_sandbox/latency`
 * (`{"ms": 50}`), `POST <basePath>/_sandbox/reset`, `POST <basePath>/_sandbox/outage`
 * (`{"ms": 3000}`: stop listening and drop every connection, listen again on the port after ms).
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const host = opts.host ?? '127.0.0.1';
  const basePath = normaliseBasePath(opts.basePath ?? '/peppol-api');
  const now = opts.now ?? Date.now;
  const initialFaults: FaultPlan = opts.faults ?? {};
  const initialLatency = opts.latencyMs ?? 0;
  const core = new SandboxCore({
    basePath,
    stepMs: opts.transactionStepMs ?? 200,
    slowSendingMs: opts.slowSendingMs ?? 35_000,
    lookupNotFound: opts.lookupNotFound ?? 'status-404',
    now,
  });
  const faults = new FaultInjector(initialFaults);
  let latencyMs = initialLatency;
  let requestBucket: TokenBucket | null = null;
  let batchBucket: TokenBucket | null = null;
  const resetBuckets = (): void => {
    const rps = opts.rateLimit?.requestsPerSecond ?? 0;
    requestBucket = rps > 0 ? new TokenBucket(opts.rateLimit?.burst ?? rps, rps, now) : null;
    const bpm = opts.rateLimit?.batchesPerMinute ?? 0;
    batchBucket = bpm > 0 ? new TokenBucket(bpm, bpm / 60, now) : null;
  };
  resetBuckets();

  // Pending latency/stall timers, cleared on close so a stalled answer does not hold the process.
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const requestPrefix = core.newId('req');
  let requestSequence = 0;

  const write = (res: ServerResponse, answer: Answer, requestId: string): void => {
    if (res.destroyed || res.headersSent) return;
    const payload = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': requestId,
      ...answer.headers,
    });
    res.end(payload);
  };

  const handleControl = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> => {
    const requestId = `${requestPrefix}_c${++requestSequence}`;
    const ctx: RequestContext = { requestId, apiKey: '', idempotencyKey: null };
    const readJson = async (): Promise<
      { ok: true; value: unknown } | { ok: false; answer: Answer }
    > => {
      const body = await readBody(req, 1024 * 1024, requestId);
      if (!body.ok) return body;
      try {
        return {
          ok: true,
          value: body.body.length === 0 ? {} : JSON.parse(body.body.toString('utf8')),
        };
      } catch {
        return {
          ok: false,
          answer: errorAnswer(400, 'INVALID_JSON', 'The body is not valid JSON.', requestId),
        };
      }
    };
    let answer: Answer;
    if (req.method === 'GET' && path === '/_sandbox/stats') {
      answer = { status: 200, body: handle.stats() };
    } else if (req.method === 'GET' && path === '/_sandbox/accepted') {
      answer = core.acceptedList();
    } else if (req.method === 'POST' && path === '/_sandbox/faults') {
      const json = await readJson();
      if (!json.ok) answer = json.answer;
      else if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
        answer = errorAnswer(400, 'INVALID_REQUEST', 'A fault plan is a JSON object.', requestId);
      } else {
        handle.setFaults(json.value as FaultPlan);
        answer = { status: 200, body: { faults: json.value } };
      }
    } else if (req.method === 'POST' && path === '/_sandbox/latency') {
      const json = await readJson();
      const ms = json.ok ? (json.value as { ms?: unknown }).ms : undefined;
      if (!json.ok) answer = json.answer;
      else if (typeof ms !== 'number' || !(ms >= 0)) {
        answer = errorAnswer(400, 'INVALID_REQUEST', 'Send {"ms": <milliseconds ≥ 0>}.', requestId);
      } else {
        handle.setLatency(ms);
        answer = { status: 200, body: { latencyMs: ms } };
      }
    } else if (req.method === 'POST' && path === '/_sandbox/reset') {
      handle.reset();
      answer = { status: 200, body: { reset: true } };
    } else if (req.method === 'POST' && path === '/_sandbox/outage') {
      const json = await readJson();
      const ms = json.ok ? (json.value as { ms?: unknown }).ms : undefined;
      if (!json.ok) answer = json.answer;
      else if (typeof ms !== 'number' || !(ms > 0) || ms > 10 * 60_000) {
        answer = errorAnswer(
          400,
          'INVALID_REQUEST',
          'Send {"ms": <milliseconds, 1 to 600000>}.',
          requestId,
        );
      } else {
        // Answer first, then go away: the caller must learn that the outage started.
        res.once('finish', () => void handle.outage(ms));
        answer = { status: 200, body: { outageMs: ms } };
      }
    } else {
      answer = errorAnswer(
        404,
        'NOT_FOUND',
        `No sandbox control endpoint ${req.method} ${path}.`,
        ctx.requestId,
      );
    }
    write(res, answer, requestId);
  };

  const handleApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    query: string,
  ): Promise<void> => {
    const requestId = `${requestPrefix}_${++requestSequence}`;
    // The latency is the time to answer, counted from the request's arrival: reading the body and
    // processing it are part of it, as at a real access point.
    const arrivedAt = performance.now();
    const finish = async (answer: Answer, extraDelayMs = 0, resetAfter = false): Promise<void> => {
      const spent = performance.now() - arrivedAt;
      const wait = Math.max(0, latencyMs - spent) + extraDelayMs;
      if (wait > 0) await delay(wait);
      if (resetAfter) {
        core.stats.recordRequest(route.label, 'reset');
        req.socket.resetAndDestroy();
        return;
      }
      core.stats.recordRequest(route.label, answer.status);
      write(res, answer, requestId);
    };

    const apiKeyHeader = req.headers['x-api-key'];
    const apiKey = Array.isArray(apiKeyHeader) ? (apiKeyHeader[0] ?? '') : apiKeyHeader;
    // The sandbox is keyless: any key or none is fine; only a present-but-empty key is refused.
    if (apiKey !== undefined && apiKey.trim() === '') {
      return finish(
        errorAnswer(
          401,
          'UNAUTHORIZED',
          'The X-API-Key header is empty. Enter your API key in the settings.',
          requestId,
        ),
      );
    }
    const idempotencyHeader = req.headers['idempotency-key'];
    const idempotencyKey =
      typeof idempotencyHeader === 'string' && idempotencyHeader.trim() !== ''
        ? idempotencyHeader.trim()
        : null;
    const ctx: RequestContext = { requestId, apiKey: apiKey ?? '', idempotencyKey };

    const retryAfter = Math.max(
      requestBucket?.take() ?? 0,
      route.kind === 'batch' ? (batchBucket?.take() ?? 0) : 0,
    );
    if (retryAfter > 0) {
      core.stats.rateLimited++;
      return finish(
        errorAnswer(
          429,
          'RATE_LIMITED',
          'Too many requests; slow down and retry after the Retry-After delay.',
          requestId,
          [],
          {
            'retry-after': String(retryAfter),
          },
        ),
      );
    }

    let body: Buffer = Buffer.alloc(0);
    if (route.method === 'POST') {
      const read = await readBody(
        req,
        route.kind === 'batch' ? LIMITS.batchBytes : LIMITS.documentBytes,
        requestId,
      );
      if (!read.ok) return finish(read.answer);
      body = read.body;
    }

    const fault = faults.appliesTo(route.kind === 'send' || route.kind === 'batch')
      ? faults.decide()
      : null;
    if (fault?.resetBefore) {
      core.stats.recordRequest(route.label, 'reset');
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.stall?.when === 'before') await delay(fault.stall.ms);
    const stallAfter = fault?.stall?.when === 'after' ? fault.stall.ms : 0;
    if (fault?.status429) {
      return finish(
        errorAnswer(
          429,
          'RATE_LIMITED',
          'Too many requests (injected by the sandbox fault plan).',
          requestId,
          [],
          {
            'retry-after': String(fault.status429.retryAfterSeconds),
          },
        ),
        stallAfter,
      );
    }
    if (fault?.status503) {
      const seconds = fault.status503.retryAfterSeconds;
      return finish(
        errorAnswer(
          503,
          'SERVICE_UNAVAILABLE',
          'The access point is temporarily unavailable (injected by the sandbox fault plan).',
          requestId,
          [],
          seconds === null ? undefined : { 'retry-after': String(seconds) },
        ),
        stallAfter,
      );
    }
    if (fault?.status) {
      return finish(
        errorAnswer(fault.status.status, fault.status.code, fault.status.message, requestId),
        stallAfter,
      );
    }

    const params = new URLSearchParams(query);
    let answer: Answer;
    switch (route.kind) {
      case 'version':
        answer = core.version();
        break;
      case 'send':
        answer = core.send(body, ctx);
        break;
      case 'batch':
        answer = core.batch(body, ctx);
        break;
      case 'validate':
        answer = core.validate(body, ctx, faults.validateVerdict());
        break;
      case 'lookup':
        answer = core.lookup(params, ctx);
        break;
      case 'transactions':
        answer = core.listTransactions(params, ctx);
        break;
      case 'transaction':
        answer = core.getTransaction(route.param ?? '', ctx);
        break;
    }
    return finish(answer, stallAfter, fault?.resetAfter ?? false);
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const inBase = path === basePath || path.startsWith(`${basePath}/`);
    const relative = inBase ? path.slice(basePath.length) : '';
    let work: Promise<void>;
    if (inBase && relative.startsWith('/_sandbox/')) {
      work = handleControl(req, res, relative);
    } else {
      const route = inBase ? matchRoute(relative) : null;
      if (route === null || route.method !== req.method) {
        const requestId = `${requestPrefix}_${++requestSequence}`;
        const answer =
          route === null
            ? errorAnswer(
                404,
                'NOT_FOUND',
                `There is no endpoint ${req.method} ${path}.`,
                requestId,
              )
            : errorAnswer(
                405,
                'METHOD_NOT_ALLOWED',
                `${path} only answers ${route.method}.`,
                requestId,
                [],
                {
                  allow: route.method,
                },
              );
        core.stats.recordRequest(route?.label ?? 'unknown', answer.status);
        write(res, answer, requestId);
        return;
      }
      work = handleApi(req, res, route, query);
    }
    work.catch((err: unknown) => {
      // A client that went away mid-request is normal under fault tests; anything else is a bug.
      if (req.socket.destroyed) return;
      const requestId = `${requestPrefix}_e${++requestSequence}`;
      write(
        res,
        errorAnswer(
          500,
          'INTERNAL_ERROR',
          `Sandbox failure: ${err instanceof Error ? err.message : String(err)}`,
          requestId,
        ),
        requestId,
      );
    });
  });
  // Long keep-alive so benchmark clients reuse connections; no request timeout so stalls and big
  // uploads are never cut by the server.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  // An outage closes the listener and every socket, then listens again on the same port.
  let closed = false;
  let outageTimer: NodeJS.Timeout | null = null;
  let endOutage: (() => void) | null = null;
  let outageEnded: Promise<void> = Promise.resolve();
  const stopListening = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
  const listenAgain = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });

  const handle: SandboxHandle = {
    url: `http://${urlHost}:${port}${basePath}`,
    port,
    stats: () => core.stats.snapshot(faults.counts, core.transactions.size),
    setFaults: (plan) => faults.setPlan(plan),
    setLatency: (ms) => {
      latencyMs = Math.max(0, ms);
    },
    reset: () => {
      core.clear();
      faults.setPlan(initialFaults);
      faults.resetCounts();
      latencyMs = initialLatency;
      resetBuckets();
    },
    outage: async (ms) => {
      if (closed) return;
      if (outageTimer) clearTimeout(outageTimer);
      endOutage?.();
      await stopListening();
      outageEnded = new Promise<void>((resolve, reject) => {
        endOutage = resolve;
        outageTimer = setTimeout(() => {
          outageTimer = null;
          endOutage = null;
          if (closed) return resolve();
          listenAgain().then(resolve, reject);
        }, ms);
      });
      // Callers that do not wait for the end must not see an unhandled rejection.
      outageEnded.catch(() => undefined);
    },
    outageEnded: () => outageEnded,
    close: async () => {
      closed = true;
      if (outageTimer) clearTimeout(outageTimer);
      outageTimer = null;
      endOutage?.();
      endOutage = null;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stopListening();
    },
  };
  return handle;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // Malformed %-escapes: keep the raw text; it will simply not match an id.
  }
}

function normaliseBasePath(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Read a request body up to `limit` bytes after decoding. Accepts identity and gzip
 * Content-Encoding (415 otherwise); 413 when over the limit, compressed or not.
 */
async function readBody(
  req: IncomingMessage,
  limit: number,
  requestId: string,
): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const gzipped = encoding === 'gzip' || encoding === 'x-gzip';
  if (!gzipped && encoding !== 'identity' && encoding !== '') {
    return {
      ok: false,
      answer: errorAnswer(
        415,
        'UNSUPPORTED_CONTENT_ENCODING',
        `Content-Encoding "${encoding}" is not supported; send the body uncompressed or gzip-compressed.`,
        requestId,
      ),
    };
  }
  const tooLarge: BodyResult = {
    ok: false,
    answer: errorAnswer(
      413,
      'PAYLOAD_TOO_LARGE',
      `The request body is larger than ${Math.round(limit / 1024 / 1024)} MB.`,
      requestId,
    ),
  };
  // A declared length within the limit: one buffer of that size, filled as chunks arrive, instead
  // of keeping every chunk and then copying them all (two copies of a 15 MB body at once).
  const declared = Number(req.headers['content-length']);
  const into =
    Number.isSafeInteger(declared) && declared >= 0 && declared <= limit
      ? Buffer.allocUnsafe(declared)
      : null;
  const raw = await new Promise<Buffer | null>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        // Keep draining so the client reads our 413 instead of a broken pipe, within reason.
        if (size > limit * 2 + 1024 * 1024) req.socket.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks = [];
        return;
      }
      if (into !== null && size <= into.length) chunk.copy(into, size - chunk.length);
      else {
        // More than declared (Node's parser prevents it; kept safe anyway): collect the rest.
        if (into !== null && chunks.length === 0) {
          chunks.push(into.subarray(0, size - chunk.length));
        }
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (over) resolve(null);
      else if (into !== null && size <= into.length) resolve(into.subarray(0, size));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
  if (raw === null) return tooLarge;
  if (!gzipped) return { ok: true, body: raw };
  try {
    const body = await new Promise<Buffer>((resolve, reject) =>
      gunzip(raw, { maxOutputLength: limit }, (err, out) => (err ? reject(err) : resolve(out))),
    );
    return { ok: true, body };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge;
    return {
      ok: false,
      answer: errorAnswer(
        400,
        'INVALID_GZIP',
        'The body says Content-Encoding: gzip but is not valid gzip data.',
        requestId,
      ),
    };
  }
}
