import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { FILTER_STATES, type StateCounts } from '../../app/contract';

const inAttention = (c: StateCounts) => FILTER_STATES.attention.reduce((n, s) => n + c[s], 0);

// A rejected or queried invoice stayed in Needs attention for good, even after the credit note and
// new invoice the app advises (walk 4, finding 5): the clerk marks it handled.

const engines = useEngines();

function engine(): Promise<Engine> {
  return engines({
    dataDir: engines.tempDir(),
    sandboxStepMs: 20,
    timings: { pollInitialMs: 30, pollMaxMs: 100 },
  });
}

async function answered(e: Engine, codes: readonly ('re' | 'uq' | 'ca' | 'ap')[], prefix: string) {
  const res = await e.handlers['documents:add']({
    files: codes.map((c, i) => ({
      name: `${prefix}-${i}.xml`,
      bytes: makeInvoice(`${prefix}-${i}`, { receiver: `9915:respond-${c}` }),
    })),
  });
  const ids = res.added.map((a) => a.id);
  const wanted = {
    re: 'rejected',
    uq: 'under_query',
    ca: 'conditionally_accepted',
    ap: 'buyer_accepted',
  };
  await expect
    .poll(() => ids.map((id) => engineInternals(e).repo.get(id)?.state), { timeout: 10_000 })
    .toEqual(codes.map((c) => wanted[c]));
  return ids;
}

const attention = async (e: Engine) => {
  const page = await e.handlers['documents:list']({ filter: 'attention', limit: 50 });
  // The list's total and its rows agree.
  expect(page.total).toBe(page.rows.length);
  return page.rows.map((r) => r.id);
};

describe('a buyer’s rejection or query marked as handled', () => {
  it('leaves Needs attention (list and counts), keeps the buyer’s answer, says who, and can be undone', async () => {
    const e = await engine();
    const [rejected, queried, condition, accepted] = await answered(
      e,
      ['re', 'uq', 'ca', 'ap'],
      'MH',
    );
    // A condition needs the clerk as a query does (walk 6: its row showed the attention mark,
    // and asked the clerk to act, but it was counted as sent and could not be marked handled).
    expect((await attention(e)).sort()).toEqual([rejected, queried, condition].sort());
    expect((await e.handlers['documents:get']({ id: condition! })).problem?.message).toMatch(
      /accepted this invoice on a condition.*then mark it as handled/,
    );

    const done = await e.handlers['documents:markHandled']({
      ids: [rejected!, queried!, condition!, accepted!],
      handled: true,
    });
    // The buyer's acceptance is not a thing to handle: left as it is, not counted.
    expect(done).toEqual({ changed: 3 });
    expect(await attention(e)).toEqual([]);
    const counts = engineInternals(e).repo.counts();
    expect(inAttention(counts)).toBe(0);
    expect(counts.handled).toBe(3);
    // Still under "Buyer responded" and All.
    const responded = await e.handlers['documents:list']({ filter: 'responded', limit: 50 });
    expect(responded.rows.map((r) => r.id)).toEqual(
      expect.arrayContaining([rejected, queried, condition, accepted]),
    );
    const r = await e.handlers['documents:get']({ id: rejected! });
    expect(r.state).toBe('handled');
    expect(r.businessResponse).toBe('RE');
    expect(r.problem?.message).toMatch(/buyer rejected this invoice/);
    expect(r.problem?.action).toBe('none');
    expect(r.timeline.at(-1)).toMatchObject({
      from: 'rejected',
      to: 'handled',
      detail: expect.stringMatching(/^Marked as handled by the user.*out of Needs attention$/),
    });

    const undone = await e.handlers['documents:markHandled']({
      ids: [rejected!, queried!, condition!],
      handled: false,
    });
    expect(undone).toEqual({ changed: 3 });
    expect(engineInternals(e).repo.get(rejected!)?.state).toBe('rejected');
    expect(engineInternals(e).repo.get(rejected!)?.problem_action).toBe('fix-file');
    expect(engineInternals(e).repo.get(queried!)?.state).toBe('under_query');
    expect(engineInternals(e).repo.get(condition!)?.state).toBe('conditionally_accepted');
    expect(engineInternals(e).repo.get(condition!)?.problem_action).toBe('none');
    expect((await attention(e)).sort()).toEqual([rejected, queried, condition].sort());
  });

  it('a corrected file with the same number still replaces a handled rejection', async () => {
    const e = await engine();
    const [rejected] = await answered(e, ['re'], 'MHFIX');
    await e.handlers['documents:markHandled']({ ids: [rejected!], handled: true });
    const fix = await e.handlers['documents:add']({
      files: [
        {
          name: 'MHFIX-0-corrected.xml',
          bytes: makeInvoice('MHFIX-0', { receiver: '9915:respond-ap', note: 'corrected' }),
        },
      ],
    });
    expect(fix.added).toHaveLength(1);
    await expect
      .poll(() => engineInternals(e).repo.get(rejected!)?.state, { timeout: 10_000 })
      .toBe('superseded');
    const fixDoc = await e.handlers['documents:get']({ id: fix.added[0]!.id });
    expect(fixDoc.timeline.map((t) => t.detail).join('\n')).toContain('which the buyer rejected');
  });
});
