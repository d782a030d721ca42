import { describe, expect, it } from 'vitest';
import {
  stepDetail,
  stepWords,
  teamDesksOf,
} from '../../renderer/src/features/detail/document-timeline';

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

  // Walk 22: "Paid — Paid: Paid on 2026-12-07", "Rejected by buyer — Rejected by buyer: …".
  it("keeps only what follows the state's words and a colon", () => {
    expect(stepDetail('paid', 'Paid: Paid on 2026-12-07')).toBe('Paid on 2026-12-07');
    expect(stepDetail('rejected', 'Rejected by buyer: Wrong order number')).toBe(
      'Wrong order number',
    );
    expect(stepDetail('under_query', 'Under query by buyer: ')).toBeNull();
    // Walk 22b: the same again in other words.
    expect(stepDetail('unreachable', 'Receiver not found')).toBeNull();
    expect(
      stepDetail('superseded', 'Replaced by the corrected file B22-0176.xml (document #222)'),
    ).toBe('B22-0176.xml (document #222)');
    // Other words before a colon stay.
    expect(stepDetail('queued', 'Retry requested: new lookup')).toBe('Retry requested: new lookup');
  });
});

// Walk 22: "Checked — Retry requested after the delivery failed …".
describe("a clerk's Retry on the timeline", () => {
  it('is called Retry requested, with the rest as its detail', () => {
    expect(
      stepWords(
        'ready',
        'Retry requested after the delivery failed (transaction T-1): the buyer is looked up again, then it is sent again as a new submission',
      ),
    ).toEqual({
      label: 'Retry requested',
      detail:
        'after the delivery failed (transaction T-1): the buyer is looked up again, then it is sent again as a new submission',
    });
    expect(stepWords('ready', 'Retry requested (new lookup)')).toEqual({
      label: 'Retry requested',
      detail: 'new lookup',
    });
    expect(stepWords('queued', 'Retry requested')).toEqual({
      label: 'Retry requested',
      detail: null,
    });
  });

  // Walk 26 F8: "Checked — Send anyway, decided by the user (root)", "Checked — Moved to …".
  it('a decision or a move back into the queue is called by it, not by the state', () => {
    expect(stepWords('ready', 'Send anyway, decided by root')).toEqual({
      label: 'Send anyway',
      detail: 'decided by root',
    });
    expect(
      stepWords(
        'ready',
        'Moved to 127.0.0.1:18741 (Test), once the provider URL was corrected (was queued for 127.0.0.1:18741/ (Test))',
      ),
    ).toEqual({
      label: 'Moved',
      detail:
        'to 127.0.0.1:18741 (Test), once the provider URL was corrected (was queued for 127.0.0.1:18741/ (Test))',
    });
    expect(
      stepWords(
        'received',
        'Back on its way: Sandbox, the access point it was queued for, is in use again',
      ),
    ).toEqual({
      label: 'Back on its way',
      detail: 'Sandbox, the access point it was queued for, is in use again',
    });
    // The same words into another state keep that state's name.
    expect(stepWords('held', 'Send anyway, decided by root').label).not.toBe('Send anyway');
  });

  it('leaves other steps to their state', () => {
    expect(stepWords('accepted', 'Accepted by the access point')).toEqual({
      label: 'Accepted by access point',
      detail: null,
    });
    expect(stepWords('failed', 'Retry requested')).toEqual({
      label: 'Failed',
      detail: 'Retry requested',
    });
  });
});

// Walk 17b: after the team moved to another access point, ben's details said "Sent by ben" of an
// invoice cleo sent: ben's "no longer followed" note (accepted → accepted) was taken for it.
describe("a team document's desks", () => {
  const step = (from: string | null, to: string, desk: string) => ({
    at: 1,
    from,
    to,
    detail: null,
    technical: null,
    desk,
  });
  it('the sender is the desk of the step into Accepted, not of a later note', () => {
    const timeline = [
      step(null, 'received', 'anna'),
      step('queued', 'sending', 'cleo'),
      step('sending', 'accepted', 'cleo'),
      step('accepted', 'accepted', 'ben'),
    ] as Parameters<typeof teamDesksOf>[0];
    expect(teamDesksOf(timeline)).toEqual({ addedBy: 'anna', sentBy: 'cleo' });
    expect(teamDesksOf(timeline.slice(0, 2))).toEqual({ addedBy: 'anna', sentBy: null });
  });
});
