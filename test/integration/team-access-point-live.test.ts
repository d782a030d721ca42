/**
 * A team desk and its access point, live, on both team stores (a SQLite file and a throwaway
 * PostgreSQL):
 * - a change of the team's access point reaches the other desks through the change channel
 *   (their heartbeats an hour away): a desk moved off the team's access point stops sending at
 *   once, and the desk on the new one sends; a wait for the delivery of what the old one accepted
 *   ends (it is no longer followed);
 * - a desk whose access point cannot be reached claims nothing while it cannot (its sends that
 *   found it unreachable go back to the queue, the attempt not counted), another desk that
 *   reaches it sends the team's documents, and the desk claims again once a probe is answered.
 *   Nothing is lost, nothing is sent twice.
 */
import Pool from 'undici/lib/dispatcher/pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../app/engine';
import { openTeamStore } from '../../app/team/open-store';
import type { TeamStore } from '../../app/team/store';
import { makeInvoices } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test; an offline access point is probed every 50-200 ms.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000, probeInitialMs: 50, probeMaxMs: 200 },
  team: { pollMs: 30, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-access-point-live', tempDir, 'aplive');

const HOUR = 3_600_000;

// The pool's own dispatch, whatever a test's spy (restored after each test) puts there.
const DISPATCH = Pool.prototype.dispatch;
afterEach(() => {
  vi.restoreAllMocks();
});

const briefs = async (e: Engine, ids: number[]) =>
  (await e.handlers['documents:briefs']({ ids })).rows.map((r) => [r.state, r.sentBy]);

/**
 * Requests of the connection pools in `cut` fail as a refused connection would (the access
 * point cannot be reached from that desk); every pool that made a request is in `seen`.
 * Undone after each test.
 */
function cutPools() {
  const seen = new Set<object>();
  const cut = new Set<object>();
  vi.spyOn(Pool.prototype, 'dispatch').mockImplementation(function (
    this: InstanceType<typeof Pool>,
    opts,
    handler,
  ) {
    seen.add(this);
    if (cut.has(this)) {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' });
    }
    return DISPATCH.call(this, opts, handler);
  });
  return { seen, cut };
}

describe.each(BACKENDS)('a team desk and its access point, $name team store', (backend) => {
  it.skipIf(backend.skip)(
    "a change of the team's access point reaches the other desks at once, not at their heartbeat",
    async () => {
      const address = await backend.newAddress();
      const [apA, apB] = [await sandbox(), await sandbox()];
      // Heartbeats an hour apart: after connecting, only a notice tells of the change.
      const a = await desk(address, apA, 'Anna', { team: { heartbeatMs: HOUR } });
      const b = await desk(address, apB, 'Ben', { team: { heartbeatMs: HOUR } });
      expect((await a.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
      expect((await b.handlers['connection:get'](undefined)).team).toMatchObject({ sends: false });

      const taken = await b.handlers['team:useThisAccessPoint'](undefined);
      expect(taken.changed).toBe(true);
      expect(taken.status.team).toMatchObject({ sends: true });
      // Anna's desk hears it and stops sending, saying why.
      await vi.waitFor(
        async () => {
          const s = await a.handlers['connection:get'](undefined);
          expect(s.team).toMatchObject({ sends: false });
          expect(s.message).toMatch(/^This desk does not send: the team sends through /);
        },
        { timeout: 10_000, interval: 50 },
      );
      // Added on Anna's desk: sent by Ben's through the team's new access point only.
      const { added } = await a.handlers['documents:add']({ files: makeInvoices(4, 'MOVE') });
      const ids = added.map((x) => x.id);
      expect(ids).toHaveLength(4);
      await a.waitUntilSettled(ids);
      expect(await briefs(a, ids)).toEqual(ids.map(() => ['accepted', 'Ben']));
      expect([apA.stats().acceptedDocuments, apB.stats().acceptedDocuments]).toEqual([0, 4]);

      // And back: Anna takes the team over again; Ben's desk stops sending at once.
      const back = await a.handlers['team:useThisAccessPoint'](undefined);
      expect(back.changed).toBe(true);
      await vi.waitFor(
        async () => expect((await b.handlers['connection:get'](undefined)).team?.sends).toBe(false),
        { timeout: 10_000, interval: 50 },
      );
      // The four accepted at Ben's access point are no longer followed: a wait for their
      // delivery ends (`send --wait-delivery` waited for ever: walk 10), on both desks.
      await a.waitUntilSettled(ids, { includeAccepted: false });
      await b.waitUntilSettled(ids, { includeAccepted: false });
      expect(await briefs(a, ids)).toEqual(ids.map(() => ['accepted', 'Ben']));
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'a desk that cannot reach its access point claims nothing; another desk sends; it claims again once it answers',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const pools = cutPools();
      // Anna's desk's claims, counted on its own store.
      let annaStore: TeamStore | null = null;
      const a = await desk(
        address,
        ap,
        'Anna',
        {},
        {
          openStore: async (url) => {
            annaStore = await openTeamStore(url);
            return annaStore;
          },
        },
      );
      const claims = vi.spyOn(annaStore!, 'claim');
      // One invoice sent by Anna's desk alone: its connection pool is known, the buyer cached.
      const first = await a.handlers['documents:add']({ files: makeInvoices(1, 'FIRST') });
      await a.waitUntilSettled([first.added[0]!.id]);
      expect(await briefs(a, [first.added[0]!.id])).toEqual([['accepted', 'Anna']]);
      const annaPools = [...pools.seen];
      expect(annaPools.length).toBeGreaterThan(0);

      // Ben's desk joins, paused for now.
      const b = await desk(address, ap, 'Ben');
      await b.handlers['queue:pause'](undefined);
      // Anna's access point cannot be reached from her desk any more.
      for (const p of annaPools) pools.cut.add(p);
      const { added } = await a.handlers['documents:add']({ files: makeInvoices(5, 'AWAY') });
      const ids = added.map((x) => x.id);
      expect(ids).toHaveLength(5);
      await vi.waitFor(
        async () => expect((await a.handlers['connection:get'](undefined)).state).toBe('offline'),
        { timeout: 10_000, interval: 20 },
      );
      // Whatever Anna's desk claimed went back to the queue: nothing reached the access point.
      await vi.waitFor(
        async () => expect(await briefs(a, ids)).toEqual(ids.map(() => ['queued', null])),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      const claimsWhileDown = claims.mock.calls.length;
      expect(claimsWhileDown).toBeGreaterThan(0);

      // Ben's desk sends them; Anna's claims nothing meanwhile (its timer ticks every 30 ms).
      await b.handlers['queue:resume'](undefined);
      await b.waitUntilSettled(ids);
      expect(await briefs(b, ids)).toEqual(ids.map(() => ['accepted', 'Ben']));
      expect(claims.mock.calls.length).toBe(claimsWhileDown);
      expect(ap.stats().acceptedDocuments).toBe(6);
      // Each was attempted once: Anna's unreachable sends were not counted.
      const rows = await backend.raw(
        address,
        'SELECT attempts FROM team_documents WHERE id IN (' + ids.join(',') + ')',
      );
      expect(rows.map((r) => Number(r.attempts))).toEqual(ids.map(() => 1));
      expect((await a.handlers['connection:get'](undefined)).state).toBe('offline');

      // Back: a probe is answered and Anna's desk claims and sends again.
      await b.handlers['queue:pause'](undefined);
      pools.cut.clear();
      await vi.waitFor(
        async () => expect((await a.handlers['connection:get'](undefined)).state).toBe('online'),
        { timeout: 10_000, interval: 20 },
      );
      const more = await a.handlers['documents:add']({ files: makeInvoices(3, 'BACK') });
      const moreIds = more.added.map((x) => x.id);
      await a.waitUntilSettled(moreIds);
      expect(await briefs(a, moreIds)).toEqual(moreIds.map(() => ['accepted', 'Anna']));
      expect(claims.mock.calls.length).toBeGreaterThan(claimsWhileDown);
      // Every invoice accepted exactly once.
      expect(ap.stats().acceptedDocuments).toBe(9);
    },
    60_000,
  );
});
