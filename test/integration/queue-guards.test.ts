import { afterEach, describe, expect, it } from 'vitest';
import { CANCEL_UNSAFE_MESSAGE, type Engine } from '../../app/engine';
import { invokeHandler } from '../../app/errors';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import type { FaultPlan } from '../../app/sandbox/types';
import { DataDirLockedError } from '../../app/store/data-dir-lock';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useEngines, type TestEngineOptions } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
// After the cleanups' hook: after-hooks run as a stack, so the engines stop before the sandboxes.
const engines = useEngines();
const tempDir = engines.tempDir;

async function sandboxWith(faults: FaultPlan = {}): Promise<SandboxHandle> {
  const sandbox = await startSandbox({ faults, latencyMs: 1, transactionStepMs: 20 });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

function engineOn(sandbox: SandboxHandle, extra: TestEngineOptions = {}): Promise<Engine> {
  // Stopped once by the helper, whether the test or the clean-up gets there first.
  return engines({
    endpoint: sandbox.url,
    trackDelivery: false,
    concurrency: 2,
    batching: false,
    coalesceMs: 20,
    timings: { retryBaseMs: 20, retryMaxMs: 200, pollInitialMs: 30, pollMaxMs: 100 },
    ...extra,
  });
}

async function add(engine: Engine, files: { name: string; bytes: Uint8Array }[]) {
  const res = await engine.handlers['documents:add']({ files });
  return res.added.map((a) => a.id);
}

const sends = (sandbox: SandboxHandle) =>
  sandbox.stats().requests.byEndpoint['POST /api/v1/send']?.total ?? 0;

describe('permanent refusals on single sends: failed after exactly one attempt, with the reason and the action', () => {
  const cases: [number, string, string][] = [
    [400, 'AP_REJECTED_INJECTED_400', 'fix-file'],
    [409, 'AP_CONFLICT', 'none'],
    [413, 'AP_TOO_LARGE', 'fix-file'],
    [415, 'AP_UNSUPPORTED', 'fix-file'],
  ];
  for (const [status, code, action] of cases) {
    it(`${status}`, async () => {
      const sandbox = await sandboxWith({ status: { every: 1, status } });
      const engine = await engineOn(sandbox);
      const [id] = await add(engine, makeInvoices(1, `P${status}`));
      await engine.waitUntilSettled([id!]);
      const doc = engineInternals(engine).repo.get(id!)!;
      expect(doc.state).toBe('failed');
      expect(doc.problem_code).toBe(code);
      expect(doc.problem_action).toBe(action);
      expect(doc.problem_message).toMatch(/\.$/);
      expect(doc.attempts).toBe(1);
      expect(sends(sandbox)).toBe(1);
      expect(sandbox.stats().faults.status).toBe(1);
      expect(sandbox.stats().acceptedDocuments).toBe(0);
      // The access point answered for this key: nothing of it can be out there, cancel is fine.
      expect(await engine.handlers['documents:cancel']({ ids: [id!] })).toEqual({
        cancelled: 1,
        undoToken: expect.any(String),
      });
    });
  }
});

describe("the API key refused on a single send (401, 403): not the document's failure", () => {
  for (const status of [401, 403]) {
    it(`${status}: back in the queue, no attempt counted, the queue held; cancel stays possible`, async () => {
      const sandbox = await sandboxWith({ status: { every: 1, status, max: 1 } });
      const engine = await engineOn(sandbox, { timings: { probeInitialMs: 60_000 } });
      const [id] = await add(engine, makeInvoices(1, `K${status}`));
      // A 401 is the key's; a 403 may be the invoice's: the header does not say the key is
      // wrong before the probe (a minute away here) says so.
      await expect
        .poll(async () => (await engine.handlers['connection:get'](undefined)).state, {
          timeout: 10_000,
          interval: 10,
        })
        .toBe(status === 401 ? 'refused' : 'checking');
      await expect
        .poll(() => engineInternals(engine).repo.get(id!)!.state, { timeout: 10_000, interval: 10 })
        .toBe('queued');
      const doc = engineInternals(engine).repo.get(id!)!;
      expect([doc.attempts, doc.problem_code, doc.send_outcome_unknown]).toEqual([0, null, 0]);
      expect(sends(sandbox)).toBe(1);
      // The access point answered for this key (nothing taken): cancel is safe.
      expect(await engine.handlers['documents:cancel']({ ids: [id!] })).toEqual({
        cancelled: 1,
        undoToken: expect.any(String),
      });
    });
  }
});

describe('a 403 about the document, not the key', () => {
  it('fails the invoice on its second 403 (a probe with the same key was answered in between) instead of holding the queue again and again', async () => {
    // Every send is refused with 403, the version call (the probe) is answered.
    const sandbox = await sandboxWith({ status: { every: 1, status: 403 } });
    const engine = await engineOn(sandbox, { timings: { probeInitialMs: 20, probeMaxMs: 40 } });
    const header: string[] = [];
    engine.on('connection:changed', (s) => header.push(s.state));
    const [id] = await add(engine, makeInvoices(1, 'F403'));
    await engine.waitUntilSettled([id!]);
    // The key was never said to be wrong: the header checked it, and the probe answered.
    expect(header).toContain('checking');
    expect(header).not.toContain('refused');
    const doc = engineInternals(engine).repo.get(id!)!;
    expect(doc.state).toBe('failed');
    expect(doc.problem_code).toBe('AP_FORBIDDEN');
    expect(doc.problem_message).toMatch(/accepts the API key but does not allow this invoice/);
    expect(sends(sandbox)).toBe(2);
    expect(sandbox.stats().acceptedDocuments).toBe(0);
  });
});

describe('cancel', () => {
  it('refuses documents whose last attempt may have reached the access point, and cancels the rest', async () => {
    const sandbox = await sandboxWith({ status503: { every: 1 } });
    const engine = await engineOn(sandbox, {
      timings: { retryBaseMs: 60_000, retryMaxMs: 60_000 },
    });
    const [waiting] = await add(engine, makeInvoices(1, 'CW'));
    await expect
      .poll(() => engineInternals(engine).repo.get(waiting!)?.state, { timeout: 10_000 })
      .toBe('retry_wait');
    const refused = await invokeHandler(engine.handlers, 'documents:cancel', { ids: [waiting] });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'CANCEL_UNSAFE', message: CANCEL_UNSAFE_MESSAGE },
    });
    expect(CANCEL_UNSAFE_MESSAGE).toMatch(/may already have reached the access point/);
    expect(engineInternals(engine).repo.get(waiting!)?.state).toBe('retry_wait');
    // The details say so, so the screen shows the reason instead of a Cancel that would fail.
    const detail = await engine.handlers['documents:get']({ id: waiting! });
    expect(detail.mayHaveReachedAccessPoint).toBe(true);
    // Mixed: the queued one (paused, never attempted) is cancelled, the other refused.
    await engine.handlers['queue:pause'](undefined);
    const [fresh] = await add(engine, makeInvoices(1, 'CF'));
    await expect
      .poll(() => engineInternals(engine).repo.get(fresh!)?.state, { timeout: 10_000 })
      .toBe('queued');
    expect(await engine.handlers['documents:cancel']({ ids: [fresh!, waiting!] })).toEqual({
      cancelled: 1,
      refused: [{ id: waiting, message: CANCEL_UNSAFE_MESSAGE }],
      undoToken: expect.any(String),
    });
    expect(engineInternals(engine).repo.get(fresh!)?.state).toBe('cancelled');
    expect((await engine.handlers['documents:get']({ id: fresh! })).mayHaveReachedAccessPoint).toBe(
      false,
    );
  });

  it('refuses a document that used up its attempts on unanswered errors, even after a retry reset them', async () => {
    const sandbox = await sandboxWith({ status: { every: 1, status: 500 } });
    const engine = await engineOn(sandbox);
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const [id] = await add(engine, makeInvoices(1, 'CX'));
    await engine.waitUntilSettled([id!]);
    expect(engineInternals(engine).repo.get(id!)?.problem_code).toBe('ATTEMPTS_EXHAUSTED');
    expect((await invokeHandler(engine.handlers, 'documents:cancel', { ids: [id] })).ok).toBe(
      false,
    );
    await engine.handlers['queue:pause'](undefined);
    await engine.handlers['documents:retry']({ ids: [id!] });
    expect(engineInternals(engine).repo.get(id!)).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await invokeHandler(engine.handlers, 'documents:cancel', { ids: [id] })).ok).toBe(
      false,
    );
    // Retrying finds out, under the same key.
    sandbox.setFaults({});
    await engine.handlers['queue:resume'](undefined);
    await engine.waitUntilSettled([id!], { includeAccepted: true });
    expect(engineInternals(engine).repo.get(id!)?.state).toBe('accepted');
    expect(sandbox.stats().acceptedDocuments).toBe(1);
  });
});

