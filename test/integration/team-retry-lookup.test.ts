/**
 * A team's Retry of invoices whose delivery failed looks their buyers up again first, as a single
 * desk does (walk 19b, N2: an independent access point accepted an invoice sent unchecked, failed
 * it "Receiver … is not registered in the SMP", and a team desk's Retry sent it again, to fail
 * again). On desks of both real team stores (SQLite file and a throwaway PostgreSQL) sharing one
 * sandbox access point: a buyer not on Peppol now leaves its invoice "Receiver not on Peppol",
 * not sent; a buyer found is sent again as a new submission, by Retry and by Retry all.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { makeInvoice } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';
import { waitFor } from '../helpers/wait';

const { desk, sandbox, tempDir } = useTeamDesks({
  timings: { settleBackstopMs: 200, pollInitialMs: 20, pollMaxMs: 40 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-retry-lookup', tempDir, 'relook');

const detailOf = (e: Engine, id: number) => e.handlers['documents:get']({ id });

/** The sandbox's receiver whose access point fails every delivery (a certificate error). */
const FAILS_DELIVERY = '9915:invalid-cert';

const NOT_SENT_AGAIN =
  /^Retry requested after the delivery failed \(transaction [^)]+\): the buyer was looked up again: not registered on the Peppol network, so it is not sent again$/;

describe.each(BACKENDS)('Retry of failed deliveries on the $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'looks the buyers up first: one not on Peppol is not sent again, one found is (walk 19b)',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const added = await a.handlers['documents:add']({
        files: ['RELOOK-X', 'RELOOK-Y', 'RELOOK-Z'].map((n) => ({
          name: `${n}.xml`,
          bytes: makeInvoice(n, { receiver: FAILS_DELIVERY }),
        })),
      });
      const [x, y, z] = added.added.map((d) => d.id) as [number, number, number];
      const failedAt = async (id: number, notTransaction?: string | null) => {
        const d = await detailOf(a, id);
        return d.state === 'failed' && d.transactionId !== notTransaction ? d : undefined;
      };
      const firstY = await waitFor('Y to fail at delivery', () => failedAt(y), 15_000);
      expect(firstY.problem?.code).toBe('DELIVERY_FAILED');
      await waitFor('X to fail at delivery', () => failedAt(x), 15_000);
      await waitFor('Z to fail at delivery', () => failedAt(z), 15_000);
      expect(ap.stats().acceptedDocuments).toBe(3);

      // X's and Z's access point found their buyers not registered (an independent one says so
      // after accepting an invoice sent unchecked; the sandbox refuses such a send instead, so
      // their rows name buyers it does not know).
      const p = backend.name === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
      const setBuyer = (id: number, buyer: string) =>
        backend.raw(address, `UPDATE team_documents SET receiver_id = ${p[0]} WHERE id = ${p[1]}`, [
          buyer,
          id,
        ]);
      await setBuyer(x, '9915:unregistered-x');
      await setBuyer(z, '9915:unregistered-z');
      const roundOf = async (id: number) =>
        Number(
          (
            await backend.raw(address, `SELECT key_round FROM team_documents WHERE id = ${p[0]}`, [
              id,
            ])
          )[0]!.key_round,
        );
      const xRound = await roundOf(x);

      // Y tried again; X not sent, and counted apart (walk 20b).
      expect(await a.handlers['documents:retry']({ ids: [x, y] })).toEqual({
        retried: 1,
        stillNotOnPeppol: 1,
      });
      const nowX = await detailOf(a, x);
      expect(nowX.state).toBe('unreachable');
      expect(nowX.problem).toMatchObject({
        code: 'RECEIVER_NOT_ON_PEPPOL',
        action: 'check-receiver',
      });
      expect(nowX.problem!.message).toContain(
        'The buyer 9915:unregistered-x is not registered on the Peppol network',
      );
      expect(nowX.transactionId).toBeNull();
      expect(nowX.timeline.at(-1)).toMatchObject({
        from: 'failed',
        to: 'unreachable',
        detail: expect.stringMatching(NOT_SENT_AGAIN),
        desk: 'desk A',
      });
      // Sent as a new submission once its buyer is found: not under the key that failed.
      expect(await roundOf(x)).toBe(xRound + 1);
      // Y's buyer was found: sent again, as a new submission.
      await waitFor('Y to fail again', () => failedAt(y, firstY.transactionId), 15_000);
      expect(ap.stats().acceptedDocuments).toBe(4);

      // Retry all: the same for Z; Y goes again.
      const yAgain = (await detailOf(a, y)).transactionId;
      // X (unreachable since the first Retry) is asked about again: still not on Peppol, left,
      // and said (walk 20: Retry all said nothing of those it left so).
      expect(await a.handlers['documents:retry']({ allFailed: true })).toEqual({
        retried: 1,
        stillNotOnPeppol: 2,
      });
      await waitFor('Y to fail a third time', () => failedAt(y, yAgain), 15_000);
      const nowZ = await detailOf(a, z);
      expect([nowZ.state, nowZ.problem?.code]).toEqual(['unreachable', 'RECEIVER_NOT_ON_PEPPOL']);
      expect(nowZ.timeline.at(-1)?.detail).toMatch(NOT_SENT_AGAIN);
      // X left as it was, and its timeline says so (walk 24 B15: it said nothing).
      const leftX = await detailOf(a, x);
      expect(leftX.state).toBe('unreachable');
      expect(leftX.timeline.at(-1)).toMatchObject({
        from: 'unreachable',
        to: 'unreachable',
        detail: expect.stringMatching(
          /^Retry requested by .+ \(new lookup\): looked up 9915:unregistered-x: still not registered on the Peppol network$/,
        ),
        desk: 'desk A',
      });
      // X and Z went once each, Y three times.
      expect(ap.stats().acceptedDocuments).toBe(5);
    },
  );
});
