import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { invokeHandler } from '../../app/errors';
import {
  makeCreditNote,
  makeInvoice,
  makeInvoiceWithWrongTotal,
  makeInvoices,
} from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines();
const tempDir = engines.tempDir;

function engine(dataDir = tempDir(), pollInitialMs = 30): Promise<Engine> {
  return engines({
    dataDir,
    sandboxStepMs: 20,
    timings: { pollInitialMs, pollMaxMs: Math.max(100, pollInitialMs) },
  });
}

describe('connection state on start', () => {
  it('says Online before anything is sent when the access point answers', async () => {
    const e = await engine();
    await expect
      .poll(async () => (await e.handlers['connection:get'](undefined)).state)
      .toBe('online');
    expect(engineInternals(e).repo.counts().accepted).toBe(0);
  });

  it('says Offline before anything is sent when the access point cannot be reached', async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const e = await engines({
      endpoint: `http://127.0.0.1:${port}/peppol-api`,
    });
    await expect
      .poll(async () => (await e.handlers['connection:get'](undefined)).state)
      .toBe('offline');
  });
});

describe('engine with the in-process sandbox', () => {
  it('labels itself Sandbox and sends added documents through to delivered', async () => {
    const e = await engine();
    expect(e.environment).toBe('sandbox');
    expect(engineInternals(e).sandbox).not.toBeNull();
    const events: number[][] = [];
    e.on('documents:changed', (p) => events.push(p.ids));
    const res = await e.handlers['documents:add']({ files: makeInvoices(5) });
    expect(res.added).toHaveLength(5);
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids);
    for (const id of ids) {
      const d = await e.handlers['documents:get']({ id });
      expect(d.state).toBe('delivered');
      expect(d.transactionId).toBeTruthy();
      expect(d.timeline.map((t) => t.to)).toEqual([
        'received',
        'validating',
        'ready',
        'resolving',
        'queued',
        'sending',
        'accepted',
        'delivered',
      ]);
      expect(d.summary?.invoiceNumber).toMatch(/^INV-/);
    }
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(40); // coalesced, not one event per transition
  });

  it('reports re-added identical files as already known, not as new documents', async () => {
    const e = await engine();
    const files = makeInvoices(2);
    const first = await e.handlers['documents:add']({ files });
    const again = await e.handlers['documents:add']({ files });
    expect(again.added).toEqual([]);
    expect(again.known.map((k) => k.id)).toEqual(first.added.map((a) => a.id));
  });

  it('holds a different file with the same seller and invoice number as a duplicate, and sends it on request', async () => {
    const e = await engine();
    const a = await e.handlers['documents:add']({
      files: [{ name: 'a.xml', bytes: makeInvoice('DUP-1') }],
    });
    await e.waitUntilSettled(
      a.added.map((x) => x.id),
      { includeAccepted: true },
    );
    const b = await e.handlers['documents:add']({
      files: [{ name: 'b.xml', bytes: makeInvoice('DUP-1', { note: 'changed' }) }],
    });
    const id = b.added[0]!.id;
    await e.waitUntilSettled([id]);
    let d = await e.handlers['documents:get']({ id });
    expect(d.state).toBe('held');
    expect(d.problem?.code).toBe('DUPLICATE');
    expect(d.problem?.action).toBe('decide');
    // The first one went out: the words say so, and how a sent invoice is corrected.
    expect(d.problem?.message).toBe(
      `Invoice DUP-1 from this seller was already sent (document #${a.added[0]!.id}) with different content: if this corrects it, the first one is on its way to the buyer or with the buyer already, which is usually corrected with a credit note and a new number. Send it anyway only if this is meant as a separate invoice; otherwise cancel it.`,
    );
    expect(await e.handlers['documents:sendAnyway']({ ids: [id] })).toEqual({ released: 1 });
    await e.waitUntilSettled([id], { includeAccepted: true });
    d = await e.handlers['documents:get']({ id });
    expect(['accepted', 'delivered']).toContain(d.state);
  });

  it('does not add an office lock file chosen on its own, and says what it is (walk 21b)', async () => {
    const e = await engine();
    const res = await e.handlers['documents:add']({
      files: [{ name: 'march/~$INV-1.xml', bytes: new TextEncoder().encode('\u0005anna  ') }],
    });
    expect(res.added).toEqual([]);
    expect(res.rejected).toEqual([
      {
        fileName: 'march/~$INV-1.xml',
        message:
          'This is an office lock file (Word, Excel or LibreOffice keeps one beside a file it has open), not an invoice: it was not added.',
      },
    ]);
  });

  // Walk 25 B2: README says a file chosen on its own is added whatever its name.
  it('adds an invoice whose name only looks like a lock file', async () => {
    const e = await engine();
    const res = await e.handlers['documents:add']({
      files: [{ name: '~$lock.xml', bytes: makeInvoice('LOCKNAME-1') }],
    });
    expect(res.rejected).toEqual([]);
    expect(res.added.map((a) => a.fileName)).toEqual(['~$lock.xml']);
  });

  it('marks unreadable and non-invoice files invalid with a plain reason, and rejects empty ones', async () => {
    const e = await engine();
    const res = await e.handlers['documents:add']({
      files: [
        { name: 'junk.xml', bytes: new TextEncoder().encode('%PDF-1.4 not xml') },
        { name: 'empty.xml', bytes: new Uint8Array() },
        { name: 'other.xml', bytes: new TextEncoder().encode('<Order xmlns="urn:x"/>') },
      ],
    });
    expect(res.rejected.map((r) => r.fileName)).toEqual(['empty.xml']);
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids);
    for (const id of ids) {
      const d = await e.handlers['documents:get']({ id });
      expect(d.state).toBe('invalid');
      expect(d.problem?.action).toBe('fix-file');
      expect(d.problem?.message.length).toBeGreaterThan(20);
    }
  });

  it('marks receivers that are not on Peppol unreachable, and documents of a type the receiver refuses held', async () => {
    const e = await engine();
    const res = await e.handlers['documents:add']({
      files: [
        { name: 'nr.xml', bytes: makeInvoice('NR-1', { receiver: '9915:not-registered' }) },
        { name: 'cn.xml', bytes: makeInvoice('CN-1', { receiver: '9915:credit-note-only' }) },
      ],
    });
    const [nr, cn] = res.added.map((a) => a.id) as [number, number];
    await e.waitUntilSettled([nr, cn]);
    expect((await e.handlers['documents:get']({ id: nr })).state).toBe('unreachable');
    const held = await e.handlers['documents:get']({ id: cn });
    expect(held.state).toBe('held');
    expect(held.problem?.code).toBe('RECEIVER_DOES_NOT_ACCEPT');
    // Send anyway cannot release it (the network would refuse it), and says why (walk 9: a
    // selection's Send anyway said "released for sending" and it came back held).
    expect(await e.handlers['documents:sendAnyway']({ ids: [cn] })).toEqual({
      released: 0,
      stillHeld: [{ id: cn, message: held.problem!.message }],
    });
    const after = await e.handlers['documents:get']({ id: cn });
    expect([after.state, after.problem?.code]).toEqual(['held', 'RECEIVER_DOES_NOT_ACCEPT']);
    expect(after.timeline.at(-1)?.detail).toMatch(
      /^Send anyway asked by .+; not possible: the buyer's Peppol registration does not accept/,
    );
    // Retry asks the access point about the buyer again (the cached answer is not reused): it
    // goes on if the buyer takes invoices now; this one still does not, so it is held again.
    const lookups = () =>
      engineInternals(e).sandbox!.stats().requests.byEndpoint['GET /api/v1/participants/lookup']
        ?.total ?? 0;
    const asked = lookups();
    expect(await e.handlers['documents:retry']({ ids: [cn] })).toMatchObject({ retried: 1 });
    await e.waitUntilSettled([cn]);
    const again = await e.handlers['documents:get']({ id: cn });
    expect([again.state, again.problem?.code]).toEqual(['held', 'RECEIVER_DOES_NOT_ACCEPT']);
    expect(again.timeline.map((t) => t.detail)).toContain('Retry requested (new lookup)');
    expect(lookups()).toBe(asked + 1);
  });

  it('judges what a buyer accepts the same way once its answer is cached (checked and looked up in one write)', async () => {
    const e = await engine();
    const buyer = '9915:credit-note-only';
    const first = await e.handlers['documents:add']({
      files: [{ name: 'a.xml', bytes: makeInvoice('CAP-1', { receiver: buyer }) }],
    });
    await e.waitUntilSettled(first.added.map((a) => a.id));
    const lookups = () =>
      engineInternals(e).sandbox!.stats().requests.byEndpoint['GET /api/v1/participants/lookup']
        ?.total ?? 0;
    const asked = lookups();
    // The buyer's answer is cached now: these take it at their check, without a lookup.
    const later = await e.handlers['documents:add']({
      files: [
        { name: 'b.xml', bytes: makeInvoice('CAP-2', { receiver: buyer }) },
        { name: 'c.xml', bytes: makeCreditNote('CAP-3', { receiver: buyer }) },
      ],
    });
    const [b, c] = later.added.map((a) => a.id) as [number, number];
    await e.waitUntilSettled([b, c]);
    expect(lookups()).toBe(asked);
    const held = await e.handlers['documents:get']({ id: b });
    expect([held.state, held.problem?.code]).toEqual(['held', 'RECEIVER_DOES_NOT_ACCEPT']);
    expect(['accepted', 'delivered']).toContain(
      (await e.handlers['documents:get']({ id: c })).state,
    );
  });

  it('cancels documents that were not sent, and answers bad requests with error values', async () => {
    const e = await engine();
    await e.handlers['queue:pause'](undefined);
    const res = await e.handlers['documents:add']({ files: makeInvoices(2, 'P') });
    const ids = res.added.map((a) => a.id);
    // Paused: documents stop at queued.
    await expect.poll(() => engineInternals(e).repo.counts().queued, { timeout: 10_000 }).toBe(2);
    expect(await e.handlers['documents:cancel']({ ids })).toEqual({
      cancelled: 2,
      undoToken: expect.any(String),
    });
    expect(engineInternals(e).repo.counts().cancelled).toBe(2);
    const bad = await invokeHandler(e.handlers, 'documents:get', { id: 99999 });
    expect(bad).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'Document #99999 does not exist.' },
    });
    const unknown = await invokeHandler(e.handlers, 'nope:nope', {});
    expect(unknown.ok).toBe(false);
  });

  it('keeps the queue and resumes unfinished work after a restart', async () => {
    const dir = tempDir();
    const e1 = await engine(dir);
    await e1.handlers['queue:pause'](undefined);
    const res = await e1.handlers['documents:add']({ files: makeInvoices(3, 'R') });
    await expect.poll(() => engineInternals(e1).repo.counts().queued, { timeout: 10_000 }).toBe(3);
    await engines.stop(e1);
    const e2 = await engine(dir);
    expect((await e2.handlers['connection:get'](undefined)).paused).toBe(true);
    await e2.handlers['queue:resume'](undefined);
    const ids = res.added.map((a) => a.id);
    await e2.waitUntilSettled(ids);
    for (const id of ids) expect(engineInternals(e2).repo.get(id)?.state).toBe('delivered');
  });

  it('validates settings and never returns the API key', async () => {
    const e = await engine();
    const s = await e.handlers['settings:set']({ apiKey: 'sk_test_secret', concurrency: 4 });
    expect(s.apiKeySet).toBe(true);
    expect(JSON.stringify(s)).not.toContain('sk_test_secret');
    const bad = await invokeHandler(e.handlers, 'settings:set', { endpoint: 'not a url' });
    expect(bad.ok).toBe(false);
    const plain = await invokeHandler(e.handlers, 'settings:set', {
      endpoint: 'http://example.com/api',
    });
    expect(plain).toMatchObject({ ok: false, error: { code: 'BAD_SETTING' } });
  });

  it('tracks delivery: delivered with the buyer response, failed delivery, and in-flight transactions', async () => {
    const e = await engine();
    const res = await e.handlers['documents:add']({
      files: [
        { name: 're.xml', bytes: makeInvoice('D-RE', { receiver: '9915:reject-all' }) },
        { name: 'cert.xml', bytes: makeInvoice('D-CERT', { receiver: '9915:invalid-cert' }) },
        { name: 'slow.xml', bytes: makeInvoice('D-SLOW', { receiver: '9915:timeout-test' }) },
      ],
    });
    const [re, cert, slow] = res.added.map((a) => a.id) as [number, number, number];
    await e.waitUntilSettled([re, cert]);
    await expect
      .poll(async () => (await e.handlers['documents:get']({ id: re })).businessResponse, {
        timeout: 10_000,
      })
      .toBe('RE');
    // Issue 11: the buyer's rejection is a state of its own (was: delivered with response RE).
    const delivered = await e.handlers['documents:get']({ id: re });
    expect(delivered.state).toBe('rejected');
    expect(delivered.deliveredAt).toBeGreaterThan(0);
    expect(delivered.problem?.code).toBe('BUYER_REJECTED');
    expect(delivered.businessResponseNote).toContain('order reference');
    expect(delivered.businessResponseAt).toBeGreaterThanOrEqual(delivered.deliveredAt!);
    expect(delivered.timeline.map((t) => t.to)).toEqual(
      expect.arrayContaining(['accepted', 'delivered', 'rejected']),
    );
    expect(delivered.timeline.at(-1)?.detail).toContain('Rejected by buyer');
    const failed = await e.handlers['documents:get']({ id: cert });
    expect(failed.state).toBe('failed');
    expect(failed.problem?.code).toBe('DELIVERY_FAILED');
    expect((await e.handlers['documents:get']({ id: slow })).state).toBe('accepted');
  });

  it('gives each buyer response from the sandbox a state of its own, counted and filtered as such', async () => {
    const e = await engine();
    const codes = ['AB', 'IP', 'UQ', 'CA', 'AP', 'RE', 'PD'] as const;
    const res = await e.handlers['documents:add']({
      files: codes.map((c) => ({
        name: `${c}.xml`,
        bytes: makeInvoice(`BR-${c}`, { receiver: `9915:respond-${c.toLowerCase()}` }),
      })),
    });
    const ids = res.added.map((a) => a.id);
    const expected = {
      AB: 'acknowledged',
      IP: 'in_process',
      UQ: 'under_query',
      CA: 'conditionally_accepted',
      AP: 'buyer_accepted',
      RE: 'rejected',
      PD: 'paid',
    };
    await expect
      .poll(() => codes.map((_, i) => engineInternals(e).repo.get(ids[i]!)?.state), {
        timeout: 10_000,
      })
      .toEqual(codes.map((c) => expected[c]));
    const rejected = await e.handlers['documents:get']({ id: ids[5]! });
    expect(rejected.businessResponse).toBe('RE');
    expect(rejected.businessResponseNote).toMatch(/VAT rate/);
    expect(rejected.problem?.message).toMatch(/buyer rejected this invoice.*VAT rate/);
    // Walk 4: a condition read as a plain success; the buyer's words now lead the detail.
    const conditional = await e.handlers['documents:get']({ id: ids[3]! });
    expect(conditional.businessResponseNote).toEqual(expect.any(String));
    expect(conditional.problem).toEqual({
      code: 'BUYER_CONDITION',
      message: expect.stringContaining(
        `The buyer accepted this invoice on a condition: "${conditional.businessResponseNote!.replace(/[.!?]$/, '')}`,
      ),
      action: 'none',
    });
    expect((await e.handlers['documents:get']({ id: ids[4]! })).problem).toBeNull();
    const list = async (filter: 'attention' | 'sent' | 'responded') =>
      (await e.handlers['documents:list']({ filter })).rows.map((r) => r.invoiceNumber).sort();
    // A rejection, a query or a condition needs the clerk and never counts as sent.
    expect(await list('attention')).toEqual(['BR-CA', 'BR-RE', 'BR-UQ']);
    expect(await list('sent')).toEqual(['BR-AB', 'BR-AP', 'BR-IP', 'BR-PD']);
    expect(await list('responded')).toHaveLength(7);
    const all = await e.handlers['documents:list']({ filter: 'all' });
    const row = all.rows.find((r) => r.id === ids[6]);
    expect(row?.businessResponse).toBe('PD');
  });

  it('a corrected file supersedes the invalid one with the same seller, number and type; both timelines link', async () => {
    const e = await engine();
    const bad = Buffer.from(makeInvoice('FIX-1'))
      .toString('utf8')
      .replace(
        /<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/,
        '<cbc:IssueDate>not-a-date</cbc:IssueDate>',
      );
    const first = await e.handlers['documents:add']({
      files: [{ name: 'fix-1.xml', bytes: Buffer.from(bad) }],
    });
    const oldId = first.added[0]!.id;
    await e.waitUntilSettled([oldId]);
    expect(engineInternals(e).repo.get(oldId)?.state).toBe('invalid');
    const second = await e.handlers['documents:add']({
      files: [{ name: 'fix-1-corrected.xml', bytes: makeInvoice('FIX-1') }],
    });
    const newId = second.added[0]!.id;
    await e.waitUntilSettled([newId]);
    // Sent, not held as a duplicate of its failure; the old one left Needs attention.
    expect(engineInternals(e).repo.get(newId)?.state).toBe('delivered');
    expect(engineInternals(e).repo.get(oldId)?.state).toBe('superseded');
    const attention = await e.handlers['documents:list']({ filter: 'attention' });
    expect(attention.rows.map((r) => r.id)).not.toContain(oldId);
    expect(engineInternals(e).repo.timeline(oldId).at(-1)?.detail).toContain(`document #${newId}`);
    expect(
      engineInternals(e)
        .repo.timeline(newId)
        .map((t) => t.detail)
        .join('\n'),
    ).toContain(`fix-1.xml (document #${oldId}), which needed fixing`);
  });

  it('polls many accepted documents with one list request instead of one request each', async () => {
    // A first poll well after all 40 are accepted, so they come due together.
    const e = await engine(tempDir(), 1500);
    const res = await e.handlers['documents:add']({ files: makeInvoices(40, 'POLL') });
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids);
    for (const id of ids) expect(engineInternals(e).repo.get(id)?.state).toBe('delivered');
    const by = engineInternals(e).sandbox!.stats().requests.byEndpoint;
    const single = by['GET /api/v1/transactions/{id}']?.total ?? 0;
    const listed = by['GET /api/v1/transactions']?.total ?? 0;
    expect(listed).toBeGreaterThan(0);
    expect(single).toBeLessThan(40);
  });

  it('shows the cached receiver lookup with its age, and refreshes it on request', async () => {
    const e = await engine();
    const res = await e.handlers['documents:add']({ files: makeInvoices(3, 'LK') });
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids);
    const lookups = () =>
      engineInternals(e).sandbox!.stats().requests.byEndpoint['GET /api/v1/participants/lookup']
        ?.total ?? 0;
    // Three documents for one receiver: one lookup.
    expect(lookups()).toBe(1);
    const d = await e.handlers['documents:get']({ id: ids[0]! });
    expect(d.lookup).toMatchObject({ participantId: '0208:0987654394', found: true });
    expect(d.lookup!.fetchedAt).toBeGreaterThan(0);
    const refreshed = await e.handlers['lookup:refresh']({ id: ids[0]! });
    expect(refreshed.fetchedAt).toBeGreaterThanOrEqual(d.lookup!.fetchedAt);
    expect(lookups()).toBe(2);
  });

  it('asks the access point to validate too when the setting is on', async () => {
    const e = await engine();
    const s = await e.handlers['settings:set']({ remoteValidation: true });
    expect(s.remoteValidation).toBe(true);
    const res = await e.handlers['documents:add']({ files: makeInvoices(3, 'RV') });
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids);
    for (const id of ids) expect(engineInternals(e).repo.get(id)?.state).toBe('delivered');
    expect(
      engineInternals(e).sandbox!.stats().requests.byEndpoint['POST /api/v1/validate']?.total,
    ).toBe(3);
  });

  describe("when our check and the access point's disagree (issue 10)", () => {
    const wrongTotal = makeInvoiceWithWrongTotal;

    it('holds an invoice ours calls invalid and the access point valid, with both verdicts', async () => {
      const e = await engine();
      await e.handlers['settings:set']({ remoteValidation: true });
      const res = await e.handlers['documents:add']({
        files: [{ name: 'D1.xml', bytes: wrongTotal('DIS-1') }],
      });
      const id = res.added[0]!.id;
      await e.waitUntilSettled([id]);
      const d = await e.handlers['documents:get']({ id });
      expect(d.state).toBe('held');
      expect(d.problem?.code).toBe('CHECKS_DISAGREE');
      expect(d.problem?.action).toBe('decide');
      expect(d.problem?.message).toMatch(/Our check found 1 error \(BR-CO-16\)/);
      expect(d.problem?.message).toMatch(/access point's own check accepts it/);
      expect(d.validation?.checksDisagree).toBe(true);
      expect(d.validation?.accessPoint).toEqual({ valid: true, errors: [], warnings: [] });
      expect(d.validation?.findings.map((f) => f.rule)).toContain('BR-CO-16');

      const r = await e.handlers['documents:sendAnyway']({ ids: [id] });
      expect(r).toEqual({ released: 1 });
      await e.waitUntilSettled([id]);
      const after = await e.handlers['documents:get']({ id });
      expect(after.state).toBe('delivered');
      const decision = after.timeline.find((t) => t.detail?.startsWith('Sent anyway by'));
      expect(decision?.detail).toMatch(
        /^Sent anyway by the user.* although our check found 1 error \(BR-CO-16\); the access point's check accepted it$/,
      );
      expect(decision?.from).toBe('held');
    });

    it('holds an invoice ours calls valid and the access point invalid, with its messages', async () => {
      const e = await engine();
      await e.handlers['settings:set']({ remoteValidation: true });
      engineInternals(e).sandbox!.setFaults({
        validateVerdict: {
          valid: false,
          errors: [{ rule: 'AP-42', location: '/Invoice', message: 'Seller unknown to us.' }],
        },
      });
      const res = await e.handlers['documents:add']({
        files: [{ name: 'D2.xml', bytes: makeInvoice('DIS-2') }],
      });
      const id = res.added[0]!.id;
      await e.waitUntilSettled([id]);
      const d = await e.handlers['documents:get']({ id });
      expect(d.state).toBe('held');
      expect(d.problem?.code).toBe('CHECKS_DISAGREE');
      expect(d.problem?.message).toMatch(
        /access point's own check rejects this invoice: Seller unknown to us\. \(AP-42\)\. Our check found no error/,
      );
      expect(d.validation?.findings.filter((f) => f.flag === 'fatal')).toEqual([]);
      expect(d.validation?.accessPoint?.valid).toBe(false);
      expect(d.validation?.accessPoint?.errors[0]?.rule).toBe('AP-42');

      engineInternals(e).sandbox!.setFaults({});
      await e.handlers['documents:sendAnyway']({ ids: [id] });
      await e.waitUntilSettled([id]);
      const after = await e.handlers['documents:get']({ id });
      expect(after.state).toBe('delivered');
      expect(after.timeline.map((t) => t.detail)).toContainEqual(
        expect.stringMatching(
          /^Sent anyway by the user.* although the access point's check rejected it \(AP-42\); our check found no error$/,
        ),
      );
    });

    it('keeps an invoice both checks reject invalid, with both reasons to fix', async () => {
      const e = await engine();
      await e.handlers['settings:set']({ remoteValidation: true });
      engineInternals(e).sandbox!.setFaults({ validateVerdict: { valid: false } });
      const res = await e.handlers['documents:add']({
        files: [{ name: 'D3.xml', bytes: wrongTotal('DIS-3') }],
      });
      const id = res.added[0]!.id;
      await e.waitUntilSettled([id]);
      const d = await e.handlers['documents:get']({ id });
      expect(d.state).toBe('invalid');
      expect(d.problem?.code).toBe('VALIDATION');
      expect(d.validation?.checksDisagree).toBe(false);
      expect(d.validation?.findings.map((f) => f.rule)).toEqual(
        expect.arrayContaining(['BR-CO-16', 'SANDBOX-VALIDATOR']),
      );
    });

    it('asks the second question after "Send anyway" on a duplicate whose checks disagree', async () => {
      const e = await engine();
      await e.handlers['settings:set']({ remoteValidation: true });
      await e.handlers['queue:pause'](undefined);
      const bytes = wrongTotal('DIS-4');
      const first = await e.handlers['documents:add']({ files: [{ name: 'D4.xml', bytes }] });
      const firstId = first.added[0]!.id;
      await e.waitUntilSettled([firstId]);
      // Released, the first one waits in the paused queue: the second is its content twin.
      expect((await e.handlers['documents:sendAnyway']({ ids: [firstId] })).released).toBe(1);
      await expect.poll(() => engineInternals(e).repo.get(firstId)?.state).toBe('queued');
      const second = await e.handlers['documents:add']({
        files: [{ name: 'D4-again.xml', bytes }],
      });
      const id = second.added[0]!.id;
      await e.waitUntilSettled([id]);
      expect(engineInternals(e).repo.get(id)?.problem_code).toBe('DUPLICATE_CONTENT');

      const r = await e.handlers['documents:sendAnyway']({ ids: [id] });
      expect(r.released).toBe(0);
      expect(r.stillHeld?.[0]?.id).toBe(id);
      expect(r.stillHeld?.[0]?.message).toMatch(/Our check found 1 error \(BR-CO-16\)/);
      const d = await e.handlers['documents:get']({ id });
      expect(d.state).toBe('held');
      expect(d.problem?.code).toBe('CHECKS_DISAGREE');

      expect((await e.handlers['documents:sendAnyway']({ ids: [id] })).released).toBe(1);
      expect(engineInternals(e).repo.get(id)?.state).toBe('ready');
    });
  });
});

