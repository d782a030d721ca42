/**
 * Delivery polls at an access point that limits its requests per second. They used to be fired a
 * round at a time (up to 200 at once) whatever it answered: at 20 requests/s, `watch` of 2,000
 * invoices had 1,717 delivered after 240 s and had been answered 429 9,394 times. Now a 429 ends
 * the round, the polls wait for its pause (Retry-After), and the next rounds carry fewer at once.
 * 1,200 invoices: more than the list requests answer (the newest 800), so most polls go one by one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { engineInternals } from '../../app/engine/internals';
import { makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';

let sandbox: SandboxHandle;

beforeEach(async () => {
  sandbox = await startSandbox({
    latencyMs: 2,
    transactionStepMs: 300,
    rateLimit: { requestsPerSecond: 50 },
  });
});
afterEach(async () => {
  await sandbox.close();
});
const engines = useEngines();

describe('delivery polls at a rate-limited access point', () => {
  it('are not fired at it whole: a 429 ends the round, and every invoice is still delivered', async () => {
    // Sent first without tracking, then tracked by a second run on the same data folder: every
    // invoice is due at once, the oldest 400 beyond what a list request answers, so the polls
    // meet the limit however slow the machine is (with tracking from the start, a slow run had
    // the first invoices delivered through list requests before the 800th was accepted, and no
    // poll was ever refused: CI run 38).
    const dataDir = engines.tempDir();
    const timings = { retryBaseMs: 20, retryMaxMs: 50, pollInitialMs: 100, pollMaxMs: 400 };
    const sender = await engines({ dataDir, endpoint: sandbox.url, trackDelivery: false, timings });
    const res = await sender.handlers['documents:add']({ files: makeInvoices(1200, 'POLL429') });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(1200);
    await sender.waitUntilSettled(ids, { includeAccepted: true });
    expect(sandbox.stats().acceptedDocuments).toBe(1200);
    await engines.stop(sender);
    expect(sandbox.stats().requests.byEndpoint['GET /api/v1/transactions/{id}']).toBeUndefined();
    const engine = await engines({ dataDir, endpoint: sandbox.url, trackDelivery: true, timings });
    const { repo } = engineInternals(engine);
    await engine.waitUntilSettled(ids, { includeAccepted: false });
    expect(ids.map((id) => repo.get(id)!.state)).toEqual(ids.map(() => 'delivered'));

    const polls = sandbox.stats().requests.byEndpoint['GET /api/v1/transactions/{id}']!;
    const answered = polls.byStatus['200'] ?? 0;
    const refused = polls.byStatus['429'] ?? 0;
    // The access point was met (the test is about it) …
    expect(refused).toBeGreaterThan(0);
    // … and asked again after its 429s a little, not the whole round each time: here 51–128
    // refused against 135–411 answered; before, 5,695 refused against 483 answered.
    expect(refused).toBeLessThan(answered);
  });
});
