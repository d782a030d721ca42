/**
 * Desks of a team on different access points (app/team/access-point.ts): the desk set to
 * another access point than the team's adds invoices but never sends one, says why on its header,
 * and can make its access point the team's; and a clerk's retry after a failed delivery reaches
 * the access point as a new submission, not a replay of the failure.
 */
import { describe, expect, it, vi } from 'vitest';
import { accessPointLabel } from '../../app/contract';
import { memorySecretStore, type Engine } from '../../app/engine';
import type { SandboxHandle } from '../../app/sandbox/server';
import { makeInvoice } from '../helpers/invoices';
import { useTeamDesks } from '../helpers/team-desks';

const teamDesks = useTeamDesks({
  timings: { pollInitialMs: 30 },
  team: { leaseMs: 2_000 },
});
const { desk } = teamDesks;
const sandbox = () => teamDesks.sandbox({ transactionStepMs: 20 });

/** Add `n` invoices on `e` and expect each sent (accepted, or delivered already: 20 ms here). */
async function sendHere(e: Engine, n: number, tag: string): Promise<void> {
  const added = await e.handlers['documents:add']({ files: invoices(n, tag) });
  const ids = added.added.map((x) => x.id);
  await e.waitUntilSettled(ids);
  const { rows } = await e.handlers['documents:briefs']({ ids });
  expect(rows.map((r) => r.state)).toEqual(
    Array(n).fill(expect.stringMatching(/accepted|delivered/)),
  );
}

function invoices(n: number, tag: string, receiver?: string) {
  return Array.from({ length: n }, (_, i) => ({
    name: `${tag}-${i}.xml`,
    bytes: makeInvoice(`${tag}-${i}`, receiver ? { receiver } : {}),
  }));
}

