/**
 * "Retry all failed" on a team desk (issue 9, as on a single desk: test/integration/retry-slices):
 * the failed documents go back to the queue a slice per transaction of the team's store, and the
 * unreachable ones whose receiver is found again too, on both team stores (a SQLite file and a
 * throwaway PostgreSQL); every one of them is then sent exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { RETRY_SLICE } from '../../app/engine/user-actions';
import { MAX_BRIEF_IDS, type DocumentState } from '../../app/contract';
import { openTeamStore } from '../../app/team/open-store';
import { TeamStoreUnavailableError, type TeamStore } from '../../app/team/store';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-retry-slices', tempDir, 'slices');

/** A receiver the sandbox finds on Peppol. */
const FOUND = '0208:0987654394';

/** The states of `ids` as the desk reads them, a chunk of briefs at a time. */
async function statesOf(e: Engine, ids: readonly number[]): Promise<DocumentState[]> {
  const states: DocumentState[] = [];
  for (let i = 0; i < ids.length; i += MAX_BRIEF_IDS) {
    const { rows } = await e.handlers['documents:briefs']({ ids: ids.slice(i, i + MAX_BRIEF_IDS) });
    states.push(...rows.map((r) => r.state));
  }
  return states;
}

/**
 * Desk A on the team store at `address` (opened through `wrap`), and `n` invoices it sent that
 * the access point answered with a 500 (one attempt allowed): all failed, Retry offered (a 4xx
 * refusal of the file is left by "Retry all"), the access point accepting again from here.
 */
async function failedOnDesk(
  address: string,
  wrap: (store: TeamStore) => TeamStore,
  n: number,
  prefix: string,
) {
  const ap = await sandbox({ latencyMs: 0, faults: { status: { status: 500, every: 1 } } });
  const a = await desk(
    address,
    ap,
    'desk A',
    // Only 500s for a while is not "the access point is in trouble" here (it would hold sends).
    { timings: { troubleAfterMs: 600_000 } },
    { openStore: (url) => wrap(openTeamStore(url)) },
  );
  await a.handlers['settings:set']({ maxAttempts: 1 });
  const res = await a.handlers['documents:add']({ files: makeInvoices(n, prefix) });
  const failed = res.added.map((x) => x.id);
  expect(failed).toHaveLength(n);
  await a.waitUntilSettled(failed);
  expect(await statesOf(a, failed)).toEqual(Array(n).fill('failed'));
  return { ap, a, failed };
}

