import { describe, expect, it } from 'vitest';
import { retryAllWords } from '../../renderer/src/lib/retry-all-words';

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
});
