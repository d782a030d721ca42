/**
 * The access point's own check on a team outbox (setting `remoteValidation`, the team's), on
 * desks of both team stores (a SQLite file and a throwaway PostgreSQL) sharing one sandbox access
 * point: the single desk's four outcomes at intake (app/team/desk-remote-check.ts) — both valid
 * → queued and sent; both invalid → `invalid` with the access point's reasons; they disagree →
 * `held` for the clerk (cancel with its Undo, or Send anyway, from any desk); the access point
 * cannot answer → our verdict stands, queued and sent, as on a single desk.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import type { SandboxHandle } from '../../app/sandbox/server';
import { makeInvoice, makeInvoiceWithWrongTotal } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-remote-validation', tempDir, 'remote');

const stateOf = async (e: Engine, id: number) =>
  (await e.handlers['documents:briefs']({ ids: [id] })).rows[0]?.state;

/** How many times the access point's check was asked. */
const validateCalls = (ap: SandboxHandle) =>
  ap.stats().requests.byEndpoint['POST /api/v1/validate']?.total ?? 0;

const wrongTotal = makeInvoiceWithWrongTotal;

const AP_REJECTS = {
  valid: false,
  errors: [{ rule: 'AP-42', location: '/Invoice', message: 'Seller unknown to us.' }],
};

