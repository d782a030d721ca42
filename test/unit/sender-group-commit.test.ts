import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommitTimer } from '../../app/sender/group-commit';

afterEach(() => {
  vi.useRealTimers();
});

/** A timer whose flush counts the commits it was allowed to make. */
function counted(lazyMs = 20) {
  let commits = 0;
  let flushes = 0;
  const timer: GroupCommitTimer = new GroupCommitTimer(() => {
    flushes++;
    if (timer.take()) commits++;
  }, lazyMs);
  return { timer, commits: () => commits, flushes: () => flushes };
}

describe('the group commit timer', () => {
  it('an urgent commit runs at the end of the turn; many asks make one commit', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    const { timer, commits } = counted();
    timer.schedule(true);
    timer.schedule(true);
    timer.schedule(false);
    expect(commits()).toBe(0);
    vi.advanceTimersByTime(0);
    expect(commits()).toBe(1);
  });

  it('a lazy commit waits until lazyMs after the last one', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    const { timer, commits } = counted(20);
    timer.schedule(true);
    vi.advanceTimersByTime(0);
    expect(commits()).toBe(1);
    timer.schedule(false);
    vi.advanceTimersByTime(10);
    expect(commits()).toBe(1);
    vi.advanceTimersByTime(10);
    expect(commits()).toBe(2);
  });

  it('an urgent ask brings a lazy commit forward', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    const { timer, commits } = counted(20);
    timer.schedule(true);
    vi.advanceTimersByTime(0);
    timer.schedule(false);
    timer.schedule(true);
    vi.advanceTimersByTime(0);
    expect(commits()).toBe(2);
    // The lazy one was replaced, not kept as well.
    vi.advanceTimersByTime(100);
    expect(commits()).toBe(2);
  });

  it('no commit while the last one is being synced; the asks of the wait make one after it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    const { timer, commits } = counted(20);
    timer.schedule(true);
    vi.advanceTimersByTime(0);
    timer.syncStarted();
    timer.schedule(true);
    timer.schedule(false);
    vi.advanceTimersByTime(100);
    expect(commits()).toBe(1);
    expect(timer.take()).toBe(false);
    timer.syncEnded();
    vi.advanceTimersByTime(0);
    expect(commits()).toBe(2);
  });

  it('a flush with nothing asked for does not commit', () => {
    const { timer, commits } = counted();
    expect(timer.take()).toBe(false);
    timer.syncEnded();
    expect(commits()).toBe(0);
  });

  it('once closed, no commit runs: not one asked for before (urgent or lazy), nor after a sync', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    for (const urgent of [true, false]) {
      const { timer, commits } = counted(20);
      timer.schedule(true);
      vi.advanceTimersByTime(0);
      timer.syncStarted();
      timer.schedule(urgent);
      timer.close();
      timer.syncEnded();
      timer.schedule(true);
      vi.advanceTimersByTime(100);
      expect([commits(), timer.take()]).toEqual([1, false]);
      // A flush already on its way (an immediate is not cleared) is told there is nothing to do.
      const asked = counted(20);
      asked.timer.schedule(urgent);
      asked.timer.close();
      vi.advanceTimersByTime(100);
      expect(asked.commits()).toBe(0);
    }
  });
});
