/**
 * The one reachability rule of both desks (app/access-point/reachability.ts): pure, the time is
 * passed in, so the clock here is a number.
 */
import { describe, expect, it } from 'vitest';
import type { ApOutcome } from '../../app/access-point/client';
import {
  ADDRESS_NOT_FOUND_WORDS,
  forbiddenAgain,
  KEY_CHECKING_WORDS,
  KEY_REFUSED_WORDS,
  LONG_RETRY_AFTER_MS,
  NOT_ANSWERING_WORDS,
  Reachability,
  RUN_FORGOTTEN_MS,
  sendsRefusedWords,
  THROTTLED_SHOWN_MS,
  THROTTLED_WORDS,
  TROUBLE_AFTER_MS,
  TROUBLE_DOCUMENTS,
  TROUBLE_WORDS,
  type SendSubject,
} from '../../app/access-point/reachability';
import { NO_SUCH_ADDRESS } from '../../app/access-point/answers';
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

const keyRefused = (status: number) =>
  ({
    kind: 'permanent',
    error: { status, code: 'UNAUTHORIZED', message: 'Invalid API key', details: null },
  }) as ApOutcome<unknown>;

const make = (initial?: 'connecting' | 'online') =>
  new Reachability({ probeInitialMs: 1_000, probeMaxMs: 4_000 }, initial);

