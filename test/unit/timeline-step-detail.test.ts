import { describe, expect, it } from 'vitest';
import { stepDetail } from '../../renderer/src/features/detail/document-timeline';

// Walk 12: a team's timeline read "Accepted by access point — accepted by the access point".
describe("a timeline step's detail", () => {
  it('is left out when it only repeats the state’s words', () => {
    expect(stepDetail('accepted', 'accepted by the access point')).toBeNull();
    expect(stepDetail('accepted', 'Accepted by the access point')).toBeNull();
    expect(stepDetail('accepted', null)).toBeNull();
  });

  it('is kept when it says more', () => {
    expect(stepDetail('accepted', 'Accepted by the access point (sent again: same key)')).toBe(
      'Accepted by the access point (sent again: same key)',
    );
    expect(stepDetail('queued', 'Retry requested')).toBe('Retry requested');
  });
});
