/**
 * Whether the access point can be reached, as the header says it: one rule for the single desk
 * (app/queue/stages/connection.ts) and the team desk (app/team/desk-health.ts). Pure: no timers,
 * no requests, the time is passed in. Each host drives its own probe (the single desk from its
 * pipeline's pump, the team desk on a timer) and tells its header when a call here says so.
 *
 * - A request that cannot reach the access point (refused, reset, its address not found) makes it
 *   offline, in `offlineWords`; one probe at a time then backs off, doubling up to a maximum.
 * - A 429 shows "Throttled" for a moment; a long Retry-After also closes the send gate.
 * - A 401 says it is there but refuses the API key: "refused", in `KEY_REFUSED_WORDS`. No send
 *   leaves meanwhile (`held`): a 401 says nothing of the invoice, and every send would meet it.
 *   Probes back off as offline; the first answer that is not a 401 or 403 ends it.
 * - A 404 that is a web server's "no such address" (NO_SUCH_ADDRESS: not the provider's error
 *   body), or a 2xx web page, to a lookup or a send says the provider URL is wrong: "refused", in
 *   `ADDRESS_NOT_FOUND_WORDS`, held and probed as for a refused key. A first version call's 404
 *   holds nothing (a provider may have no version address): the host then asks one lookup
 *   (./address-check.ts), whose answer decides; a probe's 404 keeps the hold.
 * - A 403 to a request may be about its invoice (a seller or buyer the account may not send for),
 *   not the key: "checking", in `KEY_CHECKING_WORDS`, held the same way until the probe (the
 *   version call, which carries no invoice) answers: refused too → "refused"; answered → the
 *   hold ends (the invoice's second 403 fails it: `forbiddenAgain`). A probe's or a first version
 *   call's 403 is the key's at once. But 403s to the sends of invoices to {@link TROUBLE_DOCUMENTS}
 *   or more buyers in a row (no send answered otherwise between; `noteForbidden`) say the account
 *   may not send, whatever the invoice (walk 20): "refused", in `sendsRefusedWords`, held and probed
 *   as for a refused key, and no invoice fails for it. One buyer's 403s are that buyer's (20b).
 * - A run of 5xx answers or timeouts ({@link TROUBLE_ANSWERS} or more over at least
 *   {@link TROUBLE_AFTER_MS}, nothing else answered in between) says it is there but failing:
 *   "trouble", in `TROUBLE_WORDS`, held and probed the same way. One stray 503 changes nothing.
 *   Nor does a run in which only the sends of one or two invoices failed (fewer than
 *   {@link TROUBLE_DOCUMENTS}, single sends or a batch of them) and no other request: that says
 *   more of those invoices than of the access point. Walk 11: one invoice answered 500 each
 *   time, alone in the queue, was held as "access point having problems" and sent again at every
 *   probe with no attempt counted, for ever (`send` never ended; two timeline rows per probe).
 *   Its attempts now count and it fails after the last, while the header stays Online. Walk 18
 *   met the same with two invoices dropped together, sent as one batch of 2.
 * - Any other answer (accepted or refused) says it is there: online again, once a throttle and
 *   the send gate are over.
 * - A probe (a version call) may answer while sends still fail (a send-only outage): its good
 *   answer ends the hold, but the next refusal of the key or 5xx of a request holds again at
 *   once (`probation`, the probe's delay doubled), until a request other than a probe answers.
 * - While sends fail (5xx or timeouts), the answers of other requests (receiver lookups, delivery
 *   polls) say nothing of them: they neither break the run nor end its hold. A clerk's walk met
 *   this: the send service answering 503 while lookups and polls answered, each poll's answer
 *   broke the run, trouble was never said, and every 503 counted as an attempt until the
 *   invoices failed, under a header that said Online. Only a send's own answer, or a probe's,
 *   says sends work again. A run left alone for {@link RUN_FORGOTTEN_MS} is forgotten.
 */
