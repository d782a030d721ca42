import { afterEach, describe, expect, it } from 'vitest';
import { RETRY_SLICE } from '../../app/engine/user-actions';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';
import { movesPerTransaction } from '../helpers/moves-per-transaction';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();

// Issue 9: "Retry all" on a month-end's failures moved every document in one transaction, so
// the engine's thread was held for the whole lot and nothing was sent until the last one moved.
/** Only 500s for a while is not "the access point is in trouble" here (it would hold the queue). */
const NO_TROUBLE = { troubleAfterMs: 600_000 };

describe('retry --all-failed', () => {
  it('moves the failed documents a slice per transaction, and sends them all once', async () => {
    const sandbox: SandboxHandle = await startSandbox({
      latencyMs: 0,
      faults: { status: { status: 500, every: 1 } },
    });
    cleanups.push(() => sandbox.close());
    // 500s with one attempt allowed: failed, Retry offered (a 4xx refusal is left by Retry all).
    const engine = await engines({
      endpoint: sandbox.url,
      trackDelivery: false,
      timings: NO_TROUBLE,
    });
    await engine.handlers['settings:set']({ maxAttempts: 1 });
    const n = RETRY_SLICE * 2 + 100;
    const res = await engine.handlers['documents:add']({ files: makeInvoices(n, 'RSL') });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(n);
    await engine.waitUntilSettled(ids);
    const repo = engineInternals(engine).repo;
    expect(ids.every((id) => repo.get(id)!.state === 'failed')).toBe(true);

    // Count the documents moved back to the queue in each outermost transaction (a spy).
    const perTx = movesPerTransaction(repo, 'queued');

    sandbox.setFaults({});
    expect(await engine.handlers['documents:retry']({ allFailed: true })).toEqual({ retried: n });
    const retryTxs = perTx.filter((k) => k > 0);
    expect(retryTxs.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...retryTxs)).toBeLessThanOrEqual(RETRY_SLICE);
    expect(retryTxs.reduce((a, b) => a + b, 0)).toBe(n);

    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.every((id) => repo.get(id)!.state === 'accepted')).toBe(true);
    expect(sandbox.stats().acceptedDocuments).toBe(n);
    expect(sandbox.stats().duplicateContentAccepts).toBe(0);
  }, 120_000);

  it('holds a retried document queued for another access point, in every slice', async () => {
    const first = await startSandbox({
      latencyMs: 0,
      faults: { status: { status: 500, every: 1 } },
    });
    const second = await startSandbox({ latencyMs: 0 });
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    // The access point set in Settings (an endpoint given as an option would win over a change).
    const engine = await engines({ trackDelivery: false, timings: NO_TROUBLE });
    await engine.handlers['settings:set']({
      endpoint: first.url,
      apiKey: 'sk_test_first_key_01',
      maxAttempts: 1,
    });
    const n = RETRY_SLICE + 10;
    const res = await engine.handlers['documents:add']({ files: makeInvoices(n, 'RSP') });
    const ids = res.added.map((a) => a.id);
    await engine.waitUntilSettled(ids);
    const repo = engineInternals(engine).repo;
    expect(ids.every((id) => repo.get(id)!.state === 'failed')).toBe(true);

    await engine.handlers['settings:set']({
      endpoint: second.url,
      apiKey: 'sk_test_second_key_02',
    });
    expect(engine.endpoint).toBe(second.url);
    expect(await engine.handlers['documents:retry']({ allFailed: true })).toEqual({ retried: n });
    await engine.waitUntilSettled(ids);
    expect([...new Set(ids.map((id) => repo.get(id)!.state))]).toEqual(['held']);
    expect(repo.get(ids[n - 1]!)!.problem_code).toBe('ACCESS_POINT_CHANGED');
    expect(second.stats().acceptedDocuments).toBe(0);
  }, 120_000);
});
