import { describe, expect, it } from 'vitest';
import { ValidationCache } from '../../app/caches/validation-cache';
import { sha256Hex, type Engine } from '../../app/engine';
import { openDb } from '../../app/store/db';
import { checkDocument, RULESET_VERSION, VALIDATION_CACHE_KEY } from '../../app/validation';
import { makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines();
const tempDir = engines.tempDir;

/** Put a cache entry into a data folder before an engine opens it. */
function seedCache(dataDir: string, bytes: Uint8Array, key: string, tweak: (n: string) => string) {
  const r = checkDocument(bytes);
  if (!r.ok) throw new Error('fixture must pass intake');
  const db = openDb({ dataDir });
  new ValidationCache(db).put(sha256Hex(bytes), key, {
    verdict: { ...r.verdict, valid: key !== VALIDATION_CACHE_KEY ? false : r.verdict.valid },
    summary: { ...r.summary, invoiceNumber: tweak(r.summary.invoiceNumber ?? '') },
  });
  db.close();
}

async function engineOn(dataDir: string): Promise<Engine> {
  const e = await engines({
    dataDir,
    coalesceMs: 20,
    trackDelivery: false,
  });
  return e;
}

describe('validation cache in the pipeline', () => {
  it('a hit takes verdict and summary from the cache: the document is not parsed again', async () => {
    const dataDir = tempDir();
    const bytes = makeInvoice('CACHED-1');
    seedCache(dataDir, bytes, VALIDATION_CACHE_KEY, () => 'SUMMARY-FROM-CACHE');
    const e = await engineOn(dataDir);
    const res = await e.handlers['documents:add']({ files: [{ name: 'c.xml', bytes }] });
    const id = res.added[0]!.id;
    await e.waitUntilSettled([id], { includeAccepted: true });
    const doc = engineInternals(e).repo.get(id)!;
    expect(doc.invoice_number).toBe('SUMMARY-FROM-CACHE');
    expect(doc.state).toBe('accepted');
  });

  it('a verdict cached under an older rules revision of the same release is not reused', async () => {
    const dataDir = tempDir();
    const bytes = makeInvoice('CACHED-2');
    // Same release, older revision, and a (stale) "invalid" verdict.
    seedCache(dataDir, bytes, `${RULESET_VERSION} / rules r1`, () => 'STALE');
    const e = await engineOn(dataDir);
    const res = await e.handlers['documents:add']({ files: [{ name: 'c.xml', bytes }] });
    const id = res.added[0]!.id;
    await e.waitUntilSettled([id], { includeAccepted: true });
    const doc = engineInternals(e).repo.get(id)!;
    expect(doc.invoice_number).toBe('CACHED-2');
    expect(doc.state).toBe('accepted');
    // And the fresh verdict is now cached under the current key.
    expect(
      new ValidationCache(engineInternals(e).db).get(doc.sha256, VALIDATION_CACHE_KEY)?.summary
        .invoiceNumber,
    ).toBe('CACHED-2');
  });
});