import { offlineWords } from '../domain/problems';
import { NO_SUCH_ADDRESS } from './answers';
import type { ApOutcome } from './client';
import {
  ADDRESS_NOT_FOUND_WORDS,
  KEY_CHECKING_WORDS,
  KEY_REFUSED_WORDS,
  NOT_ANSWERING_WORDS,
  sendsRefusedWords,
  THROTTLED_WORDS,
  TROUBLE_WORDS,
} from './reachability-words';

export * from './reachability-words';
export { forbiddenAgain } from './forbidden';

/** The header's state of the access point (ConnectionStatus['state']). */
export type ReachState =
  'connecting' | 'online' | 'offline' | 'throttled' | 'checking' | 'refused' | 'trouble';

/** 5xx answers or timeouts in a row (with no other answer between) that say "trouble"... */
export const TROUBLE_ANSWERS = 3;
/** ...when the first and the last of them are at least this far apart (ms). */
export const TROUBLE_AFTER_MS = 5_000;
/**
 * ...and when they are not all single sends of fewer invoices than this (see the file comment).
 */
export const TROUBLE_DOCUMENTS = 3;
/** A run of failing answers with none for this long is over (ms): a later one starts anew. */
export const RUN_FORGOTTEN_MS = 60_000;

/**
 * The kind of request an outcome answered: an invoice sent (single or batch), or anything else
 * (lookups, delivery polls, remote checks). See the file comment.
 */
export type RequestKind = 'send' | 'other';

/** The invoices a send carried: a single send's, or a batch's (see the file comment). */
export type SendSubject = number | readonly number[];

/** A Retry-After this long stops every send, not only the refused one (ms). */
export const LONG_RETRY_AFTER_MS = 5_000;

/** How long the header says "Throttled" after a 429 before an answer may say Online (ms). */
export const THROTTLED_SHOWN_MS = 2_000;

/**
 * The longest wait between two probes while held (ms). A probe is one small version call, and the
 * header says "Offline" until one is answered: a walk saw it 13 s after the access point was back
 * (the wait had grown to 30 s), and the queue waited as long. Five seconds keeps it at a
 * dozen calls a minute.
 */
export const PROBE_MAX_MS = 5_000;

/**
 * How often a host checks for sends out with no answer ({@link Reachability.noteSilence}): a
 * quarter of the run that says trouble, between 50 ms and a second (one rule for both desks).
 */
export function silenceCheckMs(troubleAfterMs = TROUBLE_AFTER_MS): number {
  return Math.max(50, Math.min(1_000, troubleAfterMs / 4));
}

/** How probing backs off while offline. */
export interface ReachabilityOptions {
  /** The first probe this long after going offline (ms), doubling up to `probeMaxMs`. */
  probeInitialMs: number;
  probeMaxMs: number;
  /** A run of 5xx or timeouts this long says trouble (default {@link TROUBLE_AFTER_MS}; tests). */
  troubleAfterMs?: number;
}

/** A probe's answer treated as "the access point is there" (whatever it said). */
const ANSWERED: ApOutcome<unknown> = { kind: 'ok', value: null, status: 200 };

/** A 401 or 403: the access point refuses the API key. */
function keyRefused(outcome: ApOutcome<unknown>): boolean {
  return outcome.kind === 'permanent' && keyRefusalStatus(outcome.error.status);
}

/** A web server's "no such address" or page (see {@link ADDRESS_NOT_FOUND_WORDS}). */
export function addressNotFound(error: { code: string }): boolean {
  return error.code === NO_SUCH_ADDRESS;
}

/** An answer of no such address (see {@link addressNotFound}). */
function noSuchAddress(outcome: ApOutcome<unknown>): boolean {
  return outcome.kind === 'permanent' && addressNotFound(outcome.error);
}

/** An answer every request would meet: the key refused, or no such address. */
function refusesAll(outcome: ApOutcome<unknown>): boolean {
  return keyRefused(outcome) || noSuchAddress(outcome);
}

