/**
 * Walk 18: an invoice cancelled by mistake (its Undo gone) could never be sent: dropping its file
 * again said "0 added, 1 already known", while the expired Undo said "Add the files again to send
 * them". A cancel is allowed only while nothing may have reached the access point, so the same
 * file added again is a new document that goes, and the cancelled one makes way for it.
 */
import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';

const engines = useEngines({ trackDelivery: false, coalesceMs: 20 });

describe('a cancelled invoice whose file is added again', () => {
  it('is added and sent as a new document; the cancelled one makes way, and its Undo does nothing', async () => {
    const e = await engines();
    const { repo, sandbox } = engineInternals(e);
    await e.handlers['queue:pause'](undefined);
    const file = { name: 'K-1.xml', bytes: makeInvoice('CANCEL-AGAIN-1') };
    const [first] = (await e.handlers['documents:add']({ files: [file] })).added;
    await expect.poll(() => repo.get(first!.id)!.state, { timeout: 10_000 }).toBe('queued');
    const cancel = await e.handlers['documents:cancel']({ ids: [first!.id] });
    expect(cancel.cancelled).toBe(1);

    const again = await e.handlers['documents:add']({ files: [file] });
    expect([again.added.length, again.known.length]).toEqual([1, 0]);
    const id = again.added[0]!.id;
    expect(repo.get(first!.id)!.state).toBe('superseded');
    expect(repo.timeline(first!.id).at(-1)?.detail).toBe(
      `The same file was added again as document #${id}, which goes instead`,
    );
    // The cancel's Undo cannot bring the first one back beside it.
    await e.handlers['documents:uncancel']({ undoToken: cancel.undoToken! });
    expect(repo.get(first!.id)!.state).toBe('superseded');

    await e.handlers['queue:resume'](undefined);
    await e.waitUntilSettled([id], { includeAccepted: true });
    expect(repo.get(id)!.state).toBe('accepted');
    expect(sandbox!.stats().acceptedDocuments).toBe(1);
    // Dropped once more: it is the new document now.
    expect((await e.handlers['documents:add']({ files: [file] })).known[0]?.id).toBe(id);
  });
});
