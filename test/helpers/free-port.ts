import { createServer } from 'node:net';

/** A loopback port nothing listens on (yet): free a moment ago, closed before it resolves. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
