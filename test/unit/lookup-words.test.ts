import { describe, expect, it } from 'vitest';
import {
  BUYER_NOT_CHECKED_DETAIL,
  BUYER_NOT_CHECKED_NOWHERE_DETAIL,
  lastLookupFailure,
} from '../../app/domain/lookup-words';
import { lookupUnavailable, receiverFound, unreachable } from '../../app/queue/lifecycle/checking';
import type { DocumentRecord } from '../../app/store/documents-repo';

// Walk 24 B12: the details said "Not looked up yet" beside a timeline saying the buyer could not
// be checked. The details read the engine's own timeline words back.
const line = (at: number, detail: string | null) => ({ at, detail });

describe('lastLookupFailure', () => {
  it('names the kind of the engine’s own failure lines', () => {
    expect(lastLookupFailure([line(1, lookupUnavailable('timeout').detail ?? null)])).toBe(
      'unavailable',
    );
    expect(lastLookupFailure([line(1, lookupUnavailable('404', true).detail ?? null)])).toBe(
      'nowhere',
    );
    expect(BUYER_NOT_CHECKED_DETAIL).not.toBe(BUYER_NOT_CHECKED_NOWHERE_DETAIL);
  });

  it('says nothing when no line tells of a failed lookup', () => {
    expect(lastLookupFailure([])).toBeNull();
    expect(lastLookupFailure([line(1, 'Added'), line(2, null)])).toBeNull();
  });

  it('the latest lookup line wins: an answer after a failure clears it', () => {
    const found = receiverFound('Buyer AS').detail ?? null;
    const notThere =
      unreachable({ receiver_id: '0192:999', doc_type: 'invoice' } as unknown as DocumentRecord)
        .detail ?? null;
    expect(
      lastLookupFailure([line(1, BUYER_NOT_CHECKED_NOWHERE_DETAIL), line(2, found)]),
    ).toBeNull();
    expect(lastLookupFailure([line(1, BUYER_NOT_CHECKED_DETAIL), line(2, notThere)])).toBeNull();
    expect(lastLookupFailure([line(1, found), line(2, BUYER_NOT_CHECKED_DETAIL)])).toBe(
      'unavailable',
    );
    // Listed out of order: by time, not by position.
    expect(lastLookupFailure([line(5, BUYER_NOT_CHECKED_NOWHERE_DETAIL), line(2, found)])).toBe(
      'nowhere',
    );
    // Lines of one millisecond: the one listed later.
    expect(lastLookupFailure([line(3, BUYER_NOT_CHECKED_DETAIL), line(3, found)])).toBeNull();
  });
});
