/**
 * The files of drops that were not added, as the drop zone keeps them (renderer/src/stores/
 * last-drop-store.ts). Walk 21: a drop of 12,000 files left 14 empty ones out; one more file
 * dropped later replaced them in the list, and they were nowhere in the app.
 */
import { describe, expect, it } from 'vitest';
import {
  DROPS_KEPT,
  LINES_PER_DROP,
  barWords,
  clockTime,
  dropLeftOut,
  notAddedMessage,
  withDrop,
  type DropsLeftOut,
} from '../../renderer/src/stores/last-drop-store';

const NONE: DropsLeftOut = { drops: [], older: null };
const T1 = Date.UTC(2026, 11, 7, 0, 27);
const T2 = Date.UTC(2026, 11, 7, 0, 32);

const monthEnd = dropLeftOut(T1, '6,393 added, 5,593 already known, 14 not added', [
  { files: 14, line: '14 files, MB-000011.xml, …: The file is empty.' },
]);
const oneMore = dropLeftOut(T2, '0 added, 1 not added', [
  { files: 1, line: 'h50-100mb.xml: This file is too large.' },
]);

describe('files of drops not added', () => {
  it('one drop is said as before, with its own message', () => {
    const list = withDrop(NONE, oneMore);
    expect(barWords(list)).toBe(`1 file of the drop at ${clockTime(T2)} not added`);
    expect(notAddedMessage(list)).toEqual({
      title: '0 added, 1 not added',
      lines: ['h50-100mb.xml: This file is too large.'],
    });
  });

  it('a later drop adds its files; the earlier ones stay, each under its drop', () => {
    const list = withDrop(withDrop(NONE, monthEnd), oneMore);
    expect(barWords(list)).toBe(`15 files of 2 drops since ${clockTime(T1)} not added`);
    expect(notAddedMessage(list)).toEqual({
      title: `15 files of 2 drops since ${clockTime(T1)} not added`,
      lines: [
        `Drop at ${clockTime(T1)}: 14 files, MB-000011.xml, …: The file is empty.`,
        `Drop at ${clockTime(T2)}: h50-100mb.xml: This file is too large.`,
      ],
    });
  });

  it('nothing to say once forgotten', () => {
    expect(barWords(NONE)).toBeNull();
    expect(notAddedMessage(NONE)).toBeNull();
  });

  it('keeps the last drops by name and counts the older ones, truthfully', () => {
    let list = NONE;
    for (let i = 0; i < DROPS_KEPT + 3; i++)
      list = withDrop(
        list,
        dropLeftOut(T1 + i * 60_000, 'x', [{ files: 2, line: `d${i}.xml and one more` }]),
      );
    expect(list.drops).toHaveLength(DROPS_KEPT);
    expect(list.older).toEqual({ drops: 3, notAdded: 6, since: T1 });
    expect(list.drops[0]!.lines).toEqual(['d3.xml and one more']);
    const total = 2 * (DROPS_KEPT + 3);
    expect(barWords(list)).toBe(
      `${total} files of ${DROPS_KEPT + 3} drops since ${clockTime(T1)} not added`,
    );
    expect(notAddedMessage(list)!.lines[0]).toBe(
      `6 files of 3 drops from ${clockTime(T1)} on: no longer named here (the last ${DROPS_KEPT} drops are).`,
    );
  });

  it('a drop with many reasons keeps its first lines and counts the files of the rest', () => {
    const many = Array.from({ length: LINES_PER_DROP + 5 }, (_, i) => ({
      files: 2,
      line: `f${i}.xml: reason ${i}`,
    }));
    const drop = dropLeftOut(T1, 't', many);
    expect(drop.notAdded).toBe(2 * (LINES_PER_DROP + 5));
    expect(drop.lines).toHaveLength(LINES_PER_DROP + 1);
    expect(drop.lines.at(-1)).toBe(
      '10 more files not added, for 5 other reasons (not listed here, to keep this short).',
    );
  });
});

// Walk 21b (W7): the bar said "01:04 AM" where the list says "1:04:53 AM".
describe("the drop zone's time", () => {
  it("is the locale's short time, without the list's seconds and without a leading zero of its own", () => {
    const at = new Date(2026, 11, 7, 1, 4, 53).getTime();
    expect(clockTime(at)).toBe(new Date(at).toLocaleTimeString([], { timeStyle: 'short' }));
    expect(clockTime(at)).not.toMatch(/53/);
  });
});
