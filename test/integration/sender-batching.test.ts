import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Engine } from '../../app/engine';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useEngines, type TestEngineOptions } from '../helpers/engine';
import { until } from '../helpers/wait';
import { engineInternals } from '../../app/engine/internals';

let sandbox: SandboxHandle;

beforeEach(async () => {
  sandbox = await startSandbox({ latencyMs: 2 });
});
afterEach(async () => {
  await sandbox.close();
});
// After the sandbox's hook: after-hooks run as a stack, so the engines stop before it closes.
const engines = useEngines();
const tempDir = engines.tempDir;

async function engineFor(dataDir: string, extra: TestEngineOptions = {}) {
  const engine = await engines({
    dataDir,
    endpoint: sandbox.url,
    trackDelivery: false,
    timings: { retryBaseMs: 20, retryMaxMs: 50 },
    ...extra,
  });
  return engine;
}

/**
 * Record a lookup answer as a provider that tells less would give it: "found", no capabilities.
 * The lookup then passes, and only the access point can refuse the document — inside a batch.
 */
function seedLookup(engine: Engine, participantId: string): void {
  const answer = { found: true, participantId, name: null, capabilities: null, raw: null };
  engineInternals(engine)
    .db.prepare(
      `INSERT OR REPLACE INTO participant_cache
       (access_point, participant_id, found, answer_json, fetched_at, expires_at) VALUES (?, ?, 1, ?, ?, ?)`,
    )
    .run(
      engine.endpoint,
      participantId,
      JSON.stringify(answer),
      Date.now(),
      Date.now() + 3_600_000,
    );
}

const batchRequests = (s: ReturnType<SandboxHandle['stats']>) =>
  s.requests.byEndpoint['POST /api/v1/send/batch']?.total ?? 0;
const singleRequests = (s: ReturnType<SandboxHandle['stats']>) =>
  s.requests.byEndpoint['POST /api/v1/send']?.total ?? 0;

