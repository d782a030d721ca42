/**
 * A cancelled invoice sent after all on a team outbox (walk 18, the team half): once its Undo has
 * gone, Retry sends one cancelled on its way out, on desks of both real team stores (SQLite file
 * and a throwaway PostgreSQL) sharing one sandbox access point; the number guard still holds, and
 * a drop of its file again says it was cancelled.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { makeInvoice, makeInvoiceWithWrongTotal } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';
import { waitFor } from '../helpers/wait';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-send-after-cancel', tempDir, 'after');

const stateOf = async (e: Engine, id: number) =>
  (await e.handlers['documents:briefs']({ ids: [id] })).rows[0]?.state;

describe.each(BACKENDS)('a cancelled invoice on desks of the $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'Retry sends a cancelled invoice after all, once the Undo has gone; not one cancelled while invalid; one whose number another version took is held (walk 18)',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['queue:pause'](undefined);
      const add = async (name: string, bytes: Uint8Array) =>
        (await a.handlers['documents:add']({ files: [{ name, bytes }] })).added[0]!.id;
      const one = await add('after-1.xml', makeInvoice('AFTER-1'));
      const bad = await add('after-2.xml', makeInvoiceWithWrongTotal('AFTER-2'));
      const three = await add('after-3.xml', makeInvoice('AFTER-3'));
      await waitFor('the invalid one', async () => (await stateOf(a, bad)) === 'invalid', 10_000);
      expect(await stateOf(a, one)).toBe('queued');
      expect((await a.handlers['documents:cancel']({ ids: [one, bad, three] })).cancelled).toBe(3);
      // Another version of AFTER-3 goes instead.
      const fixed = await add('after-3-fixed.xml', makeInvoice('AFTER-3', { note: 'Fixed' }));
      expect(await stateOf(a, fixed)).toBe('queued');

      const b = await desk(address, ap, 'desk B');
      await b.handlers['queue:pause'](undefined);
      // Dropped again: known, and said to be cancelled where Retry sends it after all.
      const again = await b.handlers['documents:add']({
        files: [
          { name: 'after-1.xml', bytes: makeInvoice('AFTER-1') },
          { name: 'after-2.xml', bytes: makeInvoiceWithWrongTotal('AFTER-2') },
        ],
      });
      expect(again.added).toEqual([]);
      expect(again.known).toEqual([
        { id: one, fileName: 'after-1.xml', cancelled: true },
        { id: bad, fileName: 'after-2.xml' },
      ]);
      const detail = await b.handlers['documents:get']({ id: one });
      expect(detail.timeline.at(-1)).toMatchObject({ from: 'queued', to: 'cancelled' });
      const r = await b.handlers['documents:retry']({ ids: [one, bad, three] });
      expect(r.retried).toBe(1);
      expect(r.held?.map((h) => h.id)).toEqual([three]);
      expect(await stateOf(a, one)).toBe('queued');
      expect(await stateOf(a, bad)).toBe('cancelled');
      const held = await a.handlers['documents:get']({ id: three });
      expect([held.state, held.problem?.code]).toEqual(['held', 'DUPLICATE']);
      expect(held.duplicateOf?.id).toBe(fixed);
      expect((await a.handlers['documents:get']({ id: one })).timeline.at(-1)).toMatchObject({
        from: 'cancelled',
        to: 'queued',
        detail: 'Retry requested',
        desk: 'desk B',
      });
      await a.handlers['queue:resume'](undefined);
      await a.waitUntilSettled([one, fixed]);
      expect([await stateOf(a, one), await stateOf(a, fixed)]).toEqual(['accepted', 'accepted']);
      expect(ap.stats().acceptedDocuments).toBe(2);
      expect(ap.stats().duplicateContentAccepts).toBe(0);
      expect([await stateOf(a, bad), await stateOf(a, three)]).toEqual(['cancelled', 'held']);
    },
    60_000,
  );
});
