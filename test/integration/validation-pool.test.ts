import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  checkDocument,
  createValidationPool,
  runValidationBench,
} from '../../app/validation/index';
import {
  DEFAULT_WORKER_HEAP_MB,
  prestartValidationWorker,
  takePrestartedWorker,
} from '../../app/validation/worker-start';
import { change, utf8, validCreditNote, validInvoice } from '../conformance/sample-documents';

let dir = '';
let workerScript = '';

beforeAll(async () => {
  // Inside the repository (git-ignored) so the external `saxes` import resolves from node_modules.
  const base = path.join(process.cwd(), 'test-results');
  mkdirSync(base, { recursive: true });
  dir = mkdtempSync(path.join(base, 'validation-pool-'));
  workerScript = path.join(dir, 'validation-worker.cjs');
  await build({
    entryPoints: ['app/validation/worker.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: workerScript,
    packages: 'external',
    logLevel: 'silent',
  });
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('validation pool', () => {
  it('runs checks in real worker threads with the same results as in-thread', async () => {
    const pool = createValidationPool({ size: 2, workerScript });
    try {
      expect(pool.size).toBe(2);
      const docs = [
        utf8(validInvoice()),
        utf8(validCreditNote()),
        utf8(change(validInvoice(), '<cbc:BuyerReference>REF-1</cbc:BuyerReference>', '')),
        new Uint8Array(0),
      ];
      const results = await Promise.all(docs.map((d) => pool.check(d)));
      expect(results).toEqual(docs.map((d) => checkDocument(d)));
      const big = await pool.check(utf8(validInvoice()), { maxBytes: 10 });
      expect(big.ok ? null : big.error.code).toBe('TOO_LARGE');
    } finally {
      await pool.close();
    }
  });

  it('keeps many concurrent checks in order of their promises', async () => {
    const pool = createValidationPool({ size: 2, workerScript });
    try {
      const inputs = Array.from({ length: 40 }, (_, i) =>
        utf8(change(validInvoice(), 'INV-1', `INV-${i}`)),
      );
      const results = await Promise.all(inputs.map((b) => pool.check(b)));
      expect(results.map((r) => (r.ok ? r.summary.invoiceNumber : null))).toEqual(
        inputs.map((_, i) => `INV-${i}`),
      );
    } finally {
      await pool.close();
    }
  });

  it('posts the next checks to a busy worker at once, so it never waits for the main thread between two', async () => {
    const pool = createValidationPool({ size: 1, workerScript });
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      await pool.check(utf8(validInvoice())); // the worker is up
      posted.mockClear();
      const inputs = Array.from({ length: 4 }, (_, i) =>
        utf8(change(validInvoice(), 'INV-1', `DEPTH-${i}`)),
      );
      const pending = inputs.map((d) => pool.check(d));
      // One worker, four checks: all posted before the first answer (one at a time before).
      expect(posted).toHaveBeenCalledTimes(4);
      expect(await Promise.all(pending)).toEqual(inputs.map((d) => checkDocument(d)));
    } finally {
      posted.mockRestore();
      await pool.close();
    }
  });

  it('falls back to in-thread checks when the worker bundle is missing', async () => {
    const pool = createValidationPool({ size: 3, workerScript: path.join(dir, 'missing.cjs') });
    const r = await pool.check(utf8(validInvoice()));
    expect(r.ok && r.verdict.valid).toBe(true);
    await pool.close();
    await expect(pool.check(utf8(validInvoice()))).rejects.toMatchObject({ code: 'POOL_CLOSED' });
  });

  it('rejects pending checks when closed', async () => {
    const pool = createValidationPool({ size: 1, workerScript });
    const pending = Promise.allSettled(
      Array.from({ length: 5 }, () => pool.check(utf8(validInvoice()))),
    );
    await pool.close();
    const settled = await pending;
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'POOL_CLOSED' });
    }
  });
});

