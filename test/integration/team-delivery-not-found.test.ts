/**
 * A team desk asking about an accepted document whose transaction the team's access point no
 * longer knows (404): asked a few times, then no more, with the reason on the row, as on a single
 * desk (delivery-not-found.test.ts). The team's desks used to ask until the delivery timeout.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { makeInvoices } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  timings: { settleBackstopMs: 200, pollInitialMs: 20, pollMaxMs: 40, notFoundAfterMs: 300 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-delivery-not-found', tempDir, 'notfound');

const transactionRequests = (stats: {
  requests: { byEndpoint: Record<string, { total: number }> };
}) =>
  Object.entries(stats.requests.byEndpoint)
    .filter(([label]) => /transaction|status/i.test(label))
    .reduce((n, [, e]) => n + e.total, 0);

const problemOf = async (e: Engine, id: number) =>
  (await e.handlers['documents:get']({ id })).problem;

describe.each(BACKENDS)('on a $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'a transaction the access point forgot stops being asked about, and the row says so',
    async () => {
      const address = await backend.newAddress();
      // Transactions stay pending: only a 404 can end the asking.
      const ap = await sandbox({ latencyMs: 0, transactionStepMs: 600_000 });
      const a = await desk(address, ap, 'desk A', {});
      const ids = (await a.handlers['documents:add']({ files: makeInvoices(2, 'TNF') })).added.map(
        (x) => x.id,
      );
      await a.waitUntilSettled(ids);
      await expect
        .poll(() => transactionRequests(ap.stats()), { timeout: 10_000 })
        .toBeGreaterThan(2);
      for (const id of ids) expect(await problemOf(a, id)).toBeNull();

      ap.reset(); // the access point forgets every transaction
      for (const id of ids) {
        await expect
          .poll(async () => (await problemOf(a, id))?.code, { timeout: 15_000 })
          .toBe('DELIVERY_UNCONFIRMED');
      }
      const detail = await a.handlers['documents:get']({ id: ids[0]! });
      expect(detail.state).toBe('accepted');
      expect(detail.problem!.message).toContain(
        'now answers that it does not know its transaction',
      );
      expect(detail.timeline.at(-1)).toMatchObject({
        detail: 'The access point does not know this transaction; stopped asking',
        desk: 'desk A',
      });
      // No more questions about them.
      const asked = transactionRequests(ap.stats());
      await new Promise((r) => setTimeout(r, 500));
      expect(transactionRequests(ap.stats())).toBe(asked);
    },
    60_000,
  );
});
