import { describe, expect, it } from 'vitest';
import { selectBox } from '../../renderer/src/features/documents/select-all';

// The clerk walk: with 22 of 25 rows selected the "select the rows on screen" box looked ticked.

const screen = [1, 2, 3, 4, 5];

describe('the box that selects the rows on screen', () => {
  it('is empty with nothing selected, and a click selects the rows on screen', () => {
    expect(selectBox(screen, new Set(), 25)).toEqual({ shown: 'none', click: 'select-screen' });
  });

  it('is mixed when every row on screen is selected but not every row of the list', () => {
    const selected = new Set(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(selectBox(screen, selected, 25)).toEqual({ shown: 'some', click: 'clear' });
  });

  it('is mixed when some rows on screen are selected, and a click adds the others', () => {
    expect(selectBox(screen, new Set([2, 3]), 5)).toEqual({
      shown: 'some',
      click: 'select-screen',
    });
  });

  it('is ticked only when every row of the list is selected', () => {
    expect(selectBox(screen, new Set(screen), 5)).toEqual({ shown: 'all', click: 'clear' });
    const all = new Set(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(selectBox(screen, all, 25)).toEqual({ shown: 'all', click: 'clear' });
  });

  it('is mixed, not empty, when only rows off screen are selected', () => {
    expect(selectBox(screen, new Set([20]), 25)).toEqual({
      shown: 'some',
      click: 'select-screen',
    });
  });

  it('is empty in an empty list', () => {
    expect(selectBox([], new Set(), 0).shown).toBe('none');
  });
});
