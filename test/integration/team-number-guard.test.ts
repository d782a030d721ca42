/**
 * The team's number guard, on SQLite and on a real PostgreSQL: a second version of an invoice
 * number (same seller, number and type, other bytes) added while the first is live is held for
 * the clerk with the single desk's words and the document it duplicates, also when two desks add
 * the two versions at the same moment; what is not live (invalid, cancelled, sent in practice
 * once the team sends for real) holds nothing back.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NUMBER_LOCK_SQL, NUMBER_LOCKS } from '../../app/team/number-guard';
import { teamKeyOf } from '../../app/team/store';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const BACKENDS = useTeamBackends('team-number-guard', useTempDirs(), 'numbers');

const ANNA = 'desk-anna';
const BEN = 'desk-ben';

/** Two versions of invoice `no`: other bytes, the same seller, number and type. */
function versions(no: string) {
  const make = teamDocMaker(no);
  const v1 = makeInvoice(no);
  const v2 = makeInvoice(no, { note: 'Corrected' });
  expect(teamKeyOf(v2)).not.toBe(teamKeyOf(v1));
  return [
    make({ body: v1, key: teamKeyOf(v1), invoiceNumber: no, fileName: `${no}.xml` }),
    make({ body: v2, key: teamKeyOf(v2), invoiceNumber: no, fileName: `${no}-corrected.xml` }),
  ] as const;
}

