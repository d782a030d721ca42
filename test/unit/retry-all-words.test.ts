import { describe, expect, it } from 'vitest';
import { retryAllLeavesWords, retryAllWords } from '../../renderer/src/lib/retry-all-words';

// Walk 13: "Retry all failed (20)" stood beside twenty rows reading "Receiver not on Peppol".
describe("Needs attention's retry-all button is named after what its rows say", () => {
  it('failed sends, receivers not found, or both', () => {
    expect(retryAllWords({ failed: 2, unreachable: 0 })).toBe('Retry all failed (2)');
    expect(retryAllWords({ failed: 0, unreachable: 20 })).toBe(
      'Look up all receivers not found again (20)',
    );
    expect(retryAllWords({ failed: 1, unreachable: 1234 })).toBe(
      'Retry all failed or not found (1,235)',
    );
  });

  // Walk 23: "Retry all failed or not found (56)" counted 7 files it leaves as they are.
  it('counts only what it retries, and says on hover what it leaves', () => {
    expect(retryAllWords({ failed: 14, unreachable: 42 }, 7)).toBe(
      'Retry all failed or not found (49)',
    );
    expect(retryAllWords({ failed: 7, unreachable: 42 }, 7)).toBe(
      'Look up all receivers not found again (42)',
    );
    expect(retryAllLeavesWords(7)).toBe(
      '7 failed files are not counted: the access point refused the file itself (or its copy is gone), so Retry does not send them again. Fix each in your accounting system and add the corrected file.',
    );
    expect(retryAllLeavesWords(1)).toBe(
      '1 failed file is not counted: the access point refused the file itself (or its copy is gone), so Retry does not send it again. Fix it in your accounting system and add the corrected file.',
    );
    expect(retryAllLeavesWords(0)).toBeNull();
  });
});