describe.each(BACKENDS)('retry all failed on a desk of the $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'moves a slice per transaction of the store, and every document is sent once',
    async () => {
      const address = await backend.newAddress();
      // Unreachable documents to a receiver the team once could not find (more than a slice).
      const seed = openTeamStore(address);
      await seed.migrate();
      const unreachableDoc = teamDocMaker('SLU');
      const nUnreachable = RETRY_SLICE + 20;
      const unreachable = (
        await seed.enqueue(
          'desk-old',
          Array.from({ length: nUnreachable }, (_, i) =>
            unreachableDoc({
              body: makeInvoice(`SLU-${i + 1}`, { receiver: FOUND }),
              state: 'unreachable',
              receiverId: FOUND,
              problem: { code: 'RECEIVER_NOT_ON_PEPPOL', message: 'Not on Peppol.', action: null },
            }),
          ),
        )
      ).map((r) => r.id);
      await seed.close();
      expect(unreachable).toHaveLength(nUnreachable);

      // The documents moved per call of the store's moves: each call is one transaction.
      const retrySizes: number[] = [];
      const requeueSizes: number[] = [];
      // Documents read whole per call (the unreachable ones are read a slice at a time).
      const readSizes: number[] = [];
      const spied = (store: TeamStore): TeamStore => {
        const retry = store.retry.bind(store);
        store.retry = (deskId, ids) => {
          retrySizes.push(ids.length);
          return retry(deskId, ids);
        };
        const requeue = store.requeueUnreachable.bind(store);
        store.requeueUnreachable = (deskId, receiver, ids, ...rest) => {
          requeueSizes.push(ids.length);
          return requeue(deskId, receiver, ids, ...rest);
        };
        const getMany = store.getMany.bind(store);
        store.getMany = (ids) => {
          readSizes.push(ids.length);
          return getMany(ids);
        };
        return store;
      };
      const n = RETRY_SLICE * 2 + 100;
      const { ap, a, failed } = await failedOnDesk(address, spied, n, 'SLF');
      expect(ap.stats().acceptedDocuments).toBe(0);

      ap.setFaults({});
      readSizes.length = 0;
      expect(await a.handlers['documents:retry']({ allFailed: true })).toEqual({
        retried: n + nUnreachable,
      });
      expect(retrySizes.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...retrySizes)).toBeLessThanOrEqual(RETRY_SLICE);
      // Every document goes through one pass of slices (the unreachable ones too; the store's
      // retry leaves them as they are, and their receivers are asked about).
      expect(retrySizes.reduce((x, y) => x + y, 0)).toBe(n + nUnreachable);
      expect(requeueSizes.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...requeueSizes)).toBeLessThanOrEqual(RETRY_SLICE);
      expect(requeueSizes.reduce((x, y) => x + y, 0)).toBe(nUnreachable);
      // The documents were read a slice at a time, not all at once (this retry's reads).
      expect(readSizes.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...readSizes)).toBeLessThanOrEqual(RETRY_SLICE);
      // Only the unreachable ones are read again (failed ones need no read to be retried, but
      // for those whose delivery failed: none here).
      expect(readSizes.reduce((x, y) => x + y, 0)).toBe(nUnreachable);

      const all = [...failed, ...unreachable];
      await a.waitUntilSettled(all, { includeAccepted: true });
      expect(await statesOf(a, all)).toEqual(Array(all.length).fill('accepted'));
      expect(ap.stats().acceptedDocuments).toBe(all.length);
      expect(ap.stats().duplicateContentAccepts).toBe(0);
    },
    240_000,
  );

  // As on a single desk (test/integration/retry-all-left, walk 16): the details of a file the
  // access point refused itself offer no Retry, so "Retry all" leaves it and counts it.
  it.skipIf(backend.skip)(
    'leaves the failed files the access point refused itself, and says how many',
    async () => {
      const address = await backend.newAddress();
      const seed = openTeamStore(address);
      await seed.migrate();
      const doc = teamDocMaker('SLL');
      const [refused, broken] = await seed.enqueue('desk-old', [doc(), doc()]);
      const fail = async (id: number, action: 'fix-file' | 'retry') => {
        const [c] = await seed.claim('desk-old', 1, 60_000);
        expect(c).toMatchObject({ id });
        await seed.finish('desk-old', c!, {
          kind: 'failed',
          problem: { code: 'AP_REJECTED', message: 'Refused.', action },
          settles: true,
        });
      };
      await fail(refused!.id, 'fix-file');
      await fail(broken!.id, 'retry');
      await seed.close();

      const ap = await sandbox({ latencyMs: 0 });
      const a = await desk(address, ap, 'desk A');
      // The Needs attention button counts what Retry all sends: the list says 1 of the 2 failed
      // is left as it is (walk 24 B2: a team desk said nothing, so the button said 2).
      const listed = await a.handlers['documents:list']({ filter: 'attention' });
      expect([listed.counts.failed, listed.failedToFix]).toEqual([2, 1]);
      const toFixSaid: (number | undefined)[] = [];
      a.on('documents:changed', (e) => toFixSaid.push(e.failedToFix));
      const answer = await a.handlers['documents:retry']({ allFailed: true });
      expect(answer).toMatchObject({ retried: 1, leftToFix: 1, leftToFixIds: [refused!.id] });
      await a.waitUntilSettled([broken!.id], { includeAccepted: true });
      expect(await statesOf(a, [refused!.id, broken!.id])).toEqual(['failed', 'accepted']);
      expect(ap.stats().acceptedDocuments).toBe(1);
      expect(toFixSaid.length).toBeGreaterThan(0);
      expect(toFixSaid.every((n) => n === 1)).toBe(true);
      // Chosen by itself, it is sent again (the clerk's choice), and the answer names it.
      expect(await a.handlers['documents:retry']({ ids: [refused!.id] })).toEqual({
        retried: 1,
        resentToFixIds: [refused!.id],
      });
      // None left to fix now.
      expect((await a.handlers['documents:list']({ filter: 'attention' })).failedToFix).toBe(0);
    },
    60_000,
  );

  // As on a single desk (test/integration/action-stopped): a slice that cannot be written stops
  // the Retry there, and the answer says what was done and how many were not reached, never an
  // error hiding the slices already retried.
  it.skipIf(backend.skip)(
    'stopped part way by the database going away, it says what it did and what it did not',
    async () => {
      const address = await backend.newAddress();
      let calls = 0;
      let failFrom = Infinity;
      const breaking = (store: TeamStore): TeamStore => {
        const retry = store.retry.bind(store);
        store.retry = (deskId, ids) => {
          if (++calls >= failFrom) {
            return Promise.reject(
              new TeamStoreUnavailableError('team@db.example:5432/peppol', 'connection refused'),
            );
          }
          return retry(deskId, ids);
        };
        return store;
      };
      const n = RETRY_SLICE * 2 + 50;
      const { ap, a, failed } = await failedOnDesk(address, breaking, n, 'SLS');

      ap.setFaults({});
      calls = 0;
      failFrom = 2;
      const answer = await a.handlers['documents:retry']({ allFailed: true });
      const unavailable =
        'The team database at team@db.example:5432/peppol cannot be reached (connection refused).';
      expect(answer).toEqual({
        retried: RETRY_SLICE,
        stopped: {
          left: n - RETRY_SLICE,
          code: 'TEAM_STORE_UNAVAILABLE',
          message: expect.stringContaining(unavailable),
        },
      });
      expect(answer.stopped!.message).not.toMatch(/inside Peppol Desk/);
      await a.waitUntilSettled(failed, { includeAccepted: true });
      const states = await statesOf(a, failed);
      expect(states.filter((s) => s === 'accepted')).toHaveLength(RETRY_SLICE);
      expect(states.filter((s) => s === 'failed')).toHaveLength(n - RETRY_SLICE);

      // Nothing done at all: the error is the answer.
      calls = 0;
      failFrom = 1;
      await expect(a.handlers['documents:retry']({ allFailed: true })).rejects.toThrow(unavailable);
    },
    240_000,
  );
});