describe('reachability of the access point', () => {
  it('says the key is not accepted while the access point answers 401 or 403, online on any other answer', () => {
    const r = make('online');
    expect(r.note(keyRefused(401), 0)).toBe(true);
    // No send leaves while the key is refused: every one would meet the same answer.
    expect([r.state, r.message, r.maySend(0), r.held]).toEqual([
      'refused',
      KEY_REFUSED_WORDS,
      false,
      true,
    ]);
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

  it('a single 5xx or timeout changes nothing: offline stays offline with its probe', () => {
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

  it('a long Retry-After after a short one is told: the next try moves to the end of the wait', () => {
    // Walk 11: the header (and every queued row) kept the short one's time, soon in the past.
    const r = make('online');
    expect(r.note(slowDown(null), 0)).toBe(true);
    const first = r.nextTryAt();
    const wait = LONG_RETRY_AFTER_MS * 4;
    expect(r.note(slowDown(wait), 100)).toBe(true);
    expect(r.nextTryAt()).toBe(100 + wait);
    expect(r.nextTryAt()).toBeGreaterThan(first!);
    // The same gate again: nothing new to tell.
    expect(r.note(slowDown(null), 200)).toBe(false);
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
    // No reply at all (walk 12: an address that took the connection and never answered showed
    // "Online" after 30 s): held, said, and online once a probe is answered.
    const silent = make();
    expect(silent.noteFirstAnswer(TIMEOUT, 0)).toBe(true);
    expect([silent.state, silent.message, silent.held]).toEqual([
      'trouble',
      NOT_ANSWERING_WORDS,
      true,
    ]);
    expect(silent.maySend(1)).toBe(false);
    expect(silent.startProbe(silent.nextTryAt()!)).toBe(true);
    expect(silent.probeAnswered(OK, silent.nextTryAt()! + 1)).toBe(true);
    expect(silent.state).toBe('online');
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

  it('a run of 5xx or timeouts over 5 s says the access point is in trouble; one stray 503 does not', () => {
    const r = make('online');
    // A stray 503 in a busy drop, and even a burst of them within 5 s: still Online.
    expect(r.note(BUSY, 0)).toBe(false);
    expect(r.note(TIMEOUT, 1_000)).toBe(false);
    expect(r.note(BUSY, TROUBLE_AFTER_MS - 1)).toBe(false);
    expect([r.state, r.maySend(TROUBLE_AFTER_MS - 1)]).toEqual(['online', true]);
    // The run goes on past 5 s with no other answer: trouble, the queue held, a probe due.
    expect(r.note(BUSY, TROUBLE_AFTER_MS)).toBe(true);
    expect([r.state, r.message, r.held, r.maySend(TROUBLE_AFTER_MS)]).toEqual([
      'trouble',
      TROUBLE_WORDS,
      true,
      false,
    ]);
    expect(r.nextTryAt()).toBe(TROUBLE_AFTER_MS + 1_000);
    // Told once; answers of requests still out change nothing.
    expect(r.note(TIMEOUT, TROUBLE_AFTER_MS + 10)).toBe(false);
    // Any good answer brings Online back (a delivery poll's, say).
    expect(r.note(OK, TROUBLE_AFTER_MS + 20)).toBe(true);
    expect([r.state, r.message, r.held, r.nextTryAt()]).toEqual(['online', null, false, null]);
  });

  it('one or two invoices whose sends keep failing are not the access point in trouble', () => {
    // Walk 11: one invoice answered 500 each time, alone in the queue, held the queue as
    // "having problems" and went again at each probe, its attempts never counted, for ever.
    // Walk 18: the same with two invoices dropped together, sent as one batch of 2.
    const ERROR: ApOutcome<unknown> = { ...BUSY, status: 500, message: 'Internal error' };
    expect(TROUBLE_DOCUMENTS).toBe(3);
    for (const invoices of [[7], [7, 8], [[7, 8]], [[7], 8]] as SendSubject[][]) {
      const r = make('online');
      for (let i = 0; i < 12; i++) {
        expect(r.note(ERROR, i * 1_000, 'send', invoices[i % invoices.length])).toBe(false);
      }
      expect([r.state, r.held]).toEqual(['online', false]);
    }
    // A third invoice failing too, a batch, a lookup or a poll: the access point's run.
    const three = make('online');
    three.note(ERROR, 0, 'send', 1);
    three.note(ERROR, 2_000, 'send', 2);
    expect(three.note(ERROR, TROUBLE_AFTER_MS, 'send', 3)).toBe(true);
    expect(three.state).toBe('trouble');
    // A batch of three or more: the access point's run too.
    const batch = make('online');
    batch.note(ERROR, 0, 'send', [1, 2, 3]);
    batch.note(ERROR, 2_000, 'send', [1, 2, 3]);
    expect(batch.note(ERROR, TROUBLE_AFTER_MS, 'send', [1, 2, 3])).toBe(true);
    expect(batch.state).toBe('trouble');
    for (const wide of [
      (r: Reachability, at: number) => r.note(ERROR, at, 'send'),
      (r: Reachability, at: number) => r.note(ERROR, at, 'other'),
    ]) {
      const r = make('online');
      r.note(ERROR, 0, 'send', 1);
      r.note(ERROR, 1_000, 'send', 1);
      wide(r, TROUBLE_AFTER_MS);
      expect(r.state).toBe('trouble');
    }
  });

  it('any other answer between them starts the run again (an acceptance, a refusal, a 429)', () => {
    for (const between of [OK, REFUSAL, slowDown(null)]) {
      const r = make('online');
      r.note(BUSY, 0);
      r.note(BUSY, 1_000);
      r.note(between, 2_000);
      r.note(BUSY, 3_000);
      r.note(BUSY, 6_000);
      // Two in the new run: not yet.
      expect(r.state).not.toBe('trouble');
      r.note(BUSY, 8_000);
      expect(r.state).toBe('trouble');
    }
    // Offline and a refused key stay as they are: a 5xx says nothing of either.
    const down = make('online');
    down.note(REFUSED, 0);
    for (const at of [1_000, 4_000, 7_000]) down.note(BUSY, at);
    expect(down.state).toBe('offline');
    const key = make('online');
    key.note(keyRefused(401), 0);
    for (const at of [1_000, 4_000, 7_000]) key.note(BUSY, at);
    expect(key.state).toBe('refused');
  });

  it('in trouble: probes back off while they fail; one that answers lets sends go, and the next 5xx holds again at once', () => {
    const r = make('online');
    for (const at of [0, 3_000, 6_000]) r.note(BUSY, at);
    expect(r.state).toBe('trouble');
    expect(r.startProbe(6_999)).toBe(false);
    expect(r.startProbe(7_000)).toBe(true);
    expect(r.probeAnswered(BUSY, 7_000)).toBe(false);
    expect([r.state, r.nextTryAt()]).toEqual(['trouble', 9_000]);
    expect(r.startProbe(9_000)).toBe(true);
    // The version call answers (sends may still fail: a send-only outage).
    expect(r.probeAnswered(OK, 9_000)).toBe(true);
    expect([r.state, r.held, r.maySend(9_000)]).toEqual(['online', false, true]);
    // The first send's 5xx holds again, without waiting for another run; the probe waits longer.
    expect(r.note(BUSY, 9_100)).toBe(true);
    expect([r.state, r.held, r.nextTryAt()]).toEqual(['trouble', true, 9_100 + 4_000]);
    // A request that answers well ends it all: the next run needs its 5 s again.
    r.startProbe(13_100);
    r.probeAnswered(OK, 13_100);
    r.note(OK, 13_200);
    r.note(BUSY, 13_300);
    expect(r.state).toBe('online');
  });

  // A clerk's walk: the send service answered 503 while receiver lookups and delivery polls
  // answered; each of their answers broke the run, trouble was never said, and every 503 counted
  // as an attempt until the invoices failed, under a header that said Online.
  it('sends failing while other requests answer (a send-only outage): trouble all the same, and held until a send works', () => {
    const r = make('online');
    r.note(BUSY, 0, 'send');
    expect(r.note(OK, 500)).toBe(false); // a lookup: says nothing of sends
    r.note(BUSY, 3_000, 'send');
    r.note(OK, 3_500);
    expect(r.state).toBe('online');
    expect(r.note(BUSY, 6_000, 'send')).toBe(true);
    expect([r.state, r.message, r.held]).toEqual(['trouble', TROUBLE_WORDS, true]);
    // Polls go on answering: the hold stays (before, the first of them ended it).
    expect(r.note(OK, 6_100)).toBe(false);
    expect([r.state, r.held]).toEqual(['trouble', true]);
    // The probe answers: sends may go, on probation; polls answering meanwhile keep it.
    expect(r.startProbe(7_000)).toBe(true);
    expect(r.probeAnswered(OK, 7_000)).toBe(true);
    expect([r.state, r.held]).toEqual(['online', false]);
    r.note(OK, 7_050);
    // The next send's 503 holds again at once (no attempt spent on building a new run).
    expect(r.note(BUSY, 7_100, 'send')).toBe(true);
    expect([r.state, r.held]).toEqual(['trouble', true]);
    // A send that is answered ends it all, and breaks a run as before.
    r.startProbe(r.nextProbeAt);
    r.probeAnswered(OK, r.nextProbeAt);
    r.note(OK, 20_000, 'send');
    expect(r.state).toBe('online');
    r.note(BUSY, 20_100, 'send');
    r.note(OK, 20_200, 'send');
    r.note(BUSY, 23_000, 'send');
    r.note(BUSY, 26_000, 'send');
    expect(r.state).toBe('online');
  });

  it('sends refused with the key while polls answer (walk 19b): the probes back off all the same', () => {
    const r = make('online');
    r.note(keyRefused(401), 0, 'send');
    expect([r.state, r.held]).toEqual(['refused', true]);
    const delays = [r.probeDelayMs];
    let now = 0;
    for (let round = 0; round < 3; round++) {
      now = r.nextProbeAt;
      expect(r.startProbe(now)).toBe(true);
      r.probeAnswered(OK, now); // the version call takes the key: sends go again
      expect(r.held).toBe(false);
      r.note(OK, now + 10); // a delivery poll answers
      r.note(keyRefused(401), now + 20, 'send'); // the send is refused again
      expect([r.state, r.held]).toEqual(['refused', true]);
      delays.push(r.probeDelayMs);
    }
    // Doubling up to twelve times the usual maximum (4 s here): a minute by default.
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
    // A send that is answered ends it: the next refusal starts from the first delay again.
    r.startProbe(r.nextProbeAt);
    r.probeAnswered(OK, r.nextProbeAt);
    r.note(OK, now + 1_000_000, 'send');
    r.note(keyRefused(401), now + 1_000_100, 'send');
    expect(r.probeDelayMs).toBe(delays[0]);
  });

  it('forgets a run of failing sends left alone for a minute: other answers count again', () => {
    const r = make('online');
    r.note(BUSY, 0, 'send');
    r.note(BUSY, 1_000, 'send');
    expect(r.note(OK, 2_000)).toBe(false);
    r.note(OK, 1_000 + RUN_FORGOTTEN_MS);
    // A new run: two more sends within it are not trouble yet.
    r.note(BUSY, 70_000, 'send');
    r.note(BUSY, 76_000, 'send');
    expect(r.state).toBe('online');
  });

  it('the key refused: probes back off while it is, a 5xx to one says nothing; an answer ends the hold', () => {
    const r = make('online');
    r.note(keyRefused(401), 0);
    expect(r.startProbe(1_000)).toBe(true);
    expect(r.probeAnswered(keyRefused(401), 1_000)).toBe(false);
    expect(r.startProbe(3_000)).toBe(true);
    expect(r.probeAnswered(BUSY, 3_000)).toBe(false);
    expect([r.state, r.nextTryAt()]).toEqual(['refused', 7_000]);
    expect(r.startProbe(7_000)).toBe(true);
    expect(r.probeAnswered(OK, 7_000)).toBe(true);
    expect([r.state, r.message, r.maySend(7_000)]).toEqual(['online', null, true]);
    // A version call that answers whatever the key: the first send's 401 holds again, longer
    // (past the usual maximum: up to twelve times it, walk 19b).
    expect(r.note(keyRefused(401), 7_100)).toBe(true);
    expect([r.state, r.held, r.nextTryAt()]).toEqual(['refused', true, 7_100 + 8_000]);
    // A first version call answered 401 says so at once.
    const start = make();
    expect(start.noteFirstAnswer(keyRefused(401), 0)).toBe(true);
    expect([start.state, start.held]).toEqual(['refused', true]);
    // Trouble, then a probe answered 401: the key is what is refused now.
    const t = make('online');
    for (const at of [0, 3_000, 6_000]) t.note(BUSY, at);
    t.startProbe(7_000);
    expect(t.probeAnswered(keyRefused(401), 7_000)).toBe(true);
    expect([t.state, t.held]).toEqual(['refused', true]);
    // Reset (another key in Settings) ends every hold.
    t.reset();
    expect([t.state, t.held, t.maySend(7_001)]).toEqual(['online', false, true]);
  });

  it("no such address (a web server's 404): refused in words about the URL, held while probes meet it too (walk 9)", () => {
    const noSuchAddress = {
      kind: 'permanent',
      error: { status: 404, code: NO_SUCH_ADDRESS, message: 'Not found (404)', details: null },
    } as ApOutcome<unknown>;
    // A first version call's 404 holds nothing: a provider may have no version address.
    const start = make();
    expect(start.noteFirstAnswer(noSuchAddress, 0)).toBe(true);
    expect([start.state, start.held]).toEqual(['online', false]);
    // A lookup's or a send's holds every send, in words about the URL, not the buyer.
    expect(start.note(noSuchAddress, 100, 'other')).toBe(true);
    expect([start.state, start.message, start.held, start.maySend(100)]).toEqual([
      'refused',
      ADDRESS_NOT_FOUND_WORDS,
      true,
      false,
    ]);
    expect(start.startProbe(1_100)).toBe(true);
    expect(start.probeAnswered(noSuchAddress, 1_100)).toBe(false);
    expect([start.state, start.held, start.nextTryAt()]).toEqual(['refused', true, 3_100]);
    // The provider's own 404 (a receiver not on Peppol) is an answer like any other.
    const r = make('online');
    r.note(
      {
        kind: 'permanent',
        error: { status: 404, code: 'PARTICIPANT_NOT_FOUND', message: 'x', details: null },
      },
      0,
    );
    expect([r.state, r.held]).toEqual(['online', false]);
  });

  it('a 403 to a request may be about its invoice: "checking" until the probe, which carries none, is refused too', () => {
    const r = make('online');
    expect(r.note(keyRefused(403), 0)).toBe(true);
    // Held as for the key (no send leaves, a probe is due), without saying the key is wrong.
    expect([r.state, r.message, r.held, r.maySend(0), r.nextTryAt()]).toEqual([
      'checking',
      KEY_CHECKING_WORDS,
      true,
      false,
      1_000,
    ]);
    // More 403s or a 5xx meanwhile change nothing.
    expect(r.note(keyRefused(403), 10)).toBe(false);
    expect(r.note(BUSY, 20)).toBe(false);
    // The probe refused too: now it is the key; the next probe later.
    expect(r.startProbe(1_000)).toBe(true);
    expect(r.probeAnswered(keyRefused(403), 1_000)).toBe(true);
    expect([r.state, r.message, r.held, r.nextTryAt()]).toEqual([
      'refused',
      KEY_REFUSED_WORDS,
      true,
      3_000,
    ]);
    // The probe answered: the 403 was about the invoice; sends go again.
    const invoice = make('online');
    invoice.note(keyRefused(403), 0);
    invoice.startProbe(1_000);
    expect(invoice.probeAnswered(OK, 1_000)).toBe(true);
    expect([invoice.state, invoice.message, invoice.held]).toEqual(['online', null, false]);
    // That invoice's second 403 (it then fails, forbiddenAgain): checking again, not "refused",
    // the probe waiting longer (as after any hold a probe ended).
    expect(invoice.note(keyRefused(403), 1_100)).toBe(true);
    expect([invoice.state, invoice.nextTryAt()]).toEqual(['checking', 1_100 + 2_000]);
    // A 5xx to the probe says nothing of the key: still checking, the next probe later.
    invoice.startProbe(3_100);
    expect(invoice.probeAnswered(BUSY, 3_100)).toBe(false);
    expect(invoice.state).toBe('checking');
  });

  it('sends answered 429: a poll or lookup answered meanwhile does not say Online; a send answered does (walk 20)', () => {
    const r = make('online');
    r.note(slowDown(1_000), 0, 'send', 1);
    expect(r.state).toBe('throttled');
    // Long after the throttle is shown, a delivery poll answers: the sends still wait.
    expect(r.note(OK, 5_000)).toBe(false);
    expect(r.state).toBe('throttled');
    // A send answered: Online.
    expect(r.note(OK, 5_100, 'send', 1)).toBe(true);
    expect(r.state).toBe('online');
    // A 429 to a lookup says nothing of sends: a poll's answer after it says Online as before.
    const lookup = make('online');
    lookup.note(slowDown(1_000), 0);
    lookup.note(OK, 5_000);
    expect(lookup.state).toBe('online');
    // Not for ever: a minute after the last send's 429 a poll's answer says Online.
    const old = make('online');
    old.note(slowDown(1_000), 0, 'send', 1);
    old.note(OK, RUN_FORGOTTEN_MS);
    expect(old.state).toBe('online');
  });

  it('403s to the sends of invoices to three buyers in a row: the account may not send; held as refused, no invoice fails for it (walk 20)', () => {
    const said = 'This API key may not send documents';
    const forbidden = {
      kind: 'permanent',
      error: { status: 403, code: 'FORBIDDEN', message: said, details: null },
    } as ApOutcome<unknown>;
    // As a sender tells it: the answer first, then the invoice's buyer.
    const send403 = (r: Reachability, id: number, buyer: string, now: number) => {
      const a = r.note(forbidden, now, 'send', id);
      return r.noteForbidden(buyer, said, now) || a;
    };
    const r = make('online');
    // Two buyers: still maybe about them ("checking"); the second 403 of one fails it.
    send403(r, 1, 'b1', 0);
    send403(r, 2, 'b2', 1);
    expect([r.state, r.sendsRefused]).toEqual(['checking', false]);
    expect(forbiddenAgain(new Set([1]), 1, 403, r.sendsRefused)).toBe(true);
    // A third buyer: the account's. Said with the access point's words; no invoice fails for it.
    expect(send403(r, 3, 'b3', 2)).toBe(true);
    expect([r.state, r.held, r.sendsRefused]).toEqual(['refused', true, true]);
    expect(r.message).toBe(sendsRefusedWords(said));
    expect(forbiddenAgain(new Set([1]), 1, 403, r.sendsRefused)).toBe(false);
    // The probe (the version call) is answered: sends go again, on probation; refused again at
    // once, the next probe twice as far.
    expect(r.startProbe(1_000)).toBe(true);
    r.probeAnswered(OK, 1_000);
    expect(r.state).toBe('online');
    expect(send403(r, 5, 'b1', 1_100)).toBe(true);
    expect([r.state, r.message, r.nextTryAt()]).toEqual([
      'refused',
      sendsRefusedWords(said),
      1_100 + 2_000,
    ]);
    // Lookups and polls answered meanwhile say nothing of sends: the run goes on.
    r.note(OK, 1_200);
    expect(r.sendsRefused).toBe(true);
    // A send taken (or refused for itself) ends it.
    r.startProbe(3_100);
    r.probeAnswered(OK, 3_100);
    r.note(OK, 3_200, 'send', 6);
    expect([r.state, r.sendsRefused]).toEqual(['online', false]);
    const again = make('online');
    for (const id of [1, 2, 3]) send403(again, id, `b${id}`, id);
    again.note(REFUSAL, 10, 'send', 4);
    expect(again.sendsRefused).toBe(false);
    // The probe refused too: it is the key after all, in its words.
    const key = make('online');
    for (const id of [1, 2, 3]) send403(key, id, `b${id}`, id);
    key.startProbe(1_000);
    expect(key.probeAnswered(keyRefused(403), 1_000)).toBe(true);
    expect([key.state, key.message, key.sendsRefused]).toEqual([
      'refused',
      KEY_REFUSED_WORDS,
      false,
    ]);
  });

  it('403s for many invoices to one buyer are about that buyer: no hold of the account, each fails on its second (walk 20b)', () => {
    const forbidden = {
      kind: 'permanent',
      error: { status: 403, code: 'FORBIDDEN', message: 'Not for this buyer', details: null },
    } as ApOutcome<unknown>;
    const r = make('online');
    for (let id = 1; id <= 12; id++) {
      r.note(forbidden, id, 'send', id);
      r.noteForbidden('0208:blocked', 'Not for this buyer', id);
    }
    expect([r.state, r.sendsRefused]).toEqual(['checking', false]);
    expect(forbiddenAgain(new Set([1]), 1, 403, r.sendsRefused)).toBe(true);
  });

  it('a 401 is always the key, a 403 to a connection check too; a 401 while checking says so at once', () => {
    const r = make('online');
    r.note(keyRefused(403), 0);
    expect(r.note(keyRefused(401), 10)).toBe(true);
    // The same hold and probe: only the words changed.
    expect([r.state, r.message, r.nextTryAt()]).toEqual(['refused', KEY_REFUSED_WORDS, 1_000]);
    // Already refused: a 403 keeps it so.
    expect(r.note(keyRefused(403), 20)).toBe(false);
    expect(r.state).toBe('refused');
    // The first version call of a start carries no invoice: its 403 is the key's.
    const start = make();
    expect(start.noteFirstAnswer(keyRefused(403), 0)).toBe(true);
    expect([start.state, start.held]).toEqual(['refused', true]);
    // Offline, then a probe answered 403: the key too.
    const down = make('online');
    down.note(REFUSED, 0);
    down.startProbe(1_000);
    expect(down.probeAnswered(keyRefused(403), 1_000)).toBe(true);
    expect(down.state).toBe('refused');
  });
});

// Walk 8: requests out and none answered said "Online" for 30 s, until the timeouts came.
describe('requests out with no answer (noteSilence)', () => {
  const opts = { probeInitialMs: 1_000, probeMaxMs: 30_000 };
  it('is trouble once the silence lasts as long as a run must, not before', () => {
    const r = new Reachability(opts);
    r.note(OK, 0, 'send');
    expect(r.noteSilence(TROUBLE_AFTER_MS - 1, 10_000)).toBe(false);
    expect(r.state).toBe('online');
    expect(r.noteSilence(TROUBLE_AFTER_MS, 10_000)).toBe(true);
    expect([r.state, r.message, r.held]).toEqual(['trouble', TROUBLE_WORDS, true]);
    // Told once; an answer of a send ends it.
    expect(r.noteSilence(TROUBLE_AFTER_MS * 2, 11_000)).toBe(false);
    r.note(OK, 12_000, 'send');
    expect(r.state).toBe('online');
  });

  it('leaves offline and a refused key as they are', () => {
    const r = new Reachability(opts);
    r.note(REFUSED, 0);
    expect(r.noteSilence(TROUBLE_AFTER_MS * 2, 1_000)).toBe(false);
    expect(r.state).toBe('offline');
  });
});
