/**
 * The one reachability rule of both desks (app/access-point/reachability.ts): pure, the time is
 * passed in, so the clock here is a number.
 */
import { describe, expect, it } from 'vitest';
import type { ApOutcome } from '../../app/access-point/client';
import {
  KEY_REFUSED_WORDS,
  LONG_RETRY_AFTER_MS,
  Reachability,
  THROTTLED_SHOWN_MS,
  THROTTLED_WORDS,
} from '../../app/access-point/reachability';
import { offlineWords } from '../../app/domain/problems';

const REFUSED: ApOutcome<unknown> = {
  kind: 'transient',
  status: null,
  retryAfterMs: null,
  message: 'connect ECONNREFUSED 127.0.0.1:9',
  offline: true,
};
const NOT_FOUND: ApOutcome<unknown> = { ...REFUSED, message: 'getaddrinfo ENOTFOUND ap.example' };
const BUSY: ApOutcome<unknown> = {
  kind: 'transient',
  status: 503,
  retryAfterMs: null,
  message: 'Service unavailable',
  offline: false,
};
const TIMEOUT: ApOutcome<unknown> = { ...BUSY, status: null, message: 'timeout' };
const OK: ApOutcome<unknown> = { kind: 'ok', value: null, status: 200 };
const REFUSAL = {
  kind: 'permanent',
  error: { status: 422, code: 'X', message: 'refused', details: null },
} as ApOutcome<unknown>;
const slowDown = (retryAfterMs: number | null): ApOutcome<unknown> => ({
  kind: 'transient',
  status: 429,
  retryAfterMs,
  message: 'Too many requests',
  offline: false,
});

const make = (initial?: 'connecting' | 'online') =>
  new Reachability({ probeInitialMs: 1_000, probeMaxMs: 4_000 }, initial);

