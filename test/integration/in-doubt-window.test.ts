import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { useEngines } from '../helpers/engine';
import { runCli } from '../helpers/dist';
import { makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

// Walk 6, findings 1 and 2: an attempt that may have reached the access point (its answer came
// too late) was sent again under a new API key, or a day later, and the access point (which keeps
// idempotency keys per API key, for 24 hours) made it a second submission: the buyer got it twice.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();
const tempDir = useTempDirs();

async function inDoubt(now?: () => number, dataDir?: string) {
  // The first send is processed, then answered after the client gave up (300 ms): in doubt.
  const sandbox: SandboxHandle = await startSandbox({
    faults: { stallMs: { every: 1, max: 1, ms: 1500, when: 'after' } },
  });
  cleanups.push(() => sandbox.close());
  const engine: Engine = await engines({
    endpoint: sandbox.url,
    trackDelivery: false,
    batching: false,
    requestTimeoutMs: 300,
    timings: { retryBaseMs: 1500, retryMaxMs: 1500 },
    ...(now ? { now } : {}),
    ...(dataDir ? { dataDir } : {}),
  });
  await engine.handlers['settings:set']({ apiKey: 'sk_test_first' });
  const res = await engine.handlers['documents:add']({ files: makeInvoices(1, 'DOUBT') });
  const id = res.added[0]!.id;
  const repo = engineInternals(engine).repo;
  await expect
    .poll(() => [repo.get(id)?.state, repo.get(id)?.send_outcome_unknown], { timeout: 10_000 })
    .toEqual(['retry_wait', 1]);
  expect(sandbox.stats().acceptedDocuments).toBe(1);
  return { sandbox, engine, id, repo };
}

describe('a document in doubt is not sent again where the access point would not know it', () => {
  it('held when the API key changed since its attempt; Send anyway is the clerk’s decision', async () => {
    const { sandbox, engine, id, repo } = await inDoubt();
    await engine.handlers['settings:set']({ apiKey: 'sk_test_second' });
    await expect.poll(() => repo.get(id)?.state, { timeout: 10_000 }).toBe('held');
    const d = await engine.handlers['documents:get']({ id });
    expect(d.problem?.message).toMatch(
      /^This invoice may already have reached the access point under the API key used before; .*Ask your provider whether it arrived: if it did, cancel it here; if not, choose Send anyway\.$/,
    );
    expect(d.timeline.at(-1)?.detail).toBe(
      'Held: the API key changed after an attempt that may have reached the access point',
    );
    // Nothing went again meanwhile: one submission.
    expect(sandbox.stats().acceptedDocuments).toBe(1);
    expect(await engine.handlers['documents:sendAnyway']({ ids: [id] })).toEqual({ released: 1 });
    await engine.waitUntilSettled([id], { includeAccepted: true });
    expect(repo.get(id)?.state).toBe('accepted');
    // Under the new key the access point did not know it: a second submission, as decided.
    expect(sandbox.stats().acceptedDocuments).toBe(2);
  });

  it('sending what waits for the earlier access point through the new one leaves the one in doubt held, and says so', async () => {
    // Walk 10: held in doubt after a key change, then a Production key: the banner's one click
    // ("Send these through …") sent it with the others, and the access point took it twice.
    const { sandbox, engine, id, repo } = await inDoubt();
    await engine.handlers['settings:set']({ apiKey: 'sk_test_second' });
    await expect.poll(() => repo.get(id)?.state, { timeout: 10_000 }).toBe('held');
    await engine.handlers['queue:pause'](undefined);
    const plain = (
      await engine.handlers['documents:add']({ files: makeInvoices(2, 'PLAIN') })
    ).added.map((a) => a.id);
    await expect
      .poll(() => plain.map((p) => repo.get(p)?.state), { timeout: 10_000 })
      .toEqual(['queued', 'queued']);
    await engine.handlers['settings:set']({ apiKey: 'pk_goroute_production' });
    const waiting = async () =>
      (await engine.handlers['connection:get'](undefined)).waitingElsewhere ?? [];
    await expect
      .poll(waiting, { timeout: 10_000 })
      .toEqual([{ accessPoint: sandbox.url, environment: 'test', count: 3, inDoubt: 1 }]);
    const res = await engine.handlers['documents:reroute']({ from: sandbox.url });
    expect(res).toEqual({ rerouted: 2, inDoubt: [id] });
    expect(repo.get(id)).toMatchObject({ state: 'held', problem_code: 'ACCESS_POINT_CHANGED' });
    expect(await waiting()).toEqual([
      { accessPoint: sandbox.url, environment: 'test', count: 1, inDoubt: 1 },
    ]);
    await engine.handlers['queue:resume'](undefined);
    await engine.waitUntilSettled(plain, { includeAccepted: true });
    // The two went; the one in doubt was not sent again (one submission, its first).
    expect(sandbox.stats().acceptedDocuments).toBe(3);
    expect(repo.get(id)?.state).toBe('held');
  });

  it('the CLI reroute leaves one in doubt held, names it and says how to decide; the other access point never gets it', async () => {
    // Walk 10: `reroute --all --endpoint B` sent three invoices whose answers A had lost; both
    // access points accepted them.
    const dataDir = tempDir();
    const { engine, id } = await inDoubt(undefined, dataDir);
    await engine.stop();
    const other = await startSandbox();
    cleanups.push(() => other.close());
    const res = await runCli([
      'reroute',
      '--all',
      '--endpoint',
      other.url,
      '--api-key',
      'sk_test_first',
      '--data-dir',
      dataDir,
    ]);
    expect(res.stderr).toContain(
      `1 document(s) left held, not sent: #${id}. Their last attempt may already have reached the access point they were queued for, so sending them here could deliver them twice.`,
    );
    expect(res.stdout).toBe('0 sent, 0 failed, 1 held for your decision\n');
    expect(res.code).toBe(1);
    expect(other.stats().acceptedDocuments).toBe(0);
  });

  it('sent again under the same key within the day: the access point answers the first result', async () => {
    const { sandbox, engine, id, repo } = await inDoubt();
    await engine.waitUntilSettled([id], { includeAccepted: true });
    expect(repo.get(id)?.state).toBe('accepted');
    expect(sandbox.stats().acceptedDocuments).toBe(1);
    expect(sandbox.stats().idempotentReplays).toBe(1);
  });

  it('held when its attempt is more than 23 hours old (the access point forgets keys after 24)', async () => {
    let shift = 0;
    const { sandbox, id, repo } = await inDoubt(() => Date.now() + shift);
    shift = 24 * 3600_000;
    await expect.poll(() => repo.get(id)?.state, { timeout: 10_000 }).toBe('held');
    expect(repo.get(id)?.problem_message).toMatch(/more than a day ago/);
    expect(sandbox.stats().acceptedDocuments).toBe(1);
  });

  it('a 409 "still being processed" for its repeat waits and asks again: accepted, not Failed', async () => {
    // Walk 6 finding 4: marked Failed ("under another version") while the access point delivered it.
    const { sandbox, engine, id, repo } = await inDoubt();
    sandbox.setFaults({
      status: {
        every: 1,
        max: 1,
        status: 409,
        code: 'IDEMPOTENCY_KEY_IN_USE',
        message: 'A request with this Idempotency-Key is still being processed',
      },
    });
    await expect.poll(() => repo.get(id)?.attempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await engine.waitUntilSettled([id], { includeAccepted: true });
    const d = await engine.handlers['documents:get']({ id });
    expect(d.state).toBe('accepted');
    expect(d.timeline.map((t) => t.detail)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^The access point is still working on an earlier attempt/),
      ]),
    );
    expect(sandbox.stats().acceptedDocuments).toBe(1);
  });
});
