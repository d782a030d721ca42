/**
 * What the access point client makes of a request that throws: the network's failures are
 * answers to retry (offline when nothing was reached), but a mistake in the program (a TypeError
 * in the request path, an invalid argument) is thrown, so that the queue stops with a fault
 * instead of retrying it for ever. Odd 2xx bodies are read leniently, never as such a mistake.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import { NO_SUCH_ADDRESS } from '../../app/access-point/answers';
import { AccessPointClient, isProgrammingError } from '../../app/access-point/client';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server on 127.0.0.1 answering every request with `status` and `body` (of `type`). */
async function answering(status: number, body: string, type?: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, type ? { 'content-type': type } : {}).end(body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/peppol-api`;
}

/** A port nothing listens on (a server opened and closed). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}/peppol-api`;
}

const XML = new TextEncoder().encode('<Invoice/>');

describe('access point client errors', () => {
  it('throws a mistake in the request path instead of answering "try again"', async () => {
    const broken = {
      dispatch() {
        throw new TypeError("Cannot read properties of undefined (reading 'dispatch')");
      },
    } as unknown as Dispatcher;
    const client = new AccessPointClient({
      baseUrl: 'http://127.0.0.1:9/peppol-api',
      apiKey: null,
      dispatcher: broken,
    });
    await expect(client.send(XML, 'key-1')).rejects.toThrow(TypeError);
    await expect(client.lookup('0208:0123456789')).rejects.toThrow(TypeError);
  });

  it('answers a refused connection as offline, to be retried', async () => {
    const client = new AccessPointClient({ baseUrl: await closedPort(), apiKey: null });
    try {
      const outcome = await client.send(XML, 'key-2');
      expect(outcome).toMatchObject({ kind: 'transient', offline: true, status: null });
      expect(outcome.kind === 'transient' ? outcome.message : '').toMatch(/^ECONNREFUSED/);
    } finally {
      await client.close();
    }
  });

  it('reads an empty 2xx answer to a send as accepted without a transaction id', async () => {
    const client = new AccessPointClient({ baseUrl: await answering(202, ''), apiKey: null });
    try {
      expect(await client.send(XML, 'key-3')).toEqual({
        kind: 'ok',
        status: 202,
        value: { transactionId: '', status: 'pending' },
      });
      // A transactions list that is not a list reads as none.
      expect(await client.transactions(10)).toMatchObject({ kind: 'ok', value: [] });
    } finally {
      await client.close();
    }
  });

  it('tells a web server\'s "no such address" from the provider\'s "not found" (walk 9)', async () => {
    const lookupOf = async (status: number, body: string) => {
      const client = new AccessPointClient({
        baseUrl: await answering(status, body),
        apiKey: null,
      });
      try {
        return await client.lookup('0208:0987654394');
      } finally {
        await client.close();
      }
    };
    const page = '<html><head><title>404 Not Found</title></head><body>nginx</body></html>';
    for (const body of [page, '', 'Not Found', '{"detail":"Not Found"}']) {
      const outcome = await lookupOf(404, body);
      expect([body, outcome]).toMatchObject([
        body,
        { kind: 'permanent', error: { status: 404, code: NO_SUCH_ADDRESS } },
      ]);
    }
    // The provider's answers: its error body, or a lookup's found: false, say not on Peppol.
    const providers = [
      '{"error":{"code":"PARTICIPANT_NOT_FOUND","message":"Not registered"}}',
      '{"found":false}',
    ];
    for (const body of providers) {
      expect([body, await lookupOf(404, body)]).toMatchObject([
        body,
        { kind: 'ok', status: 404, value: { found: false } },
      ]);
    }
    // A send's: the page's words kept short in the message.
    const client = new AccessPointClient({ baseUrl: await answering(404, page), apiKey: null });
    try {
      expect(await client.send(XML, 'key-4')).toEqual({
        kind: 'permanent',
        error: {
          status: 404,
          code: NO_SUCH_ADDRESS,
          message: 'Not found (404): the access point has no such address (404 Not Found nginx)',
          details: null,
        },
      });
    } finally {
      await client.close();
    }
  });

  // The built-in Sandbox at its port without /peppol-api answered every address with its own
  // 404 words, and every buyer was said to be not on Peppol: the version call tells them apart.
  it('a 404 in the code the version call was answered 404 with is "no such address", not a buyer not on Peppol', async () => {
    const miss = '{"error":{"code":"NOT_FOUND","message":"There is no endpoint for this path."}}';
    const noBuyer = '{"error":{"code":"PARTICIPANT_NOT_FOUND","message":"Not registered"}}';
    const version = '{"version":"1","environment":"sandbox"}';
    /** The version call answered (after `delayMs`), then a lookup asked while it is under way. */
    const lookupAfter = async (v: [number, string], lookup: string, delayMs = 0) => {
      const server = createServer((req, res) => {
        req.resume();
        const [status, body] = req.url!.includes('/version') ? v : [404, lookup];
        const answer = () =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        req.on('end', () =>
          req.url!.includes('/version') ? setTimeout(answer, delayMs) : answer(),
        );
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const client = new AccessPointClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/peppol-api`,
        apiKey: null,
      });
      try {
        const asked = client.version();
        const outcome = await client.lookup('0208:0987654394');
        await asked;
        return outcome;
      } finally {
        await client.close();
      }
    };
    const noSuchAddress = { kind: 'permanent', error: { status: 404, code: NO_SUCH_ADDRESS } };
    const notOnPeppol = { kind: 'ok', status: 404, value: { found: false } };
    // The lookup's 404 waits for the version's answer (asked first, answered after it).
    expect(await lookupAfter([404, miss], miss, 100)).toMatchObject(noSuchAddress);
    expect(await lookupAfter([404, miss], miss)).toMatchObject(noSuchAddress);
    // Another code than the version's: the provider's own "not found" of a buyer.
    expect(await lookupAfter([404, miss], noBuyer)).toMatchObject(notOnPeppol);
    // A version address that answers: every 404 of a lookup is believed.
    expect(await lookupAfter([200, version], miss)).toMatchObject(notOnPeppol);
  });

  it('a web page answered with a 2xx is no acceptance: the provider URL leads to a web site (walk 9)', async () => {
    const page = '<!DOCTYPE html><html><head><title>Welcome</title></head><body>Hi</body></html>';
    const outcomeOf = async (status: number, body: string, type?: string) => {
      const client = new AccessPointClient({
        baseUrl: await answering(status, body, type),
        apiKey: null,
      });
      try {
        return await client.send(XML, 'key-5');
      } finally {
        await client.close();
      }
    };
    for (const [body, type] of [
      [page, 'text/html; charset=utf-8'],
      [page, undefined],
      ['<p>moved</p>', 'text/html'],
    ] as const) {
      expect(await outcomeOf(200, body, type)).toMatchObject({
        kind: 'permanent',
        error: { status: 200, code: NO_SUCH_ADDRESS },
      });
    }
    // Lenient as before: an empty or plain answer is an acceptance; a 5xx page is a failure.
    expect(await outcomeOf(202, '')).toMatchObject({ kind: 'ok' });
    expect(await outcomeOf(200, 'OK', 'text/plain')).toMatchObject({ kind: 'ok' });
    expect(await outcomeOf(502, page, 'text/html')).toMatchObject({
      kind: 'transient',
      status: 502,
    });
  });

  it('tells programming errors from network errors', () => {
    const coded = (name: string, code: string, Kind: ErrorConstructor = Error) =>
      Object.assign(new Kind(name), { code });
    expect(
      [
        new TypeError('x is not a function'),
        new RangeError('Invalid array length'),
        new ReferenceError('x is not defined'),
        coded('invalid argument', 'UND_ERR_INVALID_ARG'),
        coded('bad type', 'ERR_INVALID_ARG_TYPE', TypeError),
      ].map(isProgrammingError),
    ).toEqual([true, true, true, true, true]);
    expect(
      [
        coded('connect ECONNREFUSED', 'ECONNREFUSED'),
        coded('other side closed', 'UND_ERR_SOCKET'),
        coded('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT'),
        coded('The client is destroyed', 'UND_ERR_DESTROYED'),
        new Error('socket hang up'),
      ].map(isProgrammingError),
    ).toEqual([false, false, false, false, false]);
  });
});
