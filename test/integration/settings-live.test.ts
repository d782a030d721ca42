import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import type { ConnectionStatus } from '../../app/contract';
import { memorySecretStore } from '../../app/engine';
import { spawnSandboxProcess, type SandboxProcess } from '../../app/sandbox/process';
import { distFile } from '../helpers/dist';
import { makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines({ host: 'browser', coalesceMs: undefined });
afterEach(() => {
  vi.restoreAllMocks();
});
let second: SandboxProcess;

beforeAll(async () => {
  second = await spawnSandboxProcess({ entryPath: distFile('sandbox.cjs'), latencyMs: 2 });
});
afterAll(async () => {
  await second?.stop();
});

describe('settings take effect without a restart', () => {
  it('a new key and provider URL switch sending to that access point; nothing in flight is lost or sent twice', async () => {
    const engine = await engines({
      host: 'browser',
      // Slow built-in sandbox: documents are still in flight when the settings change.
      sandboxLatencyMs: 40,
      trackDelivery: false,
    });
    const statuses: ConnectionStatus[] = [];
    engine.on('connection:changed', (s) => statuses.push(s));
    const builtIn = engineInternals(engine).sandbox;
    expect(builtIn).not.toBeNull();
    expect(engine.environment).toBe('sandbox');
    const first = await engine.handlers['documents:add']({ files: makeInvoices(40, 'LIVE-A') });
    const firstIds = first.added.map((a) => a.id);
    // Wait until some are with the built-in sandbox right now.
    await new Promise<void>((resolve) => {
      const off = engine.on('documents:changed', () => {
        if (
          engineInternals(engine).repo.counts().sending > 0 ||
          engineInternals(engine).repo.counts().accepted > 0
        ) {
          off();
          resolve();
        }
      });
    });

    const saved = await engine.handlers['settings:set']({
      endpoint: second.url,
      apiKey: 'sk_test_live_switch',
    });
    expect(saved.environment).toBe('test');
    expect(saved.endpoint).toBe(second.url);
    expect(engineInternals(engine).sandbox).toBeNull();
    expect(engine.endpoint).toBe(second.url);
    const status = await engine.handlers['connection:get'](undefined);
    expect(status).toMatchObject({ environment: 'test', endpoint: second.url });
    expect(statuses.some((s) => s.environment === 'test' && s.endpoint === second.url)).toBe(true);
    const builtInAccepted = builtIn!.stats().acceptedDocuments;
    expect(builtInAccepted).toBeGreaterThan(0);

    const later = await engine.handlers['documents:add']({ files: makeInvoices(10, 'LIVE-B') });
    const laterIds = later.added.map((a) => a.id);
    await engine.waitUntilSettled([...firstIds, ...laterIds], { includeAccepted: true });
    for (const id of [...firstIds, ...laterIds])
      expect(engineInternals(engine).repo.get(id)?.state).toBe('accepted');

    const stats = await second.stats();
    // Every document reached exactly one access point exactly once; the new ones the new one.
    expect(builtInAccepted + stats.acceptedDocuments).toBe(50);
    expect(stats.acceptedDocuments).toBeGreaterThanOrEqual(10);
    expect(stats.duplicateContentAccepts).toBe(0);
    expect(builtIn!.stats().duplicateContentAccepts).toBe(0);
  });

  it('once a new provider URL is saved, no request leaves through the old client', async () => {
    const engine = await engines({
      host: 'browser',
      // Slow built-in sandbox and single sends claimed ahead: sends are in flight and claimed
      // when the settings change.
      sandboxLatencyMs: 40,
      trackDelivery: false,
      batching: false,
      concurrency: 4,
    });
    const old = engineInternals(engine).sandbox!.url;
    // Every request through an AccessPointClient, by the access point it went to, and whether
    // it left before the Settings handler answered.
    let answered = false;
    const left: { url: string; afterAnswer: boolean }[] = [];
    type Requests = { request(this: AccessPointClient, ...a: unknown[]): Promise<unknown> };
    const proto = AccessPointClient.prototype as unknown as Requests;
    const original = proto.request;
    vi.spyOn(proto, 'request').mockImplementation(function (this: AccessPointClient, ...a) {
      left.push({ url: this.baseUrl, afterAnswer: answered });
      return original.apply(this, a);
    });
    const first = await engine.handlers['documents:add']({ files: makeInvoices(30, 'SWITCH-A') });
    const firstIds = first.added.map((a) => a.id);
    await vi.waitFor(
      () => expect(engineInternals(engine).repo.counts().sending).toBeGreaterThan(0),
      { timeout: 10_000, interval: 5 },
    );

    await engine.handlers['settings:set']({ endpoint: second.url, apiKey: 'sk_test_no_old' });
    answered = true;
    const later = await engine.handlers['documents:add']({ files: makeInvoices(5, 'SWITCH-B') });
    await engine.waitUntilSettled([...firstIds, ...later.added.map((a) => a.id)], {
      includeAccepted: true,
    });
    const toOld = left.filter((r) => r.url === old);
    expect(toOld.length).toBeGreaterThan(0);
    expect(toOld.filter((r) => r.afterAnswer)).toEqual([]);
    expect(left.filter((r) => r.afterAnswer && r.url === second.url).length).toBeGreaterThan(0);
  });

  it('holds documents whose last attempt may have reached the previous access point, instead of sending them to the new one', async () => {
    const engine = await engines({
      host: 'browser',
      trackDelivery: false,
      batching: false,
      timings: { retryBaseMs: 60_000, retryMaxMs: 60_000 },
    });
    // The built-in sandbox answers 503 (for all the client knows, it may have kept them).
    engineInternals(engine).sandbox!.setFaults({ status503: { every: 1 } });
    const res = await engine.handlers['documents:add']({ files: makeInvoices(3, 'HOLD') });
    const ids = res.added.map((a) => a.id);
    await expect
      .poll(() => ids.map((id) => engineInternals(engine).repo.get(id)?.state), {
        timeout: 20_000,
      })
      .toEqual(['retry_wait', 'retry_wait', 'retry_wait']);
    const before = (await second.stats()).acceptedDocuments;

    await engine.handlers['settings:set']({ endpoint: second.url, apiKey: 'sk_test_hold' });
    for (const id of ids) {
      const d = await engine.handlers['documents:get']({ id });
      expect(d.state).toBe('held');
      expect(d.problem).toMatchObject({ code: 'ACCESS_POINT_CHANGED', action: 'decide' });
      expect(d.problem?.message).toMatch(/built-in Sandbox/);
    }
    // The clerk checked the sandbox: one did arrive there (cancel), one did not (send anyway).
    expect(await engine.handlers['documents:cancel']({ ids: [ids[0]!] })).toEqual({
      cancelled: 1,
      undoToken: expect.any(String),
    });
    await engine.handlers['documents:sendAnyway']({ ids: [ids[1]!] });
    await engine.waitUntilSettled([ids[1]!], { includeAccepted: true });
    expect(engineInternals(engine).repo.get(ids[1]!)?.state).toBe('accepted');
    expect((await second.stats()).acceptedDocuments).toBe(before + 1);
    expect(engineInternals(engine).repo.get(ids[0]!)?.state).toBe('cancelled');
    expect(engineInternals(engine).repo.get(ids[2]!)?.state).toBe('held');
  });

  it('removing the key and URL starts the built-in sandbox again', async () => {
    const engine = await engines({
      secrets: memorySecretStore('sk_test_x'),
      host: 'browser',
      endpoint: null,
      trackDelivery: false,
    });
    await engine.handlers['settings:set']({ endpoint: second.url });
    expect(engineInternals(engine).sandbox).toBeNull();
    const saved = await engine.handlers['settings:set']({ endpoint: null, apiKey: null });
    expect(saved.environment).toBe('sandbox');
    expect(engineInternals(engine).sandbox).not.toBeNull();
    expect(engine.endpoint).toBe(engineInternals(engine).sandbox!.url);
    const added = await engine.handlers['documents:add']({ files: makeInvoices(3, 'BACK') });
    const ids = added.added.map((a) => a.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(engineInternals(engine).sandbox!.stats().acceptedDocuments).toBe(3);
  });
});

// Walk 24: with `serve --endpoint URL`, a provider address changed in Settings said "Settings
// saved", was shown as before when Settings opened again, and sending went on to the URL given.
describe('a provider address given on the command line', () => {
  it('is shown as fixed, and a change of it in Settings is refused in words, nothing saved', async () => {
    const given = 'http://127.0.0.1:9/peppol-api';
    const engine = await engines({ endpoint: given });
    const settings = await engine.handlers['settings:get'](undefined);
    expect(settings).toMatchObject({ endpoint: given, endpointFixed: true });
    expect(() =>
      engine.handlers['settings:set']({ endpoint: 'http://127.0.0.1:9/other', maxAttempts: 7 }),
    ).toThrow('The provider address was given on the command line (--endpoint)');
    expect(await engine.handlers['settings:get'](undefined)).toMatchObject({
      endpoint: given,
      maxAttempts: settings.maxAttempts,
    });
    // Its other settings are saved as ever.
    await engine.handlers['settings:set']({ maxAttempts: 7 });
    expect((await engine.handlers['settings:get'](undefined)).maxAttempts).toBe(7);
  });
});
