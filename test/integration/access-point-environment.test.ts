import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore } from '../../app/engine';
import { startSandbox } from '../../app/sandbox/server';
import { runCli as cli } from '../helpers/dist';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

// api-contract: `GET /peppol/version` answers the access point's `environment`; show it. The key's
// prefix only guesses the environment; when the access point names another, the screen says so.

const tempDir = useTempDirs();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sandbox() {
  const ap = await startSandbox({ transactionStepMs: 20 });
  cleanups.push(() => ap.close());
  return ap;
}

describe("the access point's own environment", () => {
  it('is in the connection status once it answered, and again after a switch of key', async () => {
    const ap = await sandbox();
    const engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore('sk_test_agreeing_key'),
      host: 'cli',
      endpoint: ap.url,
      coalesceMs: 20,
    });
    cleanups.push(() => engine.stop());
    const status = () => engine.handlers['connection:get'](undefined);
    // The standalone sandbox names its environment 'sandbox': the provider's Test.
    await expect.poll(async () => (await status()).accessPointEnvironment).toBe('sandbox');
    expect((await status()).environment).toBe('test');

    const changes: (string | null | undefined)[] = [];
    engine.on('connection:changed', (s) => changes.push(s.accessPointEnvironment));
    await engine.handlers['settings:set']({ apiKey: 'pk_live_production_looking_key' });
    expect((await status()).environment).toBe('production');
    // Asked again after the switch (forgotten meanwhile, then told).
    await expect.poll(async () => (await status()).accessPointEnvironment).toBe('sandbox');
    expect(changes).toContain('sandbox');
  });

  it('an invoice is recorded in the environment the access point names, not the one the key guessed', async () => {
    // Walk 12: a Production-looking key on a test access point; the header said Test, but each
    // invoice's details and `list --json` said Production.
    const ap = await sandbox();
    const engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore('pk_live_production_looking_key'),
      host: 'cli',
      endpoint: ap.url,
      coalesceMs: 20,
    });
    cleanups.push(() => engine.stop());
    const { added } = await engine.handlers['documents:add']({
      files: [{ name: 'a.xml', bytes: makeInvoice('ENV-SAID-1') }],
    });
    const id = added[0]!.id;
    await expect
      .poll(async () => (await engine.handlers['documents:get']({ id })).state, { timeout: 10_000 })
      .toMatch(/^(accepted|delivered)$/);
    const d = await engine.handlers['documents:get']({ id });
    expect(d).toMatchObject({ accessPoint: ap.url, environment: 'test' });
    const { rows } = await engine.handlers['documents:list']({ limit: 10 });
    expect(rows.find((r) => r.id === id)?.environment).toBe('test');
    // The key's environment still says where its transaction is asked about: delivery is followed.
    await expect
      .poll(async () => (await engine.handlers['documents:get']({ id })).state, { timeout: 10_000 })
      .toBe('delivered');
  });

  it('the CLI says so when the access point names another environment than the key seems to select', async () => {
    const ap = await sandbox();
    const dir = tempDir();
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'a.xml'), makeInvoice('ENV-1'));
    const res = await cli([
      'send',
      inbox,
      '--endpoint',
      ap.url,
      '--api-key',
      'pk_live_production_looking_key',
      '--data-dir',
      join(dir, 'data'),
      '--json',
    ]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(
      'The access point says it is its test environment ("sandbox"): invoices sent now do not reach real buyers, although the API key looks like a Production key.',
    );
    // The CLI has no Settings: it names its own ways to give the key and the address.
    expect(res.stderr).toContain(
      'check the key (PEPPOL_DESK_API_KEY or --api-key-file) and the provider address (--endpoint).',
    );
    expect(res.stderr).not.toContain('Settings');
    // A key that agrees: not a word.
    const again = await cli([
      'send',
      inbox,
      '--endpoint',
      ap.url,
      '--api-key',
      'sk_test_agreeing_key',
      '--data-dir',
      join(dir, 'data2'),
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('The access point says');
  }, 60_000);
});