describe('reachability of the access point', () => {
  it('says the key is not accepted while the access point answers 401 or 403, online on any other answer', () => {
    const r = make('online');
    const keyRefused = (status: number) =>
      ({
        kind: 'permanent',
        error: { status, code: 'UNAUTHORIZED', message: 'Invalid API key', details: null },
      }) as ApOutcome<unknown>;
    expect(r.note(keyRefused(401), 0)).toBe(true);
    expect([r.state, r.message, r.maySend(0)]).toEqual(['refused', KEY_REFUSED_WORDS, true]);
    // Told once.
    expect(r.note(keyRefused(403), 10)).toBe(false);
    // From offline too: the answer says it is there.
    r.note(REFUSED, 20);
    expect(r.note(keyRefused(401), 30)).toBe(true);
    expect([r.state, r.offline]).toEqual(['refused', false]);
    // A 5xx says nothing about the key.
    expect(r.note(BUSY, 40)).toBe(false);
    // A file's refusal means the key was accepted; so does an acceptance.
    expect(r.note(REFUSAL, 50)).toBe(true);
    expect([r.state, r.message]).toEqual(['online', null]);
    r.note(keyRefused(401), 60);
    expect(r.note(OK, 70)).toBe(true);
    expect(r.state).toBe('online');
  });

  it('offline in plain words when a request cannot reach it, told once; online on any answer', () => {
    const r = make('online');
    expect([r.state, r.message, r.nextTryAt()]).toEqual(['online', null, null]);
    expect(r.note(REFUSED, 10_000)).toBe(true);
    expect([r.state, r.message, r.offline]).toEqual([
      'offline',
      offlineWords(REFUSED.message),
      true,
    ]);
    expect(r.nextTryAt()).toBe(11_000);
    expect(r.maySend(10_500)).toBe(false);
    // Another failed request changes nothing (not even its words).
    expect(r.note(NOT_FOUND, 10_100)).toBe(false);
    expect(r.message).toBe(offlineWords(REFUSED.message));
    // A refusal is an answer: the access point is there.
    expect(r.note(REFUSAL, 10_200)).toBe(true);
    expect([r.state, r.message, r.offline, r.nextTryAt()]).toEqual(['online', null, false, null]);
    expect(r.maySend(10_200)).toBe(true);
  });

  it('a 5xx or a timeout changes nothing: offline stays offline with its probe', () => {
    const r = make('online');
    r.note(REFUSED, 0);
    expect(r.note(BUSY, 100)).toBe(false);
    expect(r.note(TIMEOUT, 200)).toBe(false);
    expect([r.state, r.offline, r.nextTryAt(), r.maySend(300)]).toEqual([
      'offline',
      true,
      1_000,
      false,
    ]);
    // And online stays online.
    const up = make('online');
    expect(up.note(BUSY, 0)).toBe(false);
    expect(up.state).toBe('online');
  });

  it('while offline: one probe at a time when due, doubling up to the maximum, online when it answers', () => {
    const r = make('online');
    r.note(REFUSED, 0);
    expect(r.startProbe(999)).toBe(false);
    expect(r.startProbe(1_000)).toBe(true);
    // One out: no second.
    expect(r.startProbe(5_000)).toBe(false);
    const due: number[] = [];
    let now = 1_000;
    for (let i = 0; i < 4; i++) {
      expect(r.probeAnswered(REFUSED, now)).toBe(false);
      due.push(r.nextTryAt()!);
      now = r.nextProbeAt;
      expect(r.startProbe(now)).toBe(true);
    }
    // 2 s, 4 s, then 4 s (the most) between probes.
    expect(due).toEqual([3_000, 7_000, 11_000, 15_000]);
    expect(r.state).toBe('offline');
    // A 5xx to the probe is an answer all the same.
    expect(r.probeAnswered(BUSY, now)).toBe(true);
    expect([r.state, r.probing, r.offline]).toEqual(['online', false, false]);
    // Offline again: back to the first delay.
    r.note(REFUSED, 20_000);
    expect(r.nextTryAt()).toBe(21_000);
  });

  it('an answer while a probe is out does not let a second probe start', () => {
    const r = make('online');
    r.note(REFUSED, 0);
    expect(r.startProbe(1_000)).toBe(true);
    r.note(OK, 1_100);
    r.note(REFUSED, 1_200);
    expect(r.startProbe(2_200)).toBe(false);
    r.probeAnswered(REFUSED, 2_300);
    expect(r.startProbe(r.nextProbeAt)).toBe(true);
  });

  it('a 429 says Throttled in the single desk’s words; an answer after the throttle says Online', () => {
    const r = make('online');
    expect(r.note(slowDown(1_000), 0)).toBe(true);
    expect([r.state, r.message]).toEqual(['throttled', THROTTLED_WORDS]);
    expect(r.nextTryAt()).toBe(THROTTLED_SHOWN_MS);
    // A short Retry-After stops only the refused request.
    expect(r.maySend(1)).toBe(true);
    // An answer within the throttle keeps it shown; after it, Online.
    expect(r.note(OK, THROTTLED_SHOWN_MS - 1)).toBe(false);
    expect(r.state).toBe('throttled');
    expect(r.note(OK, THROTTLED_SHOWN_MS)).toBe(true);
    expect([r.state, r.message, r.nextTryAt()]).toEqual(['online', null, null]);
  });

  it('a long Retry-After closes the send gate and keeps Throttled until it is over', () => {
    const r = make('online');
    const wait = LONG_RETRY_AFTER_MS * 2;
    r.note(slowDown(wait), 0);
    expect([r.maySend(wait - 1), r.maySend(wait)]).toEqual([false, true]);
    expect(r.nextTryAt()).toBe(wait);
    expect(r.note(OK, THROTTLED_SHOWN_MS)).toBe(false);
    expect(r.note(OK, wait)).toBe(true);
    expect(r.state).toBe('online');
  });

  it('the first version call: connecting until it answers, offline at once when it cannot', () => {
    const up = make();
    expect(up.state).toBe('connecting');
    expect(up.noteFirstAnswer(BUSY, 0)).toBe(true);
    expect(up.state).toBe('online');
    const down = make();
    expect(down.noteFirstAnswer(NOT_FOUND, 0)).toBe(true);
    expect([down.state, down.message, down.nextTryAt()]).toEqual([
      'offline',
      offlineWords(NOT_FOUND.message),
      1_000,
    ]);
  });

  it('another access point forgets the old one: its initial state, no throttle, no gate', () => {
    const r = make();
    r.note(slowDown(LONG_RETRY_AFTER_MS * 10), 0);
    r.note(REFUSED, 1);
    r.startProbe(2_000);
    expect(r.reset()).toBe(true);
    expect([r.state, r.message, r.offline, r.probing, r.maySend(2)]).toEqual([
      'connecting',
      null,
      false,
      false,
      true,
    ]);
    expect(r.reset()).toBe(false);
    const team = make('online');
    team.note(REFUSED, 0);
    team.reset();
    expect(team.state).toBe('online');
  });
});