describe('batch sends', () => {
  it('sends documents ready together in batches and maps partial rejections to the right documents', async () => {
    const engine = await engineFor(tempDir());
    seedLookup(engine, '9915:credit-note-only');
    seedLookup(engine, '9915:not-registered');
    const files = makeInvoices(40, 'BATCH');
    files.splice(10, 0, {
      name: 'wrong-type.xml',
      bytes: makeInvoice('BATCH-WRONG-TYPE', { receiver: '9915:credit-note-only' }),
    });
    files.splice(30, 0, {
      name: 'unknown-buyer.xml',
      bytes: makeInvoice('BATCH-UNKNOWN', { receiver: '9915:not-registered' }),
    });
    const res = await engine.handlers['documents:add']({ files });
    const ids = res.added.map((a) => a.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });

    const byName = new Map(
      ids.map((id) => [
        engineInternals(engine).repo.get(id)!.file_name,
        engineInternals(engine).repo.get(id)!,
      ]),
    );
    const wrong = byName.get('wrong-type.xml')!;
    expect(wrong.state).toBe('failed');
    expect(wrong.problem_code).toBe('AP_REJECTED_DOCUMENT_TYPE_NOT_ACCEPTED');
    expect(wrong.problem_message).toMatch(/does not accept invoices/);
    expect(wrong.problem_action).toBe('fix-file');
    const unknown = byName.get('unknown-buyer.xml')!;
    expect(unknown.state).toBe('unreachable');
    expect(unknown.problem_code).toBe('AP_NOT_FOUND');
    expect(unknown.problem_message).toMatch(/not registered on the Peppol network/);
    const others = [...byName.values()].filter((r) => r.file_name.startsWith('BATCH-'));
    expect(others).toHaveLength(40);
    expect(others.every((r) => r.state === 'accepted' && r.transaction_id && !r.batch_key)).toBe(
      true,
    );

    const stats = sandbox.stats();
    expect(stats.acceptedDocuments).toBe(40);
    expect(batchRequests(stats)).toBeGreaterThanOrEqual(1);
    // Documents that were ready together travelled together: far fewer requests than documents.
    expect(batchRequests(stats) + singleRequests(stats)).toBeLessThanOrEqual(10);
    // The timeline says it went in a batch.
    expect(
      engineInternals(engine)
        .repo.timeline(others[0]!.id)
        .some((e) => /batch of \d+/.test(e.detail ?? '')),
    ).toBe(true);
  });

  it('sends a single document at once through the single endpoint', async () => {
    const engine = await engineFor(tempDir());
    const res = await engine.handlers['documents:add']({ files: makeInvoices(1, 'ALONE') });
    await engine.waitUntilSettled([res.added[0]!.id], { includeAccepted: true });
    expect(engineInternals(engine).repo.get(res.added[0]!.id)!.state).toBe('accepted');
    expect(singleRequests(sandbox.stats())).toBe(1);
    expect(batchRequests(sandbox.stats())).toBe(0);
  });

  it('sends one document per request when batching is off', async () => {
    const engine = await engineFor(tempDir(), { batching: false });
    const res = await engine.handlers['documents:add']({ files: makeInvoices(12, 'OFF') });
    await engine.waitUntilSettled(
      res.added.map((a) => a.id),
      { includeAccepted: true },
    );
    expect(singleRequests(sandbox.stats())).toBe(12);
    expect(batchRequests(sandbox.stats())).toBe(0);
  });

  it('re-sends the identical batch under the same key when its answer is lost', async () => {
    // The first batch is processed but its connection is reset before the answer arrives.
    sandbox.setFaults({ resetConnection: { every: 1, max: 1, when: 'after' } });
    const engine = await engineFor(tempDir());
    const res = await engine.handlers['documents:add']({ files: makeInvoices(30, 'LOST') });
    const ids = res.added.map((a) => a.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.every((id) => engineInternals(engine).repo.get(id)!.state === 'accepted')).toBe(
      true,
    );
    const stats = sandbox.stats();
    expect(stats.faults.resetAfter).toBe(1);
    expect(stats.batchReplays).toBe(1);
    expect(stats.acceptedDocuments).toBe(30);
    expect(stats.duplicateContentAccepts).toBe(0);
    expect(stats.idempotencyConflicts).toBe(0);
  });

  it('after a crash mid-batch, sends the identical batch again (batch key persisted)', async () => {
    const dataDir = tempDir();
    // Every batch answer is lost and the retry is far away: the documents keep their batch key.
    sandbox.setFaults({ resetConnection: { every: 1, when: 'after' } });
    const first = await engineFor(dataDir, {
      timings: { retryBaseMs: 600_000, retryMaxMs: 600_000 },
    });
    const res = await first.handlers['documents:add']({ files: makeInvoices(20, 'CRASH') });
    const ids = res.added.map((a) => a.id);
    await until(() =>
      ids.every((id) => engineInternals(first).repo.get(id)!.state === 'retry_wait'),
    );
    const keys = new Set(ids.map((id) => engineInternals(first).repo.get(id)!.batch_key));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^batch-/);
    // Pretend the app died while the batch was in flight.
    engineInternals(first)
      .db.prepare(`UPDATE documents SET state = 'sending', next_attempt_at = NULL`)
      .run();
    await engines.stop(first);

    sandbox.setFaults({});
    const second = await engineFor(dataDir);
    await second.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.every((id) => engineInternals(second).repo.get(id)!.state === 'accepted')).toBe(
      true,
    );
    const stats = sandbox.stats();
    expect(stats.batchReplays).toBe(1);
    expect(stats.acceptedDocuments).toBe(20);
    expect(stats.duplicateContentAccepts).toBe(0);
  });

  it('retries every item of a batch answered 503, then accepts them all once', async () => {
    sandbox.setFaults({ status503: { every: 1, max: 2 } });
    const engine = await engineFor(tempDir());
    const res = await engine.handlers['documents:add']({ files: makeInvoices(25, 'BUSY') });
    const ids = res.added.map((a) => a.id);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    expect(ids.every((id) => engineInternals(engine).repo.get(id)!.state === 'accepted')).toBe(
      true,
    );
    expect(sandbox.stats().faults.status503).toBe(2);
    expect(sandbox.stats().acceptedDocuments).toBe(25);
    // A 503 says nothing of the invoices: not counted as an attempt (walk 8).
    expect(ids.every((id) => engineInternals(engine).repo.get(id)!.attempts === 1)).toBe(true);
  });
});

