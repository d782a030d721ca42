/**
 * A file practised with in the built-in Sandbox stands for nothing that was really sent (walk 9):
 * once invoices go for real, dropping the same month-end folder again adds and sends every file
 * (it was "0 added, 23 already known", and `send` counted them "sent before this run"), and a
 * copy under another name is not held as a duplicate of its practice. Practising, a file the
 * Sandbox has forgotten (it forgets on restart) may be added again, as its row says.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memorySecretStore, type Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { startDocAccessPoint, type DocAccessPoint } from '../helpers/doc-access-point.mjs';
import { useEngines } from '../helpers/engine';
import { makeInvoice, makeInvoiceWithWrongTotal, makeInvoices } from '../helpers/invoices';

const RECEIVER = '0208:0987654394';
const servers: DocAccessPoint[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const engines = useEngines({ trackDelivery: false, batching: false });

/** Add `files` and wait until each is final (accepted included); their ids. */
async function addAndSettle(e: Engine, files: { name: string; bytes: Uint8Array }[]) {
  const res = await e.handlers['documents:add']({ files });
  const ids = res.added.map((a) => a.id);
  await e.waitUntilSettled(ids, { includeAccepted: true });
  return { ...res, ids };
}

describe('practice that needs attention', () => {
  // Walk 22: right after connecting the real provider, "Needs attention 4" were all practice rows.
  it('is counted apart once invoices go for real, in the list and in the change events', async () => {
    const e = await engines({ secrets: memorySecretStore() });
    const practice = await addAndSettle(e, [
      { name: 'wrong-total.xml', bytes: makeInvoiceWithWrongTotal('PRACTICE-BAD') },
    ]);
    expect((await e.handlers['documents:get']({ id: practice.ids[0]! })).state).toBe('invalid');
    const ap = await startDocAccessPoint({ receivers: [RECEIVER] });
    servers.push(ap);
    await e.handlers['settings:set']({ endpoint: ap.url, apiKey: ap.apiKey });
    const events: { practiceAttention?: number; invalid: number }[] = [];
    e.on('documents:changed', ({ counts, practiceAttention }) =>
      events.push({ practiceAttention, invalid: counts.invalid }),
    );
    const real = await addAndSettle(e, [
      { name: 'real-bad.xml', bytes: makeInvoiceWithWrongTotal('REAL-BAD') },
    ]);
    expect((await e.handlers['documents:get']({ id: real.ids[0]! })).state).toBe('invalid');
    const listed = await e.handlers['documents:list']({ limit: 1 });
    expect([listed.counts.invalid, listed.practiceAttention]).toEqual([2, 1]);
    await expect.poll(() => events.at(-1)).toEqual({ practiceAttention: 1, invalid: 2 });
  });
});

