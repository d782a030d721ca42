import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';

const engines = useEngines();

// Walk 21 (A1): a file that could not be read as an invoice (a DOCTYPE, a wrong encoding, a
// half-written export) said "Fix the file …, then drop the corrected file again". Dropped again
// under the same name and delivered, the corrected file left the old "Needs fixing" row and its
// count in Needs attention: a correction found what it replaces by its invoice number, which the
// first version had none of. It is now found by the number its file seems to carry (its first ID
// element) and its file name's last part (walk 21b: by the name alone, another invoice exported
// to the same name replaced a failure it had nothing to do with; and a file first given in a
// folder, "h/h-doc.xml", was not found by the corrected "h-doc.xml").
const text = (s: string) => new TextEncoder().encode(s);
/** Invoice `no` with a DOCTYPE: refused before it is read any further. */
const withDoctype = (no: string) =>
  text(
    new TextDecoder()
      .decode(makeInvoice(no))
      .replace('?>', '?>\n<!DOCTYPE Invoice [<!ENTITY co "Acme">]>'),
  );

describe('a corrected file whose first version could not be read as an invoice', () => {
  it('replaces it when added under the same name, and leaves other names alone', async () => {
    const engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo, sandbox } = engineInternals(engine);
    const good = new TextDecoder().decode(makeInvoice('UNREAD-1'));
    // Cut half-way, as a file read while it was still being written; and another one, unrelated.
    const half = good.slice(0, Math.floor(good.length / 2));
    const added = await engine.handlers['documents:add']({
      files: [
        { name: 'export-7.xml', bytes: text(half) },
        { name: 'other.xml', bytes: text(half.replace('UNREAD-1', 'UNREAD-2')) },
      ],
    });
    const [old, other] = added.added;
    await engine.waitUntilSettled([old!.id, other!.id]);
    expect(repo.get(old!.id)).toMatchObject({ state: 'invalid', invoice_number: null });
    expect(repo.get(other!.id)!.state).toBe('invalid');

    const [fix] = (
      await engine.handlers['documents:add']({
        files: [{ name: 'export-7.xml', bytes: text(good) }],
      })
    ).added;
    await engine.waitUntilSettled([fix!.id], { includeAccepted: true });
    expect(repo.get(fix!.id)!.state).toBe('accepted');
    expect(repo.get(old!.id)!.state).toBe('superseded');
    expect(repo.timeline(old!.id).map((e) => e.detail)).toContain(
      `Replaced by the corrected file export-7.xml (document #${fix!.id})`,
    );
    expect(
      repo
        .timeline(fix!.id)
        .map((e) => e.detail)
        .join('\n'),
    ).toContain(`Replaces export-7.xml (document #${old!.id})`);
    // Another file's unreadable version is not this one's.
    expect(repo.get(other!.id)!.state).toBe('invalid');
    expect(repo.counts().invalid).toBe(1);
    expect(sandbox!.stats().acceptedDocuments).toBe(1);
  });

  it('is replaced by a later version that is still invalid, which then carries the problem', async () => {
    const engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo } = engineInternals(engine);
    const [old] = (
      await engine.handlers['documents:add']({
        files: [{ name: 'x.xml', bytes: withDoctype('UNREAD-3') }],
      })
    ).added;
    await engine.waitUntilSettled([old!.id]);
    expect(repo.get(old!.id)).toMatchObject({ state: 'invalid', unread_number: 'UNREAD-3' });
    // Readable now, but its total is wrong: one row says so, not two.
    const wrong = new TextDecoder()
      .decode(makeInvoice('UNREAD-3'))
      .replace(
        /<cbc:PayableAmount currencyID="EUR">([0-9.]+)</,
        '<cbc:PayableAmount currencyID="EUR">1.00<',
      );
    const [next] = (
      await engine.handlers['documents:add']({ files: [{ name: 'x.xml', bytes: text(wrong) }] })
    ).added;
    await engine.waitUntilSettled([next!.id]);
    expect(repo.get(next!.id)).toMatchObject({ state: 'invalid', invoice_number: 'UNREAD-3' });
    expect(repo.get(old!.id)!.state).toBe('superseded');
    expect(repo.counts().invalid).toBe(1);
  });

  it('is found from the file alone when it came in a folder, and not by another invoice of the same name', async () => {
    const engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    const { repo } = engineInternals(engine);
    const added = await engine.handlers['documents:add']({
      files: [
        { name: 'h/h-doc.xml', bytes: withDoctype('H-1') },
        { name: 'export.xml', bytes: withDoctype('NB-1') },
      ],
    });
    const [inFolder, exported] = added.added;
    await engine.waitUntilSettled([inFolder!.id, exported!.id]);
    // The correction of h/h-doc.xml, dropped on its own; the next day's export, another invoice.
    const later = await engine.handlers['documents:add']({
      files: [
        { name: 'h-doc.xml', bytes: makeInvoice('H-1') },
        { name: 'export.xml', bytes: makeInvoice('NB-2') },
      ],
    });
    await engine.waitUntilSettled(
      later.added.map((a) => a.id),
      { includeAccepted: true },
    );
    expect(repo.get(inFolder!.id)!.state).toBe('superseded');
    // NB-1 was never sent: it stays where the clerk sees it.
    expect(repo.get(exported!.id)!.state).toBe('invalid');
    expect(repo.counts().invalid).toBe(1);
  });

  it('finds them through the partial index of migration 023, not a scan of the documents', async () => {
    const engine = await engines({ trackDelivery: false });
    const { repo, db } = engineInternals(engine);
    const stmt = (repo as unknown as { stmts: { findUnreadableByNumber: { source: string } } })
      .stmts.findUnreadableByNumber;
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all('x.xml', 0) as {
        detail: string;
      }[]
    ).map((r) => r.detail);
    expect(plan.join(' ')).toMatch(
      /USING INDEX documents_unreadable_by_number \(unread_number=\?\)/,
    );
    expect(plan.some((d) => /SCAN documents/.test(d))).toBe(false);
  });
});
