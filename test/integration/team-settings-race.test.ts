/**
 * A team desk whose Settings change its access point while the team's answers are on their way
 * (both team stores). The interleaving, held in place with spies on the desk's store:
 *
 * 1. The team sends through access point X. A document's first attempt may have reached X (its
 *    answer was lost): it waits to be sent again under the same key, which only X can answer.
 * 2. The desk's heartbeat asks the team whether X is the team's access point (yes: the answer is
 *    on its way), and its send loop claims the document under X (the claim is on its way too).
 * 3. The clerk saves Settings: the desk now uses access point Y (a new client, a new
 *    fingerprint). The desk stops claiming until the team has been asked about Y.
 * 4. The heartbeat's answer about X arrives, then the claim.
 *
 * The answer about X must not let the desk send again (it is about an access point the desk no
 * longer uses), and the document claimed under X must never leave through Y's client. Nor may
 * the team follow the desk to Y while the document may still be at X, even once its claim went
 * back to the queue. Set back to X, the desk sends it again under its key: X answers with the
 * first result. Before the fix, step 4 sent the document to Y as a new submission.
 *
 * And the send loop on its own (a memory store): a claim whose answer comes after the desk's
 * access point changed does not leave, even when nothing told the loop to hold.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import { DEFAULT_RETRY_POLICY } from '../../app/domain/retry-policy';
import { Metrics } from '../../app/metrics/metrics';
import { DeskSender } from '../../app/team/desk-sender';
import { openTeamStore } from '../../app/team/open-store';
import type { TeamStore } from '../../app/team/store';
import { makeInvoices } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { refOf, sendsTo, teamSends, useTeamDesks } from '../helpers/team-desks';
import { MemoryTeamStore } from '../helpers/team-memory-store';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within the test.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 30, heartbeatMs: 50 },
});
const BACKENDS = useTeamBackends('team-settings-race', tempDir, 'setrace');

const stores: TeamStore[] = [];
/** Every call a test held, let through after it (a failed test leaves none waiting). */
const gates: (() => void)[] = [];
// Registered after the desks' clean-up, so it runs before it (hooks run as a stack).
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.close();
});

/** A promise the test opens when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** One call held by the test: `release` settles once the caller has had the answer. */
interface Held {
  ap: string | undefined;
  release(): Promise<void>;
}

/**
 * Hold the calls of `method` on `store` while `holding()` says so. The team is asked at once
 * and its answer held, or, for the calls `askLate` picks, asked only when the test releases
 * the call (the team's state then, not now, decides the answer).
 */
function holdCalls<K extends 'adoptAccessPoint' | 'claim'>(
  store: TeamStore,
  method: K,
  holding: () => boolean,
  apOf: (args: Parameters<TeamStore[K]>) => string | undefined,
  askLate: (args: Parameters<TeamStore[K]>) => boolean = () => false,
): Held[] {
  const held: Held[] = [];
  const real = (store[method] as (...a: unknown[]) => Promise<unknown>).bind(store);
  vi.spyOn(store, method).mockImplementation(((...args: Parameters<TeamStore[K]>) => {
    if (!holding()) return real(...args);
    const g = gate();
    gates.push(g.open);
    const answer = askLate(args) ? g.opened.then(() => real(...args)) : real(...args);
    const given = g.opened.then(() => answer);
    held.push({
      ap: apOf(args),
      release: () => {
        g.open();
        // The desk's own continuation was registered first: it has run once this settles.
        return given.then(
          () => undefined,
          () => undefined,
        );
      },
    });
    return given;
  }) as never);
  return held;
}