describe.each(BACKENDS)('the number guard on the $name team store', (backend) => {
  const { connect, fresh } = useTeamStores(backend);

  it.skipIf(backend.skip)(
    'a second version of a live number is held with the document it duplicates; the same bytes are the same document',
    async () => {
      const a = await fresh();
      const [v1, v2] = versions('NG-1');
      const [first] = await a.enqueue(ANNA, [v1]);
      expect(first).toMatchObject({ created: true, state: 'queued' });
      const [second] = await a.enqueue(ANNA, [v2]);
      expect(second).toMatchObject({ created: true, state: 'held' });
      const held = await a.get(second!.id);
      expect(held).toMatchObject({ state: 'held', duplicateOf: first!.id });
      expect(held!.problem).toEqual({
        code: 'DUPLICATE',
        message: `Invoice NG-1 from this seller was already added (document #${first!.id}) with different content. Send it anyway only if this is meant as a separate invoice; otherwise cancel it.`,
        action: 'decide',
      });
      // Its timeline says why, in the same words.
      const timeline = await a.timeline(second!.id);
      expect(timeline.map((e) => [e.toState, e.detail])).toEqual([
        ['held', held!.problem!.message],
      ]);
      // The first version dropped again is the first document, not a duplicate of itself.
      expect((await a.enqueue(ANNA, [v1]))[0]).toMatchObject({ id: first!.id, created: false });
      // A credit note of the same number is another document; so is another seller's invoice.
      const [note, other] = await a.enqueue(ANNA, [
        {
          ...v2,
          key: teamKeyOf(makeInvoice('NG-1-cn')),
          body: makeInvoice('NG-1-cn'),
          docType: 'CreditNote',
        },
        {
          ...v2,
          key: teamKeyOf(makeInvoice('NG-1-other')),
          body: makeInvoice('NG-1-other'),
          senderId: '0208:0000000101',
        },
      ]);
      expect([note!.state, other!.state]).toEqual(['queued', 'queued']);
      // "Send anyway" releases it, as any held document.
      expect(await a.sendAnyway(ANNA, [second!.id], 'Send anyway, decided by anna')).toBe(1);
      expect((await a.get(second!.id))!.state).toBe('queued');
    },
  );

  it.skipIf(backend.skip)(
    'once the first version was accepted the words say it was sent; two versions in one drop: the first goes, the second is held',
    async () => {
      const a = await fresh();
      const [v1, v2] = versions('NG-2');
      const [first] = await a.enqueue(ANNA, [v1]);
      const [claim] = await a.claim(ANNA, 1, 60_000);
      expect(claim!.id).toBe(first!.id);
      await a.finish(ANNA, claim!, { kind: 'accepted', transactionId: 'tx-ng-2' });
      const [second] = await a.enqueue(BEN, [v2]);
      expect((await a.get(second!.id))!.problem!.message).toContain(
        `Invoice NG-2 from this seller was already sent (document #${first!.id}) with different content: if this corrects it, the first one is on its way to the buyer or with the buyer already, which is usually corrected with a credit note and a new number.`,
      );

      const [w1, w2] = versions('NG-3');
      const [x1, x2, x1again] = await a.enqueue(ANNA, [w1, w2, w1]);
      expect(x1).toMatchObject({ created: true, state: 'queued' });
      expect(x2).toMatchObject({ created: true, state: 'held' });
      expect(x1again).toMatchObject({ id: x1!.id, created: false });
      expect((await a.get(x2!.id))!.duplicateOf).toBe(x1!.id);
    },
  );

  it.skipIf(backend.skip)(
    'a first version that is not live holds nothing back: invalid, cancelled, or sent in practice once the team sends for real',
    async () => {
      const a = await fresh();
      // Sent in practice (the built-in Sandbox): it counts while the team practises, not once it
      // sends for real.
      const [p1, p2] = versions('NG-6');
      await a.enqueue(ANNA, [p1]);
      const [claim] = await a.claim(ANNA, 1, 60_000, undefined, {
        accessPoint: 'sandbox',
        environment: 'sandbox',
      });
      await a.finish(ANNA, claim!, { kind: 'accepted', transactionId: 'tx-practice' });
      const b = await connect();
      const [practising] = await b.enqueue(BEN, [p2], false);
      expect(practising!.state).toBe('held');
      const [p3] = versions('NG-6').map((d) => ({
        ...d,
        body: makeInvoice('NG-6-for-real'),
        key: teamKeyOf(makeInvoice('NG-6-for-real')),
      }));
      expect((await b.enqueue(BEN, [p3!], true))[0]!.state).toBe('queued');

      const [bad, fixed] = versions('NG-4');
      await a.enqueue(ANNA, [
        { ...bad, state: 'invalid', problem: { code: 'INVALID', message: 'BR-01', action: null } },
      ]);
      expect((await a.enqueue(ANNA, [fixed]))[0]!.state).toBe('queued');

      const [c1, c2] = versions('NG-5');
      const [cancelMe] = await a.enqueue(ANNA, [c1]);
      expect(await a.cancel(ANNA, [cancelMe!.id])).toHaveLength(1);
      expect((await a.enqueue(ANNA, [c2]))[0]!.state).toBe('queued');
    },
  );

  it.skipIf(backend.skip)(
    'a correction saved under the same file name while the first version waits replaces it; once claimed, it is held',
    async () => {
      const a = await fresh();
      const [v1, v2] = versions('NG-7');
      const same = { ...v2, fileName: v1.fileName };
      const [first] = await a.enqueue(ANNA, [v1]);
      const [second] = await a.enqueue(BEN, [same]);
      expect(second).toMatchObject({ created: true, state: 'queued' });
      expect((await a.get(first!.id))!.state).toBe('superseded');
      expect((await a.timeline(first!.id)).at(-1)).toMatchObject({
        fromState: 'queued',
        toState: 'superseded',
        detail: `Replaced by the corrected file NG-7.xml (document #${second!.id})`,
      });
      expect((await a.timeline(second!.id)).map((e) => e.detail)).toEqual([
        `Replaces NG-7.xml (document #${first!.id}), which was waiting to be sent`,
      ]);
      // Only the correction can be claimed.
      const claims = await a.claim(ANNA, 10, 60_000);
      expect(claims.map((c) => c.id)).toEqual([second!.id]);

      // Claimed (on its way): not replaced; the correction is held beside it.
      const [w1, w2] = versions('NG-8');
      const [sending] = await a.enqueue(ANNA, [w1]);
      expect((await a.claim(ANNA, 10, 60_000)).map((c) => c.id)).toEqual([sending!.id]);
      const [held] = await a.enqueue(BEN, [{ ...w2, fileName: w1.fileName }]);
      expect(held!.state).toBe('held');
      expect((await a.get(sending!.id))!.state).toBe('sending');
      // Another file name is another invoice file: held, not a replacement.
      const [x1, x2] = versions('NG-9');
      const [kept] = await a.enqueue(ANNA, [x1]);
      expect((await a.enqueue(BEN, [x2]))[0]!.state).toBe('held');
      expect((await a.get(kept!.id))!.state).toBe('queued');
    },
  );

  it.skipIf(backend.skip)(
    'a corrected version that goes replaces the failures of its number, so a Retry of the old one sends nothing (walk 14)',
    async () => {
      const a = await fresh();
      // Failed, no attempt reached the access point: replaced; Retry then moves nothing.
      const [f1, f2] = versions('NG-10');
      const [failed] = await a.enqueue(ANNA, [f1]);
      const [claim] = await a.claim(ANNA, 1, 60_000);
      await a.finish(ANNA, claim!, {
        kind: 'failed',
        problem: { code: 'REJECTED', message: 'Refused.', action: null },
        settles: true,
      });
      expect((await a.get(failed!.id))!.state).toBe('failed');
      const [fix] = await a.enqueue(BEN, [f2]);
      expect(fix!.state).toBe('queued');
      expect((await a.get(failed!.id))!.state).toBe('superseded');
      expect((await a.timeline(failed!.id)).at(-1)).toMatchObject({
        fromState: 'failed',
        toState: 'superseded',
        detail: `Replaced by the corrected file NG-10-corrected.xml (document #${fix!.id})`,
      });
      expect((await a.timeline(fix!.id)).map((e) => e.detail)).toEqual([
        `Replaces NG-10.xml (document #${failed!.id}), which could not be sent`,
      ]);
      expect(await a.retry(ANNA, [failed!.id])).toEqual({ queued: 0, held: [] });
      expect((await a.get(failed!.id))!.state).toBe('superseded');

      // Needed fixing, or buyer not on Peppol: replaced too.
      const [i1, i2] = versions('NG-11');
      const [bad] = await a.enqueue(ANNA, [
        { ...i1, state: 'invalid', problem: { code: 'INVALID', message: 'BR-01', action: null } },
      ]);
      await a.enqueue(ANNA, [i2]);
      expect((await a.get(bad!.id))!.state).toBe('superseded');

      // Failed after an attempt that may have reached the access point: still live, so the
      // correction is held and the first is not replaced.
      const [m1, m2] = versions('NG-12');
      const [maybe] = await a.enqueue(ANNA, [m1]);
      const claims = await a.claim(ANNA, 10, 60_000);
      const c2 = claims.find((c) => c.id === maybe!.id);
      await a.finish(ANNA, c2!, {
        kind: 'failed',
        problem: { code: 'NO_ANSWER', message: 'No answer.', action: null },
        reachedMaybe: true,
      });
      expect((await a.enqueue(BEN, [m2]))[0]!.state).toBe('held');
      expect((await a.get(maybe!.id))!.state).toBe('failed');
    },
  );

  it.skipIf(backend.skip)(
    'a Retry of a first version whose correction was sent anyway holds it, as on a single desk (walk 14)',
    async () => {
      const a = await fresh();
      const b = await connect();
      const [v1, v2] = versions('NG-20');
      // v1 failed after an attempt that may have reached the access point: still live.
      const [first] = await a.enqueue(ANNA, [v1]);
      const [c1] = await a.claim(ANNA, 1, 60_000);
      await a.finish(ANNA, c1!, {
        kind: 'failed',
        problem: { code: 'NO_ANSWER', message: 'No answer.', action: 'retry' },
        reachedMaybe: true,
      });
      // Its correction is held beside it; the clerk sends the correction anyway; it goes.
      const [second] = await b.enqueue(BEN, [v2]);
      expect(second!.state).toBe('held');
      expect(await b.sendAnyway(BEN, [second!.id], 'Send anyway, decided by Ben')).toBe(1);
      const [c2] = await b.claim(BEN, 1, 60_000);
      expect(c2).toMatchObject({ id: second!.id });
      await b.finish(BEN, c2!, { kind: 'accepted', transactionId: 'tx-ng-20' });

      // Retry of the first version: held, naming the correction that went out; nothing claimable.
      const words = `Invoice NG-20 from this seller was already sent (document #${second!.id}) with different content: if this corrects it, the first one is on its way to the buyer or with the buyer already, which is usually corrected with a credit note and a new number. Send it anyway only if this is meant as a separate invoice; otherwise cancel it.`;
      expect(await a.retry(ANNA, [first!.id], true)).toEqual({
        queued: 0,
        held: [{ id: first!.id, message: words }],
      });
      expect(await a.get(first!.id)).toMatchObject({
        state: 'held',
        duplicateOf: second!.id,
        problem: { code: 'DUPLICATE', message: words, action: 'decide' },
        // Its attempt in doubt was at this access point: Send anyway replays it under its key.
        reachedMaybe: true,
        attempts: 0,
      });
      expect((await a.timeline(first!.id)).slice(-2)).toMatchObject([
        { desk: ANNA, fromState: 'failed', toState: 'queued', detail: 'Retry requested' },
        {
          desk: ANNA,
          fromState: 'queued',
          toState: 'held',
          detail: `Held instead of retried: another version of its number, document #${second!.id}, was sent`,
        },
      ]);
      expect(await a.claim(ANNA, 5, 60_000)).toEqual([]);
      // Send anyway sends it, under its key (the attempt in doubt replays).
      expect(await a.sendAnyway(ANNA, [first!.id], 'Send anyway, decided by Anna')).toBe(1);
      const [again] = await a.claim(ANNA, 5, 60_000);
      expect(again).toMatchObject({ id: first!.id, key: c1!.key });
    },
  );

  it.skipIf(backend.skip)(
    'two versions retried together: the first goes, the other is held as its second version; a Retry with no other version goes as before',
    async () => {
      const a = await fresh();
      const [v1, v2] = versions('NG-21');
      const failInDoubt = async (id: number) => {
        const [c] = await a.claim(ANNA, 1, 60_000);
        expect(c).toMatchObject({ id });
        await a.finish(ANNA, c!, {
          kind: 'failed',
          problem: { code: 'NO_ANSWER', message: 'No answer.', action: 'retry' },
          reachedMaybe: true,
        });
      };
      const [first] = await a.enqueue(ANNA, [v1]);
      await failInDoubt(first!.id);
      const [second] = await a.enqueue(ANNA, [v2]);
      await a.sendAnyway(ANNA, [second!.id], 'Send anyway, decided by Anna');
      await failInDoubt(second!.id);
      // Another number, alone: queued.
      const [lone] = await a.enqueue(ANNA, [versions('NG-22')[0]]);
      await failInDoubt(lone!.id);

      const r = await a.retry(ANNA, [second!.id, lone!.id, first!.id], true);
      expect(r.queued).toBe(2);
      expect(r.held).toEqual([{ id: second!.id, message: expect.any(String) }]);
      expect(r.held[0]!.message).toMatch(
        new RegExp(
          `^Invoice NG-21 from this seller was already added \\(document #${first!.id}\\)`,
        ),
      );
      expect(await a.get(second!.id)).toMatchObject({ state: 'held', duplicateOf: first!.id });
      const claimed = await a.claim(ANNA, 5, 60_000);
      expect(claimed.map((c) => c.id).sort((x, y) => x - y)).toEqual([first!.id, lone!.id]);
    },
  );

  it.skipIf(backend.skip)(
    'two desks adding two versions of the same numbers at the same moment: one of each number is queued, the other held',
    async () => {
      const a = await fresh();
      const b = await connect();
      const numbers = Array.from({ length: 40 }, (_, i) => `NG-RACE-${i}`);
      const pairs = numbers.map(versions);
      // Anna adds the first versions, Ben the second ones, in opposite orders, ten at a time.
      const chunks = <T>(xs: readonly T[]) =>
        Array.from({ length: xs.length / 10 }, (_, i) => xs.slice(i * 10, i * 10 + 10));
      const results = await Promise.all([
        ...chunks(pairs.map((p) => p[0])).map((c) => a.enqueue(ANNA, c)),
        ...chunks([...pairs].reverse().map((p) => p[1])).map((c) => b.enqueue(BEN, c)),
      ]);
      const all = results.flat();
      expect(all).toHaveLength(80);
      for (const no of numbers) {
        const mine = await Promise.all(
          all
            .filter((r) => pairs[numbers.indexOf(no)]!.some((d) => d.key === r.key))
            .map((r) => a.get(r.id)),
        );
        expect(mine.map((d) => d!.state).sort(), no).toEqual(['held', 'queued']);
        const held = mine.find((d) => d!.state === 'held')!;
        const queued = mine.find((d) => d!.state === 'queued')!;
        expect(held.duplicateOf, no).toBe(queued.id);
      }
    },
  );
});

describe('the number guard on PostgreSQL', () => {
  const postgres = BACKENDS[1];
  const pgStores = useTeamStores(postgres);

  it.skipIf(postgres.skip)(
    'PostgreSQL: an enqueue of thousands of numbers holds at most NUMBER_LOCKS transaction locks',
    async () => {
      await pgStores.fresh();
      const c = new pg.Client({ connectionString: pgStores.address });
      await c.connect();
      try {
        await c.query('BEGIN');
        const n = 5_000;
        const numbers = Array.from({ length: n }, (_, i) => `LOCK-${i}`);
        await c.query(NUMBER_LOCK_SQL, [
          numbers.map(() => '0208:0000000097'),
          numbers,
          numbers.map(() => 'Invoice'),
        ]);
        const [held] = (
          await c.query(
            `SELECT count(*)::int AS n FROM pg_locks
             WHERE locktype = 'advisory' AND pid = pg_backend_pid()`,
          )
        ).rows as { n: number }[];
        expect(held!.n).toBeGreaterThan(NUMBER_LOCKS / 2);
        expect(held!.n).toBeLessThanOrEqual(NUMBER_LOCKS);
        await c.query('ROLLBACK');
      } finally {
        await c.end();
      }
    },
  );
});
