/**
 * The team's access point and the clerk's retry on both team stores (SQLite and PostgreSQL):
 * - every desk of a team sends through one access point: the first desk sets it, a claim that
 *   names another one gets nothing (sends and delivery polls), and the team's access point
 *   changes only while nothing may still be at the old one;
 * - a retry of a failed document gives it a full set of attempts and clears its problem; one
 *   whose delivery failed is sent again under a new key (the old key would replay the failure).
 */
import { describe, expect, it } from 'vitest';
import { accessPointRef } from '../../app/team/access-point';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { useTempDirs } from '../helpers/temp';

const BACKENDS = useTeamBackends('team-access-point', useTempDirs(), 'teamap');

const newDoc = teamDocMaker('AP');

const ANNA = 'desk-anna';
const BEN = 'desk-ben';
const PROVIDER = accessPointRef({
  accessPoint: 'https://ap.example.com/peppol-api',
  environment: 'production',
  apiKey: 'pk_goroute_team',
});
// Same provider, another API key: another access point for idempotency keys.
const OTHER_KEY = accessPointRef({
  accessPoint: 'https://ap.example.com/peppol-api',
  environment: 'production',
  apiKey: 'pk_goroute_other',
});
const FAILED_DELIVERY = {
  moves: [{ to: 'failed' as const, detail: 'Delivery failed' }],
  problem: {
    code: 'DELIVERY_FAILED',
    message: 'The receiving access point refused the invoice.',
    action: null,
  },
  nextPollInMs: null,
};

describe('access point fingerprints', () => {
  it('name the access point, environment and key without holding the key; the built-in Sandbox is one', () => {
    const again = accessPointRef({
      accessPoint: 'https://ap.example.com/peppol-api/',
      environment: 'production',
      apiKey: 'pk_goroute_team',
    });
    // Another desk with the same URL (a trailing slash aside) and key: the same access point.
    expect(again).toEqual(PROVIDER);
    expect(OTHER_KEY.id).not.toBe(PROVIDER.id);
    expect(PROVIDER.label).toBe('ap.example.com (Production)');
    expect(JSON.stringify(PROVIDER)).not.toContain('pk_goroute');
    const sandbox = accessPointRef({
      accessPoint: 'sandbox',
      environment: 'sandbox',
      apiKey: null,
    });
    expect(sandbox.label).toBe('the built-in Sandbox');
    expect(sandbox.id).not.toBe(PROVIDER.id);
  });
});

