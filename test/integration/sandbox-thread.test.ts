import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { startBuiltInSandbox } from '../../app/sandbox/thread';
import { distFile } from '../helpers/dist';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const engines = useEngines();

/** GET `url` from another process while this thread is blocked in spawnSync: its HTTP status. */
function statusFromAnotherProcess(url: string): number | null {
  const child = spawnSync(
    process.execPath,
    ['-e', `fetch(${JSON.stringify(url)}).then((r) => process.stdout.write(String(r.status)))`],
    { timeout: 10_000, encoding: 'utf8' },
  );
  return child.stdout ? Number(child.stdout) : null;
}

describe('the built-in sandbox on a thread of its own', () => {
  it('answers while the engine thread is busy, and stops listening when closed', async () => {
    const sandbox = await startBuiltInSandbox({ script: distFile('sandbox-worker.cjs') });
    try {
      expect(sandbox.inThread).toBeNull();
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/peppol-api$/);
      // spawnSync holds this thread for the whole request: only another thread can answer it.
      expect(statusFromAnotherProcess(`${sandbox.url}/peppol/version`)).toBe(200);
    } finally {
      await sandbox.close();
    }
    await expect(fetch(`${sandbox.url}/peppol/version`)).rejects.toThrow();
  });

  it('runs on the engine thread when its script cannot start (the first start still works)', async () => {
    const sandbox = await startBuiltInSandbox({ script: join(__dirname, 'no-such-worker.cjs') });
    try {
      expect(sandbox.inThread).not.toBeNull();
      expect((await fetch(`${sandbox.url}/peppol/version`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('is the engine Sandbox: labelled so, documents go through to delivered', async () => {
    const e = await engines({
      sandboxWorker: distFile('sandbox-worker.cjs'),
      sandboxStepMs: 20,
      timings: { pollInitialMs: 30, pollMaxMs: 100 },
    });
    expect(e.environment).toBe('sandbox');
    expect(e.usesBuiltInSandbox).toBe(true);
    // Its counters live on its own thread: not at hand here.
    expect(engineInternals(e).sandbox).toBeNull();
    const res = await e.handlers['documents:add']({ files: makeInvoices(5, 'THREAD') });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(5);
    await e.waitUntilSettled(ids);
    const states = await Promise.all(
      ids.map(async (id) => (await e.handlers['documents:get']({ id })).state),
    );
    expect(states).toEqual(Array(5).fill('delivered'));
  });
});