describe('cancel after 429 answers (the access point did not process the request)', () => {
  it('cancels a document that only waited after 429s, and its Undo puts it back to wait', async () => {
    const sandbox = await sandboxWith({ status429: { every: 1, retryAfterSeconds: 60 } });
    const engine = await engineOn(sandbox, {
      timings: { retryBaseMs: 60_000, retryMaxMs: 60_000 },
    });
    const [id] = await add(engine, makeInvoices(1, 'C429'));
    await expect
      .poll(() => engineInternals(engine).repo.get(id!)?.state, { timeout: 10_000 })
      .toBe('retry_wait');
    const waiting = engineInternals(engine).repo.get(id!)!;
    expect(waiting.send_outcome_unknown).toBe(0);
    expect(waiting.next_attempt_at).toBeGreaterThan(Date.now());
    // The screen offers Cancel (no "may already have reached" reason).
    expect((await engine.handlers['documents:get']({ id: id! })).mayHaveReachedAccessPoint).toBe(
      false,
    );
    const res = await engine.handlers['documents:cancel']({ ids: [id!] });
    expect(res).toEqual({ cancelled: 1, undoToken: expect.any(String) });
    expect(engineInternals(engine).repo.get(id!)?.state).toBe('cancelled');
    expect(await engine.handlers['documents:uncancel']({ undoToken: res.undoToken! })).toEqual({
      restored: 1,
    });
    expect(engineInternals(engine).repo.get(id!)).toMatchObject({
      state: 'retry_wait',
      next_attempt_at: waiting.next_attempt_at,
      problem_code: waiting.problem_code,
    });
    expect(sandbox.stats().acceptedDocuments).toBe(0);
  });

  it('still refuses when an earlier attempt got no answer (a 503, then a 429)', async () => {
    const sandbox = await sandboxWith({ status503: { every: 1, max: 1 } });
    const engine = await engineOn(sandbox, {
      timings: { retryBaseMs: 60_000, retryMaxMs: 60_000 },
    });
    const [id] = await add(engine, makeInvoices(1, 'C5029'));
    await expect
      .poll(() => engineInternals(engine).repo.get(id!)?.state, { timeout: 10_000 })
      .toBe('retry_wait');
    expect(engineInternals(engine).repo.get(id!)?.send_outcome_unknown).toBe(1);
    // The clerk's Retry sends it now, and this attempt is answered 429: the 503's doubt stands.
    sandbox.setFaults({ status429: { every: 1, retryAfterSeconds: 60 } });
    await engine.handlers['documents:retry']({ ids: [id!] });
    await expect.poll(() => sends(sandbox), { timeout: 10_000 }).toBe(2);
    await expect
      .poll(() => engineInternals(engine).repo.get(id!)?.state, { timeout: 10_000 })
      .toBe('retry_wait');
    expect(engineInternals(engine).repo.get(id!)?.send_outcome_unknown).toBe(1);
    expect((await engine.handlers['documents:get']({ id: id! })).mayHaveReachedAccessPoint).toBe(
      true,
    );
    const refused = await invokeHandler(engine.handlers, 'documents:cancel', { ids: [id] });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'CANCEL_UNSAFE', message: CANCEL_UNSAFE_MESSAGE },
    });
  });

  // A 429 is not processed, so it never makes a document uncancellable, and it never uses up
  // its tries either (walk 4: a minute of quota left invoices Failed).
  it('lets the clerk cancel a document that waits after 429s only, not one whose last try got a 500', async () => {
    const sandbox = await sandboxWith({ status429: { every: 1, retryAfterSeconds: 600 } });
    const engine = await engineOn(sandbox);
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const [only429] = await add(engine, makeInvoices(1, 'CX429'));
    await expect
      .poll(() => engineInternals(engine).repo.get(only429!)!.state, { timeout: 10_000 })
      .toBe('retry_wait');
    expect(engineInternals(engine).repo.get(only429!)).toMatchObject({
      attempts: 0,
      send_outcome_unknown: 0,
    });
    expect(await engine.handlers['documents:cancel']({ ids: [only429!] })).toMatchObject({
      cancelled: 1,
    });
    // A 429 (not counted), then a 500 on each of the two tries: it may have been accepted. (Its
    // own access point: the first one's Retry-After of 600 s holds every send there.)
    const other = await sandboxWith({
      status429: { every: 1, max: 1, retryAfterSeconds: 0 },
      status: { every: 1, status: 500 },
    });
    const second = await engineOn(other);
    await second.handlers['settings:set']({ maxAttempts: 2 });
    const [last500] = await add(second, makeInvoices(1, 'CX500'));
    await second.waitUntilSettled([last500!]);
    expect(other.stats().faults).toMatchObject({ status429: 1, status: 2 });
    expect(engineInternals(second).repo.get(last500!)).toMatchObject({
      state: 'failed',
      problem_code: 'ATTEMPTS_EXHAUSTED',
      attempts: 2,
      send_outcome_unknown: 1,
    });
    expect((await invokeHandler(second.handlers, 'documents:cancel', { ids: [last500] })).ok).toBe(
      false,
    );
  });
});

