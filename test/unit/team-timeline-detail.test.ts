/**
 * A team document's enqueue row on its timeline: the words a clerk reads (`detail`) and, apart,
 * the technical line (`technical`, its own column since team migration 008).
 */
import { describe, expect, it } from 'vitest';
import {
  BUYER_NOT_CHECKED_DETAIL,
  lookupUnavailableTechnical,
} from '../../app/queue/lifecycle/checking';
import { ADDED_DETAIL, addedEvent } from '../../app/team/store-rows';

describe('team timeline: the enqueue row', () => {
  it('a note keeps its technical line apart from its words', () => {
    const technical = lookupUnavailableTechnical('HTTP 503');
    expect(
      addedEvent({ problem: null, note: BUYER_NOT_CHECKED_DETAIL, noteTechnical: technical }),
    ).toEqual({
      detail: BUYER_NOT_CHECKED_DETAIL,
      technical: 'Receiver lookup unavailable (HTTP 503)',
    });
  });

  it('its problem, else its note, else added; only a note has a technical line', () => {
    const problem = { code: 'X', message: 'Needs fixing.', action: null };
    expect(addedEvent({ problem, note: 'n', noteTechnical: 't' })).toEqual({
      detail: 'Needs fixing.',
      technical: null,
    });
    expect(addedEvent({ problem: null, note: 'n' })).toEqual({ detail: 'n', technical: null });
    expect(addedEvent({ problem: null })).toEqual({ detail: ADDED_DETAIL, technical: null });
  });
});
