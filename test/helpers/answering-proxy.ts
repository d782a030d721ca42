/**
 * An HTTP proxy before a sandbox that answers some requests itself (a 500 for one invoice, a 400
 * refusal, a 503 outage) and forwards the rest: the access point misbehaving for chosen requests.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy answers itself instead of forwarding: a status and the provider's error body. */
export interface OwnAnswer {
  status: number;
  code: string;
  message: string;
}

/**
 * Starts the proxy before `target` (a sandbox's URL, path included). `answer` sees each request
 * with its whole body and returns the proxy's own answer, or null to forward it. `close` stops it.
 */
export async function answeringProxy(
  target: string,
  answer: (req: IncomingMessage, body: Buffer) => OwnAnswer | null,
): Promise<{ url: string; close: () => Promise<void> }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const own = answer(req, body);
      if (own) {
        res.writeHead(own.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: own.code, message: own.message, details: [] } }));
        return;
      }
      const fwd = request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      fwd.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${to.pathname}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The provider's 500. */
export const INTERNAL_ERROR: OwnAnswer = {
  status: 500,
  code: 'INTERNAL',
  message: 'Internal server error',
};
