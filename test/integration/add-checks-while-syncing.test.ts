import { describe, expect, it, vi } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const engines = useEngines({ trackDelivery: false });

// Issue 9 point 2: `send`'s first verdicts no longer wait for the sync of the first files added.
// Checking and the lookup may run on documents whose add is not yet on disk (a power cut only
// undoes redoable work); nothing is sent, and the add is not answered, before that sync.
describe('documents:add and the pipeline', () => {
  it('checks new documents while their add is synced, and sends none before it is on disk', async () => {
    const e = await engines();
    const { repo, sandbox } = engineInternals(e);
    let release!: () => void;
    const onDisk = new Promise<void>((r) => (release = r));
    const durable = repo.durable.bind(repo);
    // Every sync is held until released: the add's, and the claims' that would send.
    vi.spyOn(repo, 'durable').mockImplementation(() => onDisk.then(() => durable() ?? undefined));
    const sends = () =>
      Object.entries(sandbox!.stats().requests.byEndpoint)
        .filter(([label]) => /^POST \/api\/v1\/(send|batch)/.test(label))
        .reduce((n, [, s]) => n + s.total, 0);
    let answered = false;
    const adding = Promise.resolve(
      e.handlers['documents:add']({ files: makeInvoices(5, 'EARLY') }),
    ).then((res) => {
      answered = true;
      return res;
    });
    try {
      // Checked (and looked up) while the add waits for its sync...
      await expect
        .poll(() => repo.counts().received + repo.counts().validating, { timeout: 10_000 })
        .toBe(0);
      expect(answered).toBe(false);
      // ...but nothing reached the access point.
      expect(sends()).toBe(0);
      expect(sandbox!.stats().acceptedDocuments).toBe(0);
    } finally {
      release();
    }
    const res = await adding;
    await e.waitUntilSettled(
      res.added.map((a) => a.id),
      { includeAccepted: true },
    );
    expect(repo.counts().accepted).toBe(5);
    expect(sends()).toBeGreaterThan(0);
  });
});
