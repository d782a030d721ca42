/**
 * Walk 18: an invoice cancelled by mistake could not be sent once the cancel's Undo had gone:
 * dropping its file again said "already known" and sent nothing, while the expired Undo said "Add
 * the files again to send them". Walk 18b then showed why dropping a file again must not send a
 * cancelled invoice (a folder dropped again to catch up sent what the clerk had cancelled, and a
 * held copy compared with a cancelled twin reached the buyer twice). So a drop still finds it
 * known, and says it was cancelled; Retry sends it after all, checked again from the start.
 */
import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { SEND_AFTER_ALL_WORDS } from '../../app/queue/lifecycle/clerk';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';

const engines = useEngines({ trackDelivery: false, coalesceMs: 20 });

describe('a cancelled invoice', () => {
  it('dropped again is known as cancelled and not sent; Retry sends it after all, checked again', async () => {
    const e = await engines();
    const { repo, sandbox } = engineInternals(e);
    await e.handlers['queue:pause'](undefined);
    const bytes = makeInvoice('CANCEL-AGAIN-1');
    const file = { name: 'K-1.xml', bytes };
    const [first] = (await e.handlers['documents:add']({ files: [file] })).added;
    const id = first!.id;
    await expect.poll(() => repo.get(id)!.state, { timeout: 10_000 }).toBe('queued');
    // A copy under another name is held as the same content.
    const [copy] = (await e.handlers['documents:add']({ files: [{ name: 'K-1-copy.xml', bytes }] }))
      .added;
    await expect.poll(() => repo.get(copy!.id)!.state, { timeout: 10_000 }).toBe('held');
    expect((await e.handlers['documents:cancel']({ ids: [id] })).cancelled).toBe(1);

    const again = await e.handlers['documents:add']({ files: [file] });
    expect(again).toMatchObject({
      added: [],
      known: [{ id, fileName: 'K-1.xml', cancelled: true }],
    });
    expect(repo.get(id)!.state).toBe('cancelled');

    expect(await e.handlers['documents:retry']({ ids: [id] })).toMatchObject({ retried: 1 });
    expect(repo.timeline(id).map((t) => t.detail)).toContain(SEND_AFTER_ALL_WORDS);
    await e.handlers['queue:resume'](undefined);
    await e.waitUntilSettled([id], { includeAccepted: true });
    expect(repo.get(id)!.state).toBe('accepted');
    // The held copy is compared with it as it is now: the buyer has it.
    const held = await e.handlers['documents:get']({ id: copy!.id });
    expect([held.state, held.duplicateOf?.id, held.duplicateOf?.state]).toEqual([
      'held',
      id,
      'accepted',
    ]);
    expect(sandbox!.stats().acceptedDocuments).toBe(1);
  });
});
