import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED_KEY } from '../../app/access-point/client';
import { secretsFor } from '../../app/cli';
import { createEngine, memorySecretStore, type Engine } from '../../app/engine';
import { startSandbox } from '../../app/sandbox/server';
import { makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { engineInternals } from '../../app/engine/internals';

const tempDir = useTempDirs();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEY = 'sk_test_DO-NOT-LEAK-4711';

describe('the API key never leaves through what the provider says', () => {
  it('is redacted from a provider error before it is stored, listed or exported', async () => {
    const sandbox = await startSandbox({
      faults: {
        status: {
          every: 1,
          status: 400,
          code: 'BAD_KEY_ECHO',
          message: `Request with x-api-key ${KEY} refused (${KEY})`,
        },
      },
    });
    cleanups.push(() => sandbox.close());
    const engine: Engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore(KEY),
      host: 'cli',
      endpoint: sandbox.url,
      trackDelivery: false,
      batching: false,
    });
    cleanups.push(() => engine.stop());
    const added = await engine.handlers['documents:add']({ files: makeInvoices(1, 'LEAK') });
    const id = added.added[0]!.id;
    await engine.waitUntilSettled([id]);
    const doc = engineInternals(engine).repo.get(id)!;
    // The provider's own words are kept in the timeline's technical text (the clerk's words say
    // what to do), with the key replaced; the key itself is nowhere.
    const timeline = engineInternals(engine).repo.timeline(id);
    expect(timeline.map((t) => t.technical).join('\n')).toContain(REDACTED_KEY);
    expect(timeline.map((t) => t.detail).join('\n')).not.toContain('x-api-key');
    const everything = JSON.stringify([doc, timeline]);
    expect(everything).not.toContain(KEY);
  });
});

describe('the CLI takes the key without putting it on the command line', () => {
  it('reads --api-key-file, else PEPPOL_DESK_API_KEY', async () => {
    const dir = tempDir();
    const file = join(dir, 'key.txt');
    writeFileSync(file, `${KEY}\n`, { mode: 0o600 });
    expect(await secretsFor({ apiKeyFile: file }, dir, {}).getApiKey()).toBe(KEY);
    expect(await secretsFor({}, dir, { PEPPOL_DESK_API_KEY: 'sk_test_env' }).getApiKey()).toBe(
      'sk_test_env',
    );
    expect(() => secretsFor({ apiKeyFile: join(dir, 'missing') }, dir, {})).toThrow(
      /could not be read \(ENOENT\)/,
    );
  });
});

describe('the metrics endpoint', () => {
  it('answers only requests addressed to the loopback name (no DNS rebinding)', async () => {
    const engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore(),
      host: 'cli',
      metricsPort: 0,
    });
    cleanups.push(() => engine.stop());
    const url = engine.metricsUrl()!;
    expect((await fetch(url)).status).toBe(200);
    const { request } = await import('undici');
    const rebound = await request(url, { headers: { host: 'evil.example:80' } });
    expect(rebound.statusCode).toBe(421);
    await rebound.body.text();
  });
});
