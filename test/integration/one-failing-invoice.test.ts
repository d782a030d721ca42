/**
 * One invoice the access point answers 500 each time, while it accepts the others (walk 11
 * finding 1): it is that invoice's problem, not the access point's. Before, alone in the queue
 * its run of 500s said "Access point having problems", held the queue, and at every probe it
 * went again with no attempt counted: it never failed, `send` never ended, and its timeline grew
 * by two rows a probe. Now its attempts count and it fails after the last one, under a header
 * that stays Online; the others are accepted once each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox } from '../../app/sandbox/server';
import { answeringProxy, INTERNAL_ERROR } from '../helpers/answering-proxy';
import { useEngines } from '../helpers/engine';
import { makeInvoice, makeInvoices } from '../helpers/invoices';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();

/** A proxy before `target` that answers 500 to every send whose body holds `marker`. */
async function failingFor(target: string, marker: string) {
  let refused = 0;
  let batches = 0;
  const proxy = await answeringProxy(target, (req, body) => {
    if (req.method !== 'POST' || !body.includes(marker)) return null;
    refused++;
    if (req.url?.includes('batch')) batches++;
    return INTERNAL_ERROR;
  });
  cleanups.push(proxy.close);
  return { url: proxy.url, refused: () => refused, batches: () => batches };
}

/**
 * An engine whose sends holding `marker` are answered 500 (short retries and probes, `tries`
 * attempts), and the header states it went through.
 */
async function failingEngine(marker: string, batching: boolean, tries: number) {
  const sandbox = await startSandbox({ latencyMs: 2 });
  cleanups.push(() => sandbox.close());
  const proxy = await failingFor(sandbox.url, marker);
  const engine = await engines({
    endpoint: proxy.url,
    trackDelivery: false,
    batching,
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
  await engine.handlers['settings:set']({ maxAttempts: tries });
  const states: ConnectionStatus['state'][] = [];
  engine.on('connection:changed', (s) => {
    if (states.at(-1) !== s.state) states.push(s.state);
  });
  return { sandbox, proxy, engine, states };
}

describe('one invoice the access point answers 500 each time', () => {
  it('fails after its attempts while the others are accepted once; the header never blames the access point', async () => {
    const { sandbox, proxy, engine, states } = await failingEngine('ONE-BAD-1', false, 5);
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

  it('two invoices dropped together and sent as one batch fail the same way (walk 18)', async () => {
    // Walk 18: two invoices answered 500 each time, sent together as a batch of 2, held the
    // queue as "Access point having problems" for ever: only single sends were told apart.
    const { sandbox, proxy, engine, states } = await failingEngine('TWO-BAD-', true, 4);
    const { added } = await engine.handlers['documents:add']({
      files: [
        { name: 'bad-1.xml', bytes: makeInvoice('TWO-BAD-1') },
        { name: 'bad-2.xml', bytes: makeInvoice('TWO-BAD-2') },
      ],
    });
    const ids = added.map((a) => a.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    const { repo } = engineInternals(engine);
    expect(ids.map((id) => [repo.get(id)!.state, repo.get(id)!.attempts])).toEqual([
      ['failed', 4],
      ['failed', 4],
    ]);
    // They went as a batch (the case of the walk), and never for free.
    expect(proxy.batches()).toBeGreaterThan(0);
    expect(ids.every((id) => repo.timeline(id).length < 20)).toBe(true);
    expect(states).not.toContain('trouble');
    expect((await engine.handlers['connection:get'](undefined)).state).toBe('online');
    expect(sandbox.stats().acceptedDocuments).toBe(0);
  }, 60_000);
});
