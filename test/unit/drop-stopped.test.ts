import type { UnfinishedDrop } from '../../app/contract';
import { describe, expect, it } from 'vitest';
import { addFiles } from '../../renderer/src/features/drop/add-files';
import { fakeDropWindow } from '../helpers/drop-window';
import { DROPS_KEPT, barWords, useLastDropStore } from '../../renderer/src/stores/last-drop-store';
import { useToastStore } from '../../renderer/src/stores/toast-store';

// Walk 6 finding 9: the host stopped while a drop of 500 was being added; 300 files were never
// added, and nothing said which or what to do. The toast now says how many were not added and
// that dropping the same files again adds only those.

describe('a drop the app stops answering in the middle of', () => {
  it('says how many files were not added and to drop them again', async () => {
    fakeDropWindow({
      maxDocumentBytes: 1e9,
      add: (_names, call) =>
        call > 1 ? { code: 'HOST_GONE', message: 'Peppol Desk is not answering.' } : null,
    });
    const files = Array.from({ length: 500 }, (_, i) => ({
      name: `inv-${i}.xml`,
      file: new File([`<x>${i}</x>`], `inv-${i}.xml`),
    }));
    await addFiles({ files, skipped: [] });
    const toast = useToastStore.getState().toasts.at(-1)!;
    expect(toast.title).toBe('Stopped after 200 of 500 files');
    expect(toast.lines).toEqual([
      'Peppol Desk is not answering.',
      '300 files were not added. Drop the same files again once Peppol Desk answers: those already added are recognised and not added twice.',
    ]);
    // The drop zone keeps it too, as it keeps any file not added (walk 23: only this message said
    // it, and a reload took it away).
    const kept = useLastDropStore.getState();
    expect(kept.drops).toHaveLength(1);
    expect(kept.drops[0]).toMatchObject({
      notAdded: 300,
      title: 'Stopped after 200 of 500 files',
      // Which files (walk 23b: "Show which" named none), and what stopped them, as of then.
      lines: [
        'inv-200.xml, inv-201.xml, inv-202.xml, inv-203.xml, inv-204.xml, inv-205.xml, inv-206.xml, inv-207.xml, inv-208.xml, inv-209.xml and 290 more: not added, Peppol Desk stopped answering then (Peppol Desk is not answering). Drop the same files again: those already added are recognised and not added twice.',
      ],
    });
    expect(barWords(kept)).toMatch(/^300 files of the drop at .+ not added$/);
  });
});

