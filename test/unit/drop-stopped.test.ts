import { describe, expect, it } from 'vitest';
import { addFiles } from '../../renderer/src/features/drop/add-files';
import { fakeDropWindow } from '../helpers/drop-window';
import { barWords, useLastDropStore } from '../../renderer/src/stores/last-drop-store';
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
