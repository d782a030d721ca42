import { describe, expect, it } from 'vitest';
import { summarize } from '../../renderer/src/features/drop/drop-summary';
import { shownFileName } from '../../renderer/src/lib/format';
import { nameList } from '../../renderer/src/stores/last-drop-store';

describe('drop summary', () => {
  it('says files kept for an unreachable team database are kept, not added (walk 14)', () => {
    const kept = summarize(
      {
        added: [
          { id: -1, fileName: 'a.xml' },
          { id: -2, fileName: 'b.xml' },
        ],
        known: [],
        rejected: [],
      },
      [],
    );
    expect(kept.title).toBe('2 kept on this computer until the team database answers');
    const both = summarize(
      {
        added: [
          { id: 5, fileName: 'c.xml' },
          { id: -3, fileName: 'd.xml' },
        ],
        known: [],
        rejected: [],
      },
      [],
    );
    expect(both.title).toBe('1 added, 1 kept on this computer until the team database answers');
  });

  it('says how many wait for a decision when they were held as they were added (walk 17)', () => {
    const added = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: i + 1, fileName: `${i}.xml` }));
    const all = summarize({ added: added(20), known: [], rejected: [], heldForDecision: 20 }, []);
    expect(all.title).toBe('20 added, all wait for your decision (Needs attention)');
    const one = summarize({ added: added(1), known: [], rejected: [], heldForDecision: 1 }, []);
    expect(one.title).toBe('1 added, it waits for your decision (Needs attention)');
    const some = summarize({ added: added(5), known: [], rejected: [], heldForDecision: 2 }, []);
    expect(some.title).toBe('5 added, 2 of them wait for your decision (Needs attention)');
    // Walk 24: "2,796 added, 1 of them wait for your decision".
    const single = summarize({ added: added(5), known: [], rejected: [], heldForDecision: 1 }, []);
    expect(single.title).toBe('5 added, 1 of them waits for your decision (Needs attention)');
    expect(summarize({ added: added(3), known: [], rejected: [] }, []).title).toBe('3 added');
  });

  it('writes its counts as the header does (walk 18: "10016 added" beside "10,016")', () => {
    const n = (x: number) => new Intl.NumberFormat().format(x);
    // The check means something only where thousands are grouped.
    expect(n(10016)).not.toBe('10016');
    const added = Array.from({ length: 10016 }, (_, i) => ({ id: i + 1, fileName: `${i}.xml` }));
    const rejected = Array.from({ length: 1200 }, (_, i) => ({
      fileName: `r${i}.xml`,
      message: 'The file is empty.',
    }));
    const s = summarize({ added, known: [], rejected }, []);
    expect(s.title).toBe(`${n(10016)} added, ${n(1200)} not added`);
    expect(s.lines[0]).toMatch(new RegExp(`^${n(1200)} files, `));
  });

  it('names ten files and counts the rest as the header counts, whatever the list', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `f${i}.xml`);
    // Written without its separator in one list and with it in another, before.
    expect(nameList(names)).toBe(
      'f0.xml, f1.xml, f2.xml, f3.xml, f4.xml, f5.xml, f6.xml, f7.xml, f8.xml, f9.xml and 1,990 more',
    );
    // Of a drop the journal names in part: its first names, the rest counted.
    expect(nameList(names.slice(0, 20), 2000)).toMatch(/f9\.xml and 1,990 more$/);
    expect(nameList(['a.xml', 'b.xml'])).toBe('a.xml, b.xml');
  });

  it('says which known files were cancelled, and how to send one after all (walk 18)', () => {
    const s = summarize(
      {
        added: [],
        known: [
          { id: 1, fileName: 'a.xml' },
          { id: 2, fileName: 'b.xml', cancelled: true },
        ],
        rejected: [],
      },
      [],
    );
    expect(s.title).toBe('0 added, 2 already known');
    expect(s.lines).toEqual([
      '2 already known: a.xml, b.xml',
      '1 of them was cancelled, so not sent: b.xml. To send one after all, open it and choose Retry.',
    ]);
  });

  it('names the known files and groups the rejected ones by reason', () => {
    const summary = summarize(
      {
        added: [{ id: 1, fileName: 'new.xml' }],
        known: [
          { id: 2, fileName: 'a.xml' },
          { id: 3, fileName: 'b.xml' },
          { id: 4, fileName: 'c.xml' },
        ],
        rejected: [
          { fileName: 'e1.xml', message: 'The file is empty.' },
          { fileName: 'e2.xml', message: 'The file is empty.' },
          { fileName: 'x.xml', message: 'This item is not a file.' },
        ],
      },
      ['march/statement.pdf', 'march/notes.txt'],
    );
    expect(summary.title).toBe('1 added, 3 already known, 3 not added, 2 skipped (not XML)');
    // What the drop zone keeps: the files that could not be added, not those left alone.
    expect(summary.leftOutTitle).toBe('1 added, 3 already known, 3 not added');
    expect(summary.leftOut).toEqual([
      { files: 2, line: '2 files, e1.xml, e2.xml: The file is empty.' },
      { files: 1, line: 'x.xml: This item is not a file.' },
    ]);
    expect(summary.lines).toEqual([
      '3 already known: a.xml, b.xml, c.xml',
      '2 files, e1.xml, e2.xml: The file is empty.',
      'x.xml: This item is not a file.',
      // The clerk walk's drop said only "3 skipped (not XML)": which ones, they could not tell.
      'march/statement.pdf, march/notes.txt: Not XML files, so they were not added. Peppol Desk sends invoices saved as XML.',
    ]);
  });

  it('lists at most ten names per group', () => {
    const known = Array.from({ length: 25 }, (_, i) => ({ id: i, fileName: `k${i}.xml` }));
    const { lines } = summarize({ added: [], known, rejected: [] }, []);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^25 already known: k0\.xml, k1\.xml, .*k9\.xml and 15 more$/);
  });

  // A walk: hidden XML files in a dropped folder were called "Not XML files".
  it('names hidden files as hidden, apart from the files that are not XML', () => {
    const summary = summarize({ added: [{ id: 1, fileName: 'a.xml' }], known: [], rejected: [] }, [
      'nested/2026/feb/.hidden/c.xml',
      'nested/other/.dot.xml',
      'nested/other/notes.txt',
    ]);
    expect(summary.title).toBe('1 added, 3 skipped');
    expect(summary.lines).toEqual([
      'nested/other/notes.txt: Not an XML file, so it was not added. Peppol Desk sends invoices saved as XML.',
      'nested/2026/feb/.hidden/c.xml, nested/other/.dot.xml: Hidden files (their names or their folders’ start with a dot), so they were not added. Drop them on their own to add them.',
    ]);
    const onlyHidden = summarize({ added: [], known: [], rejected: [] }, ['f/.x.xml']);
    expect(onlyHidden.title).toBe('0 added, 1 skipped (hidden)');
  });

  // Walk 21: a dropped folder's office lock file became a "Needs fixing" row; the hot folder and
  // `send` leave it alone, and a hidden folder is not looked into.
  it('names office lock files and hidden folders with why they were left alone', () => {
    const summary = summarize({ added: [{ id: 1, fileName: 'a.xml' }], known: [], rejected: [] }, [
      'march/~$INV-1.xml',
      'march/.git/',
      'march/notes.txt',
    ]);
    expect(summary.title).toBe('1 added, 3 skipped');
    expect(summary.lines).toEqual([
      'march/notes.txt: Not an XML file, so it was not added. Peppol Desk sends invoices saved as XML.',
      'march/~$INV-1.xml: An office lock file (Word, Excel or LibreOffice keeps one beside a file it has open; it is not an invoice), so it was left alone.',
      'march/.git/: A hidden folder (its name starts with a dot), so its files were not looked at. Drop it on its own to add them.',
    ]);
    // Left alone on purpose: named by the drop's message, not kept as files not added (walk 21b).
    expect(summary.leftOut).toEqual([]);
    expect(summary.leftOutTitle).toBe('1 added');
    const locks = summarize({ added: [], known: [], rejected: [] }, ['m/~$a.xml']);
    expect(locks.title).toBe('0 added, 1 skipped (office lock file)');
  });
});

describe('file names with direction controls', () => {
  // Walk 4: "invoice\u202Elmx.exe.xml" showed as another name than the file's.
  it('are shown with the control marked, never reordered', () => {
    const name = 'invoice\u202Elmx.exe.xml';
    const summary = summarize(
      { added: [], known: [], rejected: [{ fileName: name, message: 'Not an invoice.' }] },
      [],
    );
    expect(summary.lines).toEqual(['invoice[U+202E]lmx.exe.xml: Not an invoice.']);
    expect(shownFileName('plain.xml')).toBe('plain.xml');
    // Walk 21b (N4): which character it was is said, as in invoice numbers.
    expect(shownFileName('a\u2066b\u2069\u200F.xml')).toBe('a[U+2066]b[U+2069][U+200F].xml');
  });
});
