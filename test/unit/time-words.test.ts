import { describe, expect, it } from 'vitest';
import { duplicateContent } from '../../app/domain/problems';
import { formatChange, formatTime } from '../../renderer/src/lib/format';

// The clerk walks: the duplicate's message said "added 2026-11-26 14:05" while the compare table
// under it, the timeline and the details said "Nov 26, 2026, 2:05:33 PM"; then, written as the
// screen writes it, the message kept the engine's time zone (walk 5: "2:14:05 AM" in the reason,
// "6:14:05 PM" in the timeline of a browser eight hours behind). The message now names the first
// document, whose details show its time.

describe('one way to write a moment on screen', () => {
  const at = new Date(2026, 10, 26, 14, 5, 33).getTime();

  it("the duplicate's message carries no time: it is stored, and read in other time zones", () => {
    const p = duplicateContent({ id: 7, file_name: 'a.xml' }, 'Invoice');
    expect(p.message).toMatch(/^Same content as a\.xml \(document #7\), added before it\. /);
    expect(p.message).not.toMatch(/\d:\d\d|\d{4}/);
  });

  it('an earlier day in the list says it the same way', () => {
    expect(formatChange(at, at + 3 * 86_400_000)).toBe(formatTime(at));
  });
});
