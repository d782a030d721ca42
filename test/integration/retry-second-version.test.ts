/**
 * Retry of a first version after its second went out (walk 14, left then, done here): v1 is
 * queued, v2 (same seller and number, other content, another file name) is held as its possible
 * duplicate, v1 fails with attempts that may have reached the access point, the clerk sends v2
 * anyway, then retries v1. Before, v1 went too and the buyer got both versions; now the Retry
 * holds it with the check's words, naming v2, and only Send anyway on it sends it.
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

/** A proxy before `target` answering 500 to sends whose body holds `marker`, while `failing`. */
async function failingWhile(target: string, marker: string) {
  const state = { failing: true };
  const proxy = await answeringProxy(target, (req, body) =>
    state.failing && req.method === 'POST' && body.includes(marker) ? INTERNAL_ERROR : null,
  );
  cleanups.push(proxy.close);
  return { url: proxy.url, state };
}

describe('Retry of a first version after its second was sent anyway', () => {
  it('holds it as a second version of the number instead of sending both', async () => {
    const sandbox = await startSandbox({ latencyMs: 2 });
    cleanups.push(() => sandbox.close());
    const proxy = await failingWhile(sandbox.url, 'FIRST-VERSION');
    const engine = await engines({ endpoint: proxy.url, concurrency: 2 });
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const { repo } = engineInternals(engine);
    const state = (id: number) => repo.get(id)!.state;

    await engine.handlers['queue:pause'](undefined);
    const [v1] = (
      await engine.handlers['documents:add']({
        files: [{ name: 'a.xml', bytes: makeInvoice('RSV-1', { note: 'FIRST-VERSION' }) }],
      })
    ).added;
    await expect.poll(() => state(v1!.id), { timeout: 10_000 }).toBe('queued');
    const [v2] = (
      await engine.handlers['documents:add']({
        files: [{ name: 'b.xml', bytes: makeInvoice('RSV-1', { note: 'SECOND' }) }],
      })
    ).added;
    await expect.poll(() => state(v2!.id), { timeout: 10_000 }).toBe('held');
    expect(repo.get(v2!.id)!.duplicate_of).toBe(v1!.id);

    // v1's attempts are answered 500: it fails, and may be at the access point.
    await engine.handlers['queue:resume'](undefined);
    await expect.poll(() => state(v1!.id), { timeout: 20_000 }).toBe('failed');
    expect(repo.get(v1!.id)!.send_outcome_unknown).toBe(1);

    // The clerk sends the correction anyway; it is accepted.
    await engine.handlers['documents:sendAnyway']({ ids: [v2!.id] });
    await engine.waitUntilSettled([v2!.id], { includeAccepted: true });
    expect(state(v2!.id)).toBe('accepted');

    // Then retries the first version, with the access point answering again.
    proxy.state.failing = false;
    const answer = await engine.handlers['documents:retry']({ ids: [v1!.id] });
    // Said so to the clerk (the page's toast, the CLI): held, not "tried again".
    expect(answer.retried).toBe(0);
    expect(answer.held).toEqual([
      { id: v1!.id, message: expect.stringContaining(`was already sent (document #${v2!.id})`) },
    ]);
    const held = repo.get(v1!.id)!;
    expect([held.state, held.problem_code, held.duplicate_of]).toEqual([
      'held',
      'DUPLICATE',
      v2!.id,
    ]);
    expect(held.problem_message).toContain(`was already sent (document #${v2!.id})`);
    expect(repo.timeline(v1!.id).map((e) => e.detail)).toContain(
      `Held instead of retried: another version of its number, document #${v2!.id}, was sent`,
    );
    // Nothing of v1 goes meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    expect(state(v1!.id)).toBe('held');
    expect(sandbox.stats().acceptedDocuments).toBe(1);

    // Send anyway on it is the clerk's decision: then it goes.
    await engine.handlers['documents:sendAnyway']({ ids: [v1!.id] });
    await engine.waitUntilSettled([v1!.id], { includeAccepted: true });
    expect(state(v1!.id)).toBe('accepted');
    expect(sandbox.stats().acceptedDocuments).toBe(2);
  }, 60_000);

  it('a Retry with no other version live goes as before', async () => {
    const sandbox = await startSandbox({ latencyMs: 2 });
    cleanups.push(() => sandbox.close());
    const proxy = await failingWhile(sandbox.url, 'ALONE');
    const engine = await engines({ endpoint: proxy.url });
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const { repo } = engineInternals(engine);
    const [doc] = (
      await engine.handlers['documents:add']({
        files: [{ name: 'c.xml', bytes: makeInvoice('RSV-2', { note: 'ALONE' }) }],
      })
    ).added;
    await expect.poll(() => repo.get(doc!.id)!.state, { timeout: 20_000 }).toBe('failed');
    proxy.state.failing = false;
    await engine.handlers['documents:retry']({ ids: [doc!.id] });
    await engine.waitUntilSettled([doc!.id], { includeAccepted: true });
    expect(repo.get(doc!.id)!.state).toBe('accepted');
    expect(sandbox.stats().acceptedDocuments).toBe(1);
  }, 60_000);
});
