/**
 * The clerk's other moves on the team store (undo a cancel, "send anyway", a receiver found
 * again) and the export, on SQLite and on a real PostgreSQL: each moves only from the state it
 * starts from (never a claimed document), writes a timeline row naming the desk, is heard by
 * the other desks, and the export hands every matching row over in pages, in order.
 */
import { describe, expect, it } from 'vitest';
import { type TeamDocument } from '../../app/team/store';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

const BACKENDS = useTeamBackends('team-store-clerk', useTempDirs(), 'clerk');

const newDoc = teamDocMaker('CLERK');

const ANNA = 'desk-anna';
const BEN = 'desk-ben';
const NOT_ON_PEPPOL = {
  code: 'RECEIVER_NOT_ON_PEPPOL',
  message: 'The buyer is not on Peppol.',
  action: null,
};

describe.each(BACKENDS)('the clerk on the $name team store', (backend) => {
  const stores = useTeamStores(backend);
  const { connect, fresh } = stores;
  const at = (n: number) => (backend.name === 'sqlite' ? '?' : `$${n}`);

  it.skipIf(backend.skip)(
    'undo of a cancel: each back to the state it was cancelled from, once, heard by the other desks',
    async () => {
      const a = await fresh();
      const b = await connect();
      const [q, f, inv, unr, sent] = await a.enqueue(ANNA, [
        newDoc(),
        newDoc(),
        newDoc({ state: 'invalid', problem: { code: 'INVALID', message: 'BR-01', action: null } }),
        newDoc({ state: 'unreachable', problem: NOT_ON_PEPPOL }),
        newDoc(),
      ]);
      // f fails, sent is claimed (a live claim of Anna's) and stays so.
      const claims = await a.claim(ANNA, 3, 60_000);
      expect(claims.map((c) => c.id)).toEqual([q!.id, f!.id, sent!.id]);
      await a.finish(ANNA, claims[0]!, { kind: 'released' });
      await a.finish(ANNA, claims[1]!, {
        kind: 'failed',
        problem: { code: 'REJECTED', message: 'Refused.', action: null },
      });
      const cancelled = await a.cancel(ANNA, [q!.id, f!.id, inv!.id, unr!.id, sent!.id]);
      expect(cancelled).toEqual([
        { id: q!.id, from: 'queued' },
        { id: f!.id, from: 'failed' },
        { id: inv!.id, from: 'invalid' },
        { id: unr!.id, from: 'unreachable' },
      ]);
      const heard: number[] = [];
      const stop = await a.listen((ids) => heard.push(...ids));
      // A forged undo that would put a document in a state a cancel never takes moves nothing,
      // nor does one of a document that is not cancelled (Anna's claim is untouched).
      expect(
        await b.uncancel(
          BEN,
          [
            { id: q!.id, from: 'sending' },
            { id: sent!.id, from: 'queued' },
          ],
          'undone',
        ),
      ).toBe(0);
      expect(await b.get(sent!.id)).toMatchObject({
        state: 'sending',
        leaseOwner: ANNA,
        fence: claims[2]!.fence,
      });
      expect(await b.uncancel(BEN, cancelled, 'Cancel undone by the user (ben)')).toBe(4);
      expect(Object.fromEntries(await b.states([q!.id, f!.id, inv!.id, unr!.id]))).toEqual({
        [q!.id]: 'queued',
        [f!.id]: 'failed',
        [inv!.id]: 'invalid',
        [unr!.id]: 'unreachable',
      });
      // The problems stay (a cancel keeps them on the team's row), the key is the same.
      expect(await b.get(unr!.id)).toMatchObject({ problem: NOT_ON_PEPPOL, key: unr!.key });
      // Once: a second undo finds nothing cancelled.
      expect(await b.uncancel(BEN, cancelled, 'again')).toBe(0);
      const timeline = await a.timeline(q!.id);
      expect(timeline.at(-1)).toMatchObject({
        fromState: 'cancelled',
        toState: 'queued',
        detail: 'Cancel undone by the user (ben)',
      });
      // The queued one is due again: claimed with the same key.
      const [again] = await a.claim(ANNA, 1, 60_000);
      expect(again).toMatchObject({ id: q!.id, key: q!.key, inDoubt: false });
      await waitFor('Anna to hear the undo', () => heard.includes(f!.id), 10_000);
      await stop();
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    '"send anyway" releases held documents only; a claimed one is never touched',
    async () => {
      const a = await fresh();
      const [held, queued, unr] = await a.enqueue(ANNA, [
        newDoc(),
        newDoc(),
        newDoc({ state: 'unreachable', problem: NOT_ON_PEPPOL }),
      ]);
      // A team desk holds nothing itself; a held row is made in SQL.
      await backend.raw(
        stores.address,
        `UPDATE team_documents SET state = 'held', due_at = NULL, problem_code = 'DUPLICATE',
           problem_message = 'Possibly a duplicate.' WHERE id = ${at(1)}`,
        [held!.id],
      );
      const [claim] = await a.claim(ANNA, 1, 60_000);
      expect(claim!.id).toBe(queued!.id);
      const b = await connect();
      expect(
        await b.sendAnyway(
          BEN,
          [held!.id, queued!.id, unr!.id, 999_999],
          'Send anyway, decided by Ben',
        ),
      ).toBe(1);
      expect(await b.get(held!.id)).toMatchObject({ state: 'queued', problem: null });
      expect(await b.get(queued!.id)).toMatchObject({
        state: 'sending',
        leaseOwner: ANNA,
        reachedMaybe: false,
      });
      expect((await b.get(unr!.id))?.state).toBe('unreachable');
      expect((await b.timeline(held!.id)).at(-1)).toMatchObject({
        fromState: 'held',
        toState: 'queued',
        detail: 'Send anyway, decided by Ben',
      });
      expect(await b.sendAnyway(BEN, [held!.id], 'again')).toBe(0);
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    'a document enqueued held (the two checks disagree) waits for the clerk: cancel, Undo, Send anyway',
    async () => {
      const a = await fresh();
      const disagree = {
        code: 'CHECKS_DISAGREE',
        message: "The access point's own check rejects this invoice.",
        action: 'decide',
      };
      const [held, queued] = await a.enqueue(ANNA, [
        newDoc({ state: 'held', problem: disagree }),
        newDoc(),
      ]);
      expect(held).toMatchObject({ created: true, state: 'held' });
      // Never claimed while held: only the queued one goes.
      const claims = await a.claim(ANNA, 5, 60_000);
      expect(claims.map((c) => c.id)).toEqual([queued!.id]);
      expect(await a.get(held!.id)).toMatchObject({ state: 'held', problem: disagree });
      expect((await a.timeline(held!.id))[0]).toMatchObject({
        fromState: null,
        toState: 'held',
        desk: ANNA,
        detail: disagree.message,
      });
      const b = await connect();
      const cancelled = await b.cancel(BEN, [held!.id]);
      expect(cancelled).toEqual([{ id: held!.id, from: 'held' }]);
      expect(await b.uncancel(BEN, cancelled, 'Cancel undone by Ben')).toBe(1);
      // Back where it was, its problem kept, still not claimable.
      expect(await b.get(held!.id)).toMatchObject({ state: 'held', problem: disagree });
      expect(await b.claim(BEN, 5, 60_000)).toEqual([]);
      expect(await b.sendAnyway(BEN, [held!.id], 'Sent anyway by Ben')).toBe(1);
      expect(await b.get(held!.id)).toMatchObject({ state: 'queued', problem: null });
      expect((await b.claim(BEN, 5, 60_000)).map((c) => c.id)).toEqual([held!.id]);
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    "a receiver found again: only that receiver's unreachable documents go back to the queue",
    async () => {
      const a = await fresh();
      const other = '0208:0000000999';
      const [mine, mine2, theirs, queued] = await a.enqueue(ANNA, [
        newDoc({ state: 'unreachable', problem: NOT_ON_PEPPOL }),
        newDoc({ state: 'unreachable', problem: NOT_ON_PEPPOL }),
        newDoc({ state: 'unreachable', problem: NOT_ON_PEPPOL, receiverId: other }),
        newDoc(),
      ]);
      const b = await connect();
      const moved = await b.requeueUnreachable(
        BEN,
        '0208:0000000196',
        [mine!.id, theirs!.id, queued!.id],
        'found again',
      );
      expect(moved).toEqual([mine!.id]);
      expect(await b.get(mine!.id)).toMatchObject({ state: 'queued', problem: null });
      expect((await b.get(mine2!.id))?.state).toBe('unreachable');
      expect((await b.get(theirs!.id))?.state).toBe('unreachable');
      expect((await b.timeline(mine!.id)).at(-1)).toMatchObject({
        desk: BEN,
        fromState: 'unreachable',
        toState: 'queued',
        detail: 'found again',
      });
      // Due at once, in its place in the queue, with the key its bytes give.
      const claims = await a.claim(ANNA, 5, 60_000);
      expect(claims.map((c) => [c.id, c.key])).toEqual([
        [mine!.id, mine!.key],
        [queued!.id, queued!.key],
      ]);
      const counts = await b.counts();
      expect(counts).toMatchObject({ sending: 2, unreachable: 2 });
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    "a receiver still not on Peppol: only that receiver's unreachable documents get the line, and stay",
    async () => {
      const a = await fresh();
      const other = '0208:0000000999';
      const [mine, theirs, queued] = await a.enqueue(ANNA, [
        newDoc({ state: 'unreachable', problem: NOT_ON_PEPPOL }),
        newDoc({ state: 'unreachable', problem: NOT_ON_PEPPOL, receiverId: other }),
        newDoc(),
      ]);
      const b = await connect();
      const before = await b.timeline(theirs!.id);
      const noted = await b.noteUnreachable(
        BEN,
        '0208:0000000196',
        [mine!.id, theirs!.id, queued!.id],
        'still not there',
      );
      expect(noted).toEqual([mine!.id]);
      expect(await b.get(mine!.id)).toMatchObject({
        state: 'unreachable',
        problem: NOT_ON_PEPPOL,
      });
      expect((await b.timeline(mine!.id)).at(-1)).toMatchObject({
        desk: BEN,
        fromState: 'unreachable',
        toState: 'unreachable',
        detail: 'still not there',
      });
      expect(await b.timeline(theirs!.id)).toEqual(before);
      expect((await b.get(queued!.id))?.state).toBe('queued');
      expect(await b.counts()).toMatchObject({ queued: 1, unreachable: 2 });
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    'body() reads the exact bytes, also after a claim on the same connection',
    async () => {
      const a = await fresh();
      const d = newDoc();
      const [row] = await a.enqueue(ANNA, [d]);
      // The claim reads bodies too (the SQLite store once shared a plucked statement with body()).
      await a.claim(ANNA, 1, 60_000);
      expect(await a.body(row!.id)).toEqual(new Uint8Array(d.body));
      await expect(a.body(999_999)).rejects.toThrow('The team has no document #999999.');
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    'the export hands over every matching row in pages, in order',
    async () => {
      const a = await fresh();
      const docs = Array.from({ length: 23 }, (_, i) =>
        newDoc(i % 4 === 0 ? { state: 'invalid', problem: NOT_ON_PEPPOL } : {}),
      );
      docs[5] = { ...docs[5]!, buyerName: 'Needle 100% Ltd' };
      const ids = (await a.enqueue(ANNA, docs)).map((r) => r.id);
      const pages: TeamDocument[][] = [];
      const n = await a.exportRows({ sort: { key: 'id', dir: 'asc' } }, (p) => pages.push(p), 5);
      expect(n).toBe(23);
      expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
      expect(pages.flat().map((d) => d.id)).toEqual(ids);
      const newest: number[] = [];
      await a.exportRows({}, (p) => newest.push(...p.map((d) => d.id)), 4);
      expect(newest).toEqual([...ids].reverse());
      const invalid: number[] = [];
      await a.exportRows({ states: ['invalid'], sort: { key: 'id', dir: 'asc' } }, (p) =>
        invalid.push(...p.map((d) => d.id)),
      );
      expect(invalid).toEqual(ids.filter((_, i) => i % 4 === 0));
      const found: TeamDocument[] = [];
      await a.exportRows({ search: '100%' }, (p) => found.push(...p));
      expect(found.map((d) => [d.id, d.buyerName])).toEqual([[ids[5], 'Needle 100% Ltd']]);
      let called = 0;
      expect(await a.exportRows({ states: ['paid'] }, () => called++)).toBe(0);
      expect(called).toBe(0);
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    'a document sent in practice (the built-in Sandbox) goes back on the queue to be sent for real, as a new submission; nothing else moves',
    async () => {
      const a = await fresh();
      const b = await connect();
      const [practice, real, waiting] = await a.enqueue(ANNA, [newDoc(), newDoc(), newDoc()]);
      const inSandbox = await a.claim(ANNA, 1, 60_000, undefined, {
        accessPoint: 'sandbox',
        environment: 'sandbox',
      });
      expect(inSandbox.map((c) => c.id)).toEqual([practice!.id]);
      await a.finish(ANNA, inSandbox[0]!, { kind: 'accepted', transactionId: 'sbx-1' });
      const inTest = await a.claim(ANNA, 1, 60_000, undefined, {
        accessPoint: 'https://ap.example.com/peppol-api',
        environment: 'test',
      });
      expect(inTest.map((c) => c.id)).toEqual([real!.id]);
      await a.finish(ANNA, inTest[0]!, { kind: 'accepted', transactionId: 'tx-2' });
      const heard: number[] = [];
      const stop = await a.listen((ids) => heard.push(...ids));
      const ids = [practice!.id, real!.id, waiting!.id];
      expect(await b.sendPracticeForReal(BEN, ids, 'Sent for real now')).toEqual([practice!.id]);
      expect(await b.get(practice!.id)).toMatchObject({
        state: 'queued',
        transactionId: null,
        sentBy: null,
        sentEnvironment: null,
        attempts: 0,
      });
      expect(await b.get(real!.id)).toMatchObject({ state: 'accepted', transactionId: 'tx-2' });
      expect((await b.get(waiting!.id))!.state).toBe('queued');
      expect((await b.timeline(practice!.id)).at(-1)).toMatchObject({
        desk: BEN,
        fromState: 'accepted',
        toState: 'queued',
        detail: 'Sent for real now',
      });
      await waitFor('the other desk to hear it', () => heard.includes(practice!.id));
      await stop();
      // In its place in the queue, under a new key round: the access point sees a new submission.
      const again = await a.claim(ANNA, 5, 60_000);
      expect(again.map((c) => c.id)).toEqual([practice!.id, waiting!.id]);
      expect(again[0]!.key).toBe(`${inSandbox[0]!.key}-r1`);
      // Claimed (sending): nothing moves it again.
      expect(await b.sendPracticeForReal(BEN, [practice!.id], 'again')).toEqual([]);
    },
    30_000,
  );
});
