import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { openDb } from '../../app/store/db';
import { CLAIM_COLUMNS, DocumentsRepo } from '../../app/store/documents-repo';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

// The send stage's claims read the claim columns only (not the wide summary and verdict JSON),
// and what leaves is still everything a send needs: the file's exact bytes under the document's
// own idempotency key, its attempts counted, a retry under the same key, a batch whose items
// are the documents' bytes under their keys.

let sandbox: SandboxHandle;
beforeEach(async () => {
  sandbox = await startSandbox({ latencyMs: 2 });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await sandbox.close();
});
const engines = useEngines();

describe('claims for sending', () => {
  it('read the claim columns only, in every claim statement', () => {
    const db = openDb({ dataDir: ':memory:' });
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    vi.spyOn(db, 'prepare').mockImplementation((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    });
    let t = 1_000;
    const repo = new DocumentsRepo(db, () => t);
    const claims = prepared.filter((sql) =>
      /state = 'queued' ORDER BY id|state = 'retry_wait' AND next_attempt_at|batch_key = \?/.test(
        sql,
      ),
    );
    expect(claims).toHaveLength(3);
    for (const sql of claims) {
      expect(sql).not.toMatch(/SELECT \*/);
      expect(sql).toContain(`SELECT ${CLAIM_COLUMNS.join(', ')} FROM documents`);
    }

    const [a, b, c] = makeInvoices(3, 'CLM').map((f, i) =>
      repo.insert({
        fileName: f.name,
        sha256: `sha-${i}`,
        size: f.bytes.byteLength,
        body: f.bytes,
        idempotencyKey: `key-${i}`,
      }),
    ) as [number, number, number];
    const wide = { summary_json: '{"big":true}', validation_json: '{"valid":true}' };
    // Held, then released to the queue: the shortest way to `queued` the state table allows.
    const toQueued = [
      { from: 'received', to: 'held', patch: wide },
      { from: 'held', to: 'queued' },
    ] as const;
    repo.transitionThrough(a, [...toQueued]);
    repo.patch(a, { batch_key: 'batch-1' });
    repo.transitionThrough(b, [
      ...toQueued,
      { from: 'queued', to: 'sending' },
      {
        from: 'sending',
        to: 'retry_wait',
        patch: { attempts: 2, next_attempt_at: 500, batch_key: 'batch-1' },
      },
    ]);
    repo.transitionThrough(c, [...toQueued]);
    t = 2_000;

    const queued = repo.claimableQueued(10);
    expect(queued.map((d) => d.id)).toEqual([a, c]);
    for (const d of queued) expect(Object.keys(d).sort()).toEqual([...CLAIM_COLUMNS].sort());
    expect(queued[0]).toEqual({
      id: a,
      state: 'queued',
      size: repo.getBody(a).byteLength,
      idempotency_key: 'key-0',
      attempts: 0,
      batch_key: 'batch-1',
      send_outcome_unknown: 0,
      doubt_key: null,
      doubt_at: null,
      doc_type: null,
      receiver_id: null,
    });
    expect(repo.claimableQueued(1).map((d) => d.id)).toEqual([a]);
    expect(repo.claimableRetries(499, 10)).toEqual([]);
    expect(repo.claimableRetries(500, 10)).toEqual([
      {
        id: b,
        state: 'retry_wait',
        size: repo.getBody(b).byteLength,
        idempotency_key: 'key-1',
        attempts: 2,
        batch_key: 'batch-1',
        send_outcome_unknown: 0,
        doubt_key: null,
        doubt_at: null,
        doc_type: null,
        receiver_id: null,
      },
    ]);
    expect(repo.claimableBatch('batch-1').map((d) => [d.id, d.state])).toEqual([
      [a, 'queued'],
      [b, 'retry_wait'],
    ]);
    db.close();
  });

  it('single sends carry the exact bytes under the document key, attempts counted, retries under the same key', async () => {
    const send = vi.spyOn(AccessPointClient.prototype, 'send');
    // Every third single send is refused for now once or twice (a 500: counted as an attempt,
    // as a 503 is not): those go again, same key.
    sandbox.setFaults({ status: { every: 3, max: 2, status: 500 } });
    const engine = await engines({
      dataDir: engines.tempDir(),
      endpoint: sandbox.url,
      batching: false,
      concurrency: 2,
      trackDelivery: false,
      timings: { retryBaseMs: 20, retryMaxMs: 50 },
    });
    const files = makeInvoices(6, 'ONE');
    const res = await engine.handlers['documents:add']({ files });
    const ids = res.added.map((x) => x.id);
    expect(ids).toHaveLength(6);
    await engine.waitUntilSettled(ids, { includeAccepted: true });

    const { repo } = engineInternals(engine);
    const calls = send.mock.calls.map(([xml, key]) => ({ xml: Buffer.from(xml), key }));
    expect(calls).toHaveLength(8);
    ids.forEach((id, i) => {
      const row = repo.get(id)!;
      expect(row.state).toBe('accepted');
      const mine = calls.filter((c) => c.key === row.idempotency_key);
      expect(mine.length).toBe(row.attempts);
      for (const c of mine) expect(c.xml.equals(Buffer.from(files[i]!.bytes))).toBe(true);
    });
    expect(ids.map((id) => repo.get(id)!.attempts).reduce((n, a) => n + a, 0)).toBe(8);
    expect(sandbox.stats().faults.status).toBe(2);
    expect(sandbox.stats().acceptedDocuments).toBe(6);
    expect(sandbox.stats().duplicateContentAccepts).toBe(0);
  });

  it('batch items carry each document bytes under its own key', async () => {
    const sendBatch = vi.spyOn(AccessPointClient.prototype, 'sendBatch');
    const engine = await engines({
      dataDir: engines.tempDir(),
      endpoint: sandbox.url,
      trackDelivery: false,
    });
    const files = makeInvoices(12, 'BAT');
    const res = await engine.handlers['documents:add']({ files });
    const ids = res.added.map((x) => x.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });

    const { repo } = engineInternals(engine);
    const items = sendBatch.mock.calls.flatMap(
      ([body]) =>
        (JSON.parse(Buffer.from(body).toString('utf8')) as { documents: { id: string }[] })
          .documents,
    );
    expect(sendBatch.mock.calls.length).toBeGreaterThan(0);
    const byKey = new Map(items.map((item) => [item.id, JSON.stringify(item)]));
    ids.forEach((id, i) => {
      const row = repo.get(id)!;
      expect(row.state).toBe('accepted');
      expect(row.attempts).toBe(1);
      const item = byKey.get(row.idempotency_key);
      expect(item).toBeDefined();
      expect(item).toContain(JSON.stringify(Buffer.from(files[i]!.bytes).toString('utf8')));
    });
    expect(sandbox.stats().acceptedDocuments).toBe(12);
  });
});
