import { describe, expect, it } from 'vitest';
import { addFiles } from '../../renderer/src/features/drop/add-files';
import { fakeDropWindow } from '../helpers/drop-window';
import { useToastStore } from '../../renderer/src/stores/toast-store';

// Walk 23: choosing 5,000 files held the page for over a second before the first was read: the
// size of every file (for a chosen file, a look at the disk) was asked for at once, to refuse the
// oversized ones and to cut the drop into calls. Each file's size is now asked for just before
// the file is read, so the page keeps answering between the files.

describe('a drop of chosen files', () => {
  it('asks for each file’s size just before reading it, and still refuses the oversized ones by name', async () => {
    const seen: string[] = [];
    const calls: string[][] = [];
    fakeDropWindow({
      maxDocumentBytes: 100,
      add: (names) => {
        calls.push(names);
        return null;
      },
    });
    const n = 450;
    const files = Array.from({ length: n }, (_, i) => {
      const size = i === 7 ? 5000 : 10;
      const file = {
        get size() {
          seen.push(`size ${i}`);
          return size;
        },
        arrayBuffer: async () => {
          seen.push(`read ${i}`);
          return new ArrayBuffer(size);
        },
      } as unknown as File;
      return { name: `inv-${i}.xml`, file };
    });
    await addFiles({ files, skipped: [] });
    // Each size right before its own read (the oversized file is never read).
    const expected = files.flatMap((_, i) => (i === 7 ? ['size 7'] : [`size ${i}`, `read ${i}`]));
    expect(seen).toEqual(expected);
    // Calls of at most 200 files, in order, without the oversized one.
    expect(calls.map((c) => c.length)).toEqual([200, 200, 49]);
    expect(calls.flat()).toEqual(files.filter((_, i) => i !== 7).map((f) => f.name));
    const toast = useToastStore.getState().toasts.at(-1)!;
    expect(toast.title).toBe('449 added, 1 not added');
    expect(toast.lines).toEqual([
      'inv-7.xml: This file is too large (5,000 bytes; the limit is 100 bytes). An invoice is normally far smaller: check that you picked the right file, or move large attachments out of the invoice.',
    ]);
  });
});
