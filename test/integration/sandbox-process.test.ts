import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSandboxProcess, type SandboxProcess } from '../../app/sandbox/process';

const SAMPLE = readFileSync(new URL('../fixtures/sample-invoice.xml', import.meta.url), 'utf8');

describe('sandbox as a separate process', () => {
  let dir: string;
  let entryPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-process-'));
    entryPath = join(dir, 'sandbox.cjs');
    // Dependencies are bundled too: the temp dir has no node_modules to resolve them from.
    await build({
      entryPoints: [new URL('../../app/sandbox/process-entry.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: entryPath,
      logLevel: 'silent',
    });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, serves the contract, reports stats and stops on SIGTERM', async () => {
    const sandbox = await spawnSandboxProcess({ entryPath, stepMs: 10, latencyMs: 1 });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/peppol-api$/);
      const version = await fetch(`${sandbox.url}/peppol/version`);
      expect(await version.json()).toMatchObject({ environment: 'sandbox' });

      const send = () =>
        fetch(`${sandbox.url}/api/v1/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/xml', 'idempotency-key': 'p-1' },
          body: SAMPLE,
        });
      expect((await send()).status).toBe(202);
      expect((await send()).headers.get('idempotent-replayed')).toBe('true');
      expect(await sandbox.stats()).toMatchObject({
        acceptedDocuments: 1,
        idempotentReplays: 1,
        duplicateContentAccepts: 0,
      });

      await sandbox.setFaults({ status503: { every: 1 } });
      expect((await send()).status).toBe(503);
      await sandbox.reset();
      expect((await sandbox.stats()).acceptedDocuments).toBe(0);
    } finally {
      const exit = await sandbox.stop();
      expect(exit).toEqual({ code: 0, signal: null });
    }
  });

  it('takes options from flags and stops on SIGINT', async () => {
    const sandbox: SandboxProcess = await spawnSandboxProcess({
      entryPath,
      basePath: '/other',
      faults: { status429: { every: 1, retryAfterSeconds: 4 } },
    });
    expect(sandbox.url).toMatch(/\/other$/);
    const r = await fetch(`${sandbox.url}/api/v1/send`, { method: 'POST', body: SAMPLE });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('4');
    sandbox.kill('SIGINT');
    expect(await sandbox.exited).toEqual({ code: 0, signal: null });
  });

  it('reports a start-up failure instead of hanging', async () => {
    await expect(spawnSandboxProcess({ entryPath, port: -1 })).rejects.toThrow(/exited|ready/);
  });
});
