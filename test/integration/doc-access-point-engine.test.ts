// The engine against the access point written from the docs alone
// (test/helpers/doc-access-point.mjs), for what the CLI cannot reach or set: the access point's
// own check (the setting `remoteValidation`).
import { afterEach, describe, expect, it } from 'vitest';
import { memorySecretStore } from '../../app/engine';
import { startDocAccessPoint, type DocAccessPoint } from '../helpers/doc-access-point.mjs';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';

const engines = useEngines();
const servers: DocAccessPoint[] = [];
// Registered after the engines' hook, so it runs first: hooks run as a stack.
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const RECEIVER = '9915:phase4-test-receiver';

describe('the engine against an access point written from the docs alone', () => {
  it("holds an invoice the access point's check refuses with a 422, with its rules, when ours accepts it", async () => {
    const ap = await startDocAccessPoint({
      validateFails: (xml) => xml.includes('<cbc:ID>CHECK-2</cbc:ID>'),
    });
    servers.push(ap);
    const e = await engines({
      endpoint: ap.url,
      secrets: memorySecretStore(ap.apiKey),
      trackDelivery: false,
    });
    await e.handlers['settings:set']({ remoteValidation: true });
    const { added } = await e.handlers['documents:add']({
      files: ['CHECK-1', 'CHECK-2'].map((n) => ({
        name: `${n}.xml`,
        bytes: makeInvoice(n, { receiver: RECEIVER }),
      })),
    });
    const ids = added.map((a) => a.id);
    await e.waitUntilSettled(ids, { includeAccepted: true });
    const [passed, refused] = await Promise.all(
      ids.map((id) => e.handlers['documents:get']({ id })),
    );
    expect(passed?.state).toBe('accepted');
    expect(refused?.state).toBe('held');
    expect(refused?.problem?.code).toBe('CHECKS_DISAGREE');
    expect(refused?.problem?.message).toMatch(
      /access point's own check rejects this invoice: Business process MUST be provided\. \(PEPPOL-EN16931-R001\)\. Our check found no error/,
    );
    expect(refused?.validation?.accessPoint?.valid).toBe(false);
    // Nothing the access point's check refused was sent.
    expect([...ap.acceptedByNumber().keys()]).toEqual(['CHECK-1']);
  });

  // Walk 23: "Send invoices in groups" stood ticked beside "faster for a large run" against an
  // access point that takes no groups; the status says which it is, for Settings to say so.
  it.each([
    { batchIdempotency: false, groups: 'not-offered' },
    { batchIdempotency: true, groups: 'offered' },
  ])(
    'says whether the access point takes invoices in groups ($groups)',
    async ({ batchIdempotency, groups }) => {
      const ap = await startDocAccessPoint({ batchIdempotency });
      servers.push(ap);
      const e = await engines({ endpoint: ap.url, secrets: memorySecretStore(ap.apiKey) });
      const { added } = await e.handlers['documents:add']({
        files: [{ name: 'G-1.xml', bytes: makeInvoice('G-1', { receiver: RECEIVER }) }],
      });
      await e.waitUntilSettled(
        added.map((a) => a.id),
        { includeAccepted: true },
      );
      const status = await e.handlers['connection:get'](undefined);
      expect(status.groups).toBe(groups);
    },
  );

  // Walk 23b N7: the access point began to say it takes groups; Settings went on saying it does
  // not, and sending went one by one, however often the clerk saved, until a restart.
  it('asks the access point again when Settings are saved as they were, and says what it answers now', async () => {
    const ap = await startDocAccessPoint({ batchIdempotency: false });
    servers.push(ap);
    const e = await engines({ endpoint: ap.url, secrets: memorySecretStore(ap.apiKey) });
    await expect
      .poll(async () => (await e.handlers['connection:get'](undefined)).groups)
      .toBe('not-offered');
    const asked = ap.requests('GET /peppol/version');
    ap.set({ batchIdempotency: true });
    await e.handlers['settings:set']({ endpoint: ap.url, apiKey: ap.apiKey });
    await expect
      .poll(async () => (await e.handlers['connection:get'](undefined)).groups)
      .toBe('offered');
    expect(ap.requests('GET /peppol/version')).toBe(asked + 1);
    // And sending follows it: invoices go in groups now.
    const { added } = await e.handlers['documents:add']({
      files: ['N7-1', 'N7-2', 'N7-3'].map((n) => ({
        name: `${n}.xml`,
        bytes: makeInvoice(n, { receiver: RECEIVER }),
      })),
    });
    await e.waitUntilSettled(
      added.map((a) => a.id),
      { includeAccepted: true },
    );
    expect(ap.requests('POST /api/v1/send/batch')).toBeGreaterThan(0);
  });
});
