/**
 * A clerk's Retry on a team outbox after the team moved to another access point (both team
 * stores). The interleaving:
 *
 * 1. The team sends through access point X. A document's attempt reached X and its answer was
 *    lost (`reached_maybe`); it failed later (its attempts ran out). Failed documents do not
 *    keep the team on X (they would keep it there for ever: they cannot be cancelled).
 * 2. The team moves to Y.
 * 3. The clerk retries it. Y does not know its key: sending it there could deliver it twice.
 *    So it is held, with words naming X and Y, and nothing is sent to either. A failed document
 *    without an attempt in doubt, retried in the same Retry, is queued and sent as before.
 * 4. "Send anyway" sends it once, to Y, as a new submission (a new key round).
 * 5. A document whose attempt in doubt was made at Y, after the change, is retried as before:
 *    queued, sent again to Y under its key (Y answers with the first result).
 *
 * And `peppol-desk retry --all-failed` on a team outbox says what it held and why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import { ACCESS_POINT_CHANGED, sentBeforeTeamMoved } from '../../app/domain/problems';
import { accessPointRef, type AccessPointRef } from '../../app/team/access-point';
import { openTeamStore } from '../../app/team/open-store';
import type { TeamProblem, TeamStore } from '../../app/team/store';
import { runCli } from '../helpers/dist';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { refOf, sendsTo, teamSends, useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within the test.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 30, heartbeatMs: 50 },
});
const BACKENDS = useTeamBackends('team-retry-moved', tempDir, 'retrymoved');

const stores: TeamStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const ANNA = 'desk-anna';
const BEN = 'desk-ben';
const X = accessPointRef({
  accessPoint: 'https://ap.example.com/peppol-api',
  environment: 'production',
  apiKey: 'pk_goroute_team',
});
const Y = accessPointRef({
  accessPoint: 'https://peppol.other-provider.example/api',
  environment: 'production',
  apiKey: 'pk_other',
});
const NO_ANSWER: TeamProblem = {
  code: 'AP_UNAVAILABLE',
  message: 'No answer came.',
  action: null,
};
const RAN_OUT: TeamProblem = {
  code: 'ATTEMPTS_EXHAUSTED',
  message: 'The access point did not answer after several attempts.',
  action: 'retry',
};
const REFUSED: TeamProblem = { code: 'AP_REJECTED', message: 'Refused.', action: null };

const newDoc = teamDocMaker('MOVED');

/**
 * Until the clock (the database's: this machine's) is past `at`: a failure in the same
 * millisecond as a change of access point is held, as one before it (the safe side).
 */
async function clockPast(at: number): Promise<void> {
  await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(at), { timeout: 1_000, interval: 1 });
}

/**
 * Claim `id` (the next due document) under `ap`, let `send` make the attempt, lose its answer
 * (a retry at once, `reached_maybe`), claim it again and fail it: a failed document whose last
 * attempt may have reached `ap`.
 */
async function failInDoubt(
  s: TeamStore,
  id: number,
  ap: AccessPointRef,
  send: (key: string, body: Uint8Array) => Promise<void> = async () => undefined,
): Promise<string> {
  // The failure is dated after the millisecond the team's access point was set (a failure in that
  // same millisecond may have been at the one before: the store then does not name it).
  const set = Date.now();
  while (Date.now() <= set + 1) await new Promise((r) => setImmediate(r));
  const [first] = await s.claim('desk-ghost', 1, 60_000, ap.id);
  expect(first).toMatchObject({ id });
  await send(first!.key, first!.body ?? (await s.body(id)));
  await s.finish('desk-ghost', first!, {
    kind: 'retry',
    delayMs: 0,
    problem: NO_ANSWER,
    reachedMaybe: true,
  });
  const [again] = await s.claim('desk-ghost', 1, 60_000, ap.id);
  expect(again).toMatchObject({ id, key: first!.key });
  await s.finish('desk-ghost', again!, { kind: 'failed', problem: RAN_OUT });
  expect(await s.get(id)).toMatchObject({ state: 'failed', reachedMaybe: true });
  return first!.key;
}

