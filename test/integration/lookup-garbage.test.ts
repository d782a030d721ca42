import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
// After the cleanups' hook: after-hooks run as a stack, so the engines stop first.
const engines = useEngines();

/**
 * A fake access point: the lookup answers with whatever `lookupBody(participant)` gives, sends are
 * accepted. Counts sends so a test can see what went out.
 */
async function fakeAccessPoint(lookupBody: (participant: string) => unknown) {
  let sends = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (url.pathname.endsWith('/participants/lookup')) {
        const body = lookupBody(url.searchParams.get('peppol_id') ?? '');
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      } else if (url.pathname.endsWith('/api/v1/send')) {
        sends++;
        res.end(JSON.stringify({ transaction_id: `tx-${sends}`, status: 'accepted' }));
      } else {
        res.end(JSON.stringify({ version: 'fake' }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sends: () => sends };
}

async function engineAgainst(url: string) {
  const engine = await engines({
    endpoint: url,
    trackDelivery: false,
    batching: false,
    concurrency: 2,
    coalesceMs: 10,
  });
  return engine;
}

describe('receiver lookup: garbage from the access point never crashes the engine', () => {
  it('capabilities without a document_type, a non-list, a string body: every document ends in a clear state', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => {
      process.off('unhandledRejection', onUnhandled);
    });
    const answers: Record<string, unknown> = {
      '9915:garbage-1': { found: true, capabilities: [{ process_id: 'x' }, 42, null] },
      '9915:garbage-2': { found: true, capabilities: 'everything' },
      '9915:garbage-3': '"just a string"',
      '9915:garbage-4': { found: true, capabilities: [{ document_type: 7 }] },
    };
    const ap = await fakeAccessPoint((p) => answers[p] ?? { found: false });
    const engine = await engineAgainst(ap.url);
    const files = Object.keys(answers).map((receiver, i) => ({
      name: `g${i}.xml`,
      bytes: makeInvoice(`GARBAGE-${i}`, { receiver }),
    }));
    const res = await engine.handlers['documents:add']({ files });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(4);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    for (const id of ids) {
      const doc = engineInternals(engine).repo.get(id)!;
      // An unreadable answer counts as "lookup unavailable": the access point checks the
      // receiver itself when the document is sent; the timeline says why.
      expect(doc.state).toBe('accepted');
      const timeline = engineInternals(engine).repo.timeline(id);
      expect(
        timeline.some(
          (e) =>
            /could not be checked on the Peppol network now; sending/.test(e.detail ?? '') &&
            /^Receiver lookup unavailable \(.*could not be read/.test(e.technical ?? ''),
        ),
      ).toBe(true);
    }
    expect(ap.sends()).toBe(4);
    expect(unhandled).toEqual([]);
  });

  it('a garbage answer is not cached as a real one', async () => {
    const ap = await fakeAccessPoint(() => ({ found: true, capabilities: [{ nope: true }] }));
    const engine = await engineAgainst(ap.url);
    const res = await engine.handlers['documents:add']({
      files: [{ name: 'a.xml', bytes: makeInvoice('GARBAGE-C', { receiver: '9915:garbage-5' }) }],
    });
    const id = res.added[0]!.id;
    await engine.waitUntilSettled([id], { includeAccepted: true });
    await expect(engine.handlers['lookup:refresh']({ id })).rejects.toThrow(
      /could not be read \(none of its accepted document types could be read\)/,
    );
    const detail = await engine.handlers['documents:get']({ id });
    expect(detail.lookup).toBeNull();
  });

  it('a receiver whose valid capabilities do not cover the document is held, other entries ignored', async () => {
    const ap = await fakeAccessPoint(() => ({
      found: true,
      capabilities: [
        { document_type: null },
        {
          document_type:
            'busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1',
          process_id: 'cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0',
        },
      ],
    }));
    const engine = await engineAgainst(ap.url);
    const res = await engine.handlers['documents:add']({
      files: [{ name: 'a.xml', bytes: makeInvoice('HELD-1', { receiver: '9915:garbage-6' }) }],
    });
    const id = res.added[0]!.id;
    await engine.waitUntilSettled([id]);
    const doc = engineInternals(engine).repo.get(id)!;
    expect(doc.state).toBe('held');
    expect(doc.problem_code).toBe('RECEIVER_DOES_NOT_ACCEPT');
    expect(ap.sends()).toBe(0);
  });

  it('a damaged cached answer counts as a miss: the receiver is looked up again', async () => {
    let lookups = 0;
    const ap = await fakeAccessPoint(() => {
      lookups++;
      return { found: true, capabilities: null };
    });
    const engine = await engineAgainst(ap.url);
    engineInternals(engine)
      .db.prepare(
        `INSERT INTO participant_cache (access_point, participant_id, found, answer_json, fetched_at, expires_at)
         VALUES (?, ?, 1, ?, ?, ?)`,
      )
      .run(ap.url, '9915:damaged', '"not an answer"', Date.now(), Date.now() + 3_600_000);
    const res = await engine.handlers['documents:add']({
      files: [{ name: 'd.xml', bytes: makeInvoice('DAMAGED-1', { receiver: '9915:damaged' }) }],
    });
    const id = res.added[0]!.id;
    await engine.waitUntilSettled([id], { includeAccepted: true });
    expect(engineInternals(engine).repo.get(id)!.state).toBe('accepted');
    expect(lookups).toBe(1);
  });

  it('an unexpected failure during the lookup holds the documents with a reason, nothing stays in resolving', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => {
      process.off('unhandledRejection', onUnhandled);
    });
    const ap = await fakeAccessPoint(() => ({ found: true }));
    const engine = await engineAgainst(ap.url);
    // The cache table disappears under the running engine: every cache read now throws.
    engineInternals(engine).db.exec('DROP TABLE participant_cache');
    const res = await engine.handlers['documents:add']({
      files: [
        { name: 'a.xml', bytes: makeInvoice('BROKEN-1', { receiver: '9915:broken' }) },
        { name: 'b.xml', bytes: makeInvoice('BROKEN-2', { receiver: '9915:broken' }) },
      ],
    });
    const ids = res.added.map((a) => a.id);
    await engine.waitUntilSettled(ids);
    for (const id of ids) {
      const doc = engineInternals(engine).repo.get(id)!;
      expect(doc.state).toBe('held');
      expect(doc.problem_code).toBe('LOOKUP_FAILED');
      expect(doc.problem_message).toMatch(/Send anyway/);
    }
    expect(engineInternals(engine).repo.counts().resolving).toBe(0);
    expect(ap.sends()).toBe(0);
    expect(unhandled).toEqual([]);
  });
});
