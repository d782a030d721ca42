import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { startSandbox } from '../../app/sandbox/server';
import { makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

// Issue 11 point 2: a Sandbox document never reaches a production access point without the
// clerk's explicit step.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
// After the cleanups' hook: after-hooks run as a stack, so the engines stop first.
const engines = useEngines();

describe('a document queued for the Sandbox and a production key', () => {
  it('waits for the Sandbox (held, named) until rerouted; only then does production get it', async () => {
    // Stands in for the production provider: a production key selects the Production environment.
    const production = await startSandbox({});
    cleanups.push(() => production.close());
    const engine: Engine = await engines({
      trackDelivery: false,
      coalesceMs: 20,
    });
    expect(engine.environment).toBe('sandbox');
    await engine.handlers['queue:pause'](undefined);
    const res = await engine.handlers['documents:add']({ files: makeInvoices(2, 'PROD') });
    const ids = res.added.map((a) => a.id);
    await expect
      .poll(() => ids.map((id) => engineInternals(engine).repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['queued', 'queued']);
    expect(ids.map((id) => engineInternals(engine).repo.get(id)!.environment)).toEqual([
      'sandbox',
      'sandbox',
    ]);

    await engine.handlers['settings:set']({
      endpoint: production.url,
      apiKey: 'pk_goroute_production_key_0001',
    });
    expect(engine.environment).toBe('production');
    await engine.handlers['queue:resume'](undefined);
    await expect
      .poll(() => ids.map((id) => engineInternals(engine).repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['held', 'held']);
    const held = await engine.handlers['documents:get']({ id: ids[0]! });
    expect(held.problem?.code).toBe('ACCESS_POINT_CHANGED');
    expect(held.problem?.message).toContain('queued for the built-in Sandbox');
    // Settled as held: nothing moves by itself.
    await engine.waitUntilSettled(ids);
    expect(ids.map((id) => engineInternals(engine).repo.get(id)!.state)).toEqual(['held', 'held']);
    expect(production.stats().acceptedDocuments).toBe(0);

    const { rerouted } = await engine.handlers['documents:reroute']({ ids });
    expect(rerouted).toBe(2);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.map((id) => engineInternals(engine).repo.get(id)!.state)).toEqual([
      'accepted',
      'accepted',
    ]);
    expect(ids.map((id) => engineInternals(engine).repo.get(id)!.environment)).toEqual([
      'production',
      'production',
    ]);
    expect(production.stats().acceptedDocuments).toBe(2);
  });

  it('held for the Sandbox while production is in use, back on its way when the Sandbox is in use again', async () => {
    const production = await startSandbox({});
    cleanups.push(() => production.close());
    const engine: Engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo } = engineInternals(engine);
    await engine.handlers['queue:pause'](undefined);
    const ids = (
      await engine.handlers['documents:add']({ files: makeInvoices(2, 'BACK') })
    ).added.map((a) => a.id);
    await expect
      .poll(() => ids.map((id) => repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['queued', 'queued']);
    await engine.handlers['settings:set']({
      endpoint: production.url,
      apiKey: 'pk_goroute_production_key_0001',
    });
    await expect
      .poll(() => ids.map((id) => repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['held', 'held']);

    // Back to the built-in Sandbox: nothing waits for a decision any more.
    await engine.handlers['settings:set']({ endpoint: null, apiKey: null });
    expect(engine.environment).toBe('sandbox');
    await expect
      .poll(() => ids.map((id) => repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['queued', 'queued']);
    expect(ids.map((id) => repo.get(id)!.problem_code)).toEqual([null, null]);
    expect(repo.timeline(ids[0]!).map((e) => e.detail)).toContain(
      'Back on its way: the built-in Sandbox, the access point it was queued for, is in use again',
    );
    expect((await engine.handlers['connection:get'](undefined)).waitingElsewhere ?? []).toEqual([]);
    await engine.handlers['queue:resume'](undefined);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.map((id) => repo.get(id)!.state)).toEqual(['accepted', 'accepted']);
    expect(production.stats().acceptedDocuments).toBe(0);
  });

  it('back on its way reads the held rows in one statement, and one that may have reached the Sandbox stays held', async () => {
    const production = await startSandbox({});
    cleanups.push(() => production.close());
    const engine: Engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo, db } = engineInternals(engine);
    await engine.handlers['queue:pause'](undefined);
    const ids = (
      await engine.handlers['documents:add']({ files: makeInvoices(3, 'KEEP') })
    ).added.map((a) => a.id);
    await expect
      .poll(() => ids.map((id) => repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['queued', 'queued', 'queued']);
    await engine.handlers['settings:set']({
      endpoint: production.url,
      apiKey: 'pk_goroute_production_key_0001',
    });
    await expect
      .poll(() => ids.map((id) => repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['held', 'held', 'held']);
    // The third one's last attempt timed out at the Sandbox (as a crash mid-send leaves it).
    db.prepare('UPDATE documents SET send_outcome_unknown = 1 WHERE id = ?').run(ids[2]);

    const gets: number[] = [];
    const get = repo.get.bind(repo);
    repo.get = (id: number) => {
      gets.push(id);
      return get(id);
    };
    try {
      await engine.handlers['settings:set']({ endpoint: null, apiKey: null });
    } finally {
      repo.get = get;
    }
    expect(ids.map((id) => repo.get(id)!.state)).toEqual(['queued', 'queued', 'held']);
    expect(repo.get(ids[2]!)!.problem_code).toBe('ACCESS_POINT_CHANGED');
    // Not one held row read one by one to decide (the filter is in the statement).
    expect(gets.filter((id) => ids.includes(id))).toEqual([]);
    expect(production.stats().acceptedDocuments).toBe(0);
  });
});

// Walk 4, finding 1: one provider address serves Test and Production, the API key chooses. With
// invoices queued for Test, pasting the Production key sent them to real buyers at once, and
// every record still said Test.
describe('a document queued for Test when the key changes to Production at the same address', () => {
  it('waits for Test (held, named) until the clerk sends it through Production; a key back to Test lets it go', async () => {
    const provider = await startSandbox({});
    cleanups.push(() => provider.close());
    const engine: Engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo } = engineInternals(engine);
    await engine.handlers['settings:set']({
      endpoint: provider.url,
      apiKey: 'sk_test_the_test_key_0001',
    });
    expect(engine.environment).toBe('test');
    await engine.handlers['queue:pause'](undefined);
    const ids = (
      await engine.handlers['documents:add']({ files: makeInvoices(3, 'TESTKEY') })
    ).added.map((a) => a.id);
    await expect
      .poll(() => ids.map((id) => repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['queued', 'queued', 'queued']);

    await engine.handlers['settings:set']({ apiKey: 'pk_goroute_production_key_0001' });
    expect(engine.environment).toBe('production');
    await engine.handlers['queue:resume'](undefined);
    await expect
      .poll(() => ids.map((id) => repo.get(id)!.state), { timeout: 10_000 })
      .toEqual(['held', 'held', 'held']);
    await engine.waitUntilSettled(ids);
    const held = await engine.handlers['documents:get']({ id: ids[0]! });
    expect(held.problem?.code).toBe('ACCESS_POINT_CHANGED');
    expect(held.problem?.message).toContain('(Test)');
    expect((await engine.handlers['connection:get'](undefined)).waitingElsewhere).toEqual([
      { accessPoint: provider.url, environment: 'test', count: 3, inDoubt: 0 },
    ]);
    expect(provider.stats().acceptedDocuments).toBe(0);

    // The clerk sends one through Production on purpose: it goes, recorded as Production.
    expect(await engine.handlers['documents:reroute']({ ids: [ids[0]!] })).toMatchObject({
      rerouted: 1,
    });
    await engine.waitUntilSettled([ids[0]!], { includeAccepted: true });
    expect([repo.get(ids[0]!)!.state, repo.get(ids[0]!)!.environment]).toEqual([
      'accepted',
      'production',
    ]);

    // The Test key again: the two others go on their way, to Test.
    await engine.handlers['settings:set']({ apiKey: 'sk_test_the_test_key_0001' });
    expect(engine.environment).toBe('test');
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.slice(1).map((id) => [repo.get(id)!.state, repo.get(id)!.environment])).toEqual([
      ['accepted', 'test'],
      ['accepted', 'test'],
    ]);
    expect(provider.stats().acceptedDocuments).toBe(3);
    expect(provider.stats().duplicateContentAccepts).toBe(0);
  });
});
