/**
 * What a team desk shows when its access point does not answer at intake, on desks of both team
 * stores (a SQLite file and a throwaway PostgreSQL): as on a single desk, the access point's
 * check that cannot reach it turns the header's connection to "offline" in the single desk's
 * words (and back to online once a probe is answered), and a buyer whose lookup could not be made
 * (the access point answering 503, or not reachable at all) is queued anyway with the single
 * desk's timeline words and its technical line ("Receiver lookup unavailable (<why>)").
 */
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import type { Engine } from '../../app/engine';
import { offlineWords } from '../../app/domain/problems';
import { BUYER_NOT_CHECKED_DETAIL } from '../../app/domain/lookup-words';
import { lookupUnavailableTechnical } from '../../app/queue/lifecycle/checking';
import type { SandboxHandle } from '../../app/sandbox/server';
import { ADDED_DETAIL } from '../../app/team/store-rows';
import { makeInvoice } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test; an offline access point is probed every 50-200 ms.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000, probeInitialMs: 50, probeMaxMs: 200 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-intake-access-point-down', tempDir, 'apdown');

const requests = (ap: SandboxHandle, endpoint: string) =>
  ap.stats().requests.byEndpoint[endpoint]?.total ?? 0;

const stateOf = async (e: Engine, id: number) =>
  (await e.handlers['documents:briefs']({ ids: [id] })).rows[0]?.state;

describe.each(BACKENDS)('intake with the access point down, $name team store', (backend) => {
  it.skipIf(backend.skip)(
    "the access point's check cannot reach it: the header says offline, then online once it answers",
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['settings:set']({ remoteValidation: true });
      await a.handlers['queue:pause'](undefined);
      // The buyer is looked up now, and cached: below, only the check asks the access point.
      const first = await a.handlers['documents:add']({
        files: [{ name: 'before.xml', bytes: makeInvoice('APD-1') }],
      });
      expect(await stateOf(a, first.added[0]!.id)).toBe('queued');
      const lookups = requests(ap, 'GET /api/v1/participants/lookup');
      expect(lookups).toBe(1);
      expect((await a.handlers['connection:get'](undefined)).state).toBe('online');
      const heard: ConnectionStatus[] = [];
      a.on('connection:changed', (s) => heard.push(s));

      await ap.outage(600_000);
      const res = await a.handlers['documents:add']({
        files: [{ name: 'away.xml', bytes: makeInvoice('APD-2') }],
      });
      const id = res.added[0]!.id;
      expect(requests(ap, 'GET /api/v1/participants/lookup')).toBe(lookups);
      // Our verdict stands, nothing noted on the document, as on a single desk.
      const d = await a.handlers['documents:get']({ id });
      expect(d.state).toBe('queued');
      expect(d.problem).toBeNull();
      expect(d.timeline.map((t) => [t.from, t.to, t.detail])).toEqual([
        [null, 'queued', ADDED_DETAIL],
      ]);
      // The header: the team database answers, the access point does not.
      const down = await a.handlers['connection:get'](undefined);
      expect(down).toMatchObject({
        state: 'offline',
        message: offlineWords('connect ECONNREFUSED'),
        team: { reachable: true },
      });
      await vi.waitFor(() => expect(heard.map((s) => s.state)).toContain('offline'), {
        timeout: 5_000,
        interval: 20,
      });

      // Back: a probe is answered and the header says online again, before anything is sent.
      await ap.outage(0);
      await vi.waitFor(
        async () => {
          const up = await a.handlers['connection:get'](undefined);
          expect([up.state, up.message]).toEqual(['online', null]);
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(requests(ap, 'GET /peppol/version')).toBeGreaterThan(0);
      expect(ap.stats().acceptedDocuments).toBe(0);
      await a.handlers['queue:resume'](undefined);
      await a.waitUntilSettled([first.added[0]!.id, id]);
      expect(await stateOf(a, id)).toBe('accepted');
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    "the buyer's lookup cannot be made: queued anyway, the timeline saying so in the single desk's words",
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const b = await desk(address, ap, 'desk B');
      await a.handlers['queue:pause'](undefined);
      await b.handlers['queue:pause'](undefined);
      ap.setFaults({ endpoints: 'all', status503: { every: 1 } });
      const res = await a.handlers['documents:add']({
        files: [{ name: 'busy.xml', bytes: makeInvoice('APD-3') }],
      });
      const id = res.added[0]!.id;
      expect(requests(ap, 'GET /api/v1/participants/lookup')).toBeGreaterThan(0);
      // Seen alike from both desks: it is on the team's timeline.
      for (const e of [a, b]) {
        const d = await e.handlers['documents:get']({ id });
        expect(d.state).toBe('queued');
        expect(d.problem).toBeNull();
        expect(d.timeline.map((t) => [t.from, t.to, t.detail, t.desk])).toEqual([
          [null, 'queued', BUYER_NOT_CHECKED_DETAIL, 'desk A'],
        ]);
        // The single desk's technical line, with the access point's reason for its 503.
        expect(d.timeline[0]!.technical).toMatch(/^Receiver lookup unavailable \(.+\)$/);
        expect(d.timeline[0]!.technical).not.toContain(BUYER_NOT_CHECKED_DETAIL);
      }
      // A 503 comes from an access point that is there: the header stays online, as on a single desk.
      expect((await a.handlers['connection:get'](undefined)).state).toBe('online');
      ap.setFaults({});
      await a.handlers['queue:resume'](undefined);
      await a.waitUntilSettled([id]);
      expect(await stateOf(a, id)).toBe('accepted');
      expect(ap.stats().acceptedDocuments).toBe(1);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    "the access point cannot be reached for the buyer's lookup: the timeline's technical line says why",
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const b = await desk(address, ap, 'desk B');
      await a.handlers['queue:pause'](undefined);
      await b.handlers['queue:pause'](undefined);
      await ap.outage(600_000);
      const res = await a.handlers['documents:add']({
        files: [{ name: 'away.xml', bytes: makeInvoice('APD-4') }],
      });
      const id = res.added[0]!.id;
      const port = new URL(ap.url).port;
      const why = `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}`;
      for (const e of [a, b]) {
        const d = await e.handlers['documents:get']({ id });
        expect(d.state).toBe('queued');
        expect(d.problem).toBeNull();
        expect(d.timeline.map((t) => [t.to, t.detail, t.technical, t.desk])).toEqual([
          ['queued', BUYER_NOT_CHECKED_DETAIL, lookupUnavailableTechnical(why), 'desk A'],
        ]);
      }
      expect(lookupUnavailableTechnical(why)).toBe(`Receiver lookup unavailable (${why})`);
      await ap.outage(0);
      await a.handlers['queue:resume'](undefined);
      await a.waitUntilSettled([id]);
      expect(await stateOf(a, id)).toBe('accepted');
    },
    60_000,
  );
});