/**
 * An access point that records every batch request, drops the connection on the first one (its
 * outcome is then unknown to the client) and accepts every item after that; `conflict` answers
 * 409 IDEMPOTENCY_KEY_REUSED to every batch instead.
 */
async function recordingBatchServer(mode: 'drop-first' | 'conflict') {
  const batches: { key: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = req.url ?? '';
      if (path.endsWith('/api/v1/send/batch')) {
        const body = Buffer.concat(chunks).toString('utf8');
        batches.push({ key: String(req.headers['idempotency-key']), body });
        if (mode === 'conflict') {
          json(409, { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'Key reused.' } });
          return;
        }
        if (batches.length === 1) {
          req.socket.destroy();
          return;
        }
        const items = (JSON.parse(body) as { documents: { id: string }[] }).documents;
        json(200, {
          batch_id: 'b1',
          total_count: items.length,
          accepted_count: items.length,
          rejected_count: 0,
          results: items.map((d, i) => ({ id: d.id, status: 'accepted', transaction_id: `t${i}` })),
        });
      } else if (path.includes('/participants/lookup')) {
        json(200, { found: true });
      } else if (path.endsWith('/peppol/version')) {
        // The client batches only where identical batches are said to be deduplicated.
        json(200, { version: 'recording', batch_idempotency: true });
      } else {
        json(200, { status: 'ok' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ap`;
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return { url, batches, close };
}

async function engineAt(endpoint: string): Promise<Engine> {
  const engine = await engines({
    endpoint,
    trackDelivery: false,
    timings: { retryBaseMs: 20, retryMaxMs: 50 },
  });
  return engine;
}

describe('batches whose outcome is unknown', () => {
  it('go again byte for byte under the same key, even when a due retry joined them first', async () => {
    const ap = await recordingBatchServer('drop-first');
    try {
      const engine = await engineAt(ap.url);
      engine.handlers['queue:pause'](undefined);
      const res = await engine.handlers['documents:add']({ files: makeInvoices(4, 'ORDER') });
      const ids = res.added.map((a) => a.id).sort((a, b) => a - b);
      await until(() => engineInternals(engine).repo.counts().queued === 4);
      // The newest document becomes a due retry: the send stage picks due retries first.
      engineInternals(engine)
        .db.prepare(
          "UPDATE documents SET state = 'retry_wait', next_attempt_at = 0, attempts = 1 WHERE id = ?",
        )
        .run(ids[3]);
      engine.handlers['queue:resume'](undefined);
      await until(() =>
        ids.every((id) => engineInternals(engine).repo.get(id)!.state === 'accepted'),
      );
      expect(ap.batches.length).toBe(2);
      expect(ap.batches[1]!.key).toBe(ap.batches[0]!.key);
      // Items in id order (what the database gives back for a re-send), and the same bytes.
      const itemIds = (body: string) =>
        (JSON.parse(body) as { documents: { id: string }[] }).documents.map((d) => d.id);
      const keys = ids.map((id) => engineInternals(engine).repo.get(id)!.idempotency_key);
      expect(itemIds(ap.batches[0]!.body)).toEqual(keys);
      expect(itemIds(ap.batches[1]!.body)).toEqual(keys);
      const sha = (body: string) => createHash('sha256').update(body).digest('hex');
      expect(sha(ap.batches[1]!.body)).toBe(sha(ap.batches[0]!.body));
    } finally {
      await ap.close();
    }
  });

  it('are not re-sent singly when the access point answers 409 for the batch key', async () => {
    const ap = await recordingBatchServer('conflict');
    try {
      const engine = await engineAt(ap.url);
      const res = await engine.handlers['documents:add']({ files: makeInvoices(3, 'CONFL') });
      const ids = res.added.map((a) => a.id);
      await until(() =>
        ids.every((id) => engineInternals(engine).repo.get(id)!.state === 'failed'),
      );
      expect(ap.batches.length).toBe(1);
      for (const id of ids) {
        const d = await engine.handlers['documents:get']({ id });
        expect(d.problem?.code).toBe('AP_CONFLICT');
        expect(d.problem?.action).toBe('none');
      }
    } finally {
      await ap.close();
    }
  });
});
