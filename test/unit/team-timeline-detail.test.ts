/**
 * A team document's enqueue row on its timeline: the words a clerk reads (`detail`) and, apart,
 * the technical line (`technical`, its own column since team migration 008).
 */
import { describe, expect, it } from 'vitest';
import { BUYER_NOT_CHECKED_DETAIL } from '../../app/domain/lookup-words';
import { lookupUnavailableTechnical } from '../../app/queue/lifecycle/checking';
import { ADDED_DETAIL, addedEvent, keptWords } from '../../app/team/store-rows';

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

  // Walk 24 B7: a file dropped while the team database was away had no word of it: its timeline
  // began at the hand-over.
  it('a file kept while the database was away says how long before it was dropped', () => {
    const kept = (how: string) =>
      ` (dropped ${how} earlier while the team database could not be reached: kept on the desk that added it until the database was back)`;
    expect(keptWords(20_000)).toBe(kept('less than a minute'));
    expect(keptWords(12 * 60_000)).toBe(kept('12 min'));
    expect(keptWords(125 * 60_000)).toBe(kept('2 h 5 min'));
    expect(addedEvent({ problem: null, keptMs: 3 * 60_000 })).toEqual({
      detail: ADDED_DETAIL + kept('3 min'),
      technical: null,
    });
    const problem = { code: 'X', message: 'Needs fixing.', action: null };
    expect(addedEvent({ problem, keptMs: 0 }).detail).toBe(
      'Needs fixing.' + kept('less than a minute'),
    );
    expect(addedEvent({ problem: null, note: 'n', noteTechnical: 't', keptMs: 0 })).toEqual({
      detail: 'n' + kept('less than a minute'),
      technical: 't',
    });
  });
});
