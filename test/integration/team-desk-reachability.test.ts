/**
 * A team desk's header follows the single desk's reachability rule (app/access-point/
 * reachability.ts, issue 14), on desks of both team stores (a SQLite file and a throwaway
 * PostgreSQL):
 * - a 429 to a send says "Throttled" in the single desk's words, and Online again once an answer
 *   comes after the throttle;
 * - a clerk's "Check again" and Retry of an unreachable document are lookups like the intake's:
 *   when they cannot reach the access point the header says Offline, and Online once a probe is
 *   answered; the retried document is queued anyway, as on a single desk.
 */
import { describe, expect, it, vi } from 'vitest';
import { THROTTLED_WORDS } from '../../app/access-point/reachability';
import type { ConnectionStatus } from '../../app/contract';
import { offlineWords } from '../../app/domain/problems';
import type { Engine } from '../../app/engine';
import { BUYER_NOT_CHECKED_DETAIL } from '../../app/domain/lookup-words';
import { makeInvoice } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test; an offline access point is probed every 50-200 ms.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000, probeInitialMs: 50, probeMaxMs: 200 },
  team: { pollMs: 30, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-desk-reachability', tempDir, 'reach');

const OFFLINE_WORDS = offlineWords('connect ECONNREFUSED');
const WAIT = { timeout: 10_000, interval: 20 };

const header = async (e: Engine) => {
  const s = await e.handlers['connection:get'](undefined);
  return [s.state, s.message];
};
const stateOf = async (e: Engine, id: number) =>
  (await e.handlers['documents:briefs']({ ids: [id] })).rows[0]?.state;

describe.each(BACKENDS)("a team desk's header, $name team store", (backend) => {
  it.skipIf(backend.skip)(
    'a 429 to a send says Throttled in the single desk’s words; an answer after it says Online',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const heard: ConnectionStatus['state'][] = [];
      a.on('connection:changed', (s) => heard.push(s.state));
      // The first send is refused for 3 s (longer than the 2 s the header shows Throttled): the
      // answer to its retry comes after the throttle.
      ap.setFaults({ status429: { every: 1, max: 1, retryAfterSeconds: 3 } });
      const { added } = await a.handlers['documents:add']({
        files: [{ name: 'slow.xml', bytes: makeInvoice('THR-1') }],
      });
      const id = added[0]!.id;
      await vi.waitFor(
        async () => expect(await header(a)).toEqual(['throttled', THROTTLED_WORDS]),
        WAIT,
      );
      const throttled = await a.handlers['connection:get'](undefined);
      expect(throttled.team?.reachable).toBe(true);
      expect(throttled.nextTryAt).toEqual(expect.any(Number));
      await a.waitUntilSettled([id]);
      expect(await stateOf(a, id)).toBe('accepted');
      await vi.waitFor(async () => expect(await header(a)).toEqual(['online', null]), WAIT);
      expect(heard.indexOf('throttled')).toBeGreaterThanOrEqual(0);
      expect(heard.lastIndexOf('online')).toBeGreaterThan(heard.indexOf('throttled'));
      expect(ap.stats().acceptedDocuments).toBe(1);
    },
    60_000,
  );

  // Walk 4, finding 3, as on a single desk (test/integration/queue-faults): a 429 says nothing
  // of the invoice, so more of them than its tries never leave it Failed.
  it.skipIf(backend.skip)(
    'more 429 answers than the tries allowed: not counted, the invoice goes',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A', {
        timings: { retryBaseMs: 20, retryMaxMs: 100 },
      });
      await a.handlers['settings:set']({ maxAttempts: 2 });
      ap.setFaults({ status429: { every: 1, max: 3, retryAfterSeconds: 0 } });
      const { added } = await a.handlers['documents:add']({
        files: [{ name: 'quota.xml', bytes: makeInvoice('QUOTA-1') }],
      });
      const id = added[0]!.id;
      await a.waitUntilSettled([id], { includeAccepted: true });
      expect(ap.stats().faults.status429).toBe(3);
      const detail = await a.handlers['documents:get']({ id });
      expect([detail.state, detail.attempts]).toEqual(['accepted', 1]);
      expect(detail.timeline.map((e) => e.to)).not.toContain('failed');
      expect(ap.stats().acceptedDocuments).toBe(1);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'a 429 to the intake’s lookup says Throttled too',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      // Paused: the buyer's lookup is the one request to the access point.
      await a.handlers['queue:pause'](undefined);
      ap.setFaults({ endpoints: 'all', status429: { every: 1, max: 1 } });
      await a.handlers['documents:add']({
        files: [{ name: 'look.xml', bytes: makeInvoice('THR-2') }],
      });
      expect(ap.stats().requests.byEndpoint['GET /api/v1/participants/lookup']?.total).toBe(1);
      expect(await header(a)).toEqual(['throttled', THROTTLED_WORDS]);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    '"Check again" that cannot reach the access point says Offline; a probe answered says Online',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      // Paused: nothing but the clerk's lookup asks the access point.
      await a.handlers['queue:pause'](undefined);
      const { added } = await a.handlers['documents:add']({
        files: [{ name: 'one.xml', bytes: makeInvoice('CHK-1') }],
      });
      const id = added[0]!.id;
      expect(await stateOf(a, id)).toBe('queued');
      expect(await header(a)).toEqual(['online', null]);
      await ap.outage(600_000);
      await expect(a.handlers['lookup:refresh']({ id })).rejects.toMatchObject({
        code: 'LOOKUP_UNAVAILABLE',
      });
      expect(await header(a)).toEqual(['offline', OFFLINE_WORDS]);
      await ap.outage(0);
      await vi.waitFor(async () => expect(await header(a)).toEqual(['online', null]), WAIT);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'Retry of an unreachable document that cannot reach the access point says Offline',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['queue:pause'](undefined);
      const { added } = await a.handlers['documents:add']({
        files: [
          { name: 'nobody.xml', bytes: makeInvoice('CHK-2', { receiver: '9915:unreg-buyer' }) },
        ],
      });
      const id = added[0]!.id;
      expect(await stateOf(a, id)).toBe('unreachable');
      expect(await header(a)).toEqual(['online', null]);
      await ap.outage(600_000);
      // The receiver could not be asked about: queued anyway, as on a single desk (the access
      // point looks the buyer up itself when it is sent), saying so on the timeline.
      expect(await a.handlers['documents:retry']({ ids: [id] })).toEqual({ retried: 1 });
      expect(await stateOf(a, id)).toBe('queued');
      const last = (await a.handlers['documents:get']({ id })).timeline.at(-1)!;
      expect([last.from, last.to, last.detail]).toEqual([
        'unreachable',
        'queued',
        BUYER_NOT_CHECKED_DETAIL,
      ]);
      expect(last.technical).toMatch(/^Receiver lookup unavailable \(.*ECONNREFUSED.*\)$/);
      expect(await header(a)).toEqual(['offline', OFFLINE_WORDS]);
    },
    60_000,
  );
});