describe('desks of a team on different access points', () => {
  it('a team desk hears which environment its access point is, and records each invoice there', async () => {
    // Walk 12, on a team: a Production-looking key on an access point that says it is its test
    // environment. The header must say so, and each invoice must not read Production.
    const ap = await sandbox();
    const store = teamDesks.sqliteStore();
    const a = await desk(store, ap, 'Anna', {
      secrets: memorySecretStore('pk_live_production_looking_key'),
    });
    await vi.waitFor(async () => {
      expect(await a.handlers['connection:get'](undefined)).toMatchObject({
        environment: 'production',
        accessPointEnvironment: 'sandbox',
      });
    }, 10_000);
    const added = await a.handlers['documents:add']({ files: invoices(2, 'SAID') });
    const ids = added.added.map((x) => x.id);
    await a.waitUntilSettled(ids);
    for (const id of ids) {
      expect(await a.handlers['documents:get']({ id })).toMatchObject({
        state: expect.stringMatching(/accepted|delivered/),
        environment: 'test',
      });
    }
  });

  it('only the desks on the team’s access point send; another desk can take the team over', async () => {
    const [apA, apB] = [await sandbox(), await sandbox()];
    const store = teamDesks.sqliteStore();
    const a = await desk(store, apA, 'Anna');
    const b = await desk(store, apB, 'Ben');
    const statusB = await b.handlers['connection:get'](undefined);
    expect(statusB.team).toMatchObject({ sends: false, accessPoint: apLabel(apA) });
    expect(statusB.message).toBe(
      `This desk does not send: the team sends through ${apLabel(apA)}, and this desk is set to ${apLabel(apB)}. Invoices added here go on the team's queue and are sent by the desks that use ${apLabel(apA)}. To send from this desk too, set the same access point and API key as those desks in Settings.`,
    );
    expect((await a.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
    // Anna (no key: the sandbox takes that) sends one: the team's access point was used, so a
    // desk with a key does not take it over (it would, had nothing gone out: below).
    await sendHere(a, 1, 'FIRST');
    // The same address with another API key: said so, not the same label twice (walk 7).
    const c = await desk(store, apA, 'Cleo', { secrets: memorySecretStore('sk_test_another') });
    await vi.waitFor(async () => {
      expect((await c.handlers['connection:get'](undefined)).message).toContain(
        `the team sends through ${apLabel(apA)}, and this desk is set to ${apLabel(apA)} with another API key. `,
      );
    }, 10_000);
    await c.stop();
    // The same address without any key (walk 17: told "with another API key").
    const keyedTeam = teamDesks.sqliteStore();
    const eva = await desk(keyedTeam, apA, 'Eva', { secrets: memorySecretStore('sk_test_team') });
    expect((await eva.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
    const finn = await desk(keyedTeam, apA, 'Finn');
    await vi.waitFor(async () => {
      expect((await finn.handlers['connection:get'](undefined)).message).toContain(
        `the team sends through ${apLabel(apA)}, and this desk is set to ${apLabel(apA)} without an API key. `,
      );
    }, 10_000);
    // Nor can it move the team there: its invoices could no longer be sent (walk 17b).
    const moved = await finn.handlers['team:useThisAccessPoint'](undefined);
    expect(moved.changed).toBe(false);
    expect(moved.message).toBe(
      `The team still sends through ${apLabel(apA)}, with an API key, and this desk has none: moving the team here would stop its invoices from being sent. To send from this desk, enter the team's API key in Settings.`,
    );
    expect((await eva.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
    await finn.stop();
    await eva.stop();

    // Added on Ben's desk, sent by Anna's through the team's access point only.
    const added = await b.handlers['documents:add']({ files: invoices(6, 'BEN') });
    const ids = added.added.map((x) => x.id);
    expect(ids).toHaveLength(6);
    await b.waitUntilSettled(ids);
    const { rows } = await b.handlers['documents:briefs']({ ids });
    expect(rows.map((r) => [r.state, r.sentBy])).toEqual(
      Array.from({ length: 6 }, () => [expect.stringMatching(/accepted|delivered/), 'Anna']),
    );
    // Ben's desk looked the receiver up at its own access point, and sent nothing there.
    const sentToB = apB.stats().acceptedDocuments + apB.stats().rejectedDocuments;
    expect([apA.stats().acceptedDocuments, sentToB]).toEqual([7, 0]);

    // Ben makes his access point the team's: nothing is in doubt at Anna's.
    const taken = await b.handlers['team:useThisAccessPoint'](undefined);
    expect(taken.changed).toBe(true);
    expect(taken.message).toMatch(
      new RegExp(
        `^The team now sends through ${escape(apLabel(apB))}, the access point of this desk\\.`,
      ),
    );
    expect(taken.status.team).toMatchObject({ sends: true, accessPoint: apLabel(apB) });
    // Anna hears it at her next heartbeat and stops sending.
    await poll('Anna to stop sending', async () => {
      const s = await a.handlers['connection:get'](undefined);
      return s.team?.sends === false ? s : undefined;
    });
    const more = await a.handlers['documents:add']({ files: invoices(4, 'ANNA') });
    const moreIds = more.added.map((x) => x.id);
    await a.waitUntilSettled(moreIds);
    expect([apA.stats().acceptedDocuments, apB.stats().acceptedDocuments]).toEqual([7, 4]);
  });

  it('desks that joined before the key was saved: the first with a key makes it the team’s, nothing having gone out (walk 20)', async () => {
    const ap = await sandbox();
    const store = teamDesks.sqliteStore();
    // Both join with the provider's address and no key yet: the team's is recorded without one.
    const a = await desk(store, ap, 'Anna');
    const b = await desk(store, ap, 'Ben');
    await vi.waitFor(async () => {
      expect((await b.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
    }, 10_000);
    // No key said as on a single desk (walk 20 W9: "Online" and nothing else here).
    expect((await a.handlers['connection:get'](undefined)).apiKeySet).toBe(false);
    // Two desks online (a desk alone on its team takes the team along when it changes).
    await vi.waitFor(async () => {
      expect((await a.handlers['connection:get'](undefined)).team?.desksOnline).toBe(2);
    }, 10_000);
    // Anna saves the key: the team now sends through it with her key (it said "with another API
    // key" on every desk, and none sent).
    await a.handlers['settings:set']({ apiKey: 'sk_test_walk20' });
    await vi.waitFor(async () => {
      expect((await a.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
    }, 10_000);
    expect((await a.handlers['connection:get'](undefined)).apiKeySet).toBeUndefined();
    await vi.waitFor(async () => {
      expect((await b.handlers['connection:get'](undefined)).message).toContain(
        `and this desk is set to ${apLabel(ap)} without an API key. `,
      );
    }, 10_000);
    await b.handlers['settings:set']({ apiKey: 'sk_test_walk20' });
    await vi.waitFor(async () => {
      expect((await b.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
    }, 10_000);
    await sendHere(b, 3, 'KEYED');
    expect(ap.stats().acceptedDocuments).toBe(3);
  });

  it('a desk on the built-in Sandbox cannot take over a team that sends for real', async () => {
    const apA = await sandbox();
    const store = teamDesks.sqliteStore();
    const a = await desk(store, apA, 'Anna');
    const cleo = await desk(store, null, 'Cleo');
    expect((await cleo.handlers['connection:get'](undefined)).team).toMatchObject({
      sends: false,
      accessPoint: apLabel(apA),
    });
    const refused = await cleo.handlers['team:useThisAccessPoint'](undefined);
    expect(refused.changed).toBe(false);
    expect(refused.message).toBe(
      `The team still sends through ${apLabel(apA)}: this desk uses the built-in Sandbox, where nothing is really sent, and a practice Sandbox cannot take over a team that sends for real. To send from this desk, set the team's provider and API key in Settings.`,
    );
    expect((await a.handlers['connection:get'](undefined)).team).toMatchObject({ sends: true });
    // Added on Cleo's desk: sent for real, through the team's access point.
    const { added } = await cleo.handlers['documents:add']({ files: invoices(2, 'CLEO') });
    const ids = added.map((x) => x.id);
    await cleo.waitUntilSettled(ids);
    expect(apA.stats().acceptedDocuments).toBe(2);
  });

  it('invoices practised in the built-in Sandbox are sent for real when added again once the team sends for real', async () => {
    // The single desk's rule on a team (walk 9): a month-end folder tried out in the Sandbox and
    // dropped again once the provider was set up read "already on the queue", and was not sent.
    const store = teamDesks.sqliteStore();
    const anna = await desk(store, null, 'Anna');
    const practice = invoices(3, 'PRACTICE');
    const tried = await anna.handlers['documents:add']({ files: practice });
    const triedIds = tried.added.map((x) => x.id);
    expect(triedIds).toHaveLength(3);
    await anna.waitUntilSettled(triedIds);
    await anna.stop();
    // While the team still practises, the same files are the same documents.
    const ap = await sandbox();
    const ben = await desk(store, ap, 'Ben');
    const whilePractising = await ben.handlers['documents:add']({ files: practice.slice(0, 1) });
    expect(whilePractising.known.map((k) => k.id)).toEqual([triedIds[0]]);
    const taken = await ben.handlers['team:useThisAccessPoint'](undefined);
    expect(taken.changed).toBe(true);
    // Two of them added again, with one new invoice: all three sent for real, once each.
    const files = [...practice.slice(0, 2), ...invoices(1, 'NEW')];
    const again = await ben.handlers['documents:add']({ files });
    expect(again.known).toEqual([]);
    const ids = again.added.map((x) => x.id);
    expect(ids).toHaveLength(3);
    expect(ids).toEqual(expect.arrayContaining(triedIds.slice(0, 2)));
    await ben.waitUntilSettled(ids);
    const { rows } = await ben.handlers['documents:briefs']({ ids });
    expect(rows.map((r) => [r.state, r.sentBy])).toEqual(
      Array.from({ length: 3 }, () => [expect.stringMatching(/accepted|delivered/), 'Ben']),
    );
    expect(ap.stats().acceptedDocuments).toBe(3);
    // The third practice invoice, not added again, stays as it was; the timeline keeps both.
    const left = await ben.handlers['documents:get']({ id: triedIds[2]! });
    expect(left.state).toMatch(/accepted|delivered/);
    const timeline = (await ben.handlers['documents:get']({ id: triedIds[0]! })).timeline;
    expect(timeline.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        // Not "sends for real": the provider's access point may be its test environment.
        expect.stringMatching(
          /^Added again now that the team sends through its provider's access point, no longer the built-in Sandbox: it was sent in practice there/,
        ),
      ]),
    );
  });

  it('a retry after a failed delivery is a new submission at the access point', async () => {
    const ap = await sandbox();
    const store = teamDesks.sqliteStore();
    const a = await desk(store, ap, 'Anna');
    // This receiver's access point refuses every delivery (a certificate error).
    const added = await a.handlers['documents:add']({
      files: invoices(1, 'CERT', '9915:invalid-cert'),
    });
    const [id] = added.added.map((x) => x.id);
    const failed = async () => {
      const d = await a.handlers['documents:get']({ id: id! });
      return d.state === 'failed' ? d : undefined;
    };
    const first = await poll('the delivery to fail', failed);
    expect(first.problem?.code).toBe('DELIVERY_FAILED');
    expect(await a.handlers['documents:retry']({ ids: [id!] })).toEqual({ retried: 1 });
    await poll('the second delivery to fail', async () => {
      const d = await failed();
      return d && d.transactionId !== first.transactionId ? d : undefined;
    });
    const stats = ap.stats();
    // Two submissions under two keys: the retry was not answered from the first one's key.
    expect([stats.acceptedDocuments, stats.acceptedByKey, stats.idempotentReplays]).toEqual([
      2, 2, 0,
    ]);
  });
});

/** How a clerk reads a sandbox set as the provider URL without a key (the Test environment). */
function apLabel(ap: SandboxHandle): string {
  return accessPointLabel(ap.url, 'test');
}

/** Poll an async check until it gives a value (bounded: 10 s). */
function poll<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await check();
      if (v === undefined) throw new Error(`Timed out waiting for ${what}`);
      return v;
    },
    { timeout: 10_000, interval: 25 },
  );
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