// Walk 23 B2, walk 23b N6: a new page (as the app advises after a restart) knew nothing of the
// 2,000 files a stopped drop had not added; only the page that dropped them did. The drop's files
// are named in the engine's journal before the first is handed over, and any page shows a drop
// the journal says stopped part way.
describe("a drop's journal in the engine", () => {
  const files = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      name: `j-${i}.xml`,
      file: new File([`<x>${i}</x>`], `j-${i}.xml`),
    }));

  it('names the files first, says how far each hand-over got, and ends the drop once all are', async () => {
    useLastDropStore.setState({ drops: [], older: null });
    const calls = fakeDropWindow({ maxDocumentBytes: 1e9 });
    await addFiles({ files: files(450), skipped: [] });
    const journal = calls.filter((c) => c.channel !== 'settings:get');
    expect(journal.map((c) => c.channel)).toEqual([
      'drops:begin',
      // Drops stopped before whose files this one names are over or told again (walk 25 A4).
      'drops:unfinished',
      'documents:add',
      'documents:add',
      'documents:add',
      'drops:end',
    ]);
    expect((journal[0]!.arg as { names: string[] }).names).toEqual(files(450).map((f) => f.name));
    expect(journal.slice(2, 5).map((c) => (c.arg as { drop: unknown }).drop)).toEqual([
      { id: 7, handed: 200 },
      { id: 7, handed: 400 },
      { id: 7, handed: 450 },
    ]);
    expect(journal[5]!.arg).toEqual({ dropId: 7 });
  });

  it('without a journal (drops:begin answered none) the drop goes on as before', async () => {
    const calls = fakeDropWindow({ maxDocumentBytes: 1e9, journal: false });
    await addFiles({ files: files(3), skipped: [] });
    const adds = calls.filter((c) => c.channel === 'documents:add');
    expect(adds.map((c) => 'drop' in (c.arg as object))).toEqual([false]);
    expect(calls.some((c) => c.channel === 'drops:end')).toBe(false);
  });

  it('a page shows the drops the journal says stopped, each once, and Forget forgets them there too', async () => {
    useLastDropStore.setState({ drops: [], older: null });
    const startedAt = Date.UTC(2026, 11, 7, 7, 36);
    const calls = fakeDropWindow({
      maxDocumentBytes: 1e9,
      unfinished: [
        {
          id: 12,
          startedAt,
          total: 3000,
          notAdded: 2000,
          names: Array.from({ length: 10 }, (_, i) => `m-${1000 + i}.xml`),
        },
      ],
    });
    await useLastDropStore.getState().loadUnfinished();
    await useLastDropStore.getState().loadUnfinished();
    const kept = useLastDropStore.getState();
    expect(kept.drops).toEqual([
      {
        at: startedAt,
        notAdded: 2000,
        title: 'Stopped after 1,000 of 3,000 files',
        lines: [
          'm-1000.xml, m-1001.xml, m-1002.xml, m-1003.xml, m-1004.xml, m-1005.xml, m-1006.xml, m-1007.xml, m-1008.xml, m-1009.xml and 1,990 more: not added. The drop stopped before they were handed over (Peppol Desk stopped, or its page was closed). Drop the same files again: those already added are recognised and not added twice.',
        ],
        journal: 12,
        fromJournal: true,
      },
    ]);
    expect(barWords(kept)).toMatch(/^2,000 files of the drop at .+ not added$/);
    useLastDropStore.getState().forget();
    expect(calls.at(-1)).toEqual({ channel: 'drops:forget', arg: { dropIds: [12] } });
    expect(useLastDropStore.getState().drops).toEqual([]);
  });

  it('a drop this page saw stop is not shown twice when the journal names it too', async () => {
    useLastDropStore.setState({ drops: [], older: null });
    fakeDropWindow({
      maxDocumentBytes: 1e9,
      add: (_names, call) =>
        call > 1 ? { code: 'HOST_GONE', message: 'Peppol Desk is not answering.' } : null,
      unfinished: [{ id: 7, startedAt: 1, total: 500, notAdded: 300, names: ['j-200.xml'] }],
    });
    await addFiles({ files: files(500), skipped: [] });
    expect(useLastDropStore.getState().drops).toMatchObject([{ notAdded: 300, journal: 7 }]);
    await useLastDropStore.getState().loadUnfinished();
    expect(useLastDropStore.getState().drops).toHaveLength(1);
  });

  it("this page's own words of a drop it saw stop stay while the journal does not name it yet", async () => {
    useLastDropStore.setState({ drops: [], older: null });
    // The engine answers again at once, and its journal holds a drop of this run only once it has
    // been quiet a while: this page's record must not go meanwhile.
    fakeDropWindow({
      maxDocumentBytes: 1e9,
      add: (_names, call) =>
        call > 1 ? { code: 'HOST_GONE', message: 'Peppol Desk is not answering.' } : null,
      unfinished: [],
    });
    await addFiles({ files: files(500), skipped: [] });
    await useLastDropStore.getState().loadUnfinished();
    expect(useLastDropStore.getState().drops).toMatchObject([{ notAdded: 300, journal: 7 }]);
  });

  // Walk 25 A4 and A3: a drop dropped again stayed "not added" on every page until a reload.
  it('an open page follows the journal: a drop dropped again in part is told again, one over goes', async () => {
    useLastDropStore.setState({ drops: [], older: null });
    const unfinished: UnfinishedDrop[] = [
      { id: 21, startedAt: 1, total: 3000, notAdded: 2800, names: ['c-200.xml'] },
      { id: 22, startedAt: 2, total: 3000, notAdded: 2800, names: ['c-200.xml'] },
    ];
    fakeDropWindow({ maxDocumentBytes: 1e9, unfinished });
    await useLastDropStore.getState().loadUnfinished();
    expect(barWords(useLastDropStore.getState())).toMatch(
      /^5,600 files of 2 drops since .+ not added$/,
    );
    // Dropped again: the first gave 2,700 of its files to the new drop, the second all of them.
    unfinished.splice(0, 2, {
      id: 21,
      startedAt: 1,
      total: 3000,
      notAdded: 100,
      inLaterDrop: 2700,
      names: ['c-2900.xml'],
    });
    await useLastDropStore.getState().loadUnfinished();
    const kept = useLastDropStore.getState();
    expect(kept.drops).toHaveLength(1);
    expect(kept.drops[0]).toMatchObject({
      journal: 21,
      notAdded: 100,
      title: 'Stopped after 200 of 3,000 files',
      lines: [
        expect.stringMatching(/^c-2900\.xml and 99 more: not added\./) as unknown,
        '2,700 other files were dropped again later, and are counted with that drop.',
      ],
    });
    unfinished.splice(0, 1);
    await useLastDropStore.getState().loadUnfinished();
    expect(useLastDropStore.getState().drops).toEqual([]);
    expect(barWords(useLastDropStore.getState())).toBeNull();
  });

  it('a journal drop folded among the older drops is still known: not added again, forgotten with them', async () => {
    useLastDropStore.setState({ drops: [], older: null });
    const unfinished = { id: 21, startedAt: 1, total: 2, notAdded: 2, names: ['a.xml', 'b.xml'] };
    const calls = fakeDropWindow({ maxDocumentBytes: 1e9, unfinished: [unfinished] });
    await useLastDropStore.getState().loadUnfinished();
    for (let i = 0; i < DROPS_KEPT; i++)
      useLastDropStore.getState().remember({ at: 2 + i, notAdded: 1, title: 't', lines: ['x'] });
    expect(useLastDropStore.getState().older).toMatchObject({ drops: 1, journals: [21] });
    await useLastDropStore.getState().loadUnfinished();
    expect(useLastDropStore.getState().drops.some((d) => d.journal === 21)).toBe(false);
    expect(useLastDropStore.getState().older?.drops).toBe(1);
    useLastDropStore.getState().forget();
    expect(calls.at(-1)).toEqual({ channel: 'drops:forget', arg: { dropIds: [21] } });
  });
});