describe('retry', () => {
  it('asks for the receiver again instead of re-using the cached "not registered" answer', async () => {
    const sandbox = await sandboxWith();
    const engine = await engineOn(sandbox);
    const [id] = await add(engine, [
      { name: 'nr.xml', bytes: makeInvoice('NR-1', { receiver: '9915:not-registered' }) },
    ]);
    await engine.waitUntilSettled([id!]);
    expect(engineInternals(engine).repo.get(id!)?.state).toBe('unreachable');
    const lookups = () =>
      sandbox.stats().requests.byEndpoint['GET /api/v1/participants/lookup']?.total ?? 0;
    expect(lookups()).toBe(1);
    expect(await engine.handlers['documents:retry']({ ids: [id!] })).toEqual({ retried: 1 });
    await expect.poll(() => lookups(), { timeout: 10_000 }).toBe(2);
    await engine.waitUntilSettled([id!]);
    expect(engineInternals(engine).repo.get(id!)?.state).toBe('unreachable');
  });

  it('sends again under a new idempotency key after the delivery failed, and records it', async () => {
    const sandbox = await sandboxWith();
    const engine = await engineOn(sandbox, { trackDelivery: true });
    const [id] = await add(engine, [
      { name: 'cert.xml', bytes: makeInvoice('DF-1', { receiver: '9915:invalid-cert' }) },
    ]);
    await engine.waitUntilSettled([id!]);
    const first = engineInternals(engine).repo.get(id!)!;
    expect(first.problem_code).toBe('DELIVERY_FAILED');
    await engine.handlers['documents:retry']({ ids: [id!] });
    await engine.waitUntilSettled([id!]);
    // The buyer was checked again before it went (walk 19: sent again to a buyer the access
    // point had just found not registered); a fresh cached answer may serve.
    const states = engineInternals(engine)
      .repo.timeline(id!)
      .map((e) => e.to);
    expect(states.slice(states.indexOf('failed'))).toEqual([
      'failed',
      'ready',
      'resolving',
      'queued',
      'sending',
      'accepted',
      'failed',
    ]);
    const second = engineInternals(engine).repo.get(id!)!;
    expect(second.idempotency_key).not.toBe(first.idempotency_key);
    expect(second.transaction_id).not.toBe(first.transaction_id);
    expect(sandbox.stats().acceptedDocuments).toBe(2);
    expect(sandbox.stats().idempotentReplays).toBe(0);
    // Issue 11: no idempotency key on the clerk's timeline (was: the new key in the text).
    const note = engineInternals(engine)
      .repo.timeline(id!)
      .find((e) => e.detail?.includes('new submission'));
    expect(note?.detail).not.toContain(second.idempotency_key);
    expect(note?.detail).toContain(first.transaction_id!);
  });
});

