import { describe, expect, it } from 'vitest';
import { ACTION_SLICE } from '../../app/engine/user-actions';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox } from '../../app/sandbox/server';
import { useEngines } from '../helpers/engine';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { movesPerTransaction } from '../helpers/moves-per-transaction';

// The queue not started: every added document stays waiting (received) until it is cancelled.
const engines = useEngines({ autoStart: false });
const liveEngines = useEngines();

// Issue 9 point 5: cancelling what a month-end still has waiting moved every document in one
// transaction, so the engine's thread was held for the whole lot (the window's lists and the
// sending waited behind it).
describe('cancel of many documents', () => {
  it('cancels a slice per transaction, tells every change, and one Undo puts them all back', async () => {
    const e = await engines();
    const n = ACTION_SLICE * 2 + 50;
    const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'CSL') });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(n);
    const { repo } = engineInternals(e);

    // Documents cancelled in each outermost transaction (a spy), and each change told.
    const perTx = movesPerTransaction(repo, 'cancelled');
    const told = new Set<number>();
    e.on('documents:changed', (c) => c.ids.forEach((id) => told.add(id)));

    const answer = await e.handlers['documents:cancel']({ ids });
    expect(answer.cancelled).toBe(n);
    const cancelTxs = perTx.filter((k) => k > 0);
    expect(cancelTxs).toEqual([ACTION_SLICE, ACTION_SLICE, 50]);
    expect(ids.every((id) => repo.get(id)!.state === 'cancelled')).toBe(true);
    await expect.poll(() => ids.every((id) => told.has(id)), { timeout: 5_000 }).toBe(true);

    // One Undo for the whole cancel, a slice per transaction too.
    expect(answer.undoToken).toBeTruthy();
    perTx.length = 0;
    const undone = await e.handlers['documents:uncancel']({ undoToken: answer.undoToken! });
    expect(undone).toEqual({ restored: n });
    expect(perTx).toHaveLength(3);
    expect(ids.every((id) => repo.get(id)!.state === 'received')).toBe(true);
  });
});

describe('cancel of many documents while sending', () => {
  it('sends none of them while the slices go: a cancel holds new sends until it is done', async () => {
    const sandbox = await startSandbox({ latencyMs: 0 });
    try {
      const e = await liveEngines({ endpoint: sandbox.url, trackDelivery: false });
      // Paused: the documents are checked and queued, none is sent.
      await e.handlers['queue:pause'](undefined);
      const n = ACTION_SLICE * 3;
      const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'CWS') });
      const ids = res.added.map((a) => a.id);
      const { repo } = engineInternals(e);
      await expect
        .poll(() => ids.filter((id) => repo.get(id)!.state === 'queued').length, {
          timeout: 30_000,
        })
        .toBe(n);
      // Sending resumes, and at once the clerk cancels them all (oldest first, as the queue).
      await e.handlers['queue:resume'](undefined);
      const answer = await e.handlers['documents:cancel']({ ids });
      expect(answer.cancelled).toBe(n);
      expect(ids.every((id) => repo.get(id)!.state === 'cancelled')).toBe(true);
      expect(sandbox.stats().acceptedDocuments).toBe(0);
    } finally {
      await sandbox.close();
    }
  }, 60_000);
});

describe('cancel of a selection that holds documents with nothing to cancel', () => {
  // A clerk's walk: All, Ctrl+A, Cancel with a row "Replaced by a corrected file" among them
  // answered "Something went wrong inside Peppol Desk: Document #3 cannot move from superseded
  // to cancelled", and nothing was cancelled.
  it('cancels the others and leaves a replaced one as it is', async () => {
    const e = await liveEngines({ trackDelivery: false });
    await e.handlers['queue:pause'](undefined);
    const bad = Buffer.from(
      Buffer.from(makeInvoice('CSUP-1'))
        .toString('utf8')
        .replace(
          /<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/,
          '<cbc:IssueDate>not-a-date</cbc:IssueDate>',
        ),
    );
    const { repo } = engineInternals(e);
    const first = await e.handlers['documents:add']({
      files: [{ name: 'csup-1.xml', bytes: bad }],
    });
    const oldId = first.added[0]!.id;
    await expect.poll(() => repo.get(oldId)!.state, { timeout: 10_000 }).toBe('invalid');
    const corrected = await e.handlers['documents:add']({
      files: [
        { name: 'csup-1-corrected.xml', bytes: makeInvoice('CSUP-1') },
        ...makeInvoices(3, 'CSUP-N'),
      ],
    });
    await expect.poll(() => repo.get(oldId)!.state, { timeout: 10_000 }).toBe('superseded');
    const others = corrected.added.map((a) => a.id);

    const answer = await e.handlers['documents:cancel']({ ids: [oldId, ...others] });
    expect(answer.cancelled).toBe(others.length);
    expect(answer.stopped).toBeUndefined();
    expect(repo.get(oldId)!.state).toBe('superseded');
    expect(others.every((id) => repo.get(id)!.state === 'cancelled')).toBe(true);
  });
});
