/**
 * Walk 21 (A1), on a team (SQLite and a real PostgreSQL): a file that could not be read as an
 * invoice said "drop the corrected file again"; dropped again under the same name, the
 * correction left the old "Needs fixing" document in Needs attention, as it had none of the
 * invoice numbers a correction finds what it replaces by. A document read as an invoice now
 * replaces the unreadable ones of its file name (migration 012), as on a single desk.
 */
import { describe, expect, it } from 'vitest';
import { teamKeyOf, type NewTeamDocument } from '../../app/team/store';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const BACKENDS = useTeamBackends('team-unreadable-correction', useTempDirs(), 'unread');
const ANNA = 'desk-anna';

/** A file that could not be read as an invoice, as a desk adds it. */
function unreadable(fileName: string, bytes: string): NewTeamDocument {
  const body = new TextEncoder().encode(bytes);
  return {
    key: teamKeyOf(body),
    fileName,
    body,
    state: 'invalid',
    docType: null,
    invoiceNumber: null,
    senderId: null,
    receiverId: null,
    buyerName: null,
    amount: null,
    currency: null,
    issueDate: null,
    problem: {
      code: 'NOT_WELL_FORMED',
      message:
        'This file is damaged or incomplete XML. Fix the file, then drop the corrected file again.',
      action: 'fix',
    },
  } as NewTeamDocument;
}

describe.each(BACKENDS)('a correction of an unreadable file on the $name team store', (backend) => {
  const { fresh } = useTeamStores(backend);

  it.skipIf(backend.skip)(
    'replaces the unreadable documents of its file name, and no other',
    async () => {
      const store = await fresh();
      const [old, other] = await store.enqueue(ANNA, [
        unreadable('export-7.xml', '<Invoice'),
        unreadable('other.xml', '<Invoice><cbc:ID>'),
      ]);
      expect([old!.state, other!.state]).toEqual(['invalid', 'invalid']);
      const make = teamDocMaker('UNREAD');
      const body = makeInvoice('UNREAD-7');
      const [fix] = await store.enqueue(ANNA, [
        make({ body, key: teamKeyOf(body), fileName: 'export-7.xml', invoiceNumber: 'UNREAD-7' }),
      ]);
      expect(fix).toMatchObject({ created: true, state: 'queued' });
      expect((await store.get(old!.id))!.state).toBe('superseded');
      expect((await store.get(other!.id))!.state).toBe('invalid');
      expect((await store.timeline(old!.id)).map((e) => e.detail)).toContain(
        `Replaced by the corrected file export-7.xml (document #${fix!.id})`,
      );
      expect((await store.timeline(fix!.id)).map((e) => e.detail).join('\n')).toContain(
        `Replaces export-7.xml (document #${old!.id})`,
      );
      // Another unreadable version of the same name replaces nothing (it is no correction).
      const [again] = await store.enqueue(ANNA, [unreadable('other.xml', '<Invoice><cbc:ID>x')]);
      expect(again!.state).toBe('invalid');
      expect((await store.get(other!.id))!.state).toBe('invalid');
    },
  );
});
