import { createServer, request as httpRequest, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../app/engine';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { EARLIER_KEYS_FILE_NAME, keyFileSecretStore } from '../../app/secrets/key-file';
import { makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { engineInternals } from '../../app/engine/internals';

// Issue 11 point 2: delivery tracking polls the access point that accepted the document, also
// after the desk switched to another one (and after a restart there), with the key used there.

const tempDir = useTempDirs();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEY_ONE = 'sk_test_first_access_point_key';
const KEY_TWO = 'sk_test_second_access_point_key';
const KEY_TEST = 'sk_test_same_address_test_key';
const KEY_PRODUCTION = 'pk_live_same_address_production_key';

/** A loopback proxy in front of a sandbox that notes the key of each transaction status request. */
async function keyNotingProxy(target: SandboxHandle) {
  const pollKeys: string[] = [];
  /** Each status request: its path and key. */
  const polls: { path: string; key: string }[] = [];
  const targetUrl = new URL(target.url);
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && /\/transactions/.test(req.url ?? '')) {
      pollKeys.push(String(req.headers['x-api-key'] ?? ''));
      polls.push({ path: req.url ?? '', key: String(req.headers['x-api-key'] ?? '') });
    }
    const upstream = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${port}${targetUrl.pathname}`, pollKeys, polls };
}

async function twoAccessPoints(stepMs: number) {
  const one = await startSandbox({ transactionStepMs: stepMs });
  cleanups.push(() => one.close());
  const two = await startSandbox({ transactionStepMs: 20 });
  cleanups.push(() => two.close());
  return { one, two, proxy: await keyNotingProxy(one) };
}

/** Stops `engine` once: when the test says so, or at clean-up if the test ended first. */
function stopOnce(engine: Engine): () => Promise<void> {
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= engine.stop());
  cleanups.push(stop);
  return stop;
}

async function engineIn(dataDir: string): Promise<Engine> {
  const engine = await createEngine({
    dataDir,
    secrets: keyFileSecretStore(dataDir),
    host: 'cli',
    batching: false,
    coalesceMs: 20,
    // No wait for a buyer's response after delivery: delivered is the last news asked for.
    timings: { pollInitialMs: 30, pollMaxMs: 60, responseWindowMs: 0 },
  });
  return engine;
}

async function acceptAtFirst(
  engine: Engine,
  url: string,
  apiKey = KEY_ONE,
  prefix = 'AP1',
): Promise<number> {
  await engine.handlers['settings:set']({ endpoint: url, apiKey });
  const res = await engine.handlers['documents:add']({ files: makeInvoices(1, prefix) });
  const id = res.added[0]!.id;
  await engine.waitUntilSettled([id], { includeAccepted: true });
  const doc = engineInternals(engine).repo.get(id)!;
  expect(doc.state).toBe('accepted');
  expect(doc.access_point).toBe(url);
  return id;
}

async function stateOf(engine: Engine, id: number) {
  return (await engine.handlers['documents:get']({ id })).state;
}

describe('delivery tracking asks the access point that accepted the document', () => {
  it('accepted at one access point, the desk switches to another: the first is still asked, with its key, and the document is delivered', async () => {
    const dataDir = tempDir();
    const { one, two, proxy } = await twoAccessPoints(800);
    const engine = await engineIn(dataDir);
    cleanups.push(() => engine.stop());
    const id = await acceptAtFirst(engine, proxy.url);

    await engine.handlers['settings:set']({ endpoint: two.url, apiKey: KEY_TWO });
    expect(engine.endpoint).toBe(two.url);
    // The key used there is kept the way the API key is (a user-only file), not in the database.
    const keysFile = join(dataDir, EARLIER_KEYS_FILE_NAME);
    expect(readFileSync(keysFile, 'utf8')).toContain(KEY_ONE);
    const before = proxy.pollKeys.length;

    await expect.poll(() => stateOf(engine, id), { timeout: 15_000 }).toBe('delivered');
    const after = proxy.pollKeys.slice(before);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set([KEY_ONE]));
    // The second access point never heard of it.
    expect(two.stats().acceptedDocuments).toBe(0);
    expect(one.stats().acceptedDocuments).toBe(1);
    // Nothing waits there any more: its client is let go and its key forgotten.
    await expect.poll(() => existsSync(keysFile), { timeout: 5_000 }).toBe(false);
    const dbBytes = readFileSync(join(dataDir, 'peppol-desk.sqlite'));
    expect(dbBytes.includes(Buffer.from(KEY_ONE))).toBe(false);
  });

  it('after a restart on the other access point, the first is still asked with the key kept for it', async () => {
    const dataDir = tempDir();
    const { two, proxy } = await twoAccessPoints(1_500);
    const first = await engineIn(dataDir);
    const stopFirst = stopOnce(first);
    const id = await acceptAtFirst(first, proxy.url);
    await first.handlers['settings:set']({ endpoint: two.url, apiKey: KEY_TWO });
    await stopFirst();

    const before = proxy.pollKeys.length;
    const again = await engineIn(dataDir);
    cleanups.push(() => again.stop());
    expect(again.endpoint).toBe(two.url);
    await expect.poll(() => stateOf(again, id), { timeout: 15_000 }).toBe('delivered');
    const after = proxy.pollKeys.slice(before);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set([KEY_ONE]));
  });

  // One provider URL serves Test and Production and the key chooses: a transaction accepted under
  // the Test key is known to Test only, so it is asked about with the Test key after the
  // Production key is entered (a walk: it was asked with the new key, which would be answered
  // 404 and end as "delivery unconfirmed").
  it('the key changes from Test to Production at the same address: each transaction is asked about with the key of its environment, also after a restart', async () => {
    const dataDir = tempDir();
    const { proxy } = await twoAccessPoints(1_500);
    const first = await engineIn(dataDir);
    const stopFirst = stopOnce(first);
    const testId = await acceptAtFirst(first, proxy.url, KEY_TEST, 'TST');
    const repo = engineInternals(first).repo;
    expect(repo.get(testId)!.environment).toBe('test');
    const testTx = repo.get(testId)!.transaction_id!;

    await first.handlers['settings:set']({ apiKey: KEY_PRODUCTION });
    expect(first.environment).toBe('production');
    const prodId = await acceptAtFirst(first, proxy.url, KEY_PRODUCTION, 'PRD');
    const prodTx = engineInternals(first).repo.get(prodId)!.transaction_id!;
    // The Test key is kept for the place (address and environment), like the API key.
    const keysFile = join(dataDir, EARLIER_KEYS_FILE_NAME);
    expect(readFileSync(keysFile, 'utf8')).toContain(KEY_TEST);
    await stopFirst();

    const again = await engineIn(dataDir);
    cleanups.push(() => again.stop());
    await expect.poll(() => stateOf(again, testId), { timeout: 15_000 }).toBe('delivered');
    await expect.poll(() => stateOf(again, prodId), { timeout: 15_000 }).toBe('delivered');
    const keysFor = (tx: string) =>
      new Set(proxy.polls.filter((p) => p.path.includes(tx)).map((p) => p.key));
    expect(keysFor(testTx)).toEqual(new Set([KEY_TEST]));
    expect(keysFor(prodTx)).toEqual(new Set([KEY_PRODUCTION]));
    // Nothing waits under Test any more: its key is forgotten.
    await expect.poll(() => existsSync(keysFile), { timeout: 5_000 }).toBe(false);
  });

  it('a key kept by the address alone (before environments were told apart) is still used', async () => {
    const dataDir = tempDir();
    const { proxy } = await twoAccessPoints(1_500);
    const first = await engineIn(dataDir);
    const stopFirst = stopOnce(first);
    const testId = await acceptAtFirst(first, proxy.url, KEY_TEST, 'OLD');
    const testTx = engineInternals(first).repo.get(testId)!.transaction_id!;
    await first.handlers['settings:set']({ apiKey: KEY_PRODUCTION });
    await stopFirst();
    // As an earlier version kept it: by the provider's URL.
    const store = keyFileSecretStore(dataDir);
    for (const id of Object.keys(
      JSON.parse(readFileSync(join(dataDir, EARLIER_KEYS_FILE_NAME), 'utf8')),
    ))
      store.setEarlierKey!(id, null);
    store.setEarlierKey!(proxy.url, KEY_TEST);

    const again = await engineIn(dataDir);
    cleanups.push(() => again.stop());
    await expect.poll(() => stateOf(again, testId), { timeout: 15_000 }).toBe('delivered');
    const keys = new Set(proxy.polls.filter((p) => p.path.includes(testTx)).map((p) => p.key));
    expect(keys).toEqual(new Set([KEY_TEST]));
  });
});