/** 401 or 403: the status by which the access point refuses the API key. */
export function keyRefusalStatus(status: number): boolean {
  return status === 401 || status === 403;
}

/** A 5xx, a 408 or a timeout: there (or maybe there) but failing. Not a 429, not unreachable. */
export function failingAnswer(outcome: ApOutcome<unknown>): boolean {
  return outcome.kind === 'transient' && !outcome.offline && outcome.status !== 429;
}

/** See the file comment. Every `note…` returns whether the header's state or words changed. */
export class Reachability {
  /** What the header shows. */
  state: ReachState;
  /** The header's words for it (null while online or connecting). */
  message: string | null = null;
  /** No request reached the access point since the last one that could not reach it. */
  offline = false;
  /** Checking, refused or in trouble: no send leaves, a probe at a time backs off (file comment). */
  waitingOut = false;
  /**
   * A probe ended the last hold of this kind ('refused' for 'checking' too): its next refusal or
   * 5xx holds again at once.
   */
  probation: 'refused' | 'trouble' | null = null;
  /**
   * The current run of 5xx answers or timeouts: when it began, its last, how many, and how many
   * of them answered sends.
   */
  private failing: {
    since: number;
    last: number;
    count: number;
    sends: number;
    /** The invoices of its failed sends (up to TROUBLE_DOCUMENTS). */
    subjects: Set<number>;
    /** A failure that was not a send's with its invoices (a lookup, a poll): the access point's. */
    wide: boolean;
  } | null = null;
  /** Buyers whose invoices' sends got 403 since a send was answered otherwise (`sendsRefused`). */
  private forbidden = new Set<string>();
  throttledUntil = 0; // the header shows "Throttled" at least until this time after a 429
  private sendThrottledAt = -Infinity; // a send's last answer was a 429, then (else -Infinity)
  sendGateUntil = 0; // no send starts before this time (after a long Retry-After)
  /** The wait before the next probe while held (ms). */
  probeDelayMs: number;
  /** When the next probe is due while held (ms). */
  nextProbeAt = 0;
  probing = false; // a probe is out (one at a time)

  constructor(
    private readonly options: ReachabilityOptions,
    /** The state before anything is known, and after `reset` (the single desk: connecting). */
    private readonly initial: ReachState = 'connecting',
  ) {
    this.state = initial;
    this.probeDelayMs = options.probeInitialMs;
  }

  /** 403s to the sends of invoices to TROUBLE_DOCUMENTS buyers in a row: the account may not. */
  get sendsRefused(): boolean {
    return this.forbidden.size >= TROUBLE_DOCUMENTS;
  }

  /** No send may leave and the host probes: offline, the key refused, or in trouble. */
  get held(): boolean {
    return this.offline || this.waitingOut;
  }

  /**
   * What any request's outcome says, at `now` (a 403 to it may be about its invoice); `request`:
   * whether it sent invoices (see the file comment); `subject`: the invoice of a single send.
   */
  note(
    outcome: ApOutcome<unknown>,
    now: number,
    request: RequestKind = 'other',
    subject?: SendSubject,
  ): boolean {
    return this.noteAnswer(outcome, now, false, request, subject);
  }