describe('duplicate guard', () => {
  it('holds the same bytes under another name, reports the same file as already known, and sends anyway on request', async () => {
    const sandbox = await sandboxWith();
    const engine = await engineOn(sandbox);
    const bytes = makeInvoice('SAME-1');
    const [a] = await add(engine, [{ name: 'a.xml', bytes }]);
    await engine.waitUntilSettled([a!], { includeAccepted: true });
    const again = await engine.handlers['documents:add']({ files: [{ name: 'a.xml', bytes }] });
    expect(again).toEqual({ added: [], known: [{ id: a, fileName: 'a.xml' }], rejected: [] });
    const copy = await engine.handlers['documents:add']({
      files: [{ name: 'copy of a.xml', bytes }],
    });
    const b = copy.added[0]!.id;
    expect(b).not.toBe(a);
    await engine.waitUntilSettled([b]);
    const held = await engine.handlers['documents:get']({ id: b });
    expect(held.state).toBe('held');
    expect(held.problem?.code).toBe('DUPLICATE_CONTENT');
    expect(held.problem?.action).toBe('decide');
    // The first document by name and link; no time (stored words keep no time zone).
    expect(held.problem?.message).toMatch(
      new RegExp(`^Same content as a\\.xml \\(document #${a}\\), added before it\\. `),
    );
    expect(held.invoiceNumber).toBe('SAME-1');
    expect(sends(sandbox)).toBe(1);
    expect(await engine.handlers['documents:sendAnyway']({ ids: [b] })).toEqual({ released: 1 });
    await engine.waitUntilSettled([b], { includeAccepted: true });
    expect(engineInternals(engine).repo.get(b)?.state).toBe('accepted');
    expect(sandbox.stats().acceptedDocuments).toBe(2);
  });

  it('lets a corrected file through when the earlier one with that number never reached the buyer', async () => {
    const sandbox = await sandboxWith();
    const engine = await engineOn(sandbox);
    const [wrong] = await add(engine, [
      { name: 'wrong.xml', bytes: makeInvoice('FIX-1', { receiver: '9915:not-registered' }) },
    ]);
    await engine.waitUntilSettled([wrong!]);
    expect(engineInternals(engine).repo.get(wrong!)?.state).toBe('unreachable');
    const [fixed] = await add(engine, [{ name: 'fixed.xml', bytes: makeInvoice('FIX-1') }]);
    await engine.waitUntilSettled([fixed!], { includeAccepted: true });
    expect(engineInternals(engine).repo.get(fixed!)?.state).toBe('accepted');
  });

  it('does not hold a file whose twin was cancelled', async () => {
    const sandbox = await sandboxWith();
    const engine = await engineOn(sandbox);
    await engine.handlers['queue:pause'](undefined);
    const bytes = makeInvoice('CAN-1');
    const [a] = await add(engine, [{ name: 'a.xml', bytes }]);
    await expect
      .poll(() => engineInternals(engine).repo.get(a!)?.state, { timeout: 10_000 })
      .toBe('queued');
    await engine.handlers['documents:cancel']({ ids: [a!] });
    const [b] = await add(engine, [{ name: 'b.xml', bytes }]);
    await expect
      .poll(() => engineInternals(engine).repo.get(b!)?.state, { timeout: 10_000 })
      .toBe('queued');
  });
});

