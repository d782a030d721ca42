import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.mjs';

// The partition tests trust this proxy to cut and block a desk's database link: here it is
// checked against a plain echo server on loopback.

let echo: Server;
let echoPort = 0;
const echoSockets = new Set<Socket>();
let proxy: TcpProxy | null = null;
const clients: Socket[] = [];

async function startEcho(): Promise<void> {
  echo = createServer((s) => {
    echoSockets.add(s);
    s.on('close', () => echoSockets.delete(s));
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
}

/** A client of the proxy that records what it receives and how it ended. */
function client(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  clients.push(socket);
  const seen = { data: '', closed: false, error: null as string | null };
  socket.on('data', (d) => (seen.data += String(d)));
  socket.on('error', (e: NodeJS.ErrnoException) => (seen.error = e.code ?? e.message));
  const closed = new Promise<void>((r) =>
    socket.on('close', () => {
      seen.closed = true;
      r();
    }),
  );
  const connected = new Promise<void>((r) => socket.on('connect', () => r()));
  return { socket, seen, closed, connected };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy?.close();
  proxy = null;
  for (const s of echoSockets) s.destroy();
  await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
});

describe('tcp proxy (test helper for partitions)', () => {
  it('listens on a free loopback port and carries bytes both ways', async () => {
    await startEcho();
    proxy = await startTcpProxy({ targetPort: echoPort });
    expect(proxy.host).toBe('127.0.0.1');
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.port).not.toBe(echoPort);
    const c = client(proxy.port);
    c.socket.write('hello');
    await until('the echo', () => c.seen.data === 'hello');
    expect(proxy.openConnections).toBe(1);
  });

  it('cut() resets every open connection on both sides, and new connections still work', async () => {
    await startEcho();
    proxy = await startTcpProxy({ targetPort: echoPort });
    const a = client(proxy.port);
    const b = client(proxy.port);
    a.socket.write('a');
    b.socket.write('b');
    await until('both echoes', () => a.seen.data === 'a' && b.seen.data === 'b');
    expect(echoSockets.size).toBe(2);

    expect(proxy.cut()).toBe(2);
    await Promise.all([a.closed, b.closed]);
    await until('the target side to close', () => echoSockets.size === 0);
    expect(proxy.openConnections).toBe(0);
    expect(proxy.stats.cutConnections).toBe(2);

    const c = client(proxy.port);
    c.socket.write('again');
    await until('an echo after the cut', () => c.seen.data === 'again');
  });

  it('block() refuses new connections (existing ones go on) until unblock()', async () => {
    await startEcho();
    proxy = await startTcpProxy({ targetPort: echoPort });
    const before = client(proxy.port);
    before.socket.write('x');
    await until('the first echo', () => before.seen.data === 'x');

    proxy.block();
    const refused = client(proxy.port);
    refused.socket.write('lost');
    await refused.closed;
    expect(refused.seen.data).toBe('');
    expect(proxy.stats.refused).toBe(1);
    // Only the connection open before the block reached the target.
    expect(echoSockets.size).toBe(1);
    before.socket.write('y');
    await until('the open connection to keep working', () => before.seen.data === 'xy');

    proxy.unblock();
    const after = client(proxy.port);
    after.socket.write('z');
    await until('an echo after unblock', () => after.seen.data === 'z');
  });

  it("block('hold') accepts and answers nothing; unblock() forwards what was held", async () => {
    await startEcho();
    proxy = await startTcpProxy({ targetPort: echoPort });
    proxy.block('hold');
    const c = client(proxy.port);
    await c.connected;
    c.socket.write('held');
    await until('the proxy to hold it', () => proxy!.stats.held === 1);
    expect(proxy.stats.holds).toBe(1);
    // Nothing reached the target while held.
    await new Promise((r) => setTimeout(r, 100));
    expect(echoSockets.size).toBe(0);
    expect(c.seen.data).toBe('');

    proxy.unblock();
    await until('the held bytes to be forwarded', () => c.seen.data === 'held');
    expect(proxy.stats.held).toBe(0);
  });

  it('close() cuts open and held connections and stops listening', async () => {
    await startEcho();
    const p = await startTcpProxy({ targetPort: echoPort });
    proxy = null;
    const open = client(p.port);
    open.socket.write('o');
    await until('the echo', () => open.seen.data === 'o');
    p.block('hold');
    const held = client(p.port);
    await held.connected;
    await p.close();
    await Promise.all([open.closed, held.closed]);
    const late = client(p.port);
    await late.closed;
    expect(late.seen.error).toBe('ECONNREFUSED');
  });
});