describe.each(BACKENDS)('Settings racing the team’s answers, $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'nothing claimed under the old access point leaves through the new one; in doubt, only to the old one',
    async () => {
      const address = await backend.newAddress();
      const [apX, apY] = [await sandbox(), await sandbox()];
      const [refX, refY] = [refOf(apX), refOf(apY)];
      let annaStore: TeamStore | null = null;
      // Anna's desk, alone on the team, set to X in Settings (the team follows her there).
      const a = await desk(
        address,
        null,
        'Anna',
        {},
        {
          openStore: (url) => (annaStore = openTeamStore(url)),
        },
      );
      await a.handlers['settings:set']({ endpoint: apX.url });
      await vi.waitFor(async () => expect(await teamSends(a)).toBe(true), {
        timeout: 10_000,
        interval: 20,
      });
      const ghost = openTeamStore(address);
      stores.push(ghost);
      expect((await ghost.accessPoint())?.id).toBe(refX.id);

      // 1. A document whose first attempt reached X and whose answer was lost (another desk).
      await a.handlers['queue:pause'](undefined);
      const { added } = await a.handlers['documents:add']({ files: makeInvoices(1, 'RACE') });
      const id = added[0]!.id;
      const [first] = await ghost.claim('desk-ghost', 1, 60_000, refX.id);
      expect(first).toMatchObject({ id });
      const xClient = new AccessPointClient({ baseUrl: apX.url, apiKey: null });
      const body = first!.body ?? (await ghost.body(id));
      expect((await xClient.send(body, first!.key)).kind).toBe('ok');
      await xClient.close();
      await ghost.finish('desk-ghost', first!, {
        kind: 'retry',
        delayMs: 0,
        problem: { code: 'AP_UNAVAILABLE', message: 'No answer came.', action: null },
        reachedMaybe: true,
      });
      expect(apX.stats().acceptedDocuments).toBe(1);

      // 2. The heartbeat's question about X and a claim under X, their answers held.
      let holding = true;
      const adopts = holdCalls(
        annaStore!,
        'adoptAccessPoint',
        () => holding,
        ([, ap]) => ap.id,
        // The question about Y is answered by the team as it is when the test lets it through.
        ([, ap]) => ap.id === refY.id,
      );
      let holdClaims = true;
      const claims = holdCalls(
        annaStore!,
        'claim',
        () => holdClaims,
        ([, , , ap]) => ap,
      );
      await a.handlers['queue:resume'](undefined);
      await vi.waitFor(
        () => {
          expect(claims.length).toBeGreaterThan(0);
          expect(adopts.filter((h) => h.ap === refX.id).length).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 10 },
      );
      holdClaims = false;
      expect(claims.map((h) => h.ap)).toEqual([refX.id]);
      // Claimed by the team (only its answer is held).
      await vi.waitFor(async () => expect((await ghost.get(id))?.state).toBe('sending'), {
        timeout: 10_000,
        interval: 10,
      });

      // 3. Settings: Y. Saved means in use (the handler answers once the client is swapped).
      await a.handlers['settings:set']({ endpoint: apY.url });
      expect(a.endpoint).toBe(apY.url);

      // 4. The answers about X arrive: the heartbeat's, then the claim.
      const aboutX = adopts.filter((h) => h.ap === refX.id);
      for (const h of aboutX) await h.release();
      // No reason to claim again: the desk uses Y now, which the team has not been asked about.
      expect(await teamSends(a)).toBe(false);
      await claims[0]!.release();
      await vi.waitFor(async () => expect((await ghost.get(id))?.state).not.toBe('sending'), {
        timeout: 10_000,
        interval: 20,
      });
      // Nothing for Y: the claim under X went back to the queue unsent, still in doubt at X.
      expect(sendsTo(apY)).toBe(0);
      expect(await ghost.get(id)).toMatchObject({ state: 'queued', reachedMaybe: true });

      // The team is asked about Y: the document may be at X, so the team stays there (Anna was
      // alone on it, yet it does not follow her) and her desk says why it does not send.
      holding = false;
      const aboutY = adopts.filter((h) => !aboutX.includes(h));
      expect(aboutY.map((h) => h.ap)).toContain(refY.id);
      for (const h of aboutY) await h.release();
      await vi.waitFor(
        async () => {
          const s = await a.handlers['connection:get'](undefined);
          expect(s.team).toMatchObject({ sends: false });
          expect(s.message).toMatch(/^This desk does not send: the team sends through /);
        },
        { timeout: 10_000, interval: 20 },
      );
      expect((await ghost.accessPoint())?.id).toBe(refX.id);

      // Set back to X: sent again under its key, and X answers with its first result.
      await a.handlers['settings:set']({ endpoint: apX.url });
      await a.waitUntilSettled([id]);
      expect(await ghost.get(id)).toMatchObject({ state: 'accepted' });
      expect([sendsTo(apY), apY.stats().acceptedDocuments]).toEqual([0, 0]);
      expect(apX.stats()).toMatchObject({ acceptedDocuments: 1, idempotentReplays: 1 });
    },
    60_000,
  );
});

describe('a team desk’s send loop', () => {
  it('never sends a claim through another access point than the one it was claimed under', async () => {
    const store = new MemoryTeamStore();
    const [X, Y] = ['ap-x', 'ap-y'].map((id) => ({ id, label: id }));
    await store.adoptAccessPoint('desk', X!, false);
    const [doc] = await store.enqueue('desk', [teamDocMaker('LOOP')()]);
    let holding = true;
    const claims = holdCalls(
      store,
      'claim',
      () => holding,
      ([, , , ap]) => ap,
    );
    let sends = 0;
    let current = X!.id;
    const sender = new DeskSender({
      store,
      deskId: 'desk',
      client: () =>
        ({
          send: async () => {
            sends++;
            return { kind: 'ok', status: 200, value: { transactionId: 'tx' } };
          },
        }) as unknown as AccessPointClient,
      metrics: new Metrics(),
      retry: () => DEFAULT_RETRY_POLICY,
      concurrency: 2,
      leaseMs: 30_000,
      spoolOutcome: () => undefined,
      onUnavailable: (err) => {
        throw err;
      },
      onChanged: () => undefined,
      accessPoint: () => current,
    });
    sender.start();
    await vi.waitFor(() => expect(claims).toHaveLength(1), { timeout: 5_000, interval: 5 });
    holding = false;
    // The desk's access point (and with it the client) changes while the claim's answer is on
    // its way, and the loop is not told to hold: the claim must still not leave.
    current = Y!.id;
    await claims[0]!.release();
    await vi.waitFor(async () => expect((await store.get(doc!.id))?.state).toBe('queued'), {
      timeout: 5_000,
      interval: 5,
    });
    await sender.stop();
    expect(sends).toBe(0);
  });
});