describe.each(BACKENDS)('Retry after the team moved, $name team store', (backend) => {
  const { fresh, connect } = useTeamStores(backend);

  it.skipIf(backend.skip)(
    'a failed document that may be at the old access point is held, named; the others are queued',
    async () => {
      const a = await fresh();
      const b = await connect();
      await a.adoptAccessPoint(ANNA, X, false);
      // One at a time: a document retried at once is due after one added before it.
      const [inDoubt] = await a.enqueue(ANNA, [newDoc()]);
      const key = await failInDoubt(a, inDoubt!.id, X);
      const [plain] = await a.enqueue(ANNA, [newDoc()]);
      const [p] = await a.claim('desk-ghost', 1, 60_000, X.id);
      expect(p).toMatchObject({ id: plain!.id });
      await a.finish('desk-ghost', p!, { kind: 'failed', problem: REFUSED });
      // Failed documents do not keep the team where it is.
      expect(await b.adoptAccessPoint(BEN, Y, true)).toMatchObject({ ok: true });

      const words = sentBeforeTeamMoved(X.label, Y.label).message;
      expect(words).toBe(
        'This invoice may already have reached ap.example.com (Production) (its last attempt got no answer), and the team now sends through peppol.other-provider.example (Production). Ask the provider of ap.example.com (Production) whether it arrived: if it did, cancel it here; if it did not, choose Send anyway to send it through peppol.other-provider.example (Production).',
      );
      expect(await a.retry(ANNA, [inDoubt!.id, plain!.id])).toEqual({
        queued: 1,
        held: [{ id: inDoubt!.id, message: words }],
      });
      // Held for the clerk: its doubt is about the old access point, so the clerk may cancel it
      // once that one said it arrived (nothing of it reached the team's access point now).
      expect(await a.get(inDoubt!.id)).toMatchObject({
        state: 'held',
        problem: { code: ACCESS_POINT_CHANGED, message: words, action: 'decide' },
        reachedMaybe: false,
        attempts: 0,
      });
      expect((await a.timeline(inDoubt!.id)).slice(-2)).toMatchObject([
        { desk: ANNA, fromState: 'failed', toState: 'queued', detail: 'Retry requested' },
        { desk: ANNA, fromState: 'queued', toState: 'held', detail: words },
      ]);
      // Only the other one is claimed; the access point refused it for good, so under a new key
      // round (refusedForGood: the old key would replay the refusal).
      const claimed = await b.claim(BEN, 5, 60_000, Y.id);
      expect(claimed.map((c) => [c.id, c.key])).toEqual([[plain!.id, `${p!.key}-r1`]]);
      await b.finish(BEN, claimed[0]!, { kind: 'accepted', transactionId: 'tx-plain' });

      // The clerk may cancel it (the earlier one said it arrived); Undo puts it back as it was.
      const cancelled = await b.cancel(BEN, [inDoubt!.id]);
      expect(cancelled).toEqual([{ id: inDoubt!.id, from: 'held' }]);
      expect(await b.uncancel(BEN, cancelled, 'Cancel undone by Ben')).toBe(1);
      expect(await b.get(inDoubt!.id)).toMatchObject({
        state: 'held',
        problem: { code: ACCESS_POINT_CHANGED, message: words },
      });

      // Send anyway: a new submission at Y, under a new key round.
      expect(await b.sendAnyway(BEN, [inDoubt!.id], 'Send anyway, decided by Ben')).toBe(1);
      const [sent] = await b.claim(BEN, 5, 60_000, Y.id);
      expect(sent).toMatchObject({ id: inDoubt!.id, key: `${key}-r1`, inDoubt: false });
      expect(await b.get(inDoubt!.id)).toMatchObject({ problem: null, reachedMaybe: false });
    },
  );

  it.skipIf(backend.skip)(
    'after two moves, one in doubt at the first access point is held without naming the second',
    async () => {
      const a = await fresh();
      await a.adoptAccessPoint(ANNA, X, false);
      const [doc] = await a.enqueue(ANNA, [newDoc()]);
      await failInDoubt(a, doc!.id, X);
      const Z = accessPointRef({ accessPoint: 'sandbox', environment: 'sandbox', apiKey: null });
      expect(await a.adoptAccessPoint(BEN, Y, true)).toMatchObject({ ok: true });
      expect(await a.adoptAccessPoint(ANNA, Z, true)).toMatchObject({ ok: true });
      // The team remembers only the access point it left last (Y): X is no longer named.
      const words = sentBeforeTeamMoved(null, Z.label).message;
      expect(words).toMatch(
        /^This invoice may already have reached the access point the team sent through before \(its last attempt got no answer\), and the team now sends through the built-in Sandbox\. Ask the provider of that access point whether it arrived/,
      );
      expect(await a.retry(ANNA, [doc!.id])).toEqual({
        queued: 0,
        held: [{ id: doc!.id, message: words }],
      });
    },
  );

  it.skipIf(backend.skip)(
    'one that failed after the change, or before the team had moved at all, is queued as before',
    async () => {
      const a = await fresh();
      await a.adoptAccessPoint(ANNA, X, false);
      const [early] = await a.enqueue(ANNA, [newDoc()]);
      // Failed in doubt at X while the team is still on X: queued, to X, under its key.
      const earlyKey = await failInDoubt(a, early!.id, X);
      expect(await a.retry(ANNA, [early!.id])).toEqual({ queued: 1, held: [] });
      const [e] = await a.claim(ANNA, 1, 60_000, X.id);
      expect(e).toMatchObject({ id: early!.id, key: earlyKey });
      await a.finish(ANNA, e!, { kind: 'accepted', transactionId: 'tx-early' });
      // The team moves; a document then fails in doubt at Y: its Retry sends it to Y again.
      const moved = await a.adoptAccessPoint(BEN, Y, true);
      expect(moved).toMatchObject({ ok: true });
      await clockPast(moved.accessPoint.setAt);
      const [late] = await a.enqueue(ANNA, [newDoc()]);
      const lateKey = await failInDoubt(a, late!.id, Y);
      expect(await a.retry(ANNA, [late!.id])).toEqual({ queued: 1, held: [] });
      expect(await a.get(late!.id)).toMatchObject({ state: 'queued', reachedMaybe: true });
      const [l] = await a.claim(ANNA, 1, 60_000, Y.id);
      expect(l).toMatchObject({ id: late!.id, key: lateKey });
    },
  );
});

