// A small TCP proxy on 127.0.0.1 for partition tests: a client (a desk) connects to the proxy,
// the proxy connects to the target (PostgreSQL) and pipes bytes both ways. The test can then
// `cut()` every open connection at once (both sides reset, as a dropped network link), `block()`
// new connections (refused, or held unanswered like a black hole) and `unblock()` them again.
// Plain JS so the harness and the bench can use it unbuilt; types in tcp-proxy.d.mts.
import { connect, createServer } from 'node:net';

/** Destroy a socket with a TCP reset when the runtime can (a cut link, not a polite close). */
function reset(socket) {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') {
    try {
      socket.resetAndDestroy();
      return;
    } catch {
      // Not connected yet: fall through to a plain destroy.
    }
  }
  socket.destroy();
}

/**
 * Start a proxy to `targetHost:targetPort` on a free loopback port.
 * @param {{ targetHost?: string, targetPort: number }} options
 */
export function startTcpProxy({ targetHost = '127.0.0.1', targetPort }) {
  /** Open pairs: [client socket, upstream socket]. */
  const pairs = new Set();
  /** Client sockets accepted while blocked in 'hold' mode: forwarded on unblock. */
  const held = new Set();
  let blocked = null;
  const counters = { accepted: 0, refused: 0, holds: 0, cuts: 0, cutConnections: 0 };

  function forward(client) {
    const upstream = connect({ host: targetHost, port: targetPort });
    const pair = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  const server = createServer({ pauseOnConnect: true }, (client) => {
    counters.accepted++;
    if (blocked === 'refuse') {
      counters.refused++;
      reset(client);
      return;
    }
    if (blocked === 'hold') {
      counters.holds++;
      held.add(client);
      client.on('error', () => held.delete(client));
      client.on('close', () => held.delete(client));
      return;
    }
    client.resume();
    forward(client);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        host: '127.0.0.1',
        port,
        /** Connections open through the proxy now. */
        get openConnections() {
          return pairs.size;
        },
        /** Counters since start: connections accepted, refused or held while blocked, cuts. */
        get stats() {
          return { ...counters, open: pairs.size, held: held.size };
        },
        /** Reset every open connection now (both sides); returns how many were cut. */
        cut() {
          counters.cuts++;
          const n = pairs.size;
          counters.cutConnections += n;
          for (const pair of [...pairs]) {
            pairs.delete(pair);
            reset(pair[0]);
            reset(pair[1]);
          }
          return n;
        },
        /**
         * Stop forwarding new connections: 'refuse' resets them at once (a closed port),
         * 'hold' accepts them and sends nothing (a black hole) until `unblock()` or `cut()`.
         */
        block(mode = 'refuse') {
          blocked = mode;
        },
        /** Forward new connections again (and the held ones). */
        unblock() {
          blocked = null;
          for (const client of [...held]) {
            held.delete(client);
            client.removeAllListeners('close');
            client.removeAllListeners('error');
            client.resume();
            forward(client);
          }
        },
        /** Cut everything and stop listening. */
        close() {
          for (const client of held) reset(client);
          held.clear();
          for (const pair of [...pairs]) {
            pairs.delete(pair);
            reset(pair[0]);
            reset(pair[1]);
          }
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
