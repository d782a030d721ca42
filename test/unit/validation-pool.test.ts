import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDocument,
  createValidationPool,
  runValidationBench,
} from '../../app/validation/index';
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
    const pool = createValidationPool({ size: 1, workerScript: broken });
    try {
      const r = await pool.check(utf8(validInvoice()));
      expect(r.ok && r.verdict.valid).toBe(true);
    } finally {
      await pool.close();
    }
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
