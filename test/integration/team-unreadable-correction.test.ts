/**
 * Walk 21 (A1), on a team (SQLite and a real PostgreSQL): a file that could not be read as an
 * invoice said "drop the corrected file again"; dropped again, the correction left the old "Needs
 * fixing" document in Needs attention, as it had no invoice number for a correction to find it by.
 * A document read as an invoice now replaces the unreadable ones of the number their file seemed to
 * carry, under the same last part of the file name (team migration 012), as on a single desk; not
 * another invoice exported under the same name (walk 21b, N2).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { teamKeyOf, type NewTeamDocument } from '../../app/team/store';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';
import { teamDocMaker } from '../helpers/team-docs';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const BACKENDS = useTeamBackends('team-unreadable-correction', useTempDirs(), 'unread');
const ANNA = 'desk-anna';

/** A file that could not be read as an invoice, as a desk adds it (`seems`: its first ID). */
function unreadable(fileName: string, seems: string | null): NewTeamDocument {
  const body = new TextEncoder().encode(`<!DOCTYPE x><Invoice><cbc:ID>${seems ?? ''}</cbc:ID>`);
  return {
    ...teamDocMaker('UNREAD-X')({ body, key: teamKeyOf(body), fileName }),
    state: 'invalid',
    docType: null,
    invoiceNumber: null,
    senderId: null,
    receiverId: null,
    problem: { code: 'DOCTYPE', message: 'Fix the file, then drop it again.', action: 'fix-file' },
    unreadNumber: seems,
  } as NewTeamDocument;
}

describe.each(BACKENDS)('a correction of an unreadable file on the $name team store', (backend) => {
  const { fresh } = useTeamStores(backend);

  it.skipIf(backend.skip)(
    'replaces the unreadable documents of its number and file name, and no other',
    async () => {
      const store = await fresh();
      const [inFolder, exported, noNumber] = await store.enqueue(ANNA, [
        unreadable('h/h-doc.xml', 'H-1'),
        unreadable('export.xml', 'NB-1'),
        unreadable('x.xml', null),
      ]);
      expect([inFolder!.state, exported!.state, noNumber!.state]).toEqual([
        'invalid',
        'invalid',
        'invalid',
      ]);
      const make = teamDocMaker('UNREAD');
      const fix = makeInvoice('H-1');
      const nextDay = makeInvoice('NB-2');
      const [fixed, other] = await store.enqueue(ANNA, [
        make({ body: fix, key: teamKeyOf(fix), fileName: 'h-doc.xml', invoiceNumber: 'H-1' }),
        make({
          body: nextDay,
          key: teamKeyOf(nextDay),
          fileName: 'export.xml',
          invoiceNumber: 'NB-2',
        }),
      ]);
      expect([fixed!.state, other!.state]).toEqual(['queued', 'queued']);
      expect((await store.get(inFolder!.id))!.state).toBe('superseded');
      expect((await store.timeline(inFolder!.id)).map((e) => e.detail)).toContain(
        `Replaced by the corrected file h-doc.xml (document #${fixed!.id})`,
      );
      expect((await store.timeline(fixed!.id)).map((e) => e.detail).join('\n')).toContain(
        `Replaces h/h-doc.xml (document #${inFolder!.id})`,
      );
      // NB-1 was never sent: another invoice under its name does not close it.
      expect((await store.get(exported!.id))!.state).toBe('invalid');
      expect((await store.get(noNumber!.id))!.state).toBe('invalid');
    },
  );
});

// The whole way on a desk: its intake notes the number the unreadable file carries.
const { desk, sandbox, tempDir } = useTeamDesks();

describe('a team desk (SQLite team store)', () => {
  it("replaces a dropped file's unreadable first version by its correction dropped on its own", async () => {
    const store = `sqlite:${join(tempDir(), 'team.sqlite')}`;
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const broken = new TextEncoder().encode(
      new TextDecoder()
        .decode(makeInvoice('DESK-1'))
        .replace('?>', '?>\n<!DOCTYPE Invoice [<!ENTITY co "Acme">]>'),
    );
    const first = await a.handlers['documents:add']({
      files: [{ name: 'march/desk-1.xml', bytes: broken }],
    });
    const oldId = first.added[0]!.id;
    await a.waitUntilSettled([oldId]);
    expect((await a.handlers['documents:get']({ id: oldId })).state).toBe('invalid');
    const fixed = await a.handlers['documents:add']({
      files: [{ name: 'desk-1.xml', bytes: makeInvoice('DESK-1') }],
    });
    await a.waitUntilSettled([fixed.added[0]!.id], { includeAccepted: true });
    expect((await a.handlers['documents:get']({ id: oldId })).state).toBe('superseded');
  });
});