describe.each(BACKENDS)('a team desk’s Retry after the team moved, $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'never sends to the new access point what may be at the old one; Send anyway sends it once',
    async () => {
      const address = await backend.newAddress();
      const [apX, apY] = [await sandbox(), await sandbox()];
      const [refX, refY] = [refOf(apX), refOf(apY)];
      // Anna's desk, alone on the team, set to X in Settings (the team follows her there).
      const a = await desk(address, null, 'Anna');
      await a.handlers['settings:set']({ endpoint: apX.url });
      await vi.waitFor(async () => expect(await teamSends(a)).toBe(true), {
        timeout: 10_000,
        interval: 20,
      });
      const ghost = openTeamStore(address);
      stores.push(ghost);
      expect((await ghost.accessPoint())?.id).toBe(refX.id);

      // 1. Another desk's attempt reached X, its answer lost; the document then failed. A second
      //    one failed with X's answer (nothing in doubt).
      await a.handlers['queue:pause'](undefined);
      const files = makeInvoices(2, 'MOVED');
      const inDoubt = (await a.handlers['documents:add']({ files: [files[0]!] })).added[0]!.id;
      const xClient = new AccessPointClient({ baseUrl: apX.url, apiKey: null });
      await failInDoubt(ghost, inDoubt, refX, async (key, body) => {
        expect((await xClient.send(body, key)).kind).toBe('ok');
      });
      await xClient.close();
      const plain = (await a.handlers['documents:add']({ files: [files[1]!] })).added[0]!.id;
      const [p] = await ghost.claim('desk-ghost', 1, 60_000, refX.id);
      expect(p).toMatchObject({ id: plain });
      await ghost.finish('desk-ghost', p!, { kind: 'failed', problem: REFUSED });
      expect([sendsTo(apX), apX.stats().acceptedDocuments]).toEqual([1, 1]);

      // 2. Anna, alone on the team, sets Y in Settings: the team follows her there.
      await a.handlers['settings:set']({ endpoint: apY.url });
      await vi.waitFor(
        async () => {
          expect((await ghost.accessPoint())?.id).toBe(refY.id);
          expect(await teamSends(a)).toBe(true);
        },
        { timeout: 10_000, interval: 20 },
      );
      await a.handlers['queue:resume'](undefined);

      // 3. Retry both: the one that may be at X is held, the other sent to Y as before.
      const words = sentBeforeTeamMoved(refX.label, refY.label).message;
      expect(words).toContain(`may already have reached ${refX.label} (its last attempt`);
      expect(await a.handlers['documents:retry']({ ids: [inDoubt, plain] })).toEqual({
        retried: 1,
        held: [{ id: inDoubt, message: words }],
      });
      await a.waitUntilSettled([plain]);
      expect(await ghost.get(plain)).toMatchObject({ state: 'accepted' });
      // Claimed in the order they became due: the held one (added first) would have gone first.
      const held = await a.handlers['documents:get']({ id: inDoubt });
      expect(held).toMatchObject({
        state: 'held',
        problem: { code: ACCESS_POINT_CHANGED, message: words, action: 'decide' },
        mayHaveReachedAccessPoint: false,
      });
      expect(held.timeline.at(-1)).toMatchObject({ from: 'queued', to: 'held', detail: words });
      expect([sendsTo(apX), sendsTo(apY)]).toEqual([1, 1]);

      // 4. Send anyway: once, to Y, as a new submission.
      expect(await a.handlers['documents:sendAnyway']({ ids: [inDoubt] })).toEqual({
        released: 1,
      });
      await a.waitUntilSettled([inDoubt]);
      expect(await ghost.get(inDoubt)).toMatchObject({ state: 'accepted' });
      expect((await a.handlers['documents:get']({ id: inDoubt })).timeline).toContainEqual(
        expect.objectContaining({
          from: 'held',
          to: 'queued',
          detail: expect.stringMatching(
            new RegExp(
              `^Send anyway, decided by .+: sent through ${escape(refY.label)} as a new submission`,
            ),
          ),
        }),
      );
      expect([sendsTo(apX), sendsTo(apY)]).toEqual([1, 2]);
      expect(apY.stats()).toMatchObject({ acceptedDocuments: 2, idempotentReplays: 0 });

      // 5. A document whose attempt in doubt was made at Y: retried to Y under its key.
      await a.handlers['queue:pause'](undefined);
      const more = await a.handlers['documents:add']({ files: makeInvoices(1, 'AFTER') });
      const late = more.added[0]!.id;
      await clockPast((await ghost.accessPoint())!.setAt);
      const yClient = new AccessPointClient({ baseUrl: apY.url, apiKey: null });
      await failInDoubt(ghost, late, refY, async (key, body) => {
        expect((await yClient.send(body, key)).kind).toBe('ok');
      });
      await yClient.close();
      await a.handlers['queue:resume'](undefined);
      expect(await a.handlers['documents:retry']({ ids: [late] })).toEqual({ retried: 1 });
      await a.waitUntilSettled([late]);
      expect(await ghost.get(late)).toMatchObject({ state: 'accepted' });
      expect(apY.stats()).toMatchObject({ acceptedDocuments: 3, idempotentReplays: 1 });
      expect(sendsTo(apX)).toBe(1);
    },
    60_000,
  );
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('peppol-desk retry on a team outbox after the team moved', () => {
  it('says how many it held and why, and sends none of them', async () => {
    const file = join(tempDir(), 'team.sqlite');
    const ap = await sandbox();
    const s = openTeamStore(`sqlite:${file}`);
    stores.push(s);
    await s.migrate();
    await s.adoptAccessPoint(ANNA, X, false);
    const [doc] = await s.enqueue(ANNA, [newDoc()]);
    await failInDoubt(s, doc!.id, X);
    // The team moves to the access point the CLI is set to.
    const here = refOf(ap);
    expect(await s.adoptAccessPoint(BEN, here, true)).toMatchObject({ ok: true });
    const r = await runCli([
      'retry',
      '--all-failed',
      '--store',
      `sqlite:${file}`,
      '--endpoint',
      ap.url,
      '--data-dir',
      join(tempDir(), 'cli'),
    ]);
    expect(r.stderr).toContain('Retrying 0 document(s)\n');
    expect(r.stderr).toContain(
      `1 document(s) held, not sent: #${doc!.id}. ${sentBeforeTeamMoved(X.label, here.label).message}\n`,
    );
    // Not sent: counted as held, as it is, not as failed (exit 1), and nothing reached the
    // access point.
    expect([r.code, r.stdout]).toEqual([1, '0 sent, 0 failed, 1 held for your decision\n']);
    expect(sendsTo(ap)).toBe(0);
    expect(await s.get(doc!.id)).toMatchObject({ state: 'held' });
  }, 60_000);
});