describe('validation pool with a broken worker bundle', () => {
  it('stops respawning and validates in-thread', async () => {
    const broken = path.join(dir, 'broken.cjs');
    await build({
      stdin: { contents: 'throw new Error("cannot start");', loader: 'js' },
      platform: 'node',
      format: 'cjs',
      outfile: broken,
      logLevel: 'silent',
    });
    const warnings: string[] = [];
    const pool = createValidationPool({
      size: 1,
      workerScript: broken,
      onFallback: (r) => warnings.push(r),
    });
    try {
      expect(pool.mode).toBe('workers');
      const r = await pool.check(utf8(validInvoice()));
      expect(r.ok && r.verdict.valid).toBe(true);
      await pool.check(utf8(validInvoice()));
      expect(pool.mode).toBe('in-thread');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/main thread: the validation workers stopped 3 times/);
      expect(pool.fallbackReason).toBe(warnings[0]);
    } finally {
      await pool.close();
    }
  });
});

describe('validation pool fallback is visible', () => {
  it('a missing worker bundle: warns once, says so in mode/fallbackReason, and still validates', async () => {
    const warnings: string[] = [];
    const missing = path.join(dir, 'no-such-worker.cjs');
    const pool = createValidationPool({
      size: 2,
      workerScript: missing,
      onFallback: (r) => warnings.push(r),
    });
    try {
      const r = await pool.check(utf8(validInvoice()));
      expect(r.ok && r.verdict.valid).toBe(true);
      await pool.check(utf8(validInvoice()));
      expect(pool.mode).toBe('in-thread');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(missing);
      expect(pool.fallbackReason).toBe(warnings[0]);
    } finally {
      await pool.close();
    }
  });

  it('the default warning is a Node process warning with a stable code', async () => {
    const seen: Error[] = [];
    const onWarning = (w: Error) => seen.push(w);
    process.on('warning', onWarning);
    try {
      const pool = createValidationPool({ workerScript: path.join(dir, 'gone.cjs') });
      await pool.close();
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(seen.map((w) => (w as Error & { code?: string }).code)).toContain(
        'PEPPOL_DESK_VALIDATION_IN_THREAD',
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('no worker script asked for: in-thread by choice, no warning; a working bundle: workers', async () => {
    const warnings: string[] = [];
    const inline = createValidationPool({ onFallback: (r) => warnings.push(r) });
    expect(inline.mode).toBe('in-thread');
    expect(inline.fallbackReason).toBeNull();
    await inline.close();
    const real = createValidationPool({
      size: 1,
      workerScript,
      onFallback: (r) => warnings.push(r),
    });
    expect(real.mode).toBe('workers');
    await real.close();
    expect(warnings).toEqual([]);
  });

  it('takes a worker started before it (validate starts one before the CLI loads) and checks with it', async () => {
    prestartValidationWorker(workerScript);
    const pool = createValidationPool({ size: 1, workerScript });
    try {
      // The pool took it: nothing is left for another.
      expect(takePrestartedWorker(workerScript, DEFAULT_WORKER_HEAP_MB)).toBeNull();
      const doc = utf8(validInvoice());
      expect(await pool.check(doc)).toEqual(checkDocument(doc));
    } finally {
      await pool.close();
    }
  });

  it('a worker started with another heap limit is not handed over; one with the same is, alive', async () => {
    prestartValidationWorker(workerScript, 256);
    const taken = takePrestartedWorker(workerScript, DEFAULT_WORKER_HEAP_MB);
    expect(taken).toBeNull();
    prestartValidationWorker(workerScript);
    const early = takePrestartedWorker(workerScript, DEFAULT_WORKER_HEAP_MB);
    expect(early).not.toBeNull();
    const exited = new Promise<number>((resolve) => early!.worker.once('exit', resolve));
    await early!.worker.terminate();
    expect(typeof (await exited)).toBe('number');
  });
});

describe('runValidationBench', () => {
  it('measures throughput over the given files', () => {
    const r = runValidationBench([{ name: 'invoice', bytes: utf8(validInvoice()) }], {
      minMillis: 50,
      warmupDocs: 5,
    });
    expect(r.documents).toBeGreaterThan(0);
    expect(r.accepted).toBe(r.documents);
    expect(r.docsPerSecond).toBeGreaterThan(0);
    expect(r.megabytesPerSecond).toBeGreaterThan(0);
  });
});
