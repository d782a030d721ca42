/**
 * Desks sharing their caches through the team store (SQLite file and a throwaway PostgreSQL): desk
 * B uses the receiver desk A looked up (the access point counts one lookup request), even with its
 * own clock two hours ahead; a negative answer expires as on a single desk, by the database's
 * clock; verdicts are shared; and with the shared caches failing the desks work from their own
 * caches, lose nothing, and write what they learnt once the database answers.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../app/engine';
import type { SandboxHandle } from '../../app/sandbox/server';
import { openTeamStore } from '../../app/team/open-store';
import { TeamStoreUnavailableError, type TeamStore } from '../../app/team/store';
import type { TeamShared } from '../../app/team/shared-store';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useTeamBackends, type TeamBackend } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 50, heartbeatMs: 200, reconnectInitialMs: 50, reconnectMaxMs: 200 },
});
const BACKENDS = useTeamBackends('team-shared-caches', tempDir, 'caches');
const [, POSTGRES] = BACKENDS;

/** The shared part of the store fails (as with the database down) while `failing.on`. */
function failingShared(store: TeamStore, failing: { on: boolean }): TeamStore {
  const shared = new Proxy(store.shared, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (failing.on) {
          return Promise.reject(new TeamStoreUnavailableError(store.label, 'connection refused'));
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as TeamShared;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'shared') return shared;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Lookup requests the access point answered (whichever of its lookup paths). */
const lookups = (ap: SandboxHandle) =>
  Object.entries(ap.stats().requests.byEndpoint)
    .filter(([label]) => label.includes('/participants/lookup'))
    .reduce((n, [, e]) => n + e.total, 0);

/** Poll an async condition until it holds (bounded). */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

async function count(backend: TeamBackend, address: string, sql: string): Promise<number> {
  return Number((await backend.raw(address, sql))[0]!.n);
}

async function addAndSettle(engine: Engine, files: { name: string; bytes: Uint8Array }[]) {
  const r = await engine.handlers['documents:add']({ files });
  const ids = [...r.added, ...r.known].map((x) => x.id);
  await engine.waitUntilSettled(ids);
  return (await engine.handlers['documents:briefs']({ ids })).rows;
}

describe.each(BACKENDS)('desks share caches on the $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'desk B uses the receiver desk A looked up (one lookup request), its own clock 2 h ahead',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const rowsA = await addAndSettle(a, makeInvoices(5, 'SHAREA'));
      expect(rowsA.map((r) => r.state)).toEqual(Array(5).fill('accepted'));
      expect(lookups(ap)).toBe(1);
      // Written a moment later, off the intake: the answer and the five verdicts.
      await waitFor(
        'the team to have the lookup',
        async () =>
          (await count(backend, address, 'SELECT COUNT(*) AS n FROM team_lookup_cache')) === 1,
      );
      const b = await desk(address, ap, 'desk B', { now: () => Date.now() + 2 * 3600_000 });
      const rowsB = await addAndSettle(b, makeInvoices(5, 'SHAREB'));
      expect(rowsB.map((r) => r.state)).toEqual(Array(5).fill('accepted'));
      // Desk B asked the team, not the access point.
      expect(lookups(ap)).toBe(1);
      expect(ap.stats().acceptedDocuments).toBe(10);
      const ttl = await backend.raw(
        address,
        'SELECT found, expires_at - fetched_at AS ttl FROM team_lookup_cache',
      );
      // Found answers live an hour (the single desk's default), dated by the database.
      expect(Number(ttl[0]!.ttl)).toBe(3_600_000);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'a negative answer expires as on a single desk, by the database clock: then B asks again',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const nobody = (n: number) => ({
        name: `nobody-${n}.xml`,
        bytes: makeInvoice(`NOBODY-${n}`, { receiver: '9915:not-registered' }),
      });
      const [first] = await addAndSettle(a, [nobody(1)]);
      expect(first!.state).toBe('unreachable');
      expect(lookups(ap)).toBe(1);
      await waitFor(
        'the team to have the negative answer',
        async () =>
          (await count(backend, address, 'SELECT COUNT(*) AS n FROM team_lookup_cache')) === 1,
      );
      const row = await backend.raw(
        address,
        'SELECT found, expires_at - fetched_at AS ttl FROM team_lookup_cache',
      );
      // Not found lives 5 minutes, as on a single desk.
      expect(Number(row[0]!.ttl)).toBe(5 * 60_000);
      expect([false, 0]).toContain(row[0]!.found);
      const b = await desk(address, ap, 'desk B');
      const [second] = await addAndSettle(b, [nobody(2)]);
      expect(second!.state).toBe('unreachable');
      expect(lookups(ap)).toBe(1);
      // The database's clock passes the expiry: desk C (own caches empty) must ask again.
      const now =
        backend.name === 'sqlite' ? `CAST(unixepoch('subsec') * 1000 AS INTEGER)` : 'team_now_ms()';
      await backend.raw(address, `UPDATE team_lookup_cache SET expires_at = ${now} - 1`);
      const c = await desk(address, ap, 'desk C');
      const [third] = await addAndSettle(c, [nobody(3)]);
      expect(third!.state).toBe('unreachable');
      expect(lookups(ap)).toBe(2);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'verdicts are shared: a desk that meets a file another desk checked does not check it again',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const files = makeInvoices(4, 'VERDICT');
      await addAndSettle(a, files);
      await waitFor(
        'the team to have the four verdicts',
        async () =>
          (await count(backend, address, 'SELECT COUNT(*) AS n FROM team_validation_cache')) === 4,
      );
      // The team cleared its queue (the documents are gone, the verdicts stay).
      await backend.raw(address, 'DELETE FROM team_documents');
      const b = await desk(address, ap, 'desk B');
      const rows = await addAndSettle(b, files);
      expect(rows.map((r) => r.state)).toEqual(Array(4).fill('accepted'));
      const snap = await b.handlers['metrics:snapshot'](undefined);
      // Desk B validated nothing itself: every verdict came from the team.
      expect(snap.latency.validate.count).toBe(0);
      const snapA = await a.handlers['metrics:snapshot'](undefined);
      expect(snapA.latency.validate.count).toBe(4);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'shared caches failing: desks use their own, lose nothing, and write once the database answers',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const failing = { on: true };
      const a = await desk(
        address,
        ap,
        'desk A',
        {},
        { openStore: (url) => failingShared(openTeamStore(url), failing) },
      );
      const rows = await addAndSettle(a, makeInvoices(6, 'DOWN'));
      expect(rows.map((r) => r.state)).toEqual(Array(6).fill('accepted'));
      // Its own lookup cache served the other five.
      expect(lookups(ap)).toBe(1);
      expect(await count(backend, address, 'SELECT COUNT(*) AS n FROM team_lookup_cache')).toBe(0);
      const more = await addAndSettle(a, makeInvoices(3, 'DOWN2'));
      expect(more.map((r) => r.state)).toEqual(Array(3).fill('accepted'));
      expect(lookups(ap)).toBe(1);
      expect(ap.stats().acceptedDocuments).toBe(9);
      // The database answers again: what desk A learnt is written then.
      failing.on = false;
      await waitFor(
        'the kept answer and verdicts to be written',
        async () =>
          (await count(backend, address, 'SELECT COUNT(*) AS n FROM team_lookup_cache')) === 1 &&
          (await count(backend, address, 'SELECT COUNT(*) AS n FROM team_validation_cache')) === 9,
      );
    },
    60_000,
  );
});

