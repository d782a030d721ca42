import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import { createEngine, memorySecretStore } from '../../app/engine';
import { spawnSandboxProcess, type SandboxProcess } from '../../app/sandbox/process';
import { distFile } from '../helpers/dist';
import { makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const OFFLINE_MS = 20_000;
let sandbox: SandboxProcess | null = null;
afterAll(async () => {
  await sandbox?.stop();
});

describe('offline queueing', () => {
  it('pauses without a retry storm while the access point is gone for 20 s, accepts new documents, and resumes by itself', async () => {
    sandbox = await spawnSandboxProcess({ entryPath: distFile('sandbox.cjs'), latencyMs: 20 });
    const port = Number(new URL(sandbox.url).port);
    const engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: sandbox.url,
      trackDelivery: false,
      concurrency: 4,
      coalesceMs: 20,
      timings: { probeInitialMs: 250, probeMaxMs: 2000 },
    });
    const connection: ConnectionStatus[] = [];
    engine.on('connection:changed', (s) => connection.push(s));
    try {
      const first = await engine.handlers['documents:add']({ files: makeInvoices(300, 'OFF') });
      await expect
        .poll(() => engine.repo.counts().accepted, { timeout: 20_000, interval: 10 })
        .toBeGreaterThan(20);
      await sandbox.stop();
      const stoppedAt = Date.now();
      const beforeStop = engine.repo.counts().accepted;
      await expect.poll(() => connection.at(-1)?.state, { timeout: 10_000 }).toBe('offline');
      const offlineStatus = await engine.handlers['connection:get'](undefined);
      expect(offlineStatus.waiting).toBeGreaterThan(0);
      // Documents can still be added while offline.
      const during = await engine.handlers['documents:add']({ files: makeInvoices(20, 'OFFD') });
      expect(during.added).toHaveLength(20);
      const attemptsWhileOffline = engine.repo.counts();
      await new Promise((r) => setTimeout(r, OFFLINE_MS));
      // Nothing failed for being offline, nothing was lost.
      expect(engine.repo.counts().failed).toBe(0);
      expect(attemptsWhileOffline.failed).toBe(0);
      // No retry storm: while offline, documents are not tried again and again (one probe at a
      // time does the asking); only sends already under way when it went down show up here.
      const sendsWhileOffline = (
        engine.db
          .prepare(
            "SELECT COUNT(*) AS n FROM document_events WHERE to_state = 'sending' AND at > ?",
          )
          .get(stoppedAt + 1000) as { n: number }
      ).n;
      expect(sendsWhileOffline).toBeLessThanOrEqual(4);
      sandbox = await spawnSandboxProcess({
        entryPath: distFile('sandbox.cjs'),
        latencyMs: 20,
        port,
      });
      const ids = [...first.added, ...during.added].map((a) => a.id);
      await engine.waitUntilSettled(ids, { includeAccepted: true });
      const counts = engine.repo.counts();
      expect(counts.accepted).toBe(320);
      expect(counts.failed).toBe(0);
      expect(connection.at(-1)?.state).toBe('online');
      // No document burnt its attempts on the outage.
      const maxAttempts = Math.max(...ids.map((id) => engine.repo.get(id)!.attempts));
      expect(maxAttempts).toBeLessThanOrEqual(2);
      const second = await sandbox.stats();
      expect(second.acceptedDocuments + beforeStop).toBeGreaterThanOrEqual(320);
      expect(second.duplicateContentAccepts).toBe(0);
    } finally {
      await engine.stop();
    }
  }, 90_000);
});