describe('undo of a cancel (documents:uncancel)', () => {
  it('puts the documents of that cancel back where they were, with their problem', async () => {
    const e = await engine();
    const res = await e.handlers['documents:add']({
      files: [
        { name: 'nr.xml', bytes: makeInvoice('UNDO-NR', { receiver: '9915:not-registered' }) },
        { name: 'cn.xml', bytes: makeInvoice('UNDO-CN', { receiver: '9915:credit-note-only' }) },
      ],
    });
    const [nr, cn] = res.added.map((a) => a.id) as [number, number];
    await e.waitUntilSettled([nr, cn]);
    const before = await e.handlers['documents:get']({ id: nr });
    expect(before.state).toBe('unreachable');
    expect(engineInternals(e).repo.get(cn)?.state).toBe('held');

    const cancel = await e.handlers['documents:cancel']({ ids: [nr, cn] });
    expect(cancel.cancelled).toBe(2);
    expect(engineInternals(e).repo.get(nr)?.state).toBe('cancelled');
    const token = cancel.undoToken!;
    expect(token).toEqual(expect.any(String));

    expect(await e.handlers['documents:uncancel']({ undoToken: token })).toEqual({ restored: 2 });
    const after = await e.handlers['documents:get']({ id: nr });
    expect(after.state).toBe('unreachable');
    expect(after.problem).toEqual(before.problem);
    const held = await e.handlers['documents:get']({ id: cn });
    expect(held.state).toBe('held');
    expect(held.problem?.code).toBe('RECEIVER_DOES_NOT_ACCEPT');
    expect(after.timeline.at(-1)?.detail).toMatch(/^Cancel undone by /);

    // Used once: a second Undo is refused in words, and changes nothing.
    const again = await invokeHandler(e.handlers, 'documents:uncancel', { undoToken: token });
    expect(again).toEqual({
      ok: false,
      error: { code: 'UNDO_EXPIRED', message: expect.stringMatching(/too late to undo/) },
    });
    expect(engineInternals(e).repo.get(nr)?.state).toBe('unreachable');
  });

  it('restores only what that cancel cancelled and is still cancelled', async () => {
    const e = await engine();
    await e.handlers['queue:pause'](undefined);
    const res = await e.handlers['documents:add']({ files: makeInvoices(3, 'UNDOQ') });
    const [a, b, c] = res.added.map((x) => x.id) as [number, number, number];
    await expect.poll(() => engineInternals(e).repo.counts().queued, { timeout: 10_000 }).toBe(3);
    const first = await e.handlers['documents:cancel']({ ids: [a, b] });
    const second = await e.handlers['documents:cancel']({ ids: [c] });
    // Undoing the second cancel leaves the first one's documents cancelled.
    expect(await e.handlers['documents:uncancel']({ undoToken: second.undoToken! })).toEqual({
      restored: 1,
    });
    expect(engineInternals(e).repo.get(c)?.state).toBe('queued');
    expect(engineInternals(e).repo.get(a)?.state).toBe('cancelled');
    expect(engineInternals(e).repo.get(b)?.state).toBe('cancelled');
    // Nothing cancelled, nothing to undo: no token.
    const none = await invokeHandler(e.handlers, 'documents:cancel', { ids: [a] });
    expect(none).toEqual({ ok: true, value: { cancelled: 0 } });
    expect(await e.handlers['documents:uncancel']({ undoToken: first.undoToken! })).toEqual({
      restored: 2,
    });
    expect([a, b, c].map((id) => engineInternals(e).repo.get(id)?.state)).toEqual([
      'queued',
      'queued',
      'queued',
    ]);
  });

  it('tells which document a held duplicate duplicates, for the side-by-side decision', async () => {
    const e = await engine();
    const first = await e.handlers['documents:add']({
      files: [{ name: 'dup-a.xml', bytes: makeInvoice('DUPCMP-1') }],
    });
    const a = first.added[0]!.id;
    await e.waitUntilSettled([a], { includeAccepted: true });
    const second = await e.handlers['documents:add']({
      files: [{ name: 'dup-b.xml', bytes: makeInvoice('DUPCMP-1', { note: 'second copy' }) }],
    });
    const b = second.added[0]!.id;
    await e.waitUntilSettled([b]);
    const held = await e.handlers['documents:get']({ id: b });
    expect(held.state).toBe('held');
    expect(held.problem?.code).toBe('DUPLICATE');
    expect(held.duplicateOf).toMatchObject({
      id: a,
      fileName: 'dup-a.xml',
      invoiceNumber: 'DUPCMP-1',
      // Walk 24 B9: its due date, for the comparison.
      dueDate: '2025-04-30',
    });
    expect((await e.handlers['documents:get']({ id: a })).duplicateOf).toBeNull();
  });
});