describe('shared caches with PostgreSQL really down', () => {
  it.skipIf(POSTGRES.skip)(
    'a desk started while the database is down keeps its files, then uses the team cache',
    async () => {
      const address = await POSTGRES.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await addAndSettle(a, makeInvoices(3, 'UP'));
      expect(lookups(ap)).toBe(1);
      await waitFor(
        'the team to have the lookup',
        async () =>
          (await count(POSTGRES, address, 'SELECT COUNT(*) AS n FROM team_lookup_cache')) === 1,
      );
      const restarted = POSTGRES.cluster!.restart({ downMs: 3000 });
      await vi.waitFor(
        async () => {
          const status = await a.handlers['connection:get'](undefined);
          if (status.team?.reachable !== false) throw new Error('desk A still sees the database');
        },
        { timeout: 20_000, interval: 50 },
      );
      // Desk B starts with the database down: its files are kept on its computer.
      const b = await desk(address, ap, 'desk B');
      const r = await b.handlers['documents:add']({ files: makeInvoices(4, 'DOWNB') });
      const ids = r.added.map((x) => x.id);
      expect(ids).toHaveLength(4);
      expect(ids.every((id) => id < 0)).toBe(true);
      await restarted;
      // Handed over once the database answers: checked, its receiver read from the team's cache.
      await b.waitUntilSettled(ids);
      const rows = (await b.handlers['documents:briefs']({ ids })).rows;
      expect(rows.map((x) => x.state)).toEqual(Array(4).fill('accepted'));
      expect(lookups(ap)).toBe(1);
      expect(ap.stats()).toMatchObject({ acceptedDocuments: 7, duplicateContentAccepts: 0 });
    },
    90_000,
  );
});
