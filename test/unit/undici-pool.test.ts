import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher, Pool } from 'undici';
import PoolByPath from 'undici/lib/dispatcher/pool';
import requestByPath from 'undici/lib/api/api-request';

// The access point client loads undici's Pool and `request` by their module paths, not through
// the package's index (which loads fetch, WebSocket and more at every start). After an undici
// upgrade this says whether those paths still hold the same code.
describe('undici Pool and request by their module paths', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('are the class and the method the package exports', () => {
    expect(PoolByPath).toBe(Pool);
    expect(requestByPath).toBe(Dispatcher.prototype.request);
  });

  it('send a request through the pool', async () => {
    const pool = new PoolByPath(origin, { connections: 1 });
    try {
      const res = await requestByPath.call(pool, {
        origin,
        path: '/x?y=1',
        method: 'POST',
        body: 'b',
      });
      expect(res.statusCode).toBe(201);
      expect(await res.body.text()).toBe('POST /x?y=1');
    } finally {
      await pool.close();
    }
  });
});
