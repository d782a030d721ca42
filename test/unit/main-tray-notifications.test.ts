import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyCounts, type StateCounts } from '../../app/contract';
import { DropNotifier, dropMessage, type DropOutcome } from '../../main/notifications';
import { summarizeQueue, TrayController, trayTooltip } from '../../main/tray';

vi.mock('electron', () => {
  throw new Error('tray and notification logic must not load electron');
});

const counts = (c: Partial<StateCounts>): StateCounts => ({ ...emptyCounts(), ...c });

afterEach(() => {
  vi.useRealTimers();
});

describe('tray', () => {
  it('counts every state still moving as in progress, and what needs someone as attention', () => {
    expect(
      summarizeQueue(
        counts({
          received: 1,
          validating: 2,
          ready: 3,
          resolving: 4,
          queued: 5,
          sending: 6,
          retry_wait: 7,
          invalid: 1,
          unreachable: 1,
          failed: 1,
          held: 1,
          accepted: 10,
          delivered: 5,
          cancelled: 9,
        }),
      ),
    ).toEqual({ inProgress: 28, attention: 4, sent: 15 });
  });

  it('shows the number in progress and what needs attention, touching the tray only on change', () => {
    const tray = { setToolTip: vi.fn(), setTitle: vi.fn() };
    const badge = vi.fn();
    const controller = new TrayController(tray, badge);
    controller.update(counts({ queued: 3, sending: 2, failed: 1 }));
    expect(tray.setToolTip).toHaveBeenLastCalledWith(
      'Peppol Desk: 5 in progress, 1 needs attention',
    );
    expect(tray.setTitle).toHaveBeenLastCalledWith('5');
    expect(badge).toHaveBeenLastCalledWith(5);

    controller.update(counts({ queued: 3, sending: 2, failed: 1 }));
    expect(tray.setToolTip).toHaveBeenCalledTimes(1);
    expect(tray.setTitle).toHaveBeenCalledTimes(1);

    controller.update(counts({ accepted: 5, failed: 2 }));
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Peppol Desk: 2 need attention');
    expect(tray.setTitle).toHaveBeenLastCalledWith('');
    expect(badge).toHaveBeenLastCalledWith(0);
    expect(trayTooltip({ inProgress: 0, attention: 0, sent: 9 })).toBe(
      'Peppol Desk: nothing waiting',
    );
  });
});

describe('drop finished notification', () => {
  function setup(quietMs = 1000) {
    vi.useFakeTimers();
    const shown: DropOutcome[] = [];
    const notifier = new DropNotifier((o) => shown.push(o), quietMs);
    return { notifier, shown };
  }

  it('says "N sent, M need attention" once, when a drop has finished', () => {
    const { notifier, shown } = setup();
    notifier.update(counts({ accepted: 10, invalid: 1 })); // earlier work, already done
    notifier.update(counts({ accepted: 10, invalid: 1, received: 20 }));
    notifier.update(counts({ accepted: 15, invalid: 2, queued: 10, sending: 4 }));
    notifier.update(counts({ accepted: 26, invalid: 3, failed: 1, held: 1 }));
    expect(shown).toEqual([]); // not before the queue has been quiet for a moment
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([{ sent: 16, attention: 4 }]);
    expect(dropMessage(shown[0]!)).toBe('16 sent, 4 need attention');

    // Later changes without new work (delivery receipts, a cancel) say nothing more.
    notifier.update(counts({ delivered: 26, invalid: 3, failed: 1, held: 1 }));
    notifier.update(counts({ delivered: 26, invalid: 3, failed: 1, cancelled: 1 }));
    vi.advanceTimersByTime(10_000);
    expect(shown).toHaveLength(1);
  });

  it('treats files added in chunks as one drop', () => {
    const { notifier, shown } = setup();
    notifier.update(counts({}));
    notifier.update(counts({ queued: 500 }));
    notifier.update(counts({ accepted: 500 })); // first chunk done ...
    vi.advanceTimersByTime(400);
    notifier.update(counts({ accepted: 500, received: 500 })); // ... the next one arrives
    notifier.update(counts({ accepted: 999, invalid: 1 }));
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([{ sent: 999, attention: 1 }]);
  });

  it('notifies each separate drop with its own numbers, and a drop with all sent says just that', () => {
    const { notifier, shown } = setup();
    notifier.update(counts({}));
    notifier.update(counts({ queued: 2 }));
    notifier.update(counts({ accepted: 2 }));
    vi.advanceTimersByTime(1000);
    notifier.update(counts({ accepted: 2, queued: 3 }));
    notifier.update(counts({ accepted: 5 }));
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([
      { sent: 2, attention: 0 },
      { sent: 3, attention: 0 },
    ]);
    expect(dropMessage(shown[1]!)).toBe('3 sent');
    expect(dropMessage({ sent: 0, attention: 1 })).toBe('0 sent, 1 needs attention');
  });

  it('says nothing when nothing was in progress, and nothing after dispose', () => {
    const { notifier, shown } = setup();
    notifier.update(counts({ accepted: 3 }));
    notifier.update(counts({ accepted: 3, cancelled: 1 }));
    vi.advanceTimersByTime(5000);
    expect(shown).toEqual([]);
    notifier.update(counts({ queued: 1 }));
    notifier.update(counts({ accepted: 4 }));
    notifier.dispose();
    vi.advanceTimersByTime(5000);
    expect(shown).toEqual([]);
  });
});

describe('drop finished notification, fast drops', () => {
  it('still notifies a drop that finished before it was ever seen in progress', () => {
    vi.useFakeTimers();
    const shown: DropOutcome[] = [];
    const notifier = new DropNotifier((o) => shown.push(o), 1000);
    notifier.update(counts({ accepted: 1 }));
    notifier.update(counts({ accepted: 3, invalid: 1 }));
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([{ sent: 2, attention: 1 }]);
  });
});
