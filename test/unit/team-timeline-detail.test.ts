/**
 * A team timeline row keeps its technical line in its `detail` column after its words: both read
 * back apart, and rows written without one read back unchanged.
 */
import { describe, expect, it } from 'vitest';
import {
  BUYER_NOT_CHECKED_DETAIL,
  lookupUnavailableTechnical,
} from '../../app/queue/lifecycle/checking';
import { ADDED_DETAIL, addedDetail, readDetail, storedDetail } from '../../app/team/store-rows';

describe('team timeline detail', () => {
  it('reads back the words and the technical line apart', () => {
    const stored = storedDetail(BUYER_NOT_CHECKED_DETAIL, lookupUnavailableTechnical('HTTP 503'));
    expect(readDetail(stored)).toEqual({
      detail: BUYER_NOT_CHECKED_DETAIL,
      technical: 'Receiver lookup unavailable (HTTP 503)',
    });
  });

  it('reads a row without a technical line unchanged', () => {
    expect(readDetail('Delivered')).toEqual({ detail: 'Delivered', technical: null });
    expect(readDetail(null)).toEqual({ detail: null, technical: null });
    expect(storedDetail('Delivered', null)).toBe('Delivered');
  });

  it("an enqueue's row: its problem, else its note with the technical line, else added", () => {
    const problem = { code: 'X', message: 'Needs fixing.', action: null };
    expect(addedDetail({ problem, note: 'n', noteTechnical: 't' })).toBe('Needs fixing.');
    expect(readDetail(addedDetail({ problem: null, note: 'n', noteTechnical: 't' }))).toEqual({
      detail: 'n',
      technical: 't',
    });
    expect(addedDetail({ problem: null })).toBe(ADDED_DETAIL);
  });
});