describe.each(BACKENDS)("the access point's check on desks of the $name team store", (backend) => {
  it.skipIf(backend.skip)(
    'asked only while the team says so; both valid: queued and sent once, the answer cached',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const off = await a.handlers['documents:add']({
        files: [{ name: 'off.xml', bytes: makeInvoice('RV-OFF') }],
      });
      await a.waitUntilSettled([off.added[0]!.id]);
      expect(validateCalls(ap)).toBe(0);

      expect((await a.handlers['settings:set']({ remoteValidation: true })).remoteValidation).toBe(
        true,
      );
      const b = await desk(address, ap, 'desk B');
      expect((await b.handlers['settings:get'](undefined)).remoteValidation).toBe(true);
      const res = await b.handlers['documents:add']({
        files: [{ name: 'on.xml', bytes: makeInvoice('RV-ON') }],
      });
      const id = res.added[0]!.id;
      await b.waitUntilSettled([id]);
      expect(await stateOf(b, id)).toBe('accepted');
      expect(validateCalls(ap)).toBe(1);
      // Desk B asked, and keeps the answer: its detail shows both checks agreeing.
      const detail = await b.handlers['documents:get']({ id });
      expect(detail.validation?.accessPoint).toEqual({ valid: true, errors: [], warnings: [] });
      expect(detail.validation?.checksDisagree).toBe(false);
      expect(detail.problem).toBeNull();
      expect(ap.stats().acceptedDocuments).toBe(2);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    "both invalid: invalid, with the access point's reasons among ours, never sent",
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['settings:set']({ remoteValidation: true });
      ap.setFaults({ validateVerdict: AP_REJECTS });
      const res = await a.handlers['documents:add']({
        files: [{ name: 'both.xml', bytes: wrongTotal('RV-BOTH') }],
      });
      const id = res.added[0]!.id;
      await a.waitUntilSettled([id]);
      const d = await a.handlers['documents:get']({ id });
      expect(d.state).toBe('invalid');
      expect(d.problem).toMatchObject({ code: 'VALIDATION', action: 'fix-file' });
      expect(d.problem?.message).toMatch(/^2 problems found, including: .*\(BR-CO-16\)/);
      expect(d.validation?.checksDisagree).toBe(false);
      const fatal = d.validation!.findings.filter((f) => f.flag === 'fatal');
      expect(fatal.map((f) => f.rule)).toEqual(expect.arrayContaining(['BR-CO-16', 'AP-42']));
      expect(fatal.find((f) => f.rule === 'AP-42')?.message).toBe(
        "The access point's own check says: Seller unknown to us.",
      );
      expect(validateCalls(ap)).toBe(1);
      expect(ap.stats().acceptedDocuments).toBe(0);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'they disagree: held for the clerk, cancel and Undo from the other desk, then Send anyway',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['settings:set']({ remoteValidation: true });
      // Ours rejects this one, the access point's accepts it.
      const first = await a.handlers['documents:add']({
        files: [{ name: 'ours-no.xml', bytes: wrongTotal('RV-DIS-1') }],
      });
      const oursNo = first.added[0]!.id;
      // Ours accepts this one, the access point's rejects it.
      ap.setFaults({ validateVerdict: AP_REJECTS });
      const second = await a.handlers['documents:add']({
        files: [{ name: 'ap-no.xml', bytes: makeInvoice('RV-DIS-2') }],
      });
      const apNo = second.added[0]!.id;
      ap.setFaults({});
      await a.waitUntilSettled([oursNo, apNo]);

      const d1 = await a.handlers['documents:get']({ id: oursNo });
      expect(d1.state).toBe('held');
      expect(d1.problem).toMatchObject({ code: 'CHECKS_DISAGREE', action: 'decide' });
      expect(d1.problem?.message).toMatch(/^Our check found 1 error \(BR-CO-16\)/);
      expect(d1.problem?.message).toMatch(/The access point's own check accepts it/);
      expect(d1.validation?.checksDisagree).toBe(true);
      expect(d1.validation?.accessPoint).toEqual({ valid: true, errors: [], warnings: [] });
      const d2 = await a.handlers['documents:get']({ id: apNo });
      expect(d2.state).toBe('held');
      expect(d2.problem?.code).toBe('CHECKS_DISAGREE');
      expect(d2.problem?.message).toMatch(
        /access point's own check rejects this invoice: Seller unknown to us\. \(AP-42\)\. Our check found no error/,
      );
      expect(d2.validation?.accessPoint?.errors[0]?.rule).toBe('AP-42');
      expect(d2.timeline[0]).toMatchObject({ to: 'held', desk: 'desk A' });

      // The other desk's clerk cancels one, and undoes it: held again, with its problem.
      const b = await desk(address, ap, 'desk B');
      const cancelled = await b.handlers['documents:cancel']({ ids: [apNo] });
      expect(cancelled.cancelled).toBe(1);
      expect(await stateOf(a, apNo)).toBe('cancelled');
      expect(await b.handlers['documents:uncancel']({ undoToken: cancelled.undoToken! })).toEqual({
        restored: 1,
      });
      const back = await a.handlers['documents:get']({ id: apNo });
      expect(back.state).toBe('held');
      expect(back.problem?.code).toBe('CHECKS_DISAGREE');

      // Send anyway: desk A knows both verdicts and writes them; desk B (which never asked the
      // access point about it) says they disagreed.
      expect(await a.handlers['documents:sendAnyway']({ ids: [oursNo] })).toEqual({
        released: 1,
      });
      expect(await b.handlers['documents:sendAnyway']({ ids: [apNo] })).toEqual({ released: 1 });
      await Promise.all([a.waitUntilSettled([oursNo, apNo]), b.waitUntilSettled([oursNo, apNo])]);
      expect(await stateOf(a, oursNo)).toBe('accepted');
      expect(await stateOf(a, apNo)).toBe('accepted');
      const sent1 = (await b.handlers['documents:get']({ id: oursNo })).timeline.find(
        (t) => t.from === 'held' && t.to === 'queued',
      );
      expect(sent1).toMatchObject({ to: 'queued', desk: 'desk A' });
      expect(sent1?.detail).toMatch(
        /^Sent anyway by the user.* although our check found 1 error \(BR-CO-16\); the access point's check accepted it$/,
      );
      const sent2 = (await a.handlers['documents:get']({ id: apNo })).timeline.find(
        (t) => t.from === 'held' && t.to === 'queued',
      );
      expect(sent2).toMatchObject({ to: 'queued', desk: 'desk B' });
      expect(sent2?.detail).toMatch(
        /^Sent anyway by the user.* although our check and the access point's disagreed$/,
      );
      expect(ap.stats().acceptedDocuments).toBe(2);
      expect(ap.stats().duplicateContentAccepts).toBe(0);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'the access point cannot answer the check: our verdict stands, queued and sent, as on a single desk',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['settings:set']({ remoteValidation: true });
      await a.handlers['queue:pause'](undefined);
      ap.setFaults({ endpoints: 'all', status503: { every: 1 } });
      const res = await a.handlers['documents:add']({
        files: [{ name: 'down.xml', bytes: makeInvoice('RV-DOWN') }],
      });
      const id = res.added[0]!.id;
      expect(validateCalls(ap)).toBe(1);
      expect(await stateOf(a, id)).toBe('queued');
      const d = await a.handlers['documents:get']({ id });
      expect(d.problem).toBeNull();
      // No answer, nothing cached: the detail has our check only.
      expect(d.validation?.accessPoint).toBeUndefined();
      expect(d.timeline.map((t) => [t.from, t.to])).toEqual([[null, 'queued']]);
      ap.setFaults({});
      await a.handlers['queue:resume'](undefined);
      await a.waitUntilSettled([id]);
      expect(await stateOf(a, id)).toBe('accepted');
      expect(ap.stats().acceptedDocuments).toBe(1);
    },
    60_000,
  );
});
