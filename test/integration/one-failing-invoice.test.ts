/**
 * One invoice the access point answers 500 each time, while it accepts the others (walk 11
 * finding 1): it is that invoice's problem, not the access point's. Before, alone in the queue
 * its run of 500s said "Access point having problems", held the queue, and at every probe it
 * went again with no attempt counted: it never failed, `send` never ended, and its timeline grew
 * by two rows a probe. Now its attempts count and it fails after the last one, under a header
 * that stays Online; the others are accepted once each.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox } from '../../app/sandbox/server';
import { useEngines } from '../helpers/engine';
import { makeInvoice, makeInvoices } from '../helpers/invoices';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();

/** A proxy before `target` that answers 500 to every send whose body holds `marker`. */
async function failingFor(target: string, marker: string) {
  const to = new URL(target);
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && body.includes(marker)) {
        refused++;
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal server error' } }));
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
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${to.pathname}`, refused: () => refused };
}

describe('one invoice the access point answers 500 each time', () => {
  it('fails after its attempts while the others are accepted once; the header never blames the access point', async () => {
    const sandbox = await startSandbox({ latencyMs: 2 });
    cleanups.push(() => sandbox.close());
    const proxy = await failingFor(sandbox.url, 'ONE-BAD-1');
    const engine = await engines({
      endpoint: proxy.url,
      trackDelivery: false,
      batching: false,
      concurrency: 4,
      coalesceMs: 20,
      timings: {
        retryBaseMs: 100,
        retryMaxMs: 400,
        probeInitialMs: 50,
        probeMaxMs: 200,
        troubleAfterMs: 300,
      },
    });
    await engine.handlers['settings:set']({ maxAttempts: 5 });
    const states: ConnectionStatus['state'][] = [];
    engine.on('connection:changed', (s) => {
      if (states.at(-1) !== s.state) states.push(s.state);
    });
    const { added } = await engine.handlers['documents:add']({
      files: [...makeInvoices(3, 'ONE-OK'), { name: 'bad.xml', bytes: makeInvoice('ONE-BAD-1') }],
    });
    const ids = added.map((a) => a.id);
    const bad = ids.at(-1)!;
    // Settles: before, the bad one went round for ever (the test timed out).
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    const { repo } = engineInternals(engine);
    expect(ids.slice(0, 3).map((id) => repo.get(id)!.state)).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ]);
    const d = repo.get(bad)!;
    expect([d.state, d.attempts]).toEqual(['failed', 5]);
    expect(d.problem_message).toMatch(/temporary problem|access point/i);
    // Each attempt reached the access point once; nothing was sent for free in between.
    expect(proxy.refused()).toBe(5);
    expect(repo.timeline(bad).length).toBeLessThan(20);
    expect(states).not.toContain('trouble');
    expect((await engine.handlers['connection:get'](undefined)).state).toBe('online');
    expect(sandbox.stats().acceptedDocuments).toBe(3);
  }, 60_000);
});
