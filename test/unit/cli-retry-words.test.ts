import { describe, expect, it } from 'vitest';
import { leftToFixWords, resentToFixWords } from '../../app/cli/retry';

// Walk 23b: `retry --all-failed` said "1 left as it is" and neither which nor why; walk 24: the
// why was "(or its copy is gone)" where Retry's answer says which applies.
describe('retry names what it leaves and what it sends again though refused', () => {
  it('by why: refused by the access point, or the kept copy gone', () => {
    expect(leftToFixWords([3, 4, 9], [9])).toBe(
      '2 document(s) left as they are, not sent again: #3, #4. The access point refused the file itself, so the same file would most likely be refused again: fix them in your accounting system and send the corrected files.\n' +
        '1 document(s) left as it is: #9. Peppol Desk no longer has a whole copy of it: send the invoice file again.\n',
    );
    expect(leftToFixWords(Array.from({ length: 22 }, (_, i) => i + 1))).toContain(
      '#19, #20, and 2 more. The access point refused',
    );
  });

  it('says a file the access point refused is sent again because it was chosen', () => {
    expect(resentToFixWords([7])).toBe(
      '1 document(s) the access point had refused itself sent again, as you asked: #7. Unless the reason is gone, the access point will refuse it again: then fix it in your accounting system and send the corrected file. (`retry --all-failed` leaves such files as they are.)\n',
    );
  });
});
