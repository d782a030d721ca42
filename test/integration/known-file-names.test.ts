/**
 * A file is the same file whether its folder was dropped (`march/a.xml`), it was dropped alone or
 * sent by the CLI (`a.xml`): walk 9 dropped a folder in the app while sending was paused, then ran
 * `send` on that folder, and got three new documents held as duplicates of themselves.
 */
import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { KNOWN_FILE_CANDIDATES } from '../../app/store/documents-statements';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';

const engines = useEngines({ trackDelivery: false });

describe('a file added again under another folder', () => {
  it('is the document it was, whichever folder it came with; other bytes are a new one', async () => {
    const e = await engines();
    await e.handlers['queue:pause'](undefined);
    const bytes = makeInvoice('FOLDER-1');
    const first = await e.handlers['documents:add']({
      files: [{ name: 'paused/M-0001.xml', bytes }],
    });
    const id = first.added[0]!.id;
    for (const name of ['M-0001.xml', 'other/M-0001.xml', 'C:\\exports\\M-0001.xml']) {
      const again = await e.handlers['documents:add']({ files: [{ name, bytes }] });
      expect([name, again.added.length, again.known.map((k) => k.id)]).toEqual([name, 0, [id]]);
    }
    // The same bytes under another name, or another file under this name: new documents.
    const renamed = await e.handlers['documents:add']({ files: [{ name: 'M-0002.xml', bytes }] });
    expect(renamed.added).toHaveLength(1);
    const edited = await e.handlers['documents:add']({
      files: [{ name: 'M-0001.xml', bytes: makeInvoice('FOLDER-1', { note: 'edited' }) }],
    });
    expect(edited.added).toHaveLength(1);
    // Two of one drop, from two folders: one document.
    const pair = await e.handlers['documents:add']({
      files: [
        { name: 'a/P-1.xml', bytes: makeInvoice('PAIR-1') },
        { name: 'b/P-1.xml', bytes: makeInvoice('PAIR-1') },
      ],
    });
    expect(pair.added).toHaveLength(1);
    expect(pair.known.map((k) => k.id)).toEqual([pair.added[0]!.id]);
    expect(engineInternals(e).repo.get(id)?.file_name).toBe('paused/M-0001.xml');
  });

  it('compares a bounded few of the same bytes (a drop of many copies costs no more per file)', async () => {
    const e = await engines();
    await e.handlers['queue:pause'](undefined);
    const bytes = makeInvoice('COPIES-1');
    const files = Array.from({ length: KNOWN_FILE_CANDIDATES + 5 }, (_, i) => ({
      name: `copy-${i}.xml`,
      bytes,
    }));
    expect((await e.handlers['documents:add']({ files })).added).toHaveLength(files.length);
    const { repo } = engineInternals(e);
    const stmt = (
      repo as unknown as { stmts: { findKnownFile: { all: (...a: unknown[]) => unknown[] } } }
    ).stmts.findKnownFile;
    const rows = stmt.all(repo.get(1)!.sha256, 0);
    expect(rows).toHaveLength(KNOWN_FILE_CANDIDATES);
  });
});
