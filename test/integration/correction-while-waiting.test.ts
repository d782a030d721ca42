import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';

const engines = useEngines();

// Walk 3: a corrected file saved over the first version while that one was still queued (sending
// paused, or the access point down) was held as "already added with different content", and on
// Resume the OLD content was sent. The clerk could only send the number twice or never send the
// fix. A correction under the same name now replaces a first version that is still waiting, as it
// replaces a failed one.
describe('a corrected file saved again while its first version still waits', () => {
  it('replaces the waiting one: only the correction is sent', async () => {
    const engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo, sandbox } = engineInternals(engine);
    await engine.handlers['queue:pause'](undefined);
    const first = makeInvoice('FIX-WAIT-1');
    const [old] = (
      await engine.handlers['documents:add']({ files: [{ name: 'inv-1.xml', bytes: first }] })
    ).added;
    await expect.poll(() => repo.get(old!.id)!.state, { timeout: 10_000 }).toBe('queued');

    const fixed = makeInvoice('FIX-WAIT-1', { note: 'corrected amount' });
    const [fix] = (
      await engine.handlers['documents:add']({ files: [{ name: 'inv-1.xml', bytes: fixed }] })
    ).added;
    await expect.poll(() => repo.get(fix!.id)!.state, { timeout: 10_000 }).toBe('queued');
    expect(repo.get(old!.id)!.state).toBe('superseded');
    expect(repo.timeline(old!.id).map((e) => e.detail)).toContain(
      `Replaced by the corrected file inv-1.xml (document #${fix!.id})`,
    );
    // The correction's timeline says what it replaced: a first version that waited, not a failure.
    expect(repo.timeline(fix!.id).map((e) => e.detail)).toContain(
      `Replaces inv-1.xml (document #${old!.id}), which was waiting to be sent`,
    );

    await engine.handlers['queue:resume'](undefined);
    await engine.waitUntilSettled([fix!.id], { includeAccepted: true });
    expect(repo.get(fix!.id)!.state).toBe('accepted');
    expect(repo.get(fix!.id)!.sha256).toBe(sha256Hex(fixed));
    expect(repo.get(old!.id)!.state).toBe('superseded');
    expect(sandbox!.stats().acceptedDocuments).toBe(1);
  });

  it('under another name it is still held for the clerk (it may be a separate invoice)', async () => {
    const engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo } = engineInternals(engine);
    await engine.handlers['queue:pause'](undefined);
    const [old] = (
      await engine.handlers['documents:add']({
        files: [{ name: 'a.xml', bytes: makeInvoice('FIX-WAIT-2') }],
      })
    ).added;
    await expect.poll(() => repo.get(old!.id)!.state, { timeout: 10_000 }).toBe('queued');
    const [other] = (
      await engine.handlers['documents:add']({
        files: [{ name: 'b.xml', bytes: makeInvoice('FIX-WAIT-2', { note: 'other' }) }],
      })
    ).added;
    await expect.poll(() => repo.get(other!.id)!.state, { timeout: 10_000 }).toBe('held');
    expect(repo.get(old!.id)!.state).toBe('queued');
    const words = async () =>
      (await engine.handlers['documents:get']({ id: other!.id })).problem?.message;
    expect(await words()).toMatch(
      new RegExp(
        `^Invoice FIX-WAIT-2 from this seller was already added \\(document #${old!.id}\\)`,
      ),
    );

    // The first version goes out: the held one's details say so (walk 17: they still said
    // "already added" once the first had reached the buyer).
    await engine.handlers['queue:resume'](undefined);
    await engine.waitUntilSettled([old!.id], { includeAccepted: true });
    expect(repo.get(old!.id)!.state).toBe('accepted');
    expect(await words()).toBe(
      `Invoice FIX-WAIT-2 from this seller was already sent (document #${old!.id}) with different content: if this corrects it, the first one is on its way to the buyer or with the buyer already, which is usually corrected with a credit note and a new number. Send it anyway only if this is meant as a separate invoice; otherwise cancel it.`,
    );
    expect(repo.get(other!.id)!.state).toBe('held');
  });
});
