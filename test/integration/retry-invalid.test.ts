/**
 * Retry of a file that needed fixing checks it again; the answer says how many of those it
 * re-checked, so the window does not say they will be "tried again" (walk 12: nine invalid files,
 * "9 documents will be tried again", and each needed fixing again).
 */
import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';

const engines = useEngines({ timings: { pollInitialMs: 600_000 } });

describe('Retry of files that needed fixing', () => {
  it('checks them again and counts them apart from those tried again', async () => {
    const e = await engines();
    await e.handlers['queue:pause'](undefined);
    const { added } = await e.handlers['documents:add']({
      files: [
        { name: 'junk.xml', bytes: new TextEncoder().encode('this is not XML at all') },
        { name: 'good.xml', bytes: makeInvoice('RETRY-INV-1') },
      ],
    });
    const [junk, good] = added.map((a) => a.id);
    const stateOf = (id: number) => engineInternals(e).repo.get(id)?.state;
    await expect.poll(() => stateOf(junk!), { timeout: 10_000 }).toBe('invalid');
    await expect.poll(() => stateOf(good!), { timeout: 10_000 }).toBe('queued');
    expect(await e.handlers['documents:retry']({ ids: [junk!, good!] })).toEqual({
      retried: 1,
      rechecked: 1,
    });
    // Checked as it was added: it needs fixing again.
    await expect.poll(() => stateOf(junk!), { timeout: 10_000 }).toBe('invalid');
    const d = await e.handlers['documents:get']({ id: junk! });
    expect(d.timeline.map((t) => t.detail)).toContain('Check again requested');
  });
});