describe('delivery tracking of documents sent without it', () => {
  it('an engine with tracking on picks up documents another run accepted without tracking', async () => {
    const sandbox = await sandboxWith();
    const dataDir = tempDir();
    const cli = await engineOn(sandbox, { dataDir, trackDelivery: false });
    const ids = await add(cli, makeInvoices(3, 'UT'));
    await cli.waitUntilSettled(ids, { includeAccepted: true });
    for (const id of ids)
      expect(engineInternals(cli).repo.get(id)).toMatchObject({ state: 'accepted' });
    await cli.stop();
    const app = await engineOn(sandbox, { dataDir, trackDelivery: true });
    await app.waitUntilSettled(ids);
    for (const id of ids) expect(engineInternals(app).repo.get(id)?.state).toBe('delivered');
  });
});

describe('one engine per data folder', () => {
  it('refuses a second engine on the same folder with a clear error, and allows it once the first stopped', async () => {
    const sandbox = await sandboxWith();
    const dataDir = tempDir();
    const first = await engineOn(sandbox, { dataDir });
    const second = engineOn(sandbox, { dataDir });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      message: `Peppol Desk is already running with this data folder (pid ${process.pid}). Close it or use --data-dir.`,
    });
    // Read-and-exit tools (list, cancel) do not take the folder.
    const reader = await engineOn(sandbox, { dataDir, autoStart: false });
    await reader.stop();
    await first.stop();
    const third = await engineOn(sandbox, { dataDir });
    expect(engineInternals(third).repo.counts().received).toBe(0);
  });
});
