import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALIVE_EVENT, ALIVE_EVERY_MS } from '../../app/host/wire';
import {
  createHttpBridge,
  SILENT_AFTER_MS,
  UNANSWERED_AFTER_MS,
  type LinkState,
} from '../../renderer/src/bridge/http-bridge';

/** A stand-in for the browser's EventSource: the test says when it opens, errs or closes. */
class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static last: FakeEventSource | null = null;
  readyState = FakeEventSource.CONNECTING;
  constructor(readonly url: string) {
    super();
    FakeEventSource.last = this;
  }
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }
  /** The browser lost the stream and tries again (host gone), or gives up (host refused it). */
  fail(givesUp: boolean): void {
    this.readyState = givesUp ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.dispatchEvent(new Event('error'));
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
  /** Peppol Desk says it is alive. */
  alive(): void {
    this.dispatchEvent(new MessageEvent(ALIVE_EVENT, { data: '0' }));
  }
}

function linkOf(): { heard: [LinkState, boolean][]; stream: FakeEventSource } {
  const bridge = createHttpBridge('token');
  const heard: [LinkState, boolean][] = [];
  bridge.onLink((state, { reconnected }) => heard.push([state, reconnected]));
  return { heard, stream: FakeEventSource.last! };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('EventSource', FakeEventSource);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the browser host page's link to Peppol Desk", () => {
  it('says "lost" at once, "unanswered" when nothing comes back for a while, and opens again', () => {
    const { heard, stream } = linkOf();
    stream.open();
    stream.fail(false);
    expect(heard).toEqual([
      ['open', false],
      ['lost', false],
    ]);
    vi.advanceTimersByTime(UNANSWERED_AFTER_MS - 1);
    expect(heard).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(heard.at(-1)).toEqual(['unanswered', false]);
    // The browser's own retries keep failing: said once.
    stream.fail(false);
    vi.advanceTimersByTime(UNANSWERED_AFTER_MS * 2);
    expect(heard).toHaveLength(3);
    stream.open();
    expect(heard.at(-1)).toEqual(['open', true]);
  });

  it('an open stream that falls silent (Peppol Desk frozen) says "unanswered", and "open" when it speaks again', () => {
    // Walk 12: a desk stopped (SIGSTOP) for 40 s went on showing "Online" in its own window.
    const { heard, stream } = linkOf();
    stream.open();
    // Alive every few seconds: nothing said.
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(ALIVE_EVERY_MS);
      stream.alive();
    }
    expect(heard).toEqual([['open', false]]);
    // Then nothing at all.
    vi.advanceTimersByTime(SILENT_AFTER_MS + ALIVE_EVERY_MS);
    expect(heard.at(-1)).toEqual(['unanswered', false]);
    vi.advanceTimersByTime(SILENT_AFTER_MS * 3);
    expect(heard).toHaveLength(2);
    stream.alive();
    expect(heard.at(-1)).toEqual(['open', true]);
    expect(heard).toHaveLength(3);
  });

  it('a stream back before the wait is only "lost" then "open"', () => {
    const { heard, stream } = linkOf();
    stream.open();
    stream.fail(false);
    vi.advanceTimersByTime(UNANSWERED_AFTER_MS / 2);
    stream.open();
    // Peppol Desk says it is alive meanwhile, as it does every few seconds.
    for (let t = 0; t < UNANSWERED_AFTER_MS * 2; t += ALIVE_EVERY_MS) {
      vi.advanceTimersByTime(ALIVE_EVERY_MS);
      stream.alive();
    }
    expect(heard).toEqual([
      ['open', false],
      ['lost', false],
      ['open', true],
    ]);
  });

  it('says "ended" when the address answers but refuses the session (the browser stops trying)', () => {
    const { heard, stream } = linkOf();
    stream.open();
    stream.fail(false);
    stream.fail(true);
    vi.advanceTimersByTime(UNANSWERED_AFTER_MS * 2);
    expect(heard).toEqual([
      ['open', false],
      ['lost', false],
      ['ended', false],
    ]);
  });

  it('says "ended" for a page whose session was refused from the start', () => {
    const { heard, stream } = linkOf();
    stream.fail(true);
    expect(heard).toEqual([['ended', false]]);
  });
});