describe('peppol-desk retry --all-failed on a team outbox', () => {
  it('says how many it left as they are: a receiver still not on Peppol (walk 7)', async () => {
    // Walk 7: "Retrying 3 document(s)", then five outcomes ("0 sent, 5 failed"): the two whose
    // receiver was asked about again and is still not on Peppol were not counted.
    const file = join(tempDir(), 'team.sqlite');
    const ap = await sandbox();
    const inbox = join(tempDir(), 'in');
    mkdirSync(inbox);
    writeFileSync(
      join(inbox, 'nobody.xml'),
      makeInvoice('TRN-1', { receiver: '9915:not-registered' }),
    );
    const args = ['--store', `sqlite:${file}`, '--endpoint', ap.url];
    const sent = await runCli(['send', inbox, ...args, '--data-dir', join(tempDir(), 'a')]);
    expect([sent.code, sent.stdout]).toEqual([
      1,
      expect.stringMatching(/^0 sent, 0 failed, 1 whose buyer is not on Peppol/),
    ]);
    const r = await runCli(['retry', '--all-failed', ...args, '--data-dir', join(tempDir(), 'b')]);
    expect(r.stderr).toContain('Retrying 0 of 1 document(s); 1 left as it is\n');
    expect(r.stderr).toMatch(
      /^nobody\.xml \(document #\d+\): .*not registered on the Peppol network/m,
    );
    expect([r.code, r.stdout]).toEqual([1, '0 sent, 0 failed, 1 whose buyer is not on Peppol\n']);
    expect(sendsTo(ap)).toBe(0);
  }, 60_000);
});