  /**
   * {@link note}; `keyOnly`: the request carried no invoice (a probe), so a 403 is the key's.
   * `request` 'probe': a probe's answer, which says sends may go again (on probation).
   */
  private noteAnswer(
    outcome: ApOutcome<unknown>,
    now: number,
    keyOnly: boolean,
    request: RequestKind | 'probe' = 'probe',
    subject?: SendSubject,
  ): boolean {
    if (outcome.kind === 'transient' && outcome.offline) {
      if (this.offline) return false;
      this.offline = true;
      this.waitingOut = false;
      this.failing = null;
      this.probeDelayMs = this.options.probeInitialMs;
      this.nextProbeAt = now + this.probeDelayMs;
      return this.show('offline', offlineWords(outcome.message));
    }
    if (failingAnswer(outcome)) return this.noteFailing(now, request === 'send', subject);
    // Sends are failing: another request's answer says nothing of them (a refused key does).
    if (request === 'other' && this.sendsFailing(now) && !refusesAll(outcome)) return false;
    if (this.offline) {
      // A probe still out keeps `probing` until it answers: never two at a time.
      this.offline = false;
      this.probeDelayMs = this.options.probeInitialMs;
    }
    // A probe's answer says nothing of sends: a run of failing sends goes on (see probation).
    if (request !== 'probe') this.failing = null;
    // No such address: the provider URL is wrong, and every request would meet it.
    if (noSuchAddress(outcome)) return this.hold('refused', ADDRESS_NOT_FOUND_WORDS, now);
    // There, but refusing the key: every send would fail until the clerk changes it (any other
    // answer, a file's refusal included, means the key was accepted). A request's 403 may be
    // about its invoice: said once the probe is refused too (kept while already refused).
    if (keyRefused(outcome)) {
      const status = outcome.kind === 'permanent' ? outcome.error.status : null;
      if (status === 403 && request === 'send' && this.sendsRefused) {
        const said = outcome.kind === 'permanent' ? outcome.error.message : null;
        return this.hold('refused', sendsRefusedWords(said || null), now);
      }
      if (keyOnly || status === 401 || this.state === 'refused')
        return this.hold('refused', KEY_REFUSED_WORDS, now);
      return this.hold('checking', KEY_CHECKING_WORDS, now);
    }
    // Any other answer: the access point works (a 429 too: it answers, and asks us to wait).
    this.waitingOut = false;
    // A send taken, or refused for itself: the account may send (a 429 says nothing of it).
    if (request === 'send' && (outcome.kind === 'ok' || outcome.kind === 'permanent'))
      this.forbidden.clear();
    const tooMany = outcome.kind === 'transient' && outcome.status === 429;
    if (request === 'send') this.sendThrottledAt = tooMany ? now : -Infinity;
    // A poll's answer says nothing of a key refused to sends: that probation lasts (walk 19b).
    if (request !== 'other' || this.probation !== 'refused') {
      this.probation = null;
      this.probeDelayMs = this.options.probeInitialMs;
    }
    if (tooMany) {
      // The refused request waits its Retry-After; only a long one stops every send.
      const wait = outcome.retryAfterMs ?? 0;
      const gateWas = this.sendGateUntil;
      if (wait >= LONG_RETRY_AFTER_MS)
        this.sendGateUntil = Math.max(this.sendGateUntil, now + wait);
      this.throttledUntil = now + THROTTLED_SHOWN_MS;
      // Told when the gate moved too (walk 11: a long Retry-After after a short one left the
      // header's next try, and the rows', at the short one's time, soon in the past).
      return this.show('throttled', THROTTLED_WORDS) || this.sendGateUntil !== gateWas;
    }
    // Sends answered 429, none since (up to a minute): a poll's answer says nothing of them (walk 20).
    const sendsWait = request === 'other' && now - this.sendThrottledAt < RUN_FORGOTTEN_MS;
    if (now >= this.sendGateUntil && now >= this.throttledUntil && !sendsWait)
      return this.show('online', null);
    // Within a throttle: it stays shown (not what was shown before this answer: offline, refused).
    return this.show('throttled', THROTTLED_WORDS);
  }

  /**
   * A send answered 403 for an invoice to `receiver` (the sender tells it after `note`): the
   * buyers of such 403s in a row say whether the account may not send (see the file comment).
   * Returns whether the header's words changed; `sendsRefused` says the verdict.
   */
  noteForbidden(receiver: string | null, said: string | null, now: number): boolean {
    if (!this.sendsRefused) this.forbidden.add(receiver ?? '');
    if (!this.sendsRefused) return false;
    const words = sendsRefusedWords(said || null);
    const held = this.waitingOut && (this.state === 'refused' || this.state === 'checking');
    return held ? this.show('refused', words) : this.hold('refused', words, now);
  }

