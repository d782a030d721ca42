import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore } from '../../app/engine';
import { spawnSandboxProcess, type SandboxProcess } from '../../app/sandbox/process';
import { distFile } from '../helpers/dist';
import { makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { until } from '../helpers/wait';
import { engineInternals } from '../../app/engine/internals';

const tempDir = useTempDirs();
const RATE = 60;
let sandbox: SandboxProcess;

beforeAll(async () => {
  // Its own process, so the server's clock and event loop are not ours.
  sandbox = await spawnSandboxProcess({
    entryPath: distFile('sandbox.cjs'),
    latencyMs: 10,
    rate: RATE,
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('adaptive rate against a rate-limited access point', () => {
  it(`sustains ≥ 0.8 R with ≤ 5% of requests answered 429 (R = ${RATE} requests/s)`, async () => {
    const n = 600;
    const engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: sandbox.url,
      trackDelivery: false,
      batching: false,
    });
    try {
      // Validate and look up first, then measure the send stage alone.
      engine.handlers['queue:pause'](undefined);
      const res = await engine.handlers['documents:add']({ files: makeInvoices(n, 'RATE') });
      const ids = res.added.map((a) => a.id);
      await until(() => engineInternals(engine).repo.counts().queued === n);
      const before = await sandbox.stats();
      const started = performance.now();
      engine.handlers['queue:resume'](undefined);
      await engine.waitUntilSettled(ids, { includeAccepted: true });
      const seconds = (performance.now() - started) / 1000;
      const after = await sandbox.stats();

      expect(ids.every((id) => engineInternals(engine).repo.get(id)!.state === 'accepted')).toBe(
        true,
      );
      expect(after.acceptedDocuments - before.acceptedDocuments).toBe(n);
      const sends = after.requests.byEndpoint['POST /api/v1/send']!;
      const refused =
        (sends.byStatus['429'] ?? 0) -
        (before.requests.byEndpoint['POST /api/v1/send']?.byStatus['429'] ?? 0);
      const total = sends.total - (before.requests.byEndpoint['POST /api/v1/send']?.total ?? 0);
      const achieved = n / seconds / RATE;
      expect(achieved).toBeGreaterThanOrEqual(0.8);
      expect(refused / total).toBeLessThanOrEqual(0.05);
    } finally {
      await engine.stop();
    }
  });
});
