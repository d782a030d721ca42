/**
 * The clerk's requests that answered "not available on a team outbox yet", on desks of the real
 * team stores (SQLite file and a throwaway PostgreSQL) sharing one sandbox access point: the
 * invoice view and its attachments, the detail's summary, findings and lookup, the export,
 * cancel with its Undo, "Send anyway" and asking again about a receiver. Each change is seen by
 * the other desk, named on the timeline, and nothing is accepted twice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { invokeHandler } from '../../app/errors';
import { openTeamStore } from '../../app/team/open-store';
import { teamKeyOf, type NewTeamDocument } from '../../app/team/store';
import { makeInvoice, makeInvoices, makeInvoiceWithWrongTotal } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';
import { waitFor } from '../helpers/wait';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test.
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 50, heartbeatMs: 200 },
});
const BACKENDS = useTeamBackends('team-desk-actions', tempDir, 'actions');
const RICH = new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'rich-invoice.xml')));

const stateOf = async (e: Engine, id: number) =>
  (await e.handlers['documents:briefs']({ ids: [id] })).rows[0]?.state;

describe.each(BACKENDS)('clerk requests on desks of the $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'a second version of an invoice number dropped on another desk is held beside the first; Send anyway sends it',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const b = await desk(address, ap, 'desk B');
      const first = (
        await a.handlers['documents:add']({
          files: [{ name: 'inv-77.xml', bytes: makeInvoice('NUM-77') }],
        })
      ).added[0]!.id;
      await a.waitUntilSettled([first]);
      const second = (
        await b.handlers['documents:add']({
          files: [{ name: 'inv-77-fixed.xml', bytes: makeInvoice('NUM-77', { note: 'Fixed' }) }],
        })
      ).added[0]!.id;
      const held = await a.handlers['documents:get']({ id: second });
      expect(held.state).toBe('held');
      expect(held.problem?.message).toContain(
        `Invoice NUM-77 from this seller was already sent (document #${first}) with different content`,
      );
      // The detail names the first version, for the side-by-side decision.
      expect(held.duplicateOf).toMatchObject({
        id: first,
        fileName: 'inv-77.xml',
        state: 'accepted',
        // Walk 24 B9: its due date, from this desk's check of the stored file.
        dueDate: '2025-04-30',
      });
      expect(ap.stats().acceptedDocuments).toBe(1);
      expect(await a.handlers['documents:sendAnyway']({ ids: [second] })).toMatchObject({
        released: 1,
      });
      await a.waitUntilSettled([second]);
      expect(await stateOf(b, second)).toBe('accepted');
      expect(ap.stats().acceptedDocuments).toBe(2);
    },
  );

  it.skipIf(backend.skip)(
    'a second version held while the first waited says "already sent" once the first went out (walk 17)',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['queue:pause'](undefined);
      const first = (
        await a.handlers['documents:add']({
          files: [{ name: 'inv-78.xml', bytes: makeInvoice('NUM-78') }],
        })
      ).added[0]!.id;
      const second = (
        await a.handlers['documents:add']({
          files: [{ name: 'inv-78-b.xml', bytes: makeInvoice('NUM-78', { note: 'Other' }) }],
        })
      ).added[0]!.id;
      const words = async () => (await a.handlers['documents:get']({ id: second })).problem;
      expect((await words())?.message).toMatch(
        new RegExp(`^Invoice NUM-78 from this seller was already added \\(document #${first}\\)`),
      );
      await a.handlers['queue:resume'](undefined);
      await a.waitUntilSettled([first]);
      expect(await stateOf(a, first)).toBe('accepted');
      expect(await words()).toEqual({
        code: 'DUPLICATE',
        message: `Invoice NUM-78 from this seller was already sent (document #${first}) with different content: if this corrects it, the first one is on its way to the buyer or with the buyer already, which is usually corrected with a credit note and a new number. Send it anyway only if this is meant as a separate invoice; otherwise cancel it.`,
        action: 'decide',
      });
      expect(await stateOf(a, second)).toBe('held');
      expect(ap.stats().acceptedDocuments).toBe(1);
    },
  );

  it.skipIf(backend.skip)(
    'a corrected invoice replaces the one that needed fixing: Retry all cannot send the old one; a cancelled second version asks for no decision (walk 14)',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const b = await desk(address, ap, 'desk B');
      const bad = (
        await a.handlers['documents:add']({
          files: [{ name: 'inv-88.xml', bytes: makeInvoiceWithWrongTotal('NUM-88') }],
        })
      ).added[0]!.id;
      expect(await stateOf(a, bad)).toBe('invalid');
      const fixed = (
        await b.handlers['documents:add']({
          files: [{ name: 'inv-88-fixed.xml', bytes: makeInvoice('NUM-88') }],
        })
      ).added[0]!.id;
      await b.waitUntilSettled([fixed]);
      const old = await a.handlers['documents:get']({ id: bad });
      expect([old.state, old.problem]).toEqual(['superseded', null]);
      expect(old.timeline.at(-1)?.detail).toBe(
        `Replaced by the corrected file inv-88-fixed.xml (document #${fixed})`,
      );
      // Out of Needs attention, and "Retry all" has nothing of it to send again.
      await a.handlers['documents:retry']({ allFailed: true });
      expect(await stateOf(a, bad)).toBe('superseded');
      expect(ap.stats().acceptedDocuments).toBe(1);

      // A second version held, then cancelled: no "Send it anyway … or cancel it" beside
      // Cancelled, on the detail or in the list.
      const again = await a.handlers['documents:add']({
        files: [{ name: 'inv-88-again.xml', bytes: makeInvoice('NUM-88', { note: 'Again' }) }],
      });
      const held = again.added[0]!.id;
      expect(await stateOf(a, held)).toBe('held');
      // The add says it waits for a decision (walk 17: "1 added" read as going out).
      expect(again.heldForDecision).toBe(1);
      await a.handlers['documents:cancel']({ ids: [held] });
      const cancelled = await b.handlers['documents:get']({ id: held });
      expect([cancelled.state, cancelled.problem]).toEqual(['cancelled', null]);
      const { rows } = await b.handlers['documents:list']({ filter: 'all', limit: 10 });
      expect(rows.find((r) => r.id === held)?.problem).toBeNull();
    },
  );

  it.skipIf(backend.skip)(
    'the invoice view, its attachment and the detail read the team store, on any desk',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const { added } = await a.handlers['documents:add']({
        files: [{ name: 'rich.xml', bytes: RICH }, ...makeInvoices(1, 'VIEW')],
      });
      const [rich, plain] = added.map((x) => x.id);
      await a.waitUntilSettled([rich!, plain!]);
      const b = await desk(address, ap, 'desk B');
      const view = await b.handlers['documents:view']({ id: rich! });
      expect(view.number).toBe('RICH-2025-0042');
      expect(view.attachments.map((x) => x.fileName)).toEqual(['timesheet-march.pdf']);
      const file = await b.handlers['documents:attachment']({ id: rich!, index: 0 });
      expect(file).toMatchObject({ fileName: 'timesheet-march.pdf', mimeType: 'application/pdf' });
      expect(new TextDecoder().decode(file.bytes)).toContain('Timesheet March 2025');
      expect(
        await invokeHandler(b.handlers, 'documents:attachment', { id: rich!, index: 3 }),
      ).toMatchObject({
        ok: false,
      });
      expect(await invokeHandler(b.handlers, 'documents:view', { id: 987_654 })).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: 'Document #987654 does not exist.' },
      });
      // The detail: the summary and findings of the stored file; desk A looked the receiver up.
      const onB = await b.handlers['documents:get']({ id: plain! });
      expect(onB.summary).toMatchObject({ invoiceNumber: 'VIEW-000001' });
      expect(onB.validation!.ruleset).toMatch(/Peppol BIS/);
      expect(Array.isArray(onB.validation!.findings)).toBe(true);
      expect(onB.sellerName).toBe(onB.summary!.sellerName);
      const onA = await a.handlers['documents:get']({ id: plain! });
      expect(onA.lookup).toMatchObject({ participantId: onA.receiverId, found: true });
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    "the export: every row of the team, in the list's order and filter",
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      const b = await desk(address, ap, 'desk B');
      const [ra, rb] = await Promise.all([
        a.handlers['documents:add']({ files: makeInvoices(9, 'EXPA') }),
        b.handlers['documents:add']({
          files: [
            ...makeInvoices(3, 'EXPB'),
            { name: 'nobody.xml', bytes: makeInvoice('EXPB-X', { receiver: '9915:unreg-x' }) },
          ],
        }),
      ]);
      const ids = [...ra.added, ...rb.added].map((x) => x.id);
      await Promise.all([a.waitUntilSettled(ids), b.waitUntilSettled(ids)]);
      const all = await b.handlers['documents:export']({});
      const list = await b.handlers['documents:list']({ limit: 100 });
      expect(all.rows).toHaveLength(13);
      expect(all.rows.map((r) => r.id)).toEqual(list.rows.map((r) => r.id));
      expect(all.rows).toEqual(list.rows);
      const oldest = await a.handlers['documents:export']({ sort: { key: 'id', dir: 'asc' } });
      expect(oldest.rows.map((r) => r.id)).toEqual([...ids].sort((x, y) => x - y));
      // Any column the table sorts by: the list and the export in that order (file names, case
      // ignored, descending: nobody.xml, then EXPB-…, then EXPA-…).
      const byName = { key: 'fileName', dir: 'desc' } as const;
      const named = (n: number, p: string) =>
        Array.from({ length: n }, (_, i) => `${p}-${String(n - i).padStart(6, '0')}.xml`);
      const listed = await b.handlers['documents:list']({ sort: byName, limit: 100 });
      expect(listed.rows.map((r) => r.fileName)).toEqual([
        'nobody.xml',
        ...named(3, 'EXPB'),
        ...named(9, 'EXPA'),
      ]);
      const exported = await a.handlers['documents:export']({ sort: byName });
      expect(exported.rows.map((r) => r.id)).toEqual(listed.rows.map((r) => r.id));
      const page = await a.handlers['documents:list']({ sort: byName, offset: 4, limit: 3 });
      expect(page.rows.map((r) => r.id)).toEqual(listed.rows.slice(4, 7).map((r) => r.id));
      const problems = await a.handlers['documents:export']({ filter: 'attention' });
      expect(problems.rows.map((r) => [r.fileName, r.state])).toEqual([
        ['nobody.xml', 'unreachable'],
      ]);
      const found = await a.handlers['documents:export']({ search: 'EXPB-000002' });
      expect(found.rows.map((r) => r.invoiceNumber)).toEqual(['EXPB-000002']);
      // A walk found the team's rows without seller, access point and environment (the CSV's
      // columns empty). The seller comes with the file, where it went with the claim that sent
      // it; a document no desk sent says nowhere.
      const sent = found.rows[0]!;
      expect(sent.state).toMatch(/^(accepted|delivered)$/);
      expect(sent.sellerName).toBe(
        (await b.handlers['documents:get']({ id: sent.id })).summary!.sellerName,
      );
      expect(sent.sellerName).toEqual(expect.any(String));
      const { environment } = await a.handlers['connection:get'](undefined);
      expect(environment).toBe('test');
      expect([sent.accessPoint, sent.environment]).toEqual([ap.url, environment]);
      const unsent = problems.rows[0]!;
      expect(unsent.sellerName).toEqual(expect.any(String));
      expect([unsent.accessPoint, unsent.environment]).toEqual([null, null]);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'a document waiting after a 429 may be cancelled (back to the queue on Undo); one after a 503 may not',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A', {
        timings: { retryBaseMs: 600_000, retryMaxMs: 600_000 },
      });
      ap.setFaults({ status429: { every: 1, max: 1, retryAfterSeconds: 600 } });
      const first = (await a.handlers['documents:add']({ files: makeInvoices(1, 'T429') }))
        .added[0]!.id;
      await waitFor('a 429', async () => (await stateOf(a, first)) === 'retry_wait', 10_000);
      expect((await a.handlers['documents:get']({ id: first })).mayHaveReachedAccessPoint).toBe(
        false,
      );
      const res = await a.handlers['documents:cancel']({ ids: [first] });
      expect(res).toEqual({ cancelled: 1, undoToken: expect.any(String) });
      expect(await stateOf(a, first)).toBe('cancelled');
      expect(await a.handlers['documents:uncancel']({ undoToken: res.undoToken! })).toEqual({
        restored: 1,
      });
      // Back in its place in the queue (its wait is not kept): sent at once, accepted once.
      await a.waitUntilSettled([first]);
      const { timeline } = await a.handlers['documents:get']({ id: first });
      expect(timeline.find((e) => e.from === 'cancelled')).toMatchObject({
        to: 'queued',
        desk: 'desk A',
      });
      expect(await stateOf(a, first)).toBe('accepted');
      expect(ap.stats().acceptedDocuments).toBe(1);
      // A 503: the access point may have taken it.
      const b = await desk(address, ap, 'desk B', {
        timings: { retryBaseMs: 600_000, retryMaxMs: 600_000 },
      });
      await a.handlers['queue:pause'](undefined);
      ap.setFaults({ status503: { every: 1, max: 1 } });
      const second = (await b.handlers['documents:add']({ files: makeInvoices(1, 'T503') }))
        .added[0]!.id;
      await waitFor('a 503', async () => (await stateOf(b, second)) === 'retry_wait', 10_000);
      expect((await b.handlers['documents:get']({ id: second })).mayHaveReachedAccessPoint).toBe(
        true,
      );
      const refused = await b.handlers['documents:cancel']({ ids: [second] });
      expect(refused.cancelled).toBe(0);
      expect(refused.refused![0]!.message).toContain('may already have reached the access point');
      expect(await stateOf(b, second)).toBe('retry_wait');
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'cancel and its Undo: back where they were, seen by the other desk, each sent once',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['queue:pause'](undefined);
      const { added } = await a.handlers['documents:add']({ files: makeInvoices(3, 'UNDO') });
      const [one, two, three] = added.map((x) => x.id);
      const res = await a.handlers['documents:cancel']({ ids: [one!, two!] });
      expect(res.cancelled).toBe(2);
      expect(res.undoToken).toEqual(expect.any(String));
      const b = await desk(address, ap, 'desk B');
      await b.handlers['queue:pause'](undefined);
      expect(await stateOf(b, one!)).toBe('cancelled');
      expect(await a.handlers['documents:uncancel']({ undoToken: res.undoToken! })).toEqual({
        restored: 2,
      });
      expect(
        await invokeHandler(a.handlers, 'documents:uncancel', { undoToken: res.undoToken! }),
      ).toEqual({
        ok: false,
        error: {
          code: 'UNDO_EXPIRED',
          message:
            'It is too late to undo this cancel. An invoice cancelled on its way out can still be sent: open it and choose Retry.',
        },
      });
      await waitFor(
        'desk B to see it queued again',
        async () => (await stateOf(b, one!)) === 'queued',
        10_000,
      );
      const detail = await b.handlers['documents:get']({ id: one! });
      expect(detail.timeline.at(-1)).toMatchObject({
        from: 'cancelled',
        to: 'queued',
        desk: 'desk A',
      });
      expect(detail.timeline.at(-1)!.detail).toMatch(/^Cancel undone by the user/);
      await Promise.all([
        a.handlers['queue:resume'](undefined),
        b.handlers['queue:resume'](undefined),
      ]);
      await Promise.all([
        a.waitUntilSettled([one!, two!, three!]),
        b.waitUntilSettled([one!, two!, three!]),
      ]);
      for (const id of [one!, two!, three!]) expect(await stateOf(a, id)).toBe('accepted');
      expect(ap.stats().acceptedDocuments).toBe(3);
      expect(ap.stats().duplicateContentAccepts).toBe(0);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    '"Send anyway" releases a held document once; others are left as they are',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const a = await desk(address, ap, 'desk A');
      await a.handlers['queue:pause'](undefined);
      const { added } = await a.handlers['documents:add']({ files: makeInvoices(2, 'ANYWAY') });
      const [held, queued] = added.map((x) => x.id);
      // A team desk holds nothing itself; a held row is made in SQL.
      await backend.raw(
        address,
        `UPDATE team_documents SET state = 'held', due_at = NULL, problem_code = 'DUPLICATE',
           problem_message = 'Possibly a duplicate.' WHERE id = ${backend.name === 'sqlite' ? '?' : '$1'}`,
        [held!],
      );
      const b = await desk(address, ap, 'desk B');
      expect(await b.handlers['documents:sendAnyway']({ ids: [held!, queued!] })).toEqual({
        released: 1,
      });
      expect(await b.handlers['documents:sendAnyway']({ ids: [held!] })).toEqual({ released: 0 });
      await b.waitUntilSettled([held!]);
      expect(await stateOf(b, held!)).toBe('accepted');
      expect(await stateOf(b, queued!)).toBe('accepted');
      const detail = await a.handlers['documents:get']({ id: held! });
      expect(detail.timeline.find((e) => e.from === 'held')).toMatchObject({
        to: 'queued',
        desk: 'desk B',
      });
      expect(ap.stats().acceptedDocuments).toBe(2);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    "asking again about a receiver: found, the team's unreachable documents to it are sent",
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      // Two documents the team once found unreachable (the access point said so then), one to a
      // receiver that is still not on Peppol, one without a buyer id.
      const store = openTeamStore(address);
      await store.migrate();
      const doc = (number: string, receiverId: string | null): NewTeamDocument => {
        const body = makeInvoice(number, receiverId ? { receiver: receiverId } : {});
        return {
          key: teamKeyOf(body),
          fileName: `${number}.xml`,
          body,
          state: 'unreachable',
          docType: 'Invoice',
          invoiceNumber: number,
          senderId: '0208:0123456749',
          receiverId,
          buyerName: 'Buyer',
          amount: '1.00',
          currency: 'EUR',
          issueDate: '2026-01-01',
          problem: { code: 'RECEIVER_NOT_ON_PEPPOL', message: 'Not on Peppol.', action: null },
        };
      };
      const [x, y, z, none, w, v] = await store.enqueue('desk-old', [
        doc('LOOK-1', '0208:0987654394'),
        doc('LOOK-2', '0208:0987654394'),
        doc('LOOK-3', '9915:unreg-buyer'),
        doc('LOOK-4', null),
        doc('LOOK-5', '0208:0000000777'),
        // On Peppol now, but it takes credit notes only: an invoice stays, and says why.
        doc('LOOK-6', '9915:credit-note-only'),
      ]);
      await store.close();
      const a = await desk(address, ap, 'desk A');
      const lookup = await a.handlers['lookup:refresh']({ id: x!.id });
      expect(lookup).toMatchObject({ participantId: '0208:0987654394', found: true });
      await a.waitUntilSettled([x!.id, y!.id]);
      expect(await stateOf(a, x!.id)).toBe('accepted');
      expect(await stateOf(a, y!.id)).toBe('accepted');
      const detail = await a.handlers['documents:get']({ id: y!.id });
      expect(detail.timeline.find((e) => e.from === 'unreachable')).toMatchObject({
        to: 'queued',
        desk: 'desk A',
      });
      expect((await a.handlers['lookup:refresh']({ id: z!.id })).found).toBe(false);
      expect(await stateOf(a, z!.id)).toBe('unreachable');
      expect(await invokeHandler(a.handlers, 'lookup:refresh', { id: none!.id })).toEqual({
        ok: false,
        error: { code: 'NO_RECEIVER', message: 'This document has no buyer Peppol ID to look up.' },
      });
      // "Retry all failed" asks again about the receivers of the unreachable ones too, and says
      // how many stay so (Z: walk 20).
      expect(await a.handlers['documents:retry']({ allFailed: true })).toEqual({
        retried: 1,
        stillNotOnPeppol: 1,
      });
      await a.waitUntilSettled([w!.id]);
      expect(await stateOf(a, w!.id)).toBe('accepted');
      expect(await stateOf(a, z!.id)).toBe('unreachable');
      expect(await stateOf(a, none!.id)).toBe('unreachable');
      expect(ap.stats().acceptedDocuments).toBe(3);
      // Each one left says so on its timeline (walk 24 B15: a team's Retry left no word).
      const lastOf = async (id: number) =>
        (await a.handlers['documents:get']({ id })).timeline.at(-1);
      expect(await lastOf(z!.id)).toMatchObject({
        from: 'unreachable',
        to: 'unreachable',
        desk: 'desk A',
        detail: expect.stringMatching(
          /\(new lookup\): looked up 9915:unreg-buyer: still not registered on the Peppol network$/,
        ),
      });
      expect(await stateOf(a, v!.id)).toBe('unreachable');
      expect(await lastOf(v!.id)).toMatchObject({
        from: 'unreachable',
        to: 'unreachable',
        detail: expect.stringMatching(
          /^9915:credit-note-only is on Peppol \(retry requested by .+\), but does not take this kind of document there: not sent$/,
        ),
      });
    },
    60_000,
  );
});
