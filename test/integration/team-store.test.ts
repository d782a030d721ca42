import { afterEach, describe, expect, it, vi } from 'vitest';
import { accessPointRef } from '../../app/team/access-point';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from '../../app/team/migrations';
import { IN_DOUBT_DETAIL } from '../../app/team/store-rows';
import { teamKeyOf, type ChangeNotice, type TeamStore } from '../../app/team/store';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

/** Poll an async check until it gives a value (bounded by `timeoutMs`). */
async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await check();
      if (v === undefined) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      return v;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

// One contract, two implementations: every test below runs on SQLite and on a real PostgreSQL.

const BACKENDS = useTeamBackends('team-store', useTempDirs()).map((b) => ({
  ...b,
  migrations: (b.name === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).length,
}));

const newDoc = teamDocMaker('TEAM');

const ANNA = { id: 'desk-anna', name: 'Anna', host: 'pc-1' };
const BEN = { id: 'desk-ben', name: 'Ben', host: 'pc-2' };
const PROBLEM = {
  code: 'AP_UNAVAILABLE',
  message: 'The access point did not answer.',
  action: null,
};

describe.each(BACKENDS)('team store on $name', (backend) => {
  // Another desk's connection to the same database (a new pool / file handle): connect().
  const stores = useTeamStores(backend);
  const { connect, fresh } = stores;
  // Registered after the stores' clean-up, so it runs first (as it did before the closes).
  afterEach(() => {
    vi.useRealTimers();
  });

  describe.skipIf(backend.skip)('contract', () => {
    it('migrating twice is a no-op, and three desks migrating at once migrate once', async () => {
      await stores.newAddress();
      const [a, b, c] = await Promise.all([connect(false), connect(false), connect(false)]);
      await Promise.all([a!.migrate(), b!.migrate(), c!.migrate()]);
      const [doc] = await a!.enqueue(ANNA.id, [newDoc()]);
      await a!.migrate();
      await b!.migrate();
      const rows = await backend.raw(stores.address, 'SELECT id FROM team_migrations');
      expect(rows).toHaveLength(backend.migrations);
      expect((await c!.get(doc!.id))?.state).toBe('queued');
      expect(a!.dialect).toBe(backend.name);
    });

    it('refuses a database migrated by a newer Peppol Desk, or with an edited migration', async () => {
      const s = await fresh();
      await backend.raw(
        stores.address,
        "UPDATE team_migrations SET sha256 = 'edited' WHERE id = 1",
      );
      await expect(s.migrate()).rejects.toMatchObject({ code: 'TEAM_MIGRATION_EDITED' });
      await backend.raw(stores.address, 'DELETE FROM team_migrations');
      await backend.raw(
        stores.address,
        `INSERT INTO team_migrations (id, name, sha256, applied_at) VALUES (999, '999-future', 'x', ${
          backend.name === 'sqlite' ? '0' : 'now()'
        })`,
      );
      const err = await s.migrate().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'TEAM_MIGRATION_UNKNOWN' });
      expect((err as Error).message).toMatch(/newer Peppol Desk.*Update Peppol Desk/);
    });

    it('the same key enqueued by two desks at once is one document', async () => {
      const a = await fresh();
      const b = await connect();
      const doc = newDoc();
      const [ra, rb] = await Promise.all([
        a.enqueue(ANNA.id, [doc]),
        b.enqueue(BEN.id, [{ ...doc, fileName: 'copy-on-ben.xml' }]),
      ]);
      expect(ra[0]!.id).toBe(rb[0]!.id);
      expect([ra[0]!.created, rb[0]!.created].sort()).toEqual([false, true]);
      expect((await a.list({})).total).toBe(1);
      expect(await a.body(ra[0]!.id)).toEqual(doc.body);
      const known = await b.known([doc.key, teamKeyOf(new Uint8Array([1, 2, 3]))]);
      expect([...known.entries()]).toEqual([[doc.key, { id: ra[0]!.id, state: 'queued' }]]);
    });

    it('desks claiming at once never get the same document', async () => {
      const a = await fresh();
      const desks = [a, await connect(), await connect()];
      const docs = Array.from({ length: 120 }, () => newDoc());
      const ids = (await a.enqueue(ANNA.id, docs)).map((r) => r.id);
      const got: number[][] = desks.map(() => []);
      // Three desks, each with two claim loops at once (several connections per pool).
      await Promise.all(
        [...desks, ...desks].map(async (s, n) => {
          const i = n % desks.length;
          for (let round = 0; round < 200; round++) {
            const claims = await s.claim(`desk-${i}`, 7, 30_000);
            if (claims.length === 0) return;
            got[i]!.push(...claims.map((c) => c.id));
          }
        }),
      );
      expect(got.every((ids) => ids.length > 0)).toBe(true);
      const all = got.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort((x, y) => x - y)).toEqual(ids.sort((x, y) => x - y));
      expect((await a.counts()).sending).toBe(120);
      // The kept counts agree with counting the rows (asked twice: folding changes nothing).
      const counted = await backend.raw(
        stores.address,
        'SELECT state, COUNT(*) AS n FROM team_documents GROUP BY state',
      );
      expect(counted.map((r) => [r.state, Number(r.n)])).toEqual([['sending', 120]]);
      expect(await desks[1]!.counts()).toEqual({ sending: 120 });
    });

    it('an ended lease is claimed again with the next fence, in doubt; the old fence is refused', async () => {
      const a = await fresh();
      const b = await connect();
      const id = (await a.enqueue(ANNA.id, [newDoc()]))[0]!.id;
      const [first] = await a.claim(ANNA.id, 5, 150);
      expect(first).toMatchObject({ id, fence: 1, inDoubt: false, attempts: 1 });
      const second = await poll(
        'the lease to end and Ben to claim',
        async () => {
          const c = await b.claim(BEN.id, 5, 30_000);
          return c.length ? c[0] : undefined;
        },
        10_000,
      );
      expect(second).toMatchObject({ id, fence: 2, inDoubt: true, attempts: 2 });
      const before = await a.get(id);
      expect(await a.finish(ANNA.id, first!, { kind: 'accepted', transactionId: 'tx-anna' })).toBe(
        false,
      );
      expect(await a.finish(BEN.id, first!, { kind: 'failed', problem: PROBLEM })).toBe(false);
      expect(await a.get(id)).toEqual(before);
      expect(before).toMatchObject({ state: 'sending', leaseOwner: BEN.id, fence: 2 });
      // Cancel is refused from now on: the first attempt may have reached the access point.
      expect(await b.finish(BEN.id, second!, { kind: 'failed', problem: PROBLEM })).toBe(true);
      expect(await b.cancel(BEN.id, [id])).toEqual([]);
      expect(await a.get(id)).toMatchObject({ state: 'failed', reachedMaybe: true });
      const timeline = await a.timeline(id);
      expect(timeline.map((e) => e.detail)).toContain(IN_DOUBT_DETAIL);
    });

    it('renew keeps the leases still held and reports the lost ones', async () => {
      const a = await fresh();
      const b = await connect();
      const [x, y] = await a.enqueue(ANNA.id, [newDoc(), newDoc()]);
      const claims = await a.claim(ANNA.id, 2, 200);
      expect(claims.map((c) => c.id)).toEqual([x!.id, y!.id]);
      expect(await a.renew(ANNA.id, [claims[0]!], 60_000)).toEqual(new Set([x!.id]));
      const taken = await poll(
        'Ben to take the unrenewed one',
        async () => {
          const c = await b.claim(BEN.id, 5, 30_000);
          return c.length ? c : undefined;
        },
        10_000,
      );
      expect(taken.map((c) => c.id)).toEqual([y!.id]);
      expect(await a.renew(ANNA.id, claims, 60_000)).toEqual(new Set([x!.id]));
      // Another desk cannot renew a lease it does not hold.
      expect(await b.renew(BEN.id, [claims[0]!], 60_000)).toEqual(new Set());
    });

    it('claims carry the bodies; finishMany writes each outcome under its own fence and leaves a lost claim out', async () => {
      const a = await fresh();
      const b = await connect();
      const [dx, dy, dz] = [newDoc(), newDoc(), newDoc()];
      const [x, y, z] = await a.enqueue(ANNA.id, [dx!, dy!, dz!]);
      const held = await a.claim(ANNA.id, 2, 30_000);
      expect(held.map((c) => c.id)).toEqual([x!.id, y!.id]);
      expect(held.map((c) => Buffer.from(c.body!).toString())).toEqual([
        Buffer.from(dx!.body).toString(),
        Buffer.from(dy!.body).toString(),
      ]);
      const [short] = await a.claim(ANNA.id, 1, 150);
      expect(short).toMatchObject({ id: z!.id, fence: 1 });
      const taken = await poll('Ben to take the ended lease', async () => {
        const c = await b.claim(BEN.id, 5, 30_000);
        return c.length ? c : undefined;
      });
      expect(taken.map((c) => c.id)).toEqual([z!.id]);
      expect(await a.finishMany(ANNA.id, [])).toEqual(new Set());
      const written = await a.finishMany(ANNA.id, [
        { claim: held[0]!, outcome: { kind: 'accepted', transactionId: 'tx-x' } },
        { claim: short!, outcome: { kind: 'accepted', transactionId: 'tx-stale' } },
        { claim: held[1]!, outcome: { kind: 'released' } },
      ]);
      expect(written).toEqual(new Set([x!.id, y!.id]));
      expect(await a.get(x!.id)).toMatchObject({
        state: 'accepted',
        transactionId: 'tx-x',
        sentBy: ANNA.id,
        leaseOwner: null,
      });
      expect(await a.get(y!.id)).toMatchObject({ state: 'queued', attempts: 0, sentBy: null });
      // The lost claim wrote nothing: Ben still holds it.
      expect(await a.get(z!.id)).toMatchObject({
        state: 'sending',
        leaseOwner: BEN.id,
        fence: 2,
        transactionId: null,
      });
      // One timeline row per move, named for the desk that made it.
      const moves = (await a.timeline(x!.id)).map((e) => [e.fromState, e.toState]);
      expect(moves).toEqual([
        [null, 'queued'],
        ['queued', 'sending'],
        ['sending', 'accepted'],
      ]);
      expect((await a.timeline(y!.id)).map((e) => e.toState)).toEqual([
        'queued',
        'sending',
        'queued',
      ]);
      expect((await a.timeline(z!.id)).map((e) => e.toState)).toEqual([
        'queued',
        'sending',
        'sending',
      ]);
      expect(await a.counts()).toMatchObject({ accepted: 1, queued: 1, sending: 1 });
      // getMany: the rows of the ids given (unknown ones left out) in one read.
      const many = await a.getMany([z!.id, x!.id, 999_999, x!.id]);
      expect(many.map((d) => d.id).sort((p, q) => p - q)).toEqual([x!.id, z!.id]);
      expect(many.find((d) => d.id === x!.id)).toEqual(await a.get(x!.id));
      // An acceptance is dated when the answer came (answeredMsAgo before the write).
      const [w] = await a.enqueue(ANNA.id, [newDoc()]);
      const claimW = (await a.claim(ANNA.id, 5, 30_000)).find((c) => c.id === w!.id);
      const outcome = { kind: 'accepted', transactionId: 'tx-w', answeredMsAgo: 60_000 } as const;
      expect(await a.finishMany(ANNA.id, [{ claim: claimW!, outcome }])).toEqual(new Set([w!.id]));
      const dw = await a.get(w!.id);
      expect(dw!.updatedAt - dw!.acceptedAt!).toBeGreaterThanOrEqual(59_000);
      expect(dw!.updatedAt - dw!.acceptedAt!).toBeLessThan(61_000);
    });

    it('retry times and leases follow the database clock: a desk 10 minutes ahead cannot claim early', async () => {
      const a = await fresh();
      const ahead = await connect();
      const [r1, r2] = await a.enqueue(ANNA.id, [newDoc(), newDoc()]);
      const [c1] = await a.claim(ANNA.id, 1, 30_000);
      expect(c1!.id).toBe(r1!.id);
      const retry = {
        kind: 'retry' as const,
        delayMs: 60_000,
        problem: PROBLEM,
        reachedMaybe: false,
      };
      expect(await a.finish(ANNA.id, c1!, retry)).toBe(true);
      const [c2] = await a.claim(ANNA.id, 1, 30_000);
      expect(c2!.id).toBe(r2!.id);
      const waiting = await a.get(r1!.id);
      expect(waiting).toMatchObject({ state: 'retry_wait', problem: PROBLEM });

      // This desk's clock is 10 minutes ahead: past the retry time and past the lease.
      const realNow = Date.now();
      vi.useFakeTimers({ toFake: ['Date'], now: realNow + 10 * 60_000 });
      expect(Date.now()).toBeGreaterThan(waiting!.nextAttemptAt! + 60_000);
      expect(await ahead.claim(BEN.id, 10, 30_000)).toEqual([]);
      vi.useRealTimers();

      // By the database clock the wait is about a minute (leeway for a loaded machine).
      expect(waiting!.nextAttemptAt! - waiting!.updatedAt).toBeGreaterThanOrEqual(60_000);
      // A short retry becomes due by the database clock alone.
      const [again] = await a.enqueue(ANNA.id, [newDoc()]);
      const [c3] = await a.claim(ANNA.id, 1, 30_000);
      expect(c3!.id).toBe(again!.id);
      await a.finish(ANNA.id, c3!, { ...retry, delayMs: 100, reachedMaybe: true });
      const due = await poll(
        'the short retry to be due',
        async () => {
          const c = await ahead.claim(BEN.id, 10, 30_000);
          return c.length ? c : undefined;
        },
        10_000,
      );
      expect(due.map((c) => [c.id, c.inDoubt, c.fence])).toEqual([[again!.id, false, 2]]);
    });

    it('moves only as the state table allows: retry and cancel rules, a released claim', async () => {
      const s = await fresh();
      const [q, f, inv, unr, rel] = await s.enqueue(ANNA.id, [
        newDoc(),
        newDoc(),
        newDoc({
          state: 'invalid',
          problem: { code: 'INVALID', message: 'BR-01 broken', action: 'Fix it' },
        }),
        newDoc({ state: 'unreachable' }),
        newDoc(),
      ]);
      // retry: only failed documents; cancel: never sending, nor what may have reached the
      // access point (a retry_wait whose attempt got no answer).
      expect(await s.retry(ANNA.id, [q!.id, inv!.id, unr!.id])).toEqual({ queued: 0, held: [] });
      const claims = await s.claim(ANNA.id, 10, 30_000);
      expect(claims.map((c) => c.id)).toEqual([q!.id, f!.id, rel!.id]);
      expect(await s.cancel(ANNA.id, [q!.id])).toEqual([]);
      await s.finish(ANNA.id, claims[0]!, {
        kind: 'retry',
        delayMs: 60_000,
        problem: PROBLEM,
        reachedMaybe: true,
      });
      await s.finish(ANNA.id, claims[1]!, { kind: 'failed', problem: PROBLEM });
      await s.finish(ANNA.id, claims[2]!, { kind: 'released' });
      expect(await s.cancel(ANNA.id, [q!.id])).toEqual([]);
      expect(await s.get(rel!.id)).toMatchObject({
        state: 'queued',
        attempts: 0,
        leaseOwner: null,
      });
      // A finished claim cannot be finished again.
      expect(await s.finish(ANNA.id, claims[1]!, { kind: 'accepted', transactionId: 't' })).toBe(
        false,
      );
      expect(await s.retry(ANNA.id, [f!.id, f!.id])).toEqual({ queued: 1, held: [] });
      expect(await s.cancel(ANNA.id, [f!.id, inv!.id, unr!.id, 999_999])).toEqual([
        { id: f!.id, from: 'queued' },
        { id: inv!.id, from: 'invalid' },
        { id: unr!.id, from: 'unreachable' },
      ]);
      // Cancelled on its way out: Retry sends it after all (walk 18); cancelled while invalid or
      // not on Peppol: nothing would check it again, so Retry leaves it.
      expect(await s.retry(ANNA.id, [inv!.id, unr!.id])).toEqual({ queued: 0, held: [] });
      expect(await s.retry(ANNA.id, [f!.id, inv!.id, unr!.id])).toEqual({ queued: 1, held: [] });
      expect((await s.timeline(f!.id)).at(-1)).toMatchObject({
        fromState: 'cancelled',
        toState: 'queued',
      });
      const states = await s.states([q!.id, f!.id, inv!.id, unr!.id, rel!.id, 999_999]);
      expect(Object.fromEntries(states)).toEqual({
        [q!.id]: 'retry_wait',
        [f!.id]: 'queued',
        [inv!.id]: 'cancelled',
        [unr!.id]: 'cancelled',
        [rel!.id]: 'queued',
      });
      await expect(s.enqueue(ANNA.id, [newDoc({ state: 'sending' as 'queued' })])).rejects.toThrow(
        /cannot join/,
      );
      // Waiting to retry: Retry sends it now (walk 17: the details said "Retry to find out", and
      // Retry moved nothing), under its key, with a full set of attempts, as on a single desk.
      expect(await s.retry(ANNA.id, [q!.id])).toEqual({ queued: 1, held: [] });
      expect(await s.get(q!.id)).toMatchObject({ state: 'queued', attempts: 0, problem: null });
      expect((await s.timeline(q!.id)).at(-1)).toMatchObject({
        fromState: 'retry_wait',
        toState: 'queued',
        detail: 'Retry requested',
      });
      const [again] = await s.claim(ANNA.id, 10, 30_000);
      expect(again).toMatchObject({ id: q!.id, key: claims[0]!.key });
    });

    it('cancels a retry_wait that no attempt may have reached (429s), back to the queue on Undo; keeps a failure whose last attempt may have', async () => {
      const s = await fresh();
      const [w, f] = await s.enqueue(ANNA.id, [newDoc(), newDoc()]);
      const claims = await s.claim(ANNA.id, 10, 30_000);
      const retry = { kind: 'retry' as const, delayMs: 60_000, problem: PROBLEM };
      await s.finish(ANNA.id, claims[0]!, { ...retry, reachedMaybe: false });
      await s.finish(ANNA.id, claims[1]!, { kind: 'failed', problem: PROBLEM, reachedMaybe: true });
      expect(await s.get(f!.id)).toMatchObject({ state: 'failed', reachedMaybe: true });
      const cancelled = await s.cancel(ANNA.id, [w!.id, f!.id]);
      expect(cancelled).toEqual([{ id: w!.id, from: 'queued' }]);
      expect(await s.uncancel(ANNA.id, cancelled, 'undone')).toBe(1);
      expect(await s.get(w!.id)).toMatchObject({ state: 'queued', reachedMaybe: false });
      // Due at once, in its place: the next claim takes it.
      expect((await s.claim(ANNA.id, 10, 30_000)).map((c) => c.id)).toEqual([w!.id]);
    });

    it('a refusal under the key (settles) clears what an earlier unanswered attempt left: it may be cancelled', async () => {
      const s = await fresh();
      const [d] = await s.enqueue(ANNA.id, [newDoc()]);
      const [first] = await s.claim(ANNA.id, 1, 30_000);
      const retry = { kind: 'retry' as const, delayMs: 0, problem: PROBLEM, reachedMaybe: true };
      expect(await s.finish(ANNA.id, first!, retry)).toBe(true);
      const [second] = await s.claim(ANNA.id, 1, 30_000);
      const refusal = { code: 'AP_REJECTED_X', message: 'Refused.', action: 'fix-file' };
      expect(
        await s.finish(ANNA.id, second!, { kind: 'failed', problem: refusal, settles: true }),
      ).toBe(true);
      expect(await s.get(d!.id)).toMatchObject({ state: 'failed', reachedMaybe: false });
      expect(await s.cancel(ANNA.id, [d!.id])).toEqual([{ id: d!.id, from: 'failed' }]);
    });

    it('claims in the order documents became due; a released one keeps its place', async () => {
      const s = await fresh();
      const [a, b] = await s.enqueue(ANNA.id, [newDoc(), newDoc()]);
      const [ca] = await s.claim(ANNA.id, 1, 30_000);
      expect(ca!.id).toBe(a!.id);
      // a is due again now, after b (added before): b first.
      const retry = { kind: 'retry' as const, delayMs: 0, problem: PROBLEM, reachedMaybe: false };
      expect(await s.finish(ANNA.id, ca!, retry)).toBe(true);
      const [c] = await s.enqueue(ANNA.id, [newDoc()]);
      const claims = await s.claim(ANNA.id, 3, 30_000);
      expect(claims.map((x) => x.id)).toEqual([b!.id, a!.id, c!.id]);
      // Released (nothing was sent): back at the place it was added, ahead of later ones.
      expect(await s.finish(ANNA.id, claims[0]!, { kind: 'released' })).toBe(true);
      const [d] = await s.enqueue(ANNA.id, [newDoc()]);
      expect((await s.claim(ANNA.id, 5, 30_000)).map((x) => x.id)).toEqual([b!.id, d!.id]);
    });

    it('the timeline names the desks that added and sent a document', async () => {
      const a = await fresh();
      const b = await connect();
      await a.heartbeat(ANNA);
      await b.heartbeat(BEN);
      const id = (await a.enqueue(ANNA.id, [newDoc()]))[0]!.id;
      const [claim] = await b.claim(BEN.id, 1, 30_000);
      expect(await b.finish(BEN.id, claim!, { kind: 'accepted', transactionId: 'tx-1' })).toBe(
        true,
      );
      const timeline = await a.timeline(id);
      expect(timeline.map((e) => [e.desk, e.fromState, e.toState])).toEqual([
        ['Anna', null, 'queued'],
        ['Ben', 'queued', 'sending'],
        ['Ben', 'sending', 'accepted'],
      ]);
      expect(timeline.every((e) => e.at > 1_600_000_000_000)).toBe(true);
      expect(await a.get(id)).toMatchObject({
        state: 'accepted',
        addedBy: ANNA.id,
        sentBy: BEN.id,
        transactionId: 'tx-1',
        leaseOwner: null,
        attempts: 1,
      });
    });

    it('acceptedPerSecond counts accepted documents per desk in the range, by name, from an index', async () => {
      const a = await fresh();
      const b = await connect();
      await a.heartbeat(ANNA);
      await b.heartbeat(BEN);
      const ids = (
        await a.enqueue(ANNA.id, [newDoc(), newDoc(), newDoc(), newDoc(), newDoc()])
      ).map((r) => r.id);
      const mine = await a.claim(ANNA.id, 2, 30_000);
      const theirs = await b.claim(BEN.id, 3, 30_000);
      expect(mine).toHaveLength(2);
      expect(theirs).toHaveLength(3);
      for (const c of mine)
        await a.finish(ANNA.id, c, { kind: 'accepted', transactionId: `a-${c.id}` });
      await b.finish(BEN.id, theirs[0]!, { kind: 'accepted', transactionId: 'b-1' });
      await b.finish(BEN.id, theirs[1]!, { kind: 'accepted', transactionId: 'b-2' });
      // A failure is not an acceptance.
      await b.finish(BEN.id, theirs[2]!, { kind: 'failed', problem: PROBLEM });
      // Nor is a note on an accepted document's timeline (walk 10: a team's move to another
      // access point wrote "delivery no longer followed" on 53, and the chart counted them).
      await backend.raw(
        stores.address,
        `INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
         SELECT document_id, at, 'desk-ben', 'accepted', 'accepted', 'a note'
         FROM team_events WHERE to_state = 'accepted' AND document_id = ${mine[0]!.id}`,
      );

      const totals = (s: Awaited<ReturnType<TeamStore['acceptedPerSecond']>>) => {
        const out: Record<string, number> = {};
        for (const k of s.buckets)
          out[`${k.desk}/${k.name}`] = (out[`${k.desk}/${k.name}`] ?? 0) + k.accepted;
        return out;
      };
      const series = await b.acceptedPerSecond(3_600_000);
      expect(totals(series)).toEqual({ 'desk-anna/Anna': 2, 'desk-ben/Ben': 2 });
      expect(series.now).toBeGreaterThan(1_600_000_000_000);
      for (const k of series.buckets) {
        expect(k.t % 1000).toBe(0);
        expect(k.t).toBeLessThanOrEqual(series.now);
        expect(k.t).toBeGreaterThan(series.now - 60_000);
      }
      // Two of Anna's acceptances moved back two hours: out of the hour, still in three hours.
      const aged = mine.map((c) => c.id).join(', ');
      await backend.raw(
        stores.address,
        `UPDATE team_events SET at = at - 7200000 WHERE to_state = 'accepted' AND document_id IN (${aged})`,
      );
      expect(totals(await a.acceptedPerSecond(3_600_000))).toEqual({ 'desk-ben/Ben': 2 });
      expect(totals(await a.acceptedPerSecond(3 * 3_600_000))).toEqual({
        'desk-anna/Anna': 2,
        'desk-ben/Ben': 2,
      });
      expect(ids).toHaveLength(5);
      // The range is read from the partial index of accepted events (migration 002).
      const indexes = await backend.raw(
        stores.address,
        backend.name === 'sqlite'
          ? "SELECT sql AS def FROM sqlite_master WHERE name = 'team_events_accepted'"
          : "SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'team_events_accepted'",
      );
      expect(String(indexes[0]?.def)).toMatch(/\(at, desk\)\s+WHERE.*to_state.*'accepted'/);
    });

    it('acceptedPerSecond on an empty team gives the clock and no buckets', async () => {
      const a = await fresh();
      const s = await a.acceptedPerSecond(60_000);
      expect(s.buckets).toEqual([]);
      expect(s.now).toBeGreaterThan(1_600_000_000_000);
    });

    it('lists, counts and finds documents', async () => {
      const s = await fresh();
      const rows = await s.enqueue(ANNA.id, [
        newDoc({ buyerName: 'Acme 100% Ltd' }),
        newDoc({ buyerName: 'Globex' }),
        newDoc({ state: 'invalid', problem: { code: 'X', message: 'bad', action: null } }),
        newDoc({ buyerName: 'acme_two' }),
      ]);
      const ids = rows.map((r) => r.id);
      expect(await s.counts()).toEqual({ queued: 3, invalid: 1 });
      const newest = await s.list({});
      expect(newest.total).toBe(4);
      expect(newest.rows.map((r) => r.id)).toEqual([...ids].reverse());
      const page = await s.list({ sort: { key: 'id', dir: 'asc' }, offset: 1, limit: 2 });
      expect(page.rows.map((r) => r.id)).toEqual([ids[1], ids[2]]);
      expect(page.total).toBe(4);
      const queued = await s.list({ states: ['queued'] });
      expect(queued.total).toBe(3);
      expect(queued.rows.every((r) => r.state === 'queued')).toBe(true);
      // Search is case-insensitive; % and _ are taken literally.
      const found = await s.list({ search: 'ACME' });
      expect(found.rows.map((r) => r.id).sort()).toEqual([ids[0], ids[3]].sort());
      expect(found.total).toBe(2);
      expect((await s.list({ search: '100%' })).rows.map((r) => r.id)).toEqual([ids[0]]);
      expect((await s.list({ search: 'a_m' })).total).toBe(0);
      const invalid = await s.get(ids[2]!);
      expect(invalid).toMatchObject({ state: 'invalid', problem: { code: 'X', message: 'bad' } });
      expect(await s.get(999_999)).toBeNull();
      expect(await s.list({ states: [] })).toEqual({ rows: [], total: 0 });
    });

    it('listen() hears a change made on another connection', async () => {
      const a = await fresh();
      const b = await connect();
      const heard: number[][] = [];
      const stop = await b.listen((ids) => heard.push([...ids]));
      const id = (await a.enqueue(ANNA.id, [newDoc()]))[0]!.id;
      await waitFor(
        "Ben to hear Anna's new document",
        () => heard.some((h) => h.includes(id)),
        10_000,
      );
      const [claim] = await a.claim(ANNA.id, 1, 30_000);
      await waitFor(
        'Ben to hear the claim',
        () => heard.filter((h) => h.includes(id)).length >= 2,
        10_000,
      );
      // One transaction, one notice with all its ids.
      const batch = (await a.enqueue(ANNA.id, [newDoc(), newDoc(), newDoc()])).map((r) => r.id);
      await waitFor(
        'one notice naming the three documents added together',
        () => heard.some((h) => [...h].sort().join() === [...batch].sort().join()),
        10_000,
      );
      await stop();
      const seen = heard.length;
      await a.finish(ANNA.id, claim!, { kind: 'accepted', transactionId: 't' });
      // Stopped: a later change is not reported (the poll interval passes twice).
      await new Promise((r) => setTimeout(r, 600));
      expect(heard.length).toBe(seen);
    });

    it('listen() hears a desk join, pause and sign off, naming it; heartbeats alone say nothing', async () => {
      // Walk 10: a paused desk was still counted as sending by the others until their next
      // heartbeat. A desk announces a join, a pause or a resume; signing off is always said.
      const a = await fresh();
      const b = await connect();
      const heard: { ids: number[]; notice?: ChangeNotice }[] = [];
      const stop = await b.listen((ids, notice) =>
        heard.push({ ids: [...ids], ...(notice ? { notice } : {}) }),
      );
      const said = () => heard.filter((h) => h.notice?.presence);
      await a.heartbeat({ ...ANNA, accessPoint: 'ap-1' }, true);
      await waitFor('Ben to hear Anna join', () => said().length === 1, 10_000);
      expect(said()[0]).toEqual({ ids: [], notice: { desk: ANNA.id, due: false, presence: true } });
      // A plain heartbeat says nothing (a document change after it is heard first).
      await a.heartbeat({ ...ANNA, accessPoint: 'ap-1' });
      const id = (await a.enqueue(ANNA.id, [newDoc()]))[0]!.id;
      await waitFor(
        'Ben to hear the document',
        () => heard.some((h) => h.ids.includes(id)),
        10_000,
      );
      expect(said()).toHaveLength(1);
      // Paused: it names no access point.
      await a.heartbeat({ ...ANNA, accessPoint: null }, true);
      await waitFor('Ben to hear Anna pause', () => said().length === 2, 10_000);
      await a.signOff(ANNA.id);
      await waitFor('Ben to hear Anna sign off', () => said().length === 3, 10_000);
      expect(said().map((h) => h.notice?.desk)).toEqual([ANNA.id, ANNA.id, ANNA.id]);
      await stop();
    });

    it('listen() hears a change of the shared settings, naming the desk that wrote it', async () => {
      const a = await fresh();
      const b = await connect();
      const heard: { ids: number[]; notice?: ChangeNotice }[] = [];
      const stop = await b.listen((ids, notice) =>
        heard.push({ ids: [...ids], ...(notice ? { notice } : {}) }),
      );
      const said = () => heard.filter((h) => h.notice?.settings);
      await a.putSettings(ANNA.id, [{ key: 'setting.maxAttempts', value: '3' }], false);
      await waitFor("Ben to hear Anna's change of the settings", () => said().length === 1, 10_000);
      expect(said()[0]).toEqual({ ids: [], notice: { desk: ANNA.id, due: false, settings: true } });
      // Seeding a value the team has already writes nothing, and says nothing.
      await a.putSettings(BEN.id, [{ key: 'setting.maxAttempts', value: '9' }], true);
      // A document change after it is heard, and still no second settings notice before it.
      const id = (await a.enqueue(ANNA.id, [newDoc()]))[0]!.id;
      await waitFor(
        'Ben to hear the document added',
        () => heard.some((h) => h.ids.includes(id)),
        10_000,
      );
      expect(said()).toHaveLength(1);
      await a.putSettings(BEN.id, [{ key: 'setting.maxAttempts', value: '4' }], false);
      await waitFor("Ben to hear Ben's own change", () => said().length === 2, 10_000);
      expect(said()[1]!.notice).toEqual({ desk: BEN.id, due: false, settings: true });
      await stop();
    });

    it('listen() hears a change of the team’s access point, naming the desk that made it', async () => {
      const a = await fresh();
      const b = await connect();
      const heard: { ids: number[]; notice?: ChangeNotice }[] = [];
      const stop = await b.listen((ids, notice) =>
        heard.push({ ids: [...ids], ...(notice ? { notice } : {}) }),
      );
      const said = () => heard.filter((h) => h.notice?.accessPoint);
      const first = accessPointRef({
        accessPoint: 'https://one.example',
        environment: 'production',
        apiKey: 'k1',
      });
      const second = accessPointRef({
        accessPoint: 'https://two.example',
        environment: 'production',
        apiKey: 'k2',
      });
      expect(await a.adoptAccessPoint(ANNA.id, first, false)).toMatchObject({ ok: true });
      await waitFor('Ben to hear the team’s first access point', () => said().length === 1, 10_000);
      expect(said()[0]).toEqual({
        ids: [],
        notice: { desk: ANNA.id, due: false, accessPoint: true },
      });
      // Asking again (every heartbeat does) or being refused writes nothing and says nothing.
      expect(await a.adoptAccessPoint(ANNA.id, first, false)).toMatchObject({ ok: true });
      expect(await b.adoptAccessPoint(BEN.id, second, false)).toMatchObject({ ok: false });
      const id = (await a.enqueue(ANNA.id, [newDoc()]))[0]!.id;
      await waitFor(
        'Ben to hear the document added',
        () => heard.some((h) => h.ids.includes(id)),
        10_000,
      );
      expect(said()).toHaveLength(1);
      // Nothing in doubt at the first one: Ben moves the team to his.
      expect(await b.adoptAccessPoint(BEN.id, second, true)).toMatchObject({ ok: true });
      await waitFor('Ben to hear his own change', () => said().length === 2, 10_000);
      expect(said()[1]!.notice).toEqual({ desk: BEN.id, due: false, accessPoint: true });
      // Not a settings notice: a desk reads its settings only when they changed.
      expect(heard.some((h) => h.notice?.settings)).toBe(false);
      await stop();
    });

    it('desks() tells online from offline by the database clock', async () => {
      const s = await fresh();
      await s.heartbeat(ANNA);
      await new Promise((r) => setTimeout(r, 400));
      await s.heartbeat(BEN);
      const desks = await s.desks(300);
      expect(desks.map((d) => [d.name, d.host, d.online])).toEqual([
        ['Anna', 'pc-1', false],
        ['Ben', 'pc-2', true],
      ]);
      expect(desks[1]!.lastSeenAt).toBeGreaterThan(desks[0]!.lastSeenAt);
      await s.heartbeat({ ...ANNA, name: 'Anna (finance)' });
      expect((await s.desks(20_000)).map((d) => [d.name, d.online])).toEqual([
        ['Anna (finance)', true],
        ['Ben', true],
      ]);
    });

    /** Enqueue, claim and accept `n` documents; delivery first asked about `firstPollInMs` later. */
    async function accepted(s: TeamStore, n: number, firstPollInMs: number): Promise<number[]> {
      const rows = await s.enqueue(
        ANNA.id,
        Array.from({ length: n }, () => newDoc()),
      );
      const claims = await s.claim(ANNA.id, n, 30_000);
      expect(claims.map((c) => c.id)).toEqual(rows.map((r) => r.id));
      for (const c of claims) {
        const done = await s.finish(ANNA.id, c, {
          kind: 'accepted',
          transactionId: `tx-${c.id}`,
          firstPollInMs,
        });
        expect(done).toBe(true);
      }
      return rows.map((r) => r.id);
    }

    it('poll claims: due by the database clock, one desk at a time, in due order', async () => {
      const a = await fresh();
      const ahead = await connect();
      const [later] = await accepted(a, 1, 60_000);
      const [x, y] = await accepted(a, 2, 0);
      const mine = await a.claimPolls(ANNA.id, 10, 30_000);
      expect(mine.map((c) => [c.id, c.pollFence, c.state, c.transactionId])).toEqual([
        [x, 1, 'accepted', `tx-${x}`],
        [y, 1, 'accepted', `tx-${y}`],
      ]);
      expect(mine[0]!.acceptedAt).toBeGreaterThan(0);
      // Held by Anna, and the other is not due for a minute: nothing for Ben.
      expect(await ahead.claimPolls(BEN.id, 10, 30_000)).toEqual([]);
      // Ben's clock 10 minutes ahead changes nothing: lease and poll time are the database's.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10 * 60_000 });
      expect(await ahead.claimPolls(BEN.id, 10, 30_000)).toEqual([]);
      vi.useRealTimers();
      expect(later).toBeGreaterThan(0);
      // Documents not accepted are never polled.
      await a.enqueue(ANNA.id, [newDoc()]);
      expect(await ahead.claimPolls(BEN.id, 10, 30_000)).toEqual([]);
    });

    it('desks claiming polls at once never get the same document', async () => {
      const a = await fresh();
      const b = await connect();
      const ids = await accepted(a, 30, 0);
      const [ca, cb] = await Promise.all([
        a.claimPolls(ANNA.id, 30, 30_000),
        b.claimPolls(BEN.id, 30, 30_000),
      ]);
      const got = [...ca, ...cb].map((c) => c.id).sort((p, q) => p - q);
      expect(got).toEqual(ids);
    });

    it('an ended poll lease is claimed again with the next fence; the old fence is refused', async () => {
      const a = await fresh();
      const b = await connect();
      const [id] = await accepted(a, 1, 0);
      const [first] = await a.claimPolls(ANNA.id, 5, 150);
      expect(first).toMatchObject({ id, pollFence: 1 });
      const second = await poll('the poll lease to end and Ben to claim', async () => {
        const c = await b.claimPolls(BEN.id, 5, 30_000);
        return c.length ? c[0] : undefined;
      });
      expect(second).toMatchObject({ id, pollFence: 2, state: 'accepted' });
      const delivered = {
        moves: [{ to: 'delivered' as const, detail: 'Delivered' }],
        nextPollInMs: 0,
      };
      expect(await a.finishPoll(ANNA.id, first!, delivered)).toBe(false);
      expect(await a.finishPoll(BEN.id, first!, delivered)).toBe(false);
      expect((await a.get(id!))!.state).toBe('accepted');
      expect(await b.finishPoll(BEN.id, second!, delivered)).toBe(true);
      // Written once: the same claim cannot write twice.
      expect(await b.finishPoll(BEN.id, second!, delivered)).toBe(false);
      const timeline = await a.timeline(id!);
      expect(timeline.filter((e) => e.toState === 'delivered')).toEqual([
        expect.objectContaining({ desk: 'desk-ben', fromState: 'accepted', detail: 'Delivered' }),
      ]);
    });

    it('a poll result moves as the state table allows, sets the response, and schedules or ends asking', async () => {
      const a = await fresh();
      const [id, other] = await accepted(a, 2, 0);
      await a.heartbeat(ANNA);
      const claims = await a.claimPolls(ANNA.id, 5, 30_000);
      expect(claims.map((c) => c.id)).toEqual([id, other]);
      const [c1, c2] = claims;
      // Not allowed (accepted → paid): refused, nothing written.
      await expect(
        a.finishPoll(ANNA.id, c1!, { moves: [{ to: 'paid', detail: 'x' }], nextPollInMs: 0 }),
      ).rejects.toThrow(/not allowed/);
      expect((await a.get(id!))!.state).toBe('accepted');
      // Delivered and answered in one poll: both steps on the timeline, then asked again later.
      const at = Date.now();
      expect(
        await a.finishPoll(ANNA.id, c1!, {
          moves: [
            { to: 'delivered', detail: 'Delivered' },
            { to: 'acknowledged', detail: 'The buyer received it' },
          ],
          deliveredAt: at,
          response: { code: 'AB', note: null, at },
          problem: null,
          nextPollInMs: 60_000,
        }),
      ).toBe(true);
      const claimed = await a.claimPolls(ANNA.id, 5, 30_000);
      expect(claimed).toEqual([]);
      const timeline = await a.timeline(id!);
      expect(timeline.slice(-2).map((e) => [e.desk, e.fromState, e.toState])).toEqual([
        ['Anna', 'accepted', 'delivered'],
        ['Anna', 'delivered', 'acknowledged'],
      ]);
      // Stop asking with a note and a problem: the state stays, never claimed again.
      const problem = { code: 'DELIVERY_UNCONFIRMED', message: 'Not confirmed.', action: null };
      expect(
        await a.finishPoll(ANNA.id, c2!, {
          moves: [],
          note: 'stopped asking',
          problem,
          nextPollInMs: null,
        }),
      ).toBe(true);
      expect(await a.get(other!)).toMatchObject({ state: 'accepted', problem });
      expect((await a.timeline(other!)).at(-1)).toMatchObject({
        fromState: 'accepted',
        toState: 'accepted',
        detail: 'stopped asking',
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(await a.claimPolls(ANNA.id, 5, 30_000)).toEqual([]);
    });

    it('a quiet poll (nothing new) leaves the last change as it was; news moves it', async () => {
      const a = await fresh();
      const [id] = await accepted(a, 1, 0);
      const before = (await a.get(id!))!.updatedAt;
      await new Promise((r) => setTimeout(r, 20));
      const [c] = await a.claimPolls(ANNA.id, 5, 30_000);
      expect(await a.finishPoll(ANNA.id, c!, { moves: [], nextPollInMs: 0 })).toBe(true);
      expect((await a.get(id!))!.updatedAt).toBe(before);
      const [again] = await a.claimPolls(ANNA.id, 5, 30_000);
      const at = Date.now();
      await a.finishPoll(ANNA.id, again!, {
        moves: [{ to: 'delivered', detail: 'Delivered' }],
        deliveredAt: at,
        nextPollInMs: 60_000,
      });
      expect((await a.get(id!))!.updatedAt).toBeGreaterThan(before);
    });

    it('released poll claims are due at once for another desk; only the holder may release', async () => {
      const a = await fresh();
      const b = await connect();
      const [id] = await accepted(a, 1, 0);
      const [c] = await a.claimPolls(ANNA.id, 5, 60_000);
      expect(await b.releasePolls(BEN.id, [c!])).toBe(0);
      expect(await b.claimPolls(BEN.id, 5, 60_000)).toEqual([]);
      expect(await a.releasePolls(ANNA.id, [c!])).toBe(1);
      const taken = await b.claimPolls(BEN.id, 5, 60_000);
      expect(taken.map((t) => [t.id, t.pollFence])).toEqual([[id, 2]]);
      expect(await a.finishPoll(ANNA.id, c!, { moves: [], nextPollInMs: 0 })).toBe(false);
    });
  });
});
