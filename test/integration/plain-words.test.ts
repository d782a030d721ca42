import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import type { FaultPlan } from '../../app/sandbox/types';
import { toCsv } from '../../renderer/src/features/documents/export-csv';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';

// Issue 11 point 7: every problem and timeline entry a clerk reads is in words; what the access
// point or the network said exactly is kept apart (the timeline's technical text).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
// After the sandboxes' hook: after-hooks run as a stack, so the engines stop before they close.
const engines = useEngines();

/** What must never reach a clerk's text: JSON, an errno, an XPath, a stack frame, a key or id. */
const TECHNICAL: RegExp[] = [
  /[{}]/,
  /\bE[A-Z]{3,}\b/,
  /\bUND_ERR/,
  /\b(?:cac|cbc):/,
  /\/Invoice\//,
  /\bat \S+ \(/,
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  /\bHTTP[ _]?\d{3}\b/,
];

/** Every text of the document a clerk can read: problem, timeline, CSV row. */
async function clerkTexts(engine: Engine, id: number): Promise<string[]> {
  const d = await engine.handlers['documents:get']({ id });
  return [
    d.problem?.message ?? '',
    ...d.timeline.map((t) => t.detail ?? ''),
    toCsv([d]).split('\r\n')[1]!,
  ];
}

async function expectWordsOnly(engine: Engine, id: number, extra: RegExp[] = []) {
  for (const text of await clerkTexts(engine, id)) {
    for (const bad of [...TECHNICAL, ...extra])
      expect(text, `${bad} in "${text}"`).not.toMatch(bad);
  }
}

async function setup(faults: FaultPlan, trackDelivery = false) {
  const sandbox: SandboxHandle = await startSandbox({ faults, latencyMs: 1 });
  cleanups.push(() => sandbox.close());
  const engine: Engine = await engines({
    endpoint: sandbox.url,
    trackDelivery,
    batching: false,
    timings: { retryBaseMs: 20, retryMaxMs: 100, pollInitialMs: 20, pollMaxMs: 50 },
  });
  return { sandbox, engine };
}

async function sendOne(engine: Engine, bytes = makeInvoices(1, 'PW')[0]!.bytes) {
  const res = await engine.handlers['documents:add']({ files: [{ name: 'pw.xml', bytes }] });
  const id = res.added[0]!.id;
  await engine.waitUntilSettled([id]);
  return id;
}

describe('plain words on the row, the problem, the timeline and the CSV', () => {
  it("a provider's refusal with JSON, an XPath, an errno and an id in its message", async () => {
    const raw =
      'Schema check failed at /Invoice/cac:AccountingSupplierParty/cbc:EndpointID {"errno":"EINVAL","request":"3f2c1a9e-0b7d-4c52-9a1e-2b3c4d5e6f70"}';
    const { engine } = await setup({
      status: { every: 1, status: 422, code: 'SCHEMA_ERROR', message: raw },
    });
    const id = await sendOne(engine);
    const d = await engine.handlers['documents:get']({ id });
    expect(d.state).toBe('failed');
    expect(d.problem?.message).toMatch(/^The access point refused this invoice\. Fix the file/);
    expect(d.timeline.at(-1)?.detail).toBe('Refused by the access point');
    // Kept whole, with the access point's request id (walk 6).
    expect(d.timeline.at(-1)?.technical).toMatch(
      new RegExp(
        `^422 SCHEMA_ERROR: ${raw.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(request \\S+\\)$`,
      ),
    );
    await expectWordsOnly(engine, id, [/SCHEMA_ERROR/, /\b422\b/]);
  });

  it('a server error (500) until the attempts are used up', async () => {
    const { engine } = await setup({ status: { every: 1, status: 500 } });
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const id = await sendOne(engine);
    const d = await engine.handlers['documents:get']({ id });
    expect(d.state).toBe('failed');
    expect(d.problem?.message).toBe(
      'Sending failed 2 times (last: the access point had a temporary problem). Retry when the access point works again.',
    );
    const waits = d.timeline.filter((t) => t.to === 'retry_wait');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]!.detail).toMatch(/^The access point had a temporary problem; next try in/);
    expect(waits[0]!.technical).toMatch(/^500: /);
    await expectWordsOnly(engine, id, [/\b500\b/]);
  });

  it('a connection cut mid-request (reset) until the attempts are used up', async () => {
    const { engine } = await setup({ resetConnection: { every: 1, when: 'before' } });
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const id = await sendOne(engine);
    const d = await engine.handlers['documents:get']({ id });
    expect(d.state).toBe('failed');
    expect(d.problem?.message).toMatch(/connection to the access point was interrupted/);
    // The errno is kept, but only for the technical details.
    expect(d.timeline.map((t) => t.technical).join('\n')).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    await expectWordsOnly(engine, id);
  });

  it("a certificate failure at the buyer's access point: advice that fits, the code kept apart", async () => {
    const { engine } = await setup({}, true);
    const id = await sendOne(engine, makeInvoice('PW-CERT', { receiver: '9915:invalid-cert' }));
    await engine.waitUntilSettled([id], { includeAccepted: false });
    const d = await engine.handlers['documents:get']({ id });
    expect(d.state).toBe('failed');
    expect(d.problem?.message).toMatch(/certificate is not valid on the Peppol network/);
    expect(d.problem?.action).toBe('retry');
    expect(d.timeline.at(-1)?.detail).toBe(
      "Delivery failed: the buyer's access point has no valid Peppol certificate",
    );
    expect(d.timeline.at(-1)?.technical).toMatch(/^Delivery failed: CERTIFICATE_ERROR: /);
    await expectWordsOnly(engine, id, [/CERTIFICATE_ERROR/, /Peppol ID/]);
  });

  it("a buyer's response: its words on the timeline, its code kept apart", async () => {
    const { engine } = await setup({}, true);
    const id = await sendOne(engine, makeInvoice('PW-RE', { receiver: '9915:reject-all' }));
    await expect
      .poll(async () => (await engine.handlers['documents:get']({ id })).state, {
        timeout: 10_000,
      })
      .toBe('rejected');
    const d = await engine.handlers['documents:get']({ id });
    const response = d.timeline.find((t) => t.to === 'rejected');
    expect(response?.detail).toMatch(/^Rejected by buyer/);
    expect(response?.technical).toBe('Business response RE');
    await expectWordsOnly(engine, id);
  });
});
