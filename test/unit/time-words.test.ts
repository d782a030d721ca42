import { describe, expect, it } from 'vitest';
import { duplicateContent } from '../../app/domain/problems';
import { formatChange, formatTime } from '../../renderer/src/lib/format';

// The clerk walk: the duplicate's message said "added 2026-11-26 14:05" while the compare table
// under it, the timeline and the details said "Nov 26, 2026, 2:05:33 PM".

describe('one way to write a moment on screen', () => {
  const at = new Date(2026, 10, 26, 14, 5, 33).getTime();

  it("the duplicate's message writes the date as the screen does", () => {
    const p = duplicateContent({ id: 7, file_name: 'a.xml', created_at: at }, 'Invoice');
    expect(p.message).toContain(`Same content as a.xml, added ${formatTime(at)} (document #7).`);
    expect(p.message).not.toMatch(/\d{4}-\d\d-\d\d/);
  });

  it('an earlier day in the list says it the same way', () => {
    expect(formatChange(at, at + 3 * 86_400_000)).toBe(formatTime(at));
  });
});
