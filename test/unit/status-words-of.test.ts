import { describe, expect, it } from 'vitest';
import { statusWordsOf, STATUS_WORDS } from '../../app/domain/status-words';
import { receiverDoesNotAccept, receiverNotOnPeppol } from '../../app/domain/problems';

describe('a status in words', () => {
  it('does not call a buyer on Peppol that takes no such document "not on Peppol" (a team keeps it unreachable)', () => {
    const doesNotTake = receiverDoesNotAccept('9915:credit-note-only', 'Invoice');
    expect(doesNotTake.message).toContain('is on Peppol but does not accept invoices');
    expect(statusWordsOf('unreachable', doesNotTake.code)).toBe(
      'Buyer does not take this document',
    );
    // A buyer that is not on Peppol, and every other state, read as the state's words.
    expect(statusWordsOf('unreachable', receiverNotOnPeppol('9915:x', 'Invoice').code)).toBe(
      'Receiver not on Peppol',
    );
    expect(statusWordsOf('held', doesNotTake.code)).toBe(STATUS_WORDS.held);
    expect(statusWordsOf('queued', null)).toBe('Queued');
  });
});
