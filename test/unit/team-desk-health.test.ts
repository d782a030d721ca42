/**
 * A team desk's connection to its access point for the header (app/team/desk-health.ts): the
 * single desk's rule applied to the answers of its checks, lookups and sends, with a probe that
 * backs off while offline so that a desk with nothing to send comes back online by itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessPointClient, ApOutcome } from '../../app/access-point/client';
import {
  KEY_REFUSED_WORDS,
  PROBE_MAX_MS,
  THROTTLED_WORDS,
  TROUBLE_WORDS,
} from '../../app/access-point/reachability';
import { offlineWords } from '../../app/domain/problems';
import { DeskAccessPointHealth } from '../../app/team/desk-health';

const REFUSED: ApOutcome<unknown> = {
  kind: 'transient',
  status: null,
  retryAfterMs: null,
  message: 'connect ECONNREFUSED 127.0.0.1:9',
  offline: true,
};
const BUSY: ApOutcome<unknown> = {
  kind: 'transient',
  status: 503,
  retryAfterMs: null,
  message: 'Service unavailable',
  offline: false,
};
const OK: ApOutcome<unknown> = { kind: 'ok', value: null, status: 200 };

/** A health whose version probe answers `version()`, counting changes and probes. */
function make(version: () => ApOutcome<unknown>) {
  const client = { version: () => Promise.resolve(version()) } as unknown as AccessPointClient;
  const changes = { n: 0 };
  const health = new DeskAccessPointHealth({
    client: () => client,
    onChange: () => changes.n++,
    probeInitialMs: 1_000,
    probeMaxMs: 4_000,
  });
  return { health, changes };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a team desk's access point health", () => {
  it('offline in the single desk’s words when a request cannot reach it; online on an answer', () => {
    const { health, changes } = make(() => REFUSED);
    expect([health.state, health.message]).toEqual(['online', null]);
    health.noteOutcome(REFUSED);
    expect([health.state, health.message]).toEqual(['offline', offlineWords(REFUSED.message)]);
    // Told once, not at every failed request.
    health.noteOutcome(REFUSED);
    // A 503 comes from a server that is there but struggling: still offline until it answers.
    health.noteOutcome(BUSY);
    expect(health.state).toBe('offline');
    expect(changes.n).toBe(1);
    health.noteOutcome({
      kind: 'permanent',
      error: { status: 422, code: 'X', message: 'refused' },
    } as ApOutcome<unknown>);
    expect([health.state, health.message, changes.n]).toEqual(['online', null, 2]);
    health.stop();
  });

  it('probes while offline, backing off, and comes back online when the probe is answered', async () => {
    vi.useFakeTimers();
    let answer: ApOutcome<unknown> = REFUSED;
    const { health, changes } = make(() => answer);
    health.noteOutcome(REFUSED);
    await vi.advanceTimersByTimeAsync(999);
    expect(health.probes).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(health.probes).toBe(1);
    // Then 2 s, then 4 s (the most), then 4 s again.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(health.probes).toBe(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(health.probes).toBe(3);
    expect(health.state).toBe('offline');
    answer = OK;
    await vi.advanceTimersByTimeAsync(4_000);
    expect([health.probes, health.state, changes.n]).toEqual([4, 'online', 2]);
    // Online: no more probes.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(health.probes).toBe(4);
    health.stop();
  });

  it('another access point forgets the old one’s state; a stopped desk probes no more', async () => {
    vi.useFakeTimers();
    const { health, changes } = make(() => REFUSED);
    health.noteOutcome(REFUSED);
    health.reset();
    expect([health.state, health.message, changes.n]).toEqual(['online', null, 2]);
    health.noteOutcome(REFUSED);
    health.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(health.probes).toBe(0);
  });

  it('says Throttled in the single desk’s words after a 429, and Online on an answer after it', () => {
    vi.useFakeTimers({ now: 0 });
    const { health, changes } = make(() => OK);
    health.noteOutcome({
      kind: 'transient',
      status: 429,
      retryAfterMs: 1_000,
      message: 'Too many requests',
      offline: false,
    });
    expect([health.state, health.message, health.offline, changes.n]).toEqual([
      'throttled',
      THROTTLED_WORDS,
      false,
      1,
    ]);
    expect(health.nextTryAt()).toBe(2_000);
    // An answer during the throttle keeps it; one after it says Online (no probe meanwhile).
    vi.setSystemTime(1_999);
    health.noteOutcome(OK);
    expect([health.state, changes.n]).toEqual(['throttled', 1]);
    vi.setSystemTime(2_000);
    health.noteOutcome(OK);
    expect([health.state, health.message, changes.n, health.probes]).toEqual([
      'online',
      null,
      2,
      0,
    ]);
    health.stop();
  });

  it('the key refused, then a run of 5xx: held (the desk claims nothing), probing until an answer', async () => {
    vi.useFakeTimers({ now: 0 });
    const KEY: ApOutcome<unknown> = {
      kind: 'permanent',
      error: { status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key', details: null },
    };
    let answer: ApOutcome<unknown> = KEY;
    const { health } = make(() => answer);
    health.noteOutcome(KEY);
    expect([health.state, health.message, health.held]).toEqual([
      'refused',
      KEY_REFUSED_WORDS,
      true,
    ]);
    // The probe backs off while the key is refused: 1 s, then 2 s.
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect([health.probes, health.state]).toEqual([2, 'refused']);
    answer = OK;
    await vi.advanceTimersByTimeAsync(4_000);
    expect([health.probes, health.state, health.held]).toEqual([3, 'online', false]);
    health.noteOutcome(OK);

    // 503s over 5 s with nothing else between: trouble, held, probed again.
    for (const at of [10_000, 12_000, 15_000]) {
      vi.setSystemTime(at);
      health.noteOutcome(BUSY);
    }
    expect([health.state, health.message, health.held]).toEqual(['trouble', TROUBLE_WORDS, true]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([health.probes, health.state, health.held]).toEqual([4, 'online', false]);
    health.stop();
  });

  it('by default probes at most PROBE_MAX_MS apart, so it says online soon after a long outage ends (walk 8: "Offline" 13 s after)', async () => {
    vi.useFakeTimers();
    let up = false;
    const client = {
      version: () => Promise.resolve(up ? OK : REFUSED),
    } as unknown as AccessPointClient;
    const health = new DeskAccessPointHealth({ client: () => client, onChange: () => undefined });
    health.noteOutcome(REFUSED);
    // A minute and a half offline: probes at 1, 3, 7, 15 s, then every PROBE_MAX_MS.
    await vi.advanceTimersByTimeAsync(95_000);
    expect([health.state, health.probes]).toEqual([
      'offline',
      4 + Math.floor((95_000 - 15_000) / PROBE_MAX_MS),
    ]);
    up = true;
    await vi.advanceTimersByTimeAsync(PROBE_MAX_MS);
    expect(health.state).toBe('online');
    health.stop();
  });
});
