import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { invokeHandler } from '../../app/errors';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines();
const tempDir = engines.tempDir;

function engine(dataDir = tempDir(), extra: { hotFolder?: string } = {}): Promise<Engine> {
  return engines({
    dataDir,
    trackDelivery: false,
    hotFolderStabilityMs: 100,
    ...extra,
  });
}

const MB = 1024 * 1024;

describe('size limit (setting maxDocumentBytes)', () => {
  it('defaults to 15 MB and refuses a 100 MB file before hashing or storing it', async () => {
    const e = await engine();
    expect((await e.handlers['settings:get'](undefined)).maxDocumentBytes).toBe(15 * MB);
    const huge = new Uint8Array(100 * MB);
    const res = await e.handlers['documents:add']({
      files: [
        { name: 'huge.xml', bytes: huge },
        { name: 'ok.xml', bytes: makeInvoice('SIZE-OK') },
      ],
    });
    expect(res.added.map((a) => a.fileName)).toEqual(['ok.xml']);
    expect(res.rejected).toHaveLength(1);
    expect(res.rejected[0]!.fileName).toBe('huge.xml');
    expect(res.rejected[0]!.message).toContain('100.0 MB');
    expect(res.rejected[0]!.message).toContain('the limit is 15.0 MB');
    const stored = engineInternals(e).db.prepare('SELECT file_name FROM documents').pluck().all();
    expect(stored).toEqual(['ok.xml']);
  });

  it('follows a lowered limit, and rejects an out-of-range value with an error value', async () => {
    const e = await engine();
    const bytes = makeInvoice('SIZE-SMALL');
    const s = await e.handlers['settings:set']({ maxDocumentBytes: 2048 });
    expect(s.maxDocumentBytes).toBe(2048);
    expect(bytes.byteLength).toBeGreaterThan(2048);
    const res = await e.handlers['documents:add']({ files: [{ name: 'a.xml', bytes }] });
    expect(res.added).toEqual([]);
    // Both round to 0.0 MB: said in bytes, so the two figures differ.
    expect(res.rejected[0]!.message).toMatch(/too large .*bytes; the limit is 2,048 bytes/);
    const bad = await invokeHandler(e.handlers, 'settings:set', { maxDocumentBytes: -1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_SETTING' } });
    await e.handlers['settings:set']({ maxDocumentBytes: 15 * MB });
    const again = await e.handlers['documents:add']({ files: [{ name: 'a.xml', bytes }] });
    expect(again.added).toHaveLength(1);
  });

  it('hot folder: an oversized file goes to failed/ with the reason, unread and not stored', async () => {
    const folder = tempDir();
    const e = await engine(tempDir(), { hotFolder: folder });
    const path = join(folder, 'huge.xml');
    writeFileSync(path, '');
    truncateSync(path, 100 * MB); // sparse: 100 MB by size, nothing written
    const reasonPath = join(folder, 'failed', 'huge.xml.reason.txt');
    const deadline = Date.now() + 20_000;
    while (!existsSync(reasonPath) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(readFileSync(reasonPath, 'utf8')).toMatch(
      /too large \(100\.0 MB; the limit is 15\.0 MB\)/,
    );
    expect(existsSync(join(folder, 'failed', 'huge.xml'))).toBe(true);
    expect(engineInternals(e).db.prepare('SELECT COUNT(*) FROM documents').pluck().get()).toBe(0);
  });
});

describe('receiver lookup cache settings', () => {
  it('TTLs are settings (1 h / 5 min by default) and apply to new answers', async () => {
    const e = await engine();
    const s = await e.handlers['settings:get'](undefined);
    expect(s.lookupFoundTtlMs).toBe(60 * 60_000);
    expect(s.lookupNotFoundTtlMs).toBe(5 * 60_000);
    await e.handlers['settings:set']({ lookupFoundTtlMs: 10 * 60_000 });
    const res = await e.handlers['documents:add']({ files: makeInvoices(1, 'TTL') });
    await e.waitUntilSettled([res.added[0]!.id], { includeAccepted: true });
    const row = engineInternals(e)
      .db.prepare('SELECT fetched_at, expires_at FROM participant_cache')
      .get() as {
      fetched_at: number;
      expires_at: number;
    };
    expect(row.expires_at - row.fetched_at).toBe(10 * 60_000);
    const bad = await invokeHandler(e.handlers, 'settings:set', { lookupNotFoundTtlMs: 1.5 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_SETTING' } });
  });

  it('the built-in sandbox is cached under a stable name, so answers survive a restart', async () => {
    const dataDir = tempDir();
    const first = await engine(dataDir);
    const res = await first.handlers['documents:add']({ files: makeInvoices(1, 'KEEP') });
    const id = res.added[0]!.id;
    await first.waitUntilSettled([id], { includeAccepted: true });
    const firstUrl = first.endpoint;
    await engines.stop(first);
    const second = await engine(dataDir);
    expect(second.endpoint).not.toBe(firstUrl); // a new random port
    const keys = engineInternals(second)
      .db.prepare('SELECT DISTINCT access_point FROM participant_cache')
      .pluck()
      .all();
    expect(keys).toEqual(['sandbox']);
    const detail = await second.handlers['documents:get']({ id });
    expect(detail.lookup).toMatchObject({ participantId: '0208:0987654394', found: true });
  });
});

describe('validation off the main thread', () => {
  it('a missing worker bundle is logged once and shown in the metrics snapshot', async () => {
    const lines: string[] = [];
    const e = await engines({
      validationWorker: join(tempDir(), 'missing-worker.cjs'),
      log: (l) => lines.push(l),
      autoStart: false,
    });
    expect(lines.filter((l) => /main thread/.test(l))).toHaveLength(1);
    const snap = await e.handlers['metrics:snapshot'](undefined);
    expect(snap.validation).toMatchObject({ mode: 'in-thread' });
    expect(snap.validation?.reason).toMatch(/missing-worker\.cjs is missing/);
  });
});
