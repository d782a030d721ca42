import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { EVENT_NAMES, MAX_ADD_CALL_BYTES } from '../contract';
import type { Engine } from '../engine';
import { invokeHandler } from '../errors';
import { CONTENT_SECURITY_POLICY } from './csp';
import { resolveRendererFile } from './renderer-files';
import {
  ALIVE_EVENT,
  ALIVE_EVERY_MS,
  HOST_PATHS,
  TOKEN_HEADER,
  WIRE_PARTS_TYPE,
  decodeWire,
  decodeWireParts,
  encodeWire,
} from './wire';

/** Options of the browser host. */
export interface BrowserHostOptions {
  engine: Engine;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  port?: number;
  /** Per-session token; random when absent. */
  token?: string;
  /**
   * Largest request body, bytes. Default: what the renderer's largest `documents:add` call can
   * weigh (MAX_ADD_CALL_BYTES, or one file at the `maxDocumentBytes` setting) in base64, plus
   * room for names.
   */
  maxBodyBytes?: number;
}

/** A running browser host. */
export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Serve the renderer and the contract over HTTP + Server-Sent Events on 127.0.0.1 only. The API
 * needs the per-session token (header, or `?token=` for the event stream), and the Host header
 * must name the loopback address, so neither another local user's page nor DNS rebinding can
 * drive the engine.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const { engine } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const rendererDir = resolve(options.rendererDir);
  const maxBody = async (): Promise<number> => {
    if (options.maxBodyBytes !== undefined) return options.maxBodyBytes;
    const { maxDocumentBytes } = await engine.handlers['settings:get'](undefined);
    return bodyLimitFor(Math.max(MAX_ADD_CALL_BYTES, maxDocumentBytes));
  };
  const sseClients = new Set<ServerResponse>();
  let port = 0;

  const tokenOk = (given: string | null | undefined): boolean => {
    if (!given) return false;
    const b = Buffer.from(given);
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };
  const hostOk = (req: IncomingMessage): boolean => {
    const host = req.headers.host ?? '';
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      // No exception text in answers: it says nothing useful to a clerk and leaks internals.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Something went wrong on the desk; try again.');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostOk(req)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Wrong host');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith(HOST_PATHS.invoke + '/')) {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      if (!tokenOk(req.headers[TOKEN_HEADER] as string | undefined)) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('Missing or wrong session token');
        return;
      }
      const channel = decodeOrNull(url.pathname.slice(HOST_PATHS.invoke.length + 1));
      if (channel === null) {
        badRequest(res);
        return;
      }
      const limit = await maxBody();
      const body = await readBody(req, limit);
      let arg: unknown;
      if (body === null) {
        // Cut off, not drained: answer now and close the connection, so a huge body is never
        // read to its end.
        send(
          res,
          413,
          {
            ok: false,
            error: {
              code: 'TOO_LARGE',
              message: `Too much at once (over ${Math.floor(limit / (1024 * 1024))} MB in one request). An invoice is far smaller: check that you picked the right files, or drop fewer at a time.`,
            },
          },
          true,
        );
        res.once('finish', () => req.socket.destroy());
        return;
      }
      try {
        // Files travel as raw bytes (WIRE_PARTS_TYPE) from the page; JSON with base64 otherwise.
        const parts = (req.headers['content-type'] ?? '').startsWith(WIRE_PARTS_TYPE);
        if (parts) arg = decodeWireParts(body);
        else arg = body.length > 0 ? decodeWire(body.toString('utf8')) : undefined;
      } catch {
        badRequest(res);
        return;
      }
      // Server-Timing: the handler's own time on the engine's thread (a synchronous handler such
      // as `documents:list` is exactly its query), so a slow round trip says whether the answer
      // was slow to make or waited for the thread (devtools and tests read it).
      const started = performance.now();
      const result = await invokeHandler(engine.handlers, channel, arg);
      send(res, 200, result, false, performance.now() - started);
      return;
    }
    if (url.pathname === HOST_PATHS.events) {
      if (!tokenOk(url.searchParams.get('token'))) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }
    serveStatic(url.pathname, res);
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    const found = resolveRendererFile(rendererDir, pathname);
    if (found.status === 400) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request');
      return;
    }
    if (found.status === 404) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, {
      'content-type': found.mime,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    createReadStream(found.path).pipe(res);
  }

  const unsubscribe = EVENT_NAMES.map((name) =>
    engine.on(name, (payload) => {
      const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const c of sseClients) c.write(frame);
    }),
  );
  // Also keeps proxies from closing an idle stream.
  const keepAlive = setInterval(() => {
    for (const c of sseClients) c.write(`event: ${ALIVE_EVENT}\ndata: 0\n\n`);
  }, ALIVE_EVERY_MS);
  keepAlive.unref();

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      clearInterval(keepAlive);
      for (const u of unsubscribe) u();
      for (const c of sseClients) c.end();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  value: unknown,
  close = false,
  handlerMs?: number,
): void {
  const started = performance.now();
  const body = encodeWire(value);
  const timing =
    handlerMs === undefined
      ? {}
      : {
          'server-timing': `engine;dur=${handlerMs.toFixed(2)}, encode;dur=${(performance.now() - started).toFixed(2)}`,
        };
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...timing,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

function badRequest(res: ServerResponse): void {
  send(res, 400, {
    ok: false,
    error: { code: 'BAD_REQUEST', message: 'The request could not be read.' },
  });
}

/** decodeURIComponent, or null for malformed escapes such as a lone `%`. */
function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The request body limit for calls carrying up to `fileBytes` of files: base64 plus 1 MB. */
export function bodyLimitFor(fileBytes: number): number {
  return Math.ceil(fileBytes / 3) * 4 + 1024 * 1024;
}

/**
 * The body, or null as soon as it grows over `max` (announced or while reading): reading stops
 * there, what came so far is dropped.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const announced = Number(req.headers['content-length'] ?? 0);
  if (announced > max) return Promise.resolve(null);
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= max) {
        chunks.push(c);
        return;
      }
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      ok(null);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size <= max) ok(Buffer.concat(chunks));
    });
    req.on('error', fail);
  });
}