  /**
   * Sends in flight and none answered for `silentForMs` (the host measures it): an access point
   * that takes requests and answers none fails as much as one answering 5xx (walk 8: "Online"
   * for 30 s while nothing moved, until the timeouts came). Trouble once the silence lasts as
   * long as a run must ({@link TROUBLE_AFTER_MS}); offline and a refused key stay as they are.
   */
  noteSilence(silentForMs: number, now: number): boolean {
    if (this.held || this.state === 'refused' || this.state === 'checking') return false;
    if (silentForMs < (this.options.troubleAfterMs ?? TROUBLE_AFTER_MS)) return false;
    return this.hold('trouble', TROUBLE_WORDS, now);
  }

  /** A run of failing answers that holds a send's and is not forgotten yet. */
  private sendsFailing(now: number): boolean {
    const run = this.failing;
    return run !== null && run.sends > 0 && now - run.last < RUN_FORGOTTEN_MS;
  }

  /** A 5xx or a timeout: offline and a refused key stay as they are; a run of them is trouble. */
  private noteFailing(now: number, send: boolean, subject?: SendSubject): boolean {
    if (this.offline || this.state === 'refused' || this.state === 'checking') return false;
    if (this.failing !== null && now - this.failing.last >= RUN_FORGOTTEN_MS) this.failing = null;
    const run = (this.failing ??= {
      since: now,
      last: now,
      count: 0,
      sends: 0,
      subjects: new Set<number>(),
      wide: false,
    });
    run.count++;
    run.last = now;
    if (send) run.sends++;
    if (!send || subject === undefined) run.wide = true;
    else {
      for (const id of typeof subject === 'number' ? [subject] : subject) {
        if (run.subjects.size >= TROUBLE_DOCUMENTS) break;
        run.subjects.add(id);
      }
    }
    if (this.state === 'trouble' && this.waitingOut) return false;
    const after = this.options.troubleAfterMs ?? TROUBLE_AFTER_MS;
    const sustained =
      run.count >= TROUBLE_ANSWERS &&
      now - run.since >= after &&
      (run.wide || run.subjects.size >= TROUBLE_DOCUMENTS);
    if (!sustained && this.probation !== 'trouble') return false;
    return this.hold('trouble', TROUBLE_WORDS, now);
  }

  /**
   * Checking the key, refused or in trouble: no send leaves until a probe answers. After a probe
   * ended the same kind of hold (probation), the probe waits twice as long as last time.
   */
  private hold(state: 'checking' | 'refused' | 'trouble', words: string, now: number): boolean {
    if (this.waitingOut && this.state === state) return false;
    const kind = state === 'trouble' ? 'trouble' : 'refused';
    // Checking, then a 401: the same hold and probe; only the words are surer now.
    if (this.waitingOut && state === 'refused' && this.state === 'checking')
      return this.show(state, words);
    // A key refused to sends only: up to a minute (a new key ends it; walk 19b: 720 tries an hour).
    const most = this.options.probeMaxMs * (kind === 'refused' ? 12 : 1);
    if (this.probation === kind) this.probeDelayMs = Math.min(most, this.probeDelayMs * 2);
    else this.probeDelayMs = this.options.probeInitialMs;
    this.probation = null;
    this.waitingOut = true;
    this.nextProbeAt = now + this.probeDelayMs;
    this.show(state, words);
    // Told even when the words stay: the next try's time changed.
    return true;
  }

  /**
   * The answer of a first version call (on start, after a switch): unreachable says offline at
   * once (probing takes over from the current delay); a refused key says so; no reply at all (a
   * timeout) holds as trouble until a probe is answered; anything else (a 5xx, a 404: a provider
   * without this call) counts as an answer.
   */
  noteFirstAnswer(outcome: ApOutcome<unknown>, now: number): boolean {
    if (outcome.kind === 'transient' && outcome.offline) {
      this.offline = true;
      this.nextProbeAt = now + this.probeDelayMs;
      return this.show('offline', offlineWords(outcome.message));
    }
    if (outcome.kind === 'transient' && outcome.status === null)
      return this.hold('trouble', NOT_ANSWERING_WORDS, now);
    const answer = outcome.kind === 'ok' || keyRefused(outcome) ? outcome : ANSWERED;
    return this.noteAnswer(answer, now, true);
  }

