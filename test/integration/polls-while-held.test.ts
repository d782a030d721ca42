/**
 * Delivery polls stop while sends are held (walk 16): during a 30 s outage of 503s the sends
 * stopped and the header said "Access point having problems", but the status questions went on,
 * 2,009 of them from one desk. Now, once the access point is held (in trouble, or refusing the
 * key), its transactions are not asked about until a probe says it answers again; then they are.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox } from '../../app/sandbox/server';
import { answeringProxy } from '../helpers/answering-proxy';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();

/** A proxy before `target`: answers 503 to everything while `down`; counts status questions. */
async function switchable(target: string) {
  const state = { down: false, polls: 0 };
  const proxy = await answeringProxy(target, (req) => {
    if (req.method === 'GET' && /\/transactions/.test(req.url ?? '')) state.polls++;
    return state.down ? { status: 503, code: 'UNAVAILABLE', message: 'Service unavailable' } : null;
  });
  cleanups.push(proxy.close);
  return { url: proxy.url, state };
}

describe('delivery polls while the access point is held', () => {
  it('are not asked while it is in trouble, and go on once it answers again', async () => {
    // Transactions stay pending for a minute: their polls stay due the whole test.
    const sandbox = await startSandbox({ latencyMs: 2, transactionStepMs: 60_000 });
    cleanups.push(() => sandbox.close());
    const proxy = await switchable(sandbox.url);
    const engine = await engines({
      endpoint: proxy.url,
      trackDelivery: true,
      batching: false,
      concurrency: 4,
      coalesceMs: 20,
      timings: {
        retryBaseMs: 100,
        retryMaxMs: 400,
        pollInitialMs: 50,
        pollMaxMs: 100,
        probeInitialMs: 200,
        probeMaxMs: 400,
        troubleAfterMs: 300,
      },
    });
    const states: ConnectionStatus['state'][] = [];
    engine.on('connection:changed', (s) => {
      if (states.at(-1) !== s.state) states.push(s.state);
    });
    const { repo } = engineInternals(engine);
    const first = (await engine.handlers['documents:add']({ files: makeInvoices(10, 'PWH-A') }))
      .added;
    await engine.waitUntilSettled(
      first.map((a) => a.id),
      { includeAccepted: true },
    );
    // Accepted and asked about.
    await expect.poll(() => proxy.state.polls, { timeout: 10_000 }).toBeGreaterThan(5);

    // The access point goes down while more invoices are to be sent: the sends say trouble.
    proxy.state.down = true;
    await engine.handlers['documents:add']({ files: makeInvoices(5, 'PWH-B') });
    await expect.poll(() => states.at(-1), { timeout: 10_000 }).toBe('trouble');
    const atTrouble = proxy.state.polls;
    await new Promise((r) => setTimeout(r, 1_500));
    // At most a round already out when it was held (before: tens a second, 50 ms apart each).
    expect(proxy.state.polls - atTrouble).toBeLessThanOrEqual(10);

    // Back: the probe sees it, and the questions go on.
    proxy.state.down = false;
    await expect.poll(() => states.at(-1), { timeout: 10_000 }).toBe('online');
    const atBack = proxy.state.polls;
    await expect.poll(() => proxy.state.polls, { timeout: 10_000 }).toBeGreaterThan(atBack + 5);
    expect(repo.counts().accepted).toBe(15);
  }, 60_000);
});
