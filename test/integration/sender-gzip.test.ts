import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import { startSandbox } from '../../app/sandbox/server';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
// After the cleanups' hook: after-hooks run as a stack, so the engines stop first.
const engines = useEngines();

interface Seen {
  path: string;
  encoding: string | null;
  body: Buffer;
}

/**
 * A tiny access point that takes no gzip (415, as the contract tells the client to expect), has
 * no batch endpoint (404), finds every receiver, and records what it received.
 */
async function strictServer(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const encoding = (req.headers['content-encoding'] as string | undefined) ?? null;
      const path = req.url ?? '';
      seen.push({ path, encoding, body: Buffer.concat(chunks) });
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (encoding && encoding !== 'identity') {
        json(415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'No gzip here.' } });
      } else if (path.endsWith('/api/v1/send')) {
        json(202, { transaction_id: `t${seen.length}`, status: 'pending' });
      } else if (path.includes('/participants/lookup')) {
        json(200, { found: true });
      } else if (path.endsWith('/peppol/version')) {
        // Says it deduplicates batches (the client batches only then), yet serves no batch path.
        json(200, { version: 'strict', batch_idempotency: true });
      } else {
        json(404, { error: { code: 'NOT_FOUND', message: 'No such endpoint.' } });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ap`, seen };
}

describe('gzip request bodies', () => {
  it('sends gzip above the threshold, and the sandbox reads it', async () => {
    const sandbox = await startSandbox();
    cleanups.push(() => sandbox.close());
    const client = new AccessPointClient({
      baseUrl: sandbox.url,
      apiKey: null,
      gzipAboveBytes: 1024,
    });
    cleanups.push(() => client.close());
    const outcome = await client.send(makeInvoice('GZ-1'), 'gz-key-1');
    expect(outcome.kind).toBe('ok');
    expect(client.gzipState).toEqual({ enabled: true, sent: 1 });
    expect(sandbox.stats().acceptedDocuments).toBe(1);
    // Below the threshold: identity.
    const small = new AccessPointClient({
      baseUrl: sandbox.url,
      apiKey: null,
      gzipAboveBytes: 1024 * 1024,
    });
    cleanups.push(() => small.close());
    expect((await small.send(makeInvoice('GZ-2'), 'gz-key-2')).kind).toBe('ok');
    expect(small.gzipState.sent).toBe(0);
  });

  it('on 415 repeats the request uncompressed and sends identity from then on', async () => {
    const server = await strictServer();
    const client = new AccessPointClient({ baseUrl: server.url, apiKey: null, gzipAboveBytes: 1 });
    cleanups.push(() => client.close());
    const xml = makeInvoice('GZ-415');
    const first = await client.send(xml, 'k1');
    expect(first.kind).toBe('ok');
    expect(server.seen.map((s) => s.encoding)).toEqual(['gzip', null]);
    expect(gunzipSync(server.seen[0]!.body).equals(Buffer.from(xml))).toBe(true);
    expect(server.seen[1]!.body.equals(Buffer.from(xml))).toBe(true);
    expect((await client.send(xml, 'k2')).kind).toBe('ok');
    expect(server.seen.map((s) => s.encoding)).toEqual(['gzip', null, null]);
    expect(client.gzipState.enabled).toBe(false);
  });

  it('an engine with gzip on sends everything through the sandbox (batches gzipped)', async () => {
    const sandbox = await startSandbox({ latencyMs: 2 });
    cleanups.push(() => sandbox.close());
    const engine = await engines({
      endpoint: sandbox.url,
      trackDelivery: false,
      gzip: true,
    });
    const res = await engine.handlers['documents:add']({ files: makeInvoices(30, 'GZE') });
    const ids = res.added.map((a) => a.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.every((id) => engineInternals(engine).repo.get(id)!.state === 'accepted')).toBe(
      true,
    );
    expect(sandbox.stats().acceptedDocuments).toBe(30);
  });
});

describe('batch endpoint fallback', () => {
  it('tries both documented batch paths, then reports that batches are not supported', async () => {
    const server = await strictServer();
    const client = new AccessPointClient({ baseUrl: server.url, apiKey: null });
    cleanups.push(() => client.close());
    expect(client.batchSupported).toBe(false);
    await client.version();
    expect(client.batchSupported).toBe(true);
    const outcome = await client.sendBatch(Buffer.from('{"documents":[]}'), 'batch-x');
    expect(outcome.kind).toBe('permanent');
    expect(server.seen.map((s) => s.path)).toEqual([
      '/ap/peppol/version',
      '/ap/api/v1/send/batch',
      '/ap/api/v1/batch',
    ]);
    expect(client.batchSupported).toBe(false);
  });

  it('an engine facing a provider without batches sends every document singly', async () => {
    const server = await strictServer();
    const engine = await engines({
      endpoint: server.url,
      trackDelivery: false,
    });
    const res = await engine.handlers['documents:add']({ files: makeInvoices(20, 'NOB') });
    const ids = res.added.map((a) => a.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.every((id) => engineInternals(engine).repo.get(id)!.state === 'accepted')).toBe(
      true,
    );
    const sends = server.seen.filter((s) => s.path.endsWith('/api/v1/send'));
    expect(sends).toHaveLength(20);
    expect(server.seen.filter((s) => s.path.includes('batch')).length).toBeLessThanOrEqual(2);
    expect(ids.every((id) => engineInternals(engine).repo.get(id)!.attempts === 1)).toBe(true);
  });
});
