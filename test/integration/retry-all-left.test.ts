/**
 * "Retry all failed" leaves the files the access point refused itself (walk 16): their details
 * say "Retry is not offered … fix it", but the bulk Retry sent all five again, refused again, and
 * its toast counted them as tried again. Now they are left as they are and counted apart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox } from '../../app/sandbox/server';
import { answeringProxy, INTERNAL_ERROR } from '../helpers/answering-proxy';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
// Single sends, fast retries (useEngines adds fast coalescing).
const engines = useEngines({
  trackDelivery: false,
  batching: false,
  timings: { retryBaseMs: 50, retryMaxMs: 100 },
});

/** A proxy before `target`: 400 VALIDATION_FAILED to sends holding `refused`, 500 to `broken`. */
async function refusing(target: string, refused: string, broken: string) {
  const state = { refusedSends: 0, brokenUntilOk: true };
  const proxy = await answeringProxy(target, (req, body) => {
    if (req.method !== 'POST') return null;
    if (body.includes(refused)) {
      state.refusedSends++;
      return { status: 400, code: 'VALIDATION_FAILED', message: 'Document failed validation' };
    }
    return body.includes(broken) && state.brokenUntilOk ? INTERNAL_ERROR : null;
  });
  cleanups.push(proxy.close);
  return { url: proxy.url, state };
}

describe('Retry all failed', () => {
  it('leaves the files the access point refused itself, and says how many', async () => {
    const sandbox = await startSandbox({ latencyMs: 2 });
    cleanups.push(() => sandbox.close());
    const proxy = await refusing(sandbox.url, 'REFUSED-FILE', 'BROKEN-ONCE');
    const engine = await engines({ endpoint: proxy.url });
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const { repo } = engineInternals(engine);
    const { added } = await engine.handlers['documents:add']({
      files: [
        { name: 'r.xml', bytes: makeInvoice('RAL-1', { note: 'REFUSED-FILE' }) },
        { name: 'b.xml', bytes: makeInvoice('RAL-2', { note: 'BROKEN-ONCE' }) },
      ],
    });
    const [refused, broken] = added.map((a) => a.id) as [number, number];
    for (const id of [refused, broken])
      await expect.poll(() => repo.get(id)!.state, { timeout: 20_000 }).toBe('failed');
    expect(repo.get(refused)!.problem_action).toBe('fix-file');
    expect(proxy.state.refusedSends).toBe(1);
    // What the list and its change events say of the failed ones Retry all leaves (walk 23: the
    // button counted them among those it retries): the refused file, not the broken one.
    const listed = await engine.handlers['documents:list']({ filter: 'attention' });
    expect([listed.counts.failed, listed.failedToFix]).toEqual([2, 1]);
    expect(repo.practiceCounts().failedToFix).toBe(1);

    proxy.state.brokenUntilOk = false;
    const answer = await engine.handlers['documents:retry']({ allFailed: true });
    expect(answer).toMatchObject({ retried: 1, leftToFix: 1, leftToFixIds: [refused] });
    expect(answer.resentToFixIds).toBeUndefined();
    await engine.waitUntilSettled([broken], { includeAccepted: true });
    expect(repo.get(broken)!.state).toBe('accepted');
    // The refused file was not sent again.
    expect(repo.get(refused)!.state).toBe('failed');
    expect(proxy.state.refusedSends).toBe(1);
    expect(repo.practiceCounts().failedToFix).toBe(1);
    // Chosen (a selection's Retry, `retry <id>`), it is sent again as the clerk asks, and the
    // answer names it (walk 23b: `retry 300` did so without a word); refused again here.
    expect(await engine.handlers['documents:retry']({ ids: [refused] })).toEqual({
      retried: 1,
      resentToFixIds: [refused],
    });
    await expect.poll(() => proxy.state.refusedSends, { timeout: 20_000 }).toBe(2);
    await expect.poll(() => repo.get(refused)!.state, { timeout: 20_000 }).toBe('failed');
    // Cancelled, it is no longer among them; put back, it is again.
    const cancelled = await engine.handlers['documents:cancel']({ ids: [refused] });
    expect(repo.get(refused)!.state).toBe('cancelled');
    expect(repo.practiceCounts().failedToFix).toBe(0);
    await engine.handlers['documents:uncancel']({ undoToken: cancelled.undoToken! });
    expect(repo.get(refused)!.state).toBe('failed');
    expect(repo.practiceCounts().failedToFix).toBe(1);
  }, 60_000);
});
