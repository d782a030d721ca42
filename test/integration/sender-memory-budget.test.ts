/**
 * Request bodies held by the send stage are bounded by bytes (IN_FLIGHT_BYTES), not by a number
 * of documents: large files go singly, and no more of them are read and sent at once than the
 * budget allows. A proxy in front of the sandbox measures the bytes of send requests in flight.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore } from '../../app/engine';
import { startSandbox } from '../../app/sandbox/server';
import { BATCH_ITEM_MAX_BYTES, IN_FLIGHT_BYTES } from '../../app/queue/stages/send';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { engineInternals } from '../../app/engine/internals';

const tempDir = useTempDirs();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Forwards everything to `target`; tracks the body bytes of send requests not yet answered. */
async function measuringProxy(target: string) {
  const stats = { inFlight: 0, peak: 0, singles: 0, batches: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const send = req.method === 'POST' && /\/api\/v1\/send(\/batch)?$/.test(req.url ?? '');
      if (send) {
        if (req.url!.endsWith('/batch')) stats.batches++;
        else stats.singles++;
        stats.inFlight += body.byteLength;
        stats.peak = Math.max(stats.peak, stats.inFlight);
      }
      const out = request(
        `${target.replace(/\/$/, '')}${req.url ?? '/'}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => {
            if (send) stats.inFlight -= body.byteLength;
          });
        },
      );
      out.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  cleanups.push(() => new Promise<void>((ok) => server.close(() => ok())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stats };
}

/** A valid invoice padded to about `bytes` with a long note. */
function bigInvoice(number: string, bytes: number): Uint8Array {
  return makeInvoice(number, { note: 'x'.repeat(bytes) });
}

describe('send stage memory', () => {
  it('holds at most IN_FLIGHT_BYTES of request bodies at once; files over 1 MB go singly', async () => {
    const sandbox = await startSandbox({ latencyMs: 150 });
    cleanups.push(() => sandbox.close());
    const proxy = await measuringProxy(sandbox.url);
    const engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: proxy.url,
      trackDelivery: false,
      concurrency: 32,
    });
    cleanups.push(() => engine.stop());

    // 16 files of 3 MB ready together: 48 MB, more than the budget and within one batch's 50 MB.
    const files = Array.from({ length: 16 }, (_, i) => ({
      name: `big-${i}.xml`,
      bytes: bigInvoice(`MEM-${i}`, 3 * 1024 * 1024),
    }));
    expect(files[0]!.bytes.byteLength).toBeGreaterThan(BATCH_ITEM_MAX_BYTES);
    const res = await engine.handlers['documents:add']({ files });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(16);
    await engine.waitUntilSettled(ids, { includeAccepted: true });

    for (const id of ids)
      expect(engineInternals(engine).repo.get(id)).toMatchObject({ state: 'accepted' });
    expect(proxy.stats.singles).toBe(16);
    expect(proxy.stats.batches).toBe(0);
    expect(proxy.stats.peak).toBeGreaterThan(0);
    expect(proxy.stats.peak).toBeLessThanOrEqual(IN_FLIGHT_BYTES);
  });
});
