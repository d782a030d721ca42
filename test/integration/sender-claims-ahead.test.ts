import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { until } from '../helpers/wait';
import { engineInternals } from '../../app/engine/internals';

// With a fixed concurrency the send stage claims a few documents ahead of a free slot (committed
// as `sending`), so the next request leaves the moment an answer arrives. These tests pin what
// must hold whatever the timing: pausing or stopping puts the claimed-ahead documents back in
// the queue, nothing is sent twice, and attempts count only real requests.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
// After the cleanups' hook: after-hooks run as a stack, so the engines stop (once) first.
const engines = useEngines();
const tempDir = engines.tempDir;

async function setup(dataDir = tempDir()): Promise<{ engine: Engine; sandbox: SandboxHandle }> {
  const sandbox = await startSandbox({ latencyMs: 60 });
  cleanups.push(() => sandbox.close());
  const engine = await open(dataDir, sandbox);
  return { engine, sandbox };
}

function open(dataDir: string, sandbox: SandboxHandle): Promise<Engine> {
  return engineOn(dataDir, sandbox, 4);
}

function engineOn(dataDir: string, sandbox: SandboxHandle, concurrency: number): Promise<Engine> {
  return engines({
    dataDir,
    endpoint: sandbox.url,
    concurrency,
    batching: false,
    trackDelivery: false,
    coalesceMs: 20,
  });
}

/** Poll (bounded) until `cond` holds. */

describe('documents claimed ahead of a free slot', () => {
  it('go back to the queue on pause, and every document is still sent exactly once', async () => {
    const { engine, sandbox } = await setup();
    const res = await engine.handlers['documents:add']({ files: makeInvoices(40, 'AHEAD') });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(40);

    await until(() => engineInternals(engine).repo.counts().accepted >= 8, '8 accepted');
    engine.handlers['queue:pause'](undefined);
    // Requests in flight finish; nothing may stay `sending` while paused.
    await until(
      () => engineInternals(engine).repo.counts().sending === 0,
      'no document sending while paused',
    );
    const paused = engineInternals(engine).repo.counts();
    expect(paused.accepted + paused.queued).toBe(40);
    expect(paused.queued).toBeGreaterThan(0);
    for (const id of ids) {
      const d = await engine.handlers['documents:get']({ id });
      if (d.state === 'queued') expect(d.attempts).toBe(0);
    }

    engine.handlers['queue:resume'](undefined);
    await until(() => engineInternals(engine).repo.counts().accepted === 40, 'all 40 accepted');
    for (const id of ids) {
      const d = await engine.handlers['documents:get']({ id });
      expect(d.state).toBe('accepted');
      expect(d.attempts).toBe(1);
    }
    expect(sandbox.stats().acceptedDocuments).toBe(40);
    expect(sandbox.stats().duplicateContentAccepts).toBe(0);
  });

  it('cover two rounds of requests, so a slow sync of the next claims does not leave slots empty', async () => {
    // Answers take long here: the claims ahead fill up while the first requests are out.
    const sandbox = await startSandbox({ latencyMs: 400 });
    cleanups.push(() => sandbox.close());
    const engine = await engineOn(tempDir(), sandbox, 3);
    await engine.handlers['documents:add']({ files: makeInvoices(30, 'DEPTH') });
    const { repo } = engineInternals(engine);
    // 3 requests in flight and 2 × 3 claimed ahead (before: ceil(3 / 2) = 2 ahead, 5 in all).
    await until(() => repo.counts().sending === 9, '9 documents sending');
    await until(() => repo.counts().accepted === 30, 'all 30 accepted');
    expect(sandbox.stats().acceptedDocuments).toBe(30);
    expect(sandbox.stats().duplicateContentAccepts).toBe(0);
  });

  it('go back to the queue when the engine stops, and are sent once after the restart', async () => {
    const dataDir = tempDir();
    const { engine, sandbox } = await setup(dataDir);
    await engine.handlers['documents:add']({ files: makeInvoices(30, 'STOP') });
    await until(() => engineInternals(engine).repo.counts().accepted >= 4, '4 accepted');
    await engine.stop();

    // Read the stopped engine's database as it left it (before start-up recovery could tidy).
    const db = new Database(join(dataDir, 'peppol-desk.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT state, attempts FROM documents').all() as {
      state: string;
      attempts: number;
    }[];
    db.close();
    expect(rows.filter((r) => r.state === 'sending')).toEqual([]);
    expect(rows.filter((r) => r.state === 'queued' && r.attempts !== 0)).toEqual([]);

    const again = await open(dataDir, sandbox);
    await until(() => engineInternals(again).repo.counts().accepted === 30, 'all 30 accepted');
    expect(sandbox.stats().acceptedDocuments).toBe(30);
    expect(sandbox.stats().duplicateContentAccepts).toBe(0);
    expect(sandbox.stats().acceptedByKey).toBe(30);
  });
});