describe('a file practised with in the built-in Sandbox', () => {
  it('is added and sent again once invoices go for real; a renamed copy is held against the real one', async () => {
    const e = await engines({ secrets: memorySecretStore() });
    expect(e.usesBuiltInSandbox).toBe(true);
    const files = makeInvoices(3, 'PRACTICE');
    const practice = await addAndSettle(e, files);
    expect(practice.ids).toHaveLength(3);
    for (const id of practice.ids) {
      const d = await e.handlers['documents:get']({ id });
      expect([d.state, engineInternals(e).repo.get(id)?.environment]).toEqual([
        'accepted',
        'sandbox',
      ]);
    }

    // A real provider account (Test) is set up; the same folder is dropped again.
    const ap = await startDocAccessPoint({ receivers: [RECEIVER] });
    servers.push(ap);
    await e.handlers['settings:set']({ endpoint: ap.url, apiKey: ap.apiKey });
    expect(e.usesBuiltInSandbox).toBe(false);
    const events: { practiceSent?: number; sent: number }[] = [];
    e.on('documents:changed', ({ counts, practiceSent }) =>
      events.push({ practiceSent, sent: counts.accepted }),
    );
    const real = await addAndSettle(e, files);
    expect([real.added.length, real.known.length]).toEqual([3, 0]);
    // The header counts the practice apart from what was really sent (walks 9 and 12).
    const listed = await e.handlers['documents:list']({ limit: 1 });
    expect([listed.counts.accepted, listed.practiceSent]).toEqual([6, 3]);
    await expect.poll(() => events.at(-1)).toEqual({ practiceSent: 3, sent: 6 });
    expect(real.ids.filter((id) => practice.ids.includes(id))).toEqual([]);
    for (const id of real.ids) {
      expect((await e.handlers['documents:get']({ id })).state).toBe('accepted');
    }
    expect([...ap.acceptedByNumber().values()]).toEqual([1, 1, 1]);

    // The same file under another name is a duplicate of the real one, not of its practice.
    const copy = await addAndSettle(e, [{ name: 'PRACTICE-copy.xml', bytes: files[0]!.bytes }]);
    const held = await e.handlers['documents:get']({ id: copy.ids[0]! });
    expect(held.state).toBe('held');
    expect(held.problem?.message).toContain(`(document #${real.ids[0]})`);
    // Dropped once more: known now (the real documents).
    const again = await e.handlers['documents:add']({ files });
    expect([again.added.length, again.known.map((k) => k.id)]).toEqual([0, real.ids]);
    expect([...ap.acceptedByNumber().values()]).toEqual([1, 1, 1]);
  });

  it('one that never went out in practice is added again for real, and its practice copy is not sent (walk 18)', async () => {
    // Walk 18: a file whose practice was held (a copy of another) or whose buyer was not found
    // stayed "already known" once a provider was set up; the held copy, compared with its
    // practice twin, was then sent anyway: the access point had the same bytes twice.
    const e = await engines({ secrets: memorySecretStore() });
    const files = [
      { name: 'W18-a.xml', bytes: makeInvoice('W18-1') },
      { name: 'W18-b.xml', bytes: makeInvoice('W18-1') },
      { name: 'W18-lost.xml', bytes: makeInvoice('W18-2', { receiver: '9915:not-registered' }) },
    ];
    const practice = (await e.handlers['documents:add']({ files })).added.map((a) => a.id);
    await e.waitUntilSettled(practice, { includeAccepted: true });
    const state = async (id: number) => (await e.handlers['documents:get']({ id })).state;
    expect(await Promise.all(practice.map(state))).toEqual(['accepted', 'held', 'unreachable']);

    const ap = await startDocAccessPoint({ receivers: [RECEIVER] });
    servers.push(ap);
    await e.handlers['settings:set']({ endpoint: ap.url, apiKey: ap.apiKey });
    const again = await e.handlers['documents:add']({ files });
    expect([again.added.length, again.known.length]).toEqual([3, 0]);
    const real = again.added.map((a) => a.id);
    await e.waitUntilSettled(real, { includeAccepted: true });
    // The real copy is held against the real first one, not against its practice.
    expect(await Promise.all(real.map(state))).toEqual(['accepted', 'held', 'unreachable']);
    const heldCopy = await e.handlers['documents:get']({ id: real[1]! });
    expect(heldCopy.duplicateOf?.id).toBe(real[0]);
    // The practice copies that never went out leave Needs attention, saying why.
    for (const k of [1, 2]) {
      const d = await e.handlers['documents:get']({ id: practice[k]! });
      expect(d.state).toBe('cancelled');
      expect(d.timeline.at(-1)?.detail).toBe(
        `Added again for real as document #${real[k]}: this practice copy is not sent`,
      );
    }
    expect(await state(practice[0]!)).toBe('accepted');
    expect([...ap.acceptedByNumber().entries()]).toEqual([['W18-1', 1]]);
  });

  it('practising, one the Sandbox has forgotten may be added again', async () => {
    const dataDir = engines.tempDir();
    const first = await engines({ dataDir });
    const file = { name: 'FORGOTTEN-1.xml', bytes: makeInvoice('FORGOTTEN-1') };
    const [id] = (await addAndSettle(first, [file])).ids;
    // Still practising: the same file is the same document.
    expect((await first.handlers['documents:add']({ files: [file] })).known[0]?.id).toBe(id);
    await engines.stop(first);

    // Restarted, the built-in Sandbox no longer knows it; its row says to add the file again.
    const second = await engines({
      dataDir,
      trackDelivery: true,
      timings: { pollInitialMs: 50 },
    });
    await expect
      .poll(async () => (await second.handlers['documents:get']({ id: id! })).problem?.code, {
        timeout: 15_000,
      })
      .toBe('DELIVERY_UNCONFIRMED');
    const forgotten = await second.handlers['documents:get']({ id: id! });
    expect(forgotten.problem?.message).toContain(
      'Add the file again to practise with it once more',
    );
    const again = await addAndSettle(second, [file]);
    expect([again.added.length, again.known.length]).toEqual([1, 0]);
    expect((await second.handlers['documents:get']({ id: again.ids[0]! })).state).toMatch(
      /^(accepted|delivered)$/,
    );
  });
});
