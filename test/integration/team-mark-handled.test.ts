/**
 * A team desk marks a buyer's rejection, query or condition as handled, as a single desk does
 * (mark-handled.test.ts): out of Needs attention on every desk, back again with "not handled".
 */
import { describe, expect, it } from 'vitest';
import { FILTER_STATES } from '../../app/contract';
import { makeInvoice } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  timings: { pollInitialMs: 30, pollMaxMs: 100, responseWindowMs: 60_000 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-mark-handled', tempDir, 'handled');

describe.each(BACKENDS)('on a $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'a rejection, a query and a condition marked handled leave Needs attention on every desk, and come back',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox({ transactionStepMs: 20 });
      const a = await desk(address, ap, 'desk A', {});
      const b = await desk(address, ap, 'desk B', {});
      const files = [
        { name: 'h-re.xml', bytes: makeInvoice('TMH-RE', { receiver: '9915:respond-re' }) },
        { name: 'h-uq.xml', bytes: makeInvoice('TMH-UQ', { receiver: '9915:respond-uq' }) },
        { name: 'h-ca.xml', bytes: makeInvoice('TMH-CA', { receiver: '9915:respond-ca' }) },
      ];
      const ids = (await a.handlers['documents:add']({ files })).added.map((x) => x.id);
      const states = async () =>
        (await b.handlers['documents:briefs']({ ids })).rows.map((r) => r.state);
      await expect
        .poll(states, { timeout: 15_000 })
        .toEqual(['rejected', 'under_query', 'conditionally_accepted']);
      // A condition needs the clerk too (walk 6: its row showed the attention mark, but it was
      // counted as sent and could not be marked handled).
      const before = await b.handlers['documents:list']({ filter: 'attention' });
      expect(before.rows.map((r) => r.id).sort()).toEqual([...ids].sort());

      expect(
        await a.handlers['documents:markHandled']({ ids: [...ids, 999_999], handled: true }),
      ).toEqual({ changed: 3 });
      await expect.poll(states, { timeout: 5_000 }).toEqual(['handled', 'handled', 'handled']);
      const attention = await b.handlers['documents:list']({ filter: 'attention' });
      expect(attention.rows.filter((r) => ids.includes(r.id))).toEqual([]);
      const counts = attention.counts;
      expect(FILTER_STATES.attention.reduce((n, s) => n + counts[s], 0)).toBe(0);
      const re = await b.handlers['documents:get']({ id: ids[0]! });
      expect(re.businessResponse).toBe('RE');
      expect(re.timeline.at(-1)).toMatchObject({
        from: 'rejected',
        to: 'handled',
        desk: 'desk A',
        detail: expect.stringMatching(/^Marked as handled by /),
      });

      // Marked again: nothing to do.
      expect(await b.handlers['documents:markHandled']({ ids, handled: true })).toEqual({
        changed: 0,
      });
      expect(await b.handlers['documents:markHandled']({ ids, handled: false })).toEqual({
        changed: 3,
      });
      await expect
        .poll(states, { timeout: 5_000 })
        .toEqual(['rejected', 'under_query', 'conditionally_accepted']);
      expect((await a.handlers['documents:get']({ id: ids[2]! })).problem?.action).toBe('none');
      expect((await a.handlers['documents:get']({ id: ids[0]! })).problem?.action).toBe('fix-file');
    },
  );
});
