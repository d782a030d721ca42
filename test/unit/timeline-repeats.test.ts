import { describe, expect, it } from 'vitest';
import {
  foldRepeats,
  type TimelineStep,
} from '../../renderer/src/features/detail/timeline-repeats';

// Walk 20b (W7): during a 503 period one invoice's timeline was 13 pairs of "Sending" / "Waiting
// to retry — The access point had a temporary problem" in 33 s, first by one desk then another:
// true, but it buried the lines that matter. Runs of the same step or pair are folded.

let clock = 0;
const step = (
  from: string | null,
  to: string,
  detail: string | null = null,
  desk: string | null = null,
): TimelineStep =>
  ({ at: (clock += 1000), from, to, detail, technical: null, desk }) as TimelineStep;

const retryPair = (n: number, desk: string) => [
  step('retry_wait', 'sending', `Attempt ${n}`, desk),
  step('sending', 'retry_wait', 'The access point had a temporary problem.', desk),
];

describe('foldRepeats', () => {
  it('folds a run of the same pair: the first and last shown, one line between', () => {
    clock = 0;
    const timeline = [
      step(null, 'received'),
      step('received', 'queued'),
      ...Array.from({ length: 13 }, (_, k) => retryPair(k + 2, k < 6 ? 'deskB' : 'deskA')).flat(),
      step('retry_wait', 'sending', 'Attempt 15', 'deskA'),
      step('sending', 'accepted', null, 'deskA'),
    ];
    const items = foldRepeats(timeline);
    const kinds = items.map((i) => (i.kind === 'step' ? i.step.to : `repeat×${i.times}`));
    expect(kinds).toEqual([
      'received',
      'queued',
      'sending',
      'retry_wait',
      'repeat×11',
      'sending',
      'retry_wait',
      'sending',
      'accepted',
    ]);
    const repeat = items[4]!;
    if (repeat.kind !== 'repeat') throw new Error('not a repeat');
    // From the second pair's first step to the twelfth pair's last.
    expect(repeat.from).toBe(timeline[4]!.at);
    expect(repeat.until).toBe(timeline[25]!.at);
    expect(repeat.desks).toEqual(['deskB', 'deskA']);
    // The last pair shown is the real last one (its attempt number).
    const last = items[5]!;
    expect(last.kind === 'step' && last.step.detail).toBe('Attempt 14');
  });

  it('folds a run of one step repeated, and leaves short runs and different words alone', () => {
    clock = 0;
    const note = () => step('accepted', 'accepted', 'Delivery not confirmed yet: asked again');
    const same = [step(null, 'received'), note(), note(), note(), note(), note()];
    expect(foldRepeats(same).map((i) => i.kind)).toEqual(['step', 'step', 'repeat', 'step']);

    const short = [
      step(null, 'received'),
      ...retryPair(2, 'd'),
      ...retryPair(3, 'd'),
      ...retryPair(4, 'd'),
    ];
    expect(foldRepeats(short).every((i) => i.kind === 'step')).toBe(true);

    const different = [
      step('sending', 'retry_wait', 'The access point had a temporary problem.'),
      step('sending', 'retry_wait', 'The access point asked us to slow down.'),
      step('sending', 'retry_wait', 'The access point had a temporary problem.'),
      step('sending', 'retry_wait', 'The access point asked us to slow down.'),
    ];
    expect(foldRepeats(different)).toHaveLength(4);
  });
});
