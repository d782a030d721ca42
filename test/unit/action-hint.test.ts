import { describe, expect, it } from 'vitest';
import { attemptsExhausted, deliveryFailed } from '../../app/domain/problems';
import { actionHint } from '../../renderer/src/features/detail/offered-actions';

// The line under a problem in the details panel: what the clerk can do, and only what is true.

const certificateFailure = deliveryFailed('CERTIFICATE_ERROR', 'PKIX path validation failed');
const attemptsUsedUp = attemptsExhausted(8, 'The access point did not answer');

describe('actionHint', () => {
  it('promises no automatic retry to a failed document (nothing is scheduled)', () => {
    for (const problem of [certificateFailure, attemptsUsedUp]) {
      const hint = actionHint({ problem, nextAttemptAt: null });
      expect(hint, problem.code).toBe(
        'Peppol Desk will not try again by itself: choose Retry when you are ready.',
      );
    }
  });

  it('mentions the automatic retry only when one is scheduled', () => {
    expect(actionHint({ problem: certificateFailure, nextAttemptAt: Date.now() + 60_000 })).toMatch(
      /wait for the automatic retry/,
    );
  });

  it('says nothing without a problem', () => {
    expect(actionHint({ problem: null, nextAttemptAt: null })).toBeNull();
  });
});