  /** Whether the host should send a probe now: held, due and none out (it is then out). */
  startProbe(now: number): boolean {
    if (!this.held || this.probing || now < this.nextProbeAt) return false;
    this.probing = true;
    return true;
  }

  /**
   * The answer of the probe started by `startProbe`: still unreachable, the key still refused,
   * still failing → the next one later (doubling up to the maximum; `nextTryAt` changed, the
   * words did not); a 401 or 403 while checking → the key refused (the next one later too);
   * otherwise the hold ends (see the file comment).
   */
  probeAnswered(outcome: ApOutcome<unknown>, now: number): boolean {
    this.probing = false;
    if (this.offline) {
      if (outcome.kind === 'transient' && outcome.offline) return this.backOff(now);
      // Whatever it answered, it is there (a refused key is said as such).
      const answer = outcome.kind === 'ok' || keyRefused(outcome) ? outcome : ANSWERED;
      return this.noteAnswer(answer, now, true);
    }
    if (!this.waitingOut || (outcome.kind === 'transient' && outcome.offline))
      return this.noteAnswer(outcome, now, true);
    // Sends refused for the account, and the probe (no invoice) is refused too: it is the key.
    if (keyRefused(outcome) && this.state === 'refused' && this.sendsRefused) {
      this.forbidden.clear();
      this.backOff(now);
      return this.show('refused', KEY_REFUSED_WORDS);
    }
    // A 5xx says nothing of the key: refused (or checking) stays, as trouble stays trouble.
    if (failingAnswer(outcome) || (refusesAll(outcome) && this.state === 'refused'))
      return this.backOff(now);
    // Checking, and the probe (no invoice) is refused too: it is the key.
    if (keyRefused(outcome) && this.state === 'checking') {
      this.backOff(now);
      return this.show('refused', KEY_REFUSED_WORDS);
    }
    if (keyRefused(outcome)) return this.noteAnswer(outcome, now, true);
    // It answers: sends go again, on probation (a send-only outage holds again at once).
    const { state } = this;
    const probation =
      state === 'trouble' ? state : state === 'refused' || state === 'checking' ? 'refused' : null;
    const delay = this.probeDelayMs;
    this.noteAnswer(outcome, now, false, 'probe');
    this.probation = probation;
    this.probeDelayMs = delay;
    return true;
  }

  private backOff(now: number): boolean {
    this.probeDelayMs = Math.min(this.options.probeMaxMs, this.probeDelayMs * 2);
    this.nextProbeAt = now + this.probeDelayMs;
    return false;
  }

  /** Whether a request may leave now (not held, no long Retry-After). */
  maySend(now: number): boolean {
    return !this.held && now >= this.sendGateUntil;
  }

  /** When the next probe (held) or the end of a throttle is due, for the header; else null. */
  nextTryAt(): number | null {
    if (this.held) return this.nextProbeAt;
    if (this.state === 'throttled') return Math.max(this.throttledUntil, this.sendGateUntil);
    return null;
  }

  /** Another access point (or API key): forget what was known of the old one. */
  reset(): boolean {
    this.offline = false;
    this.forbidden.clear();
    this.waitingOut = false;
    this.probation = null;
    this.failing = null;
    this.probing = false;
    this.throttledUntil = 0;
    this.sendThrottledAt = -Infinity;
    this.sendGateUntil = 0;
    this.probeDelayMs = this.options.probeInitialMs;
    return this.show(this.initial, null);
  }

  private show(state: ReachState, message: string | null): boolean {
    if (this.state === state && this.message === message) return false;
    this.state = state;
    this.message = message;
    return true;
  }
}