describe.each(BACKENDS)('team store on $name', (backend) => {
  const stores = useTeamStores(backend);
  const { connect, fresh } = stores;

  describe.skipIf(backend.skip)('access point', () => {
    it('the first desk sets it; a desk on another one claims neither sends nor polls', async () => {
      const a = await fresh();
      const b = await connect();
      expect(await a.accessPoint()).toBeNull();
      const [doc] = await a.enqueue(ANNA, [newDoc()]);
      // Nothing is claimed under an access point before the team has one.
      expect(await a.claim(ANNA, 5, 30_000, PROVIDER.id)).toEqual([]);
      const first = await a.adoptAccessPoint(ANNA, PROVIDER, false);
      expect(first).toMatchObject({ ok: true, accessPoint: { ...PROVIDER, setBy: ANNA } });
      const refused = await b.adoptAccessPoint(BEN, OTHER_KEY, false);
      expect(refused).toEqual({
        ok: false,
        accessPoint: expect.objectContaining(PROVIDER),
        unfinished: 0,
      });
      expect(await b.claim(BEN, 5, 30_000, OTHER_KEY.id)).toEqual([]);
      const [claim] = await a.claim(ANNA, 5, 30_000, PROVIDER.id);
      expect(claim).toMatchObject({ id: doc!.id });
      await a.finish(ANNA, claim!, { kind: 'accepted', transactionId: 'tx-1', firstPollInMs: 0 });
      expect(await b.claimPolls(BEN, 5, 30_000, OTHER_KEY.id)).toEqual([]);
      expect(await a.claimPolls(ANNA, 5, 30_000, PROVIDER.id)).toEqual([
        expect.objectContaining({ id: doc!.id }),
      ]);
      expect((await b.accessPoint())?.id).toBe(PROVIDER.id);
    });

    it('changes only while nothing is in doubt at the old one; its deliveries stop being asked about', async () => {
      const a = await fresh();
      const b = await connect();
      await a.adoptAccessPoint(ANNA, PROVIDER, false);
      await a.enqueue(ANNA, [newDoc()]);
      const [claim] = await a.claim(ANNA, 5, 30_000, PROVIDER.id);
      // Being sent: in doubt at the team's access point.
      expect(await b.adoptAccessPoint(BEN, OTHER_KEY, true)).toMatchObject({
        ok: false,
        unfinished: 1,
      });
      await a.finish(ANNA, claim!, {
        kind: 'retry',
        delayMs: 60_000,
        problem: { code: 'AP_UNAVAILABLE', message: 'No answer.', action: null },
        reachedMaybe: true,
      });
      // Waiting to be sent again after an attempt that may have reached it.
      expect(await b.adoptAccessPoint(BEN, OTHER_KEY, true)).toMatchObject({
        ok: false,
        unfinished: 1,
      });
      await backend.raw(
        stores.address,
        'UPDATE team_documents SET due_at = 0, next_attempt_at = 0',
      );
      const [again] = await a.claim(ANNA, 5, 30_000, PROVIDER.id);
      await a.finish(ANNA, again!, { kind: 'accepted', transactionId: 'tx', firstPollInMs: 0 });
      // Accepted there, awaiting delivery: nothing can be sent twice any more. The change is
      // made, and the old access point's deliveries are not asked about (the new one does not
      // know them): a poll under way writes nothing, the timeline says so.
      const [poll] = await a.claimPolls(ANNA, 5, 30_000, PROVIDER.id);
      // Followed until the change (`send --wait-delivery` waits for it).
      expect(await b.notFollowed([again!.id])).toEqual(new Set());
      const before = (await a.get(again!.id))!.updatedAt;
      // A later millisecond: a "Last change" written by the move would differ.
      await new Promise((r) => setTimeout(r, 5));
      const changed = await b.adoptAccessPoint(BEN, OTHER_KEY, true);
      expect(changed).toMatchObject({
        ok: true,
        accessPoint: { ...OTHER_KEY, setBy: BEN },
        notFollowed: 1,
      });
      // No news will come: a wait for delivery stops waiting for it. Unknown ids are left out.
      expect(await b.notFollowed([again!.id, again!.id + 1000])).toEqual(new Set([again!.id]));
      expect(
        await a.finishPoll(ANNA, poll!, {
          moves: [{ to: 'delivered', detail: 'Delivered' }],
          nextPollInMs: 0,
        }),
      ).toBe(false);
      await backend.raw(stores.address, 'UPDATE team_documents SET next_poll_at = NULL');
      expect(await b.claimPolls(BEN, 5, 30_000, OTHER_KEY.id)).toEqual([]);
      // Its "Last change" is its acceptance still: the move changed nothing of the invoice (walk
      // 17b: every delivered invoice's jumped to the time of the move).
      expect(await a.get(again!.id)).toMatchObject({ state: 'accepted', updatedAt: before });
      expect((await a.timeline(again!.id)).at(-1)).toMatchObject({
        desk: 'desk-ben',
        fromState: 'accepted',
        toState: 'accepted',
        detail: expect.stringMatching(
          /^Delivery and the buyer's answer are no longer followed here: the team now sends through ap\.example\.com \(Production\) with another API key, and the key this invoice was sent with is not used any more/,
        ),
      });
      await b.enqueue(BEN, [newDoc()]);
      expect(await a.claim(ANNA, 5, 30_000, PROVIDER.id)).toEqual([]);
      expect(await b.claim(BEN, 5, 30_000, OTHER_KEY.id)).toHaveLength(1);
    });

    it('a change racing claims: either it counts every claim made, or no claim was made before it', async () => {
      const a = await fresh();
      const b = await connect();
      await a.adoptAccessPoint(ANNA, PROVIDER, false);
      await a.enqueue(
        ANNA,
        Array.from({ length: 20 }, () => newDoc()),
      );
      const claims = Array.from({ length: 20 }, () => a.claim(ANNA, 1, 30_000, PROVIDER.id));
      const change = b.adoptAccessPoint(BEN, OTHER_KEY, true);
      const claimed = (await Promise.all(claims)).flat().length;
      const r = await change;
      // Changed: no claim had been made before it (each would have been counted and kept the
      // team where it was), and none after it got anything. Refused: it counted the claims
      // committed before it (the others came after the refusal, under the unchanged team).
      const counted = r.ok ? 0 : r.unfinished;
      expect(r.ok ? claimed : Math.min(counted, 1)).toBe(r.ok ? 0 : 1);
      expect(counted).toBeLessThanOrEqual(claimed);
      // Whichever way it went, the claims after it agree with the team's access point.
      const team = await a.accessPoint();
      const later = await a.claim(ANNA, 1, 30_000, PROVIDER.id);
      expect(later.length > 0).toBe(team!.id === PROVIDER.id && claimed < 20);
    });
  });

  describe.skipIf(backend.skip)('retry', () => {
    it.each([
      {
        why: 'attempts used up: the same key (an attempt may have reached it)',
        problem: { code: 'ATTEMPTS_EXHAUSTED', message: 'Sending failed 8 times.', action: null },
        round: '',
        detail: 'Retry requested',
      },
      {
        why: 'refused for good: a new key round (the old one would replay the refusal)',
        problem: { code: 'AP_REJECTED', message: 'Refused.', action: null },
        round: '-r1',
        detail: 'Retry requested after the access point refused it: sent again as a new submission',
      },
    ])('a failed send retried: full attempts, no problem; $why', async (c) => {
      const s = await fresh();
      const d = newDoc();
      const [doc] = await s.enqueue(ANNA, [d]);
      const [claim] = await s.claim(ANNA, 1, 30_000);
      await s.finish(ANNA, claim!, { kind: 'failed', problem: c.problem });
      expect(await s.get(doc!.id)).toMatchObject({ state: 'failed', attempts: 1 });
      expect(await s.retry(BEN, [doc!.id])).toEqual({ queued: 1, held: [] });
      expect(await s.get(doc!.id)).toMatchObject({ state: 'queued', attempts: 0, problem: null });
      const [again] = await s.claim(ANNA, 1, 30_000);
      expect(again).toMatchObject({ id: doc!.id, key: `${d.key}${c.round}`, attempts: 1 });
      const timeline = await s.timeline(doc!.id);
      expect(timeline.at(-2)).toMatchObject({
        fromState: 'failed',
        toState: 'queued',
        detail: c.detail,
      });
    });

    it('a failed delivery retried is a new submission: a new key each time, transaction forgotten', async () => {
      const s = await fresh();
      const d = newDoc();
      const [doc] = await s.enqueue(ANNA, [d]);
      const keys: string[] = [];
      for (let round = 1; round <= 2; round++) {
        const [claim] = await s.claim(ANNA, 1, 30_000);
        keys.push(claim!.key);
        await s.finish(ANNA, claim!, {
          kind: 'accepted',
          transactionId: `tx-${round}`,
          firstPollInMs: 0,
        });
        const [poll] = await s.claimPolls(ANNA, 1, 30_000);
        expect(await s.finishPoll(ANNA, poll!, FAILED_DELIVERY)).toBe(true);
        expect(await s.retry(ANNA, [doc!.id])).toEqual({ queued: 1, held: [] });
        expect(await s.get(doc!.id)).toMatchObject({
          state: 'queued',
          transactionId: null,
          acceptedAt: null,
          problem: null,
          attempts: 0,
          reachedMaybe: false,
        });
        const timeline = await s.timeline(doc!.id);
        expect(timeline.at(-1)?.detail).toBe(
          `Retry requested after the delivery failed (transaction tx-${round}): sent again as a new submission`,
        );
      }
      const [third] = await s.claim(ANNA, 1, 30_000);
      keys.push(third!.key);
      expect(keys).toEqual([d.key, `${d.key}-r1`, `${d.key}-r2`]);
      // The document is still the one file: the same file dropped again is known.
      expect((await s.known([d.key])).get(d.key)?.id).toBe(doc!.id);
    });
  });
});
