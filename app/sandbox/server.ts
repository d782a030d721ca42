import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlAnswer } from './control';
import { errorAnswer, LIMITS, type Answer, type RequestContext } from './answers';
import { SandboxCore } from './core';
import { FaultInjector } from './faults';
import { TokenBucket } from './rate-limiter';
import { readBody } from './request-body';
import { matchRoute, normaliseBasePath, type Route } from './routes';
import type { FaultPlan, SandboxHandle, SandboxOptions } from './types';

export type { FaultPlan, FaultTrigger, SandboxHandle, SandboxOptions, SandboxStats } from './types';

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
    write(res, await controlAnswer(req, res, path, handle, core, requestId), requestId);
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
        answer = core.send(body, { ...ctx, deliveryFails: fault?.deliveryFails ?? false });
        break;
      case 'batch':
        answer = core.batch(body, { ...ctx, deliveryFails: fault?.deliveryFails ?? false });
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
