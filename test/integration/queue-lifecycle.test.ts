import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentState } from '../../app/contract';
import { mayHaveReachedAccessPoint } from '../../app/domain/states';
import { Lifecycle, type Stage } from '../../app/queue/lifecycle';
import { openDb, type Db } from '../../app/store/db';
import {
  DocumentsRepo,
  type DocumentPatch,
  type DocumentRecord,
} from '../../app/store/documents-repo';
import { useTempDirs } from '../helpers/temp';
import { docInState } from '../helpers/walk';

// Each named move of the lifecycle on a real DocumentsRepo (SQLite file in a temp folder): the
// state it leaves, the words on the timeline, the problem, the change it emits and the stage it
// wakes. The moves' words are the ones the pipeline and the send stage wrote before issue 13.

const NOW = 1_800_000_000_000;
const tempDir = useTempDirs();
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function setup() {
  const db = openDb({ dataDir: tempDir() });
  dbs.push(db);
  const repo = new DocumentsRepo(db, () => NOW);
  const changed: number[][] = [];
  const woken: Stage[] = [];
  const life = new Lifecycle({
    repo,
    now: () => NOW,
    onChanged: (ids) => changed.push(ids),
    wake: (stage) => woken.push(stage),
  });
  /** A document walked to `path`'s last state directly through the repo (test set-up only). */
  const docIn = (path: DocumentState[], patch: DocumentPatch = {}): DocumentRecord =>
    repo.get(docInState(repo, path, patch))!;
  const last = (id: number) => repo.timeline(id).at(-1)!;
  return { repo, life, changed, woken, docIn, last };
}

const QUEUED: DocumentState[] = ['validating', 'ready', 'resolving', 'queued'];
const SENDING: DocumentState[] = [...QUEUED, 'sending'];
const ACCEPTED: DocumentState[] = [...SENDING, 'accepted'];
const FIELDS: DocumentPatch = { doc_type: 'Invoice', invoice_number: 'INV-1', seller_id: 's' };

type Case = {
  move: string;
  path: DocumentState[];
  patch?: DocumentPatch;
  run: (life: Lifecycle, doc: DocumentRecord) => unknown;
  to: DocumentState;
  detail: string | null;
  technical?: string | null;
  problem: string | null;
  wakes: Stage[];
};

const CASES: Case[] = [
  {
    move: 'startCheck',
    path: [],
    run: (l, d) => l.startCheck(d),
    to: 'validating',
    detail: null,
    problem: null,
    wakes: [],
  },
  {
    move: 'failIntake',
    path: ['validating'],
    run: (l, d) => l.failIntake(d, { code: 'NOT_XML', message: 'This file is not XML.' }),
    to: 'invalid',
    detail: 'This file is not XML.',
    problem: 'INTAKE_NOT_XML',
    wakes: [],
  },
  {
    move: 'markInvalid',
    path: ['validating'],
    run: (l, d) =>
      l.markInvalid(d, FIELDS, {
        valid: false,
        findings: [
          { rule: 'BR-01', flag: 'fatal', message: 'A must be there', location: '/Invoice/a' },
          { rule: 'BR-02', flag: 'fatal', message: 'B must be there', location: '/Invoice/b' },
        ],
      }),
    to: 'invalid',
    detail: '2 problems found by the check',
    technical: '2 fatal rule(s): BR-01, BR-02',
    problem: 'VALIDATION',
    wakes: [],
  },
  {
    move: 'markNoReceiver',
    path: ['validating'],
    run: (l, d) => l.markNoReceiver(d, FIELDS),
    to: 'invalid',
    detail: 'No buyer Peppol ID on the invoice',
    problem: 'NO_RECEIVER',
    wakes: [],
  },
  {
    move: 'holdDuplicate',
    path: ['validating'],
    run: (l, d) => l.holdDuplicate(d, FIELDS, 7, 'INV-1', 'Invoice'),
    to: 'held',
    detail: 'Possible duplicate of #7',
    problem: 'DUPLICATE',
    wakes: [],
  },
  {
    move: 'holdDisagreement',
    path: ['validating'],
    run: (l, d) =>
      l.holdDisagreement(
        d,
        FIELDS,
        'Invoice',
        { valid: true, findings: [] },
        {
          errors: [{ rule: 'PEPPOL-R1', message: 'No' }],
        },
      ),
    to: 'held',
    detail: "The access point's check rejects it (PEPPOL-R1); our check found no error",
    problem: 'CHECKS_DISAGREE',
    wakes: [],
  },
  {
    move: 'markValid',
    path: ['validating'],
    run: (l, d) => l.markValid(d, FIELDS),
    to: 'ready',
    detail: null,
    problem: null,
    wakes: ['resolve'],
  },
  {
    move: 'startLookup',
    path: ['validating', 'ready'],
    run: (l, d) => l.startLookup(d),
    to: 'resolving',
    detail: null,
    problem: null,
    wakes: [],
  },
  {
    move: 'queueForSend',
    path: ['validating', 'ready', 'resolving'],
    run: (l, d) => l.queueForSend(d, 'Buyer Ltd'),
    to: 'queued',
    detail: 'Receiver found: Buyer Ltd',
    problem: null,
    wakes: ['send'],
  },
  {
    move: 'queueUnchecked',
    path: ['validating', 'ready', 'resolving'],
    run: (l, d) => l.queueUnchecked(d, 'offline'),
    to: 'queued',
    detail:
      'The buyer could not be checked on the Peppol network now; sending (the access point checks the buyer itself)',
    technical: 'Receiver lookup unavailable (offline)',
    problem: null,
    wakes: ['send'],
  },
  {
    move: 'markUnreachable',
    path: ['validating', 'ready', 'resolving'],
    run: (l, d) => l.markUnreachable(d),
    to: 'unreachable',
    detail: 'Looked up (no Peppol ID): not registered on the Peppol network',
    problem: 'RECEIVER_NOT_ON_PEPPOL',
    wakes: [],
  },
  {
    move: 'holdNotAccepted',
    path: ['validating', 'ready', 'resolving'],
    run: (l, d) => l.holdNotAccepted(d),
    to: 'held',
    detail: 'Receiver does not accept this document type',
    problem: 'RECEIVER_DOES_NOT_ACCEPT',
    wakes: [],
  },
  {
    move: 'holdUnresolved',
    path: ['validating', 'ready', 'resolving'],
    run: (l, d) => l.holdUnresolved(d, 'boom'),
    to: 'held',
    detail: 'The check of the buyer on the Peppol network went wrong',
    technical: 'Receiver lookup failed: boom',
    problem: 'LOOKUP_FAILED',
    wakes: [],
  },
  {
    move: 'claimForSend (batch)',
    path: QUEUED,
    run: (l, d) => l.claimForSend(d, { key: 'b1', size: 3 }),
    to: 'sending',
    detail: 'Attempt 1 (batch of 3)',
    problem: null,
    wakes: [],
  },
  {
    move: 'unclaim',
    path: SENDING,
    run: (l, d) => l.unclaim(d, 'Not sent yet: sending paused'),
    to: 'queued',
    detail: 'Not sent yet: sending paused',
    problem: null,
    wakes: ['send'],
  },
  {
    move: 'accept',
    path: SENDING,
    run: (l, d) => l.accept(d, 'tx-1', 2_000),
    to: 'accepted',
    detail: 'Accepted by the access point',
    technical: 'Transaction id: tx-1',
    problem: null,
    wakes: ['track'],
  },
  {
    move: 'refuse',
    path: SENDING,
    run: (l, d) => l.refuse(d, { status: 401, code: 'UNAUTHORIZED', message: 'bad key' }),
    to: 'failed',
    detail: 'The access point did not accept the API key',
    technical: '401 UNAUTHORIZED: bad key',
    problem: 'AP_AUTH',
    wakes: [],
  },
  {
    move: 'notSent',
    path: SENDING,
    run: (l, d) => l.notSent(d, 'Access point unreachable; waiting', 'ECONNREFUSED'),
    to: 'queued',
    detail: 'Access point unreachable; waiting',
    technical: 'ECONNREFUSED',
    problem: null,
    wakes: ['send'],
  },
  {
    move: 'retryLater',
    path: SENDING,
    run: (l, d) =>
      l.retryLater(d, {
        words: 'The access point had a temporary problem',
        technical: '503: busy',
        delayMs: 1_500,
      }),
    to: 'retry_wait',
    detail: 'The access point had a temporary problem; next try in 1.5 s',
    technical: '503: busy',
    problem: 'TRANSIENT',
    wakes: ['send'],
  },
  {
    move: 'giveUp',
    path: SENDING,
    patch: { attempts: 5 },
    run: (l, d) => l.giveUp(d, 'The access point had a temporary problem', '503: busy'),
    to: 'failed',
    detail: 'The access point had a temporary problem; no automatic attempts left',
    technical: '503: busy',
    problem: 'ATTEMPTS_EXHAUSTED',
    wakes: [],
  },
  {
    move: 'deliver',
    path: ACCEPTED,
    run: (l, d) => l.deliver(d, NOW, NOW + 1_000),
    to: 'delivered',
    detail: "Delivered to the buyer's access point",
    problem: null,
    wakes: ['track'],
  },
  {
    move: 'failDelivery',
    path: ACCEPTED,
    run: (l, d) => l.failDelivery(d, 'CERTIFICATE_ERROR', 'expired'),
    to: 'failed',
    detail: "Delivery failed: the buyer's access point has no valid Peppol certificate",
    technical: 'Delivery failed: CERTIFICATE_ERROR: expired',
    problem: 'DELIVERY_FAILED',
    wakes: [],
  },
  {
    move: 'recordResponse',
    path: [...ACCEPTED, 'delivered'],
    run: (l, d) =>
      l.recordResponse(d, 'delivered', { code: 'RE', note: 'Wrong price', at: NOW }, NOW),
    to: 'rejected',
    detail: 'Rejected by buyer: Wrong price',
    technical: 'Business response RE',
    problem: 'BUYER_REJECTED',
    wakes: [],
  },
  {
    move: 'recoverInterrupted',
    path: SENDING,
    run: (l, d) => l.recoverInterrupted(d, 'sending', 'queued'),
    to: 'queued',
    detail: 'Resumed after the app was stopped',
    problem: null,
    wakes: ['send'],
  },
  {
    move: 'recoverUnrecorded',
    path: SENDING,
    run: (l, d) => l.recoverUnrecorded(d.id),
    to: 'queued',
    detail: 'The answer of the last attempt was not recorded; sending again with the same key',
    problem: null,
    wakes: ['send'],
  },
  {
    move: 'holdUnconfirmed',
    path: [...SENDING, 'retry_wait'],
    run: (l, d) => l.holdUnconfirmed(d, 'the built-in Sandbox', 'http://127.0.0.1:1'),
    to: 'held',
    detail: 'Held: the access point changed (was http://127.0.0.1:1)',
    problem: 'ACCESS_POINT_CHANGED',
    wakes: [],
  },
  {
    move: 'holdForAccessPoint',
    path: QUEUED,
    patch: { access_point: 'https://old.example', environment: 'production' },
    run: (l, d) => l.holdForAccessPoint(d),
    to: 'held',
    detail: expect.stringMatching(/^Waiting: queued for .+, which is no longer in use$/) as never,
    problem: 'ACCESS_POINT_CHANGED',
    wakes: [],
  },
  {
    // Walk 16: the same address, a key for another environment (a mistyped key read as
    // Production, then a Test key): not "another access point".
    move: 'holdForAccessPoint (same address, another environment)',
    path: QUEUED,
    patch: { access_point: 'https://ap.example', environment: 'production' },
    run: (l, d) =>
      l.holdForAccessPoint(d, { accessPoint: 'https://ap.example', environment: 'test' }),
    to: 'held',
    detail: expect.stringMatching(
      /^Waiting: queued for .+; the API key now in use is for another environment$/,
    ) as never,
    problem: 'ACCESS_POINT_CHANGED',
    wakes: [],
  },
  {
    move: 'retry (unreachable)',
    path: ['validating', 'ready', 'resolving', 'unreachable'],
    run: (l, d) => l.retry(d, () => 'new-key'),
    to: 'ready',
    detail: 'Retry requested (new lookup)',
    problem: null,
    wakes: ['resolve'],
  },
  {
    move: 'retry (invalid)',
    path: ['validating', 'invalid'],
    run: (l, d) => l.retry(d, () => 'new-key'),
    to: 'received',
    detail: 'Check again requested',
    problem: null,
    wakes: ['validate'],
  },
  {
    move: 'cancel',
    path: QUEUED,
    run: (l, d) => l.cancel(d),
    to: 'cancelled',
    detail: 'Cancelled by the user',
    problem: null,
    wakes: [],
  },
  {
    move: 'sendAnyway (duplicate)',
    path: ['validating', 'held'],
    patch: { problem_code: 'DUPLICATE', problem_message: 'x', problem_action: 'decide' },
    run: (l, d) => l.sendAnyway(d, 'the user (ann)'),
    to: 'ready',
    detail: 'Send anyway, decided by the user (ann)',
    problem: null,
    wakes: ['resolve'],
  },
  {
    move: 'reroute',
    path: QUEUED.concat('held'),
    patch: { problem_code: 'ACCESS_POINT_CHANGED', summary_json: '{}' },
    run: (l, d) => l.reroute(d, { accessPoint: 'sandbox', environment: 'sandbox' }),
    to: 'ready',
    detail: expect.stringMatching(
      /^Moved to .+, decided by the user \(was queued for .+\)$/,
    ) as never,
    problem: null,
    wakes: ['resolve'],
  },
];

describe('the lifecycle: one named move per state change', () => {
  it.each(CASES)('$move', (c) => {
    const { repo, life, changed, woken, docIn, last } = setup();
    const doc = docIn(c.path, c.patch);
    const before = repo.timeline(doc.id).length;
    expect(c.run(life, doc)).toBeTruthy();
    const after = repo.get(doc.id)!;
    expect(after.state).toBe(c.to);
    expect(after.problem_code).toBe(c.problem);
    expect(repo.timeline(doc.id)).toHaveLength(before + 1);
    expect(last(doc.id)).toMatchObject({
      from: doc.state,
      to: c.to,
      detail: c.detail,
      ...(c.technical !== undefined ? { technical: c.technical } : {}),
    });
    expect(changed).toEqual([[doc.id]]);
    expect(woken).toEqual(c.wakes);
  });

  it('a move whose document moved on changes nothing, emits nothing and wakes nobody', () => {
    const { repo, life, changed, woken, docIn } = setup();
    const doc = docIn(QUEUED);
    const stale = { ...doc, state: 'queued' as const };
    expect(repo.transition(doc.id, 'queued', 'cancelled')).toBe(true);
    const events = repo.timeline(doc.id).length;
    expect(life.claimForSend(stale, null)).toBe(false);
    expect(repo.get(doc.id)!.state).toBe('cancelled');
    expect(repo.timeline(doc.id)).toHaveLength(events);
    expect(changed).toEqual([]);
    expect(woken).toEqual([]);
  });
});

describe('a batch key is kept only while an attempt of the batch may have reached the access point', () => {
  it('a batch claim taken back, or refused with the key or unreachable, leaves its batch', () => {
    const { repo, life, docIn } = setup();
    const batch = { key: 'batch-1', size: 3 };
    const [a, b, c] = [docIn(QUEUED), docIn(QUEUED), docIn(QUEUED)];
    for (const d of [a, b, c]) expect(life.claimForSend(d, batch)).toBe(true);
    for (const d of [a, b, c]) expect(repo.get(d.id)!.batch_key).toBe('batch-1');
    // Taken back before it left (the app stopped); refused with the key; not connected.
    life.unclaim(a, 'Not sent yet: the app stopped');
    const sent = (d: DocumentRecord) => repo.get(d.id)!;
    life.waitForAccessPoint(sent(b), {
      detail: 'key',
      technical: '401',
      reachedMaybe: false,
      leaveBatch: true,
    });
    life.notSent(sent(c), 'Access point unreachable; waiting', 'ECONNREFUSED', true);
    for (const d of [a, b, c]) {
      const now = repo.get(d.id)!;
      expect([now.state, now.batch_key, now.send_outcome_unknown]).toEqual(['queued', null, 0]);
      expect(mayHaveReachedAccessPoint(now)).toBe(false);
    }
  });
});

describe('the lifecycle keeps what only this process knows about sends', () => {
  it('a claim is in flight here until an outcome or an unclaim moves it out of sending', () => {
    const { life, docIn } = setup();
    const a = docIn(QUEUED);
    const b = docIn(QUEUED);
    expect(life.claimForSend(a, null)).toBe(true);
    expect(life.claimForSend(b, null)).toBe(true);
    expect(life.isClaimed(a.id) && life.isClaimed(b.id)).toBe(true);
    expect(life.accept({ ...a, state: 'sending', attempts: 1 }, 'tx', null)).toBe(true);
    expect(life.isClaimed(a.id)).toBe(false);
    expect(life.isClaimed(b.id)).toBe(true);
    life.forgetClaims([b.id]);
    expect(life.isClaimed(b.id)).toBe(false);
  });

  it('marks whether the last attempt may have reached the access point unanswered', () => {
    const { repo, life, docIn } = setup();
    const waiting = docIn(SENDING, { attempts: 1 });
    life.retryLater(waiting, { words: 'Busy', technical: '503: busy', delayMs: 1_000 });
    expect(repo.get(waiting.id)!.send_outcome_unknown).toBe(1);
    expect(repo.get(waiting.id)!.next_attempt_at).toBe(NOW + 1_000);

    const accepted = docIn(SENDING, { send_outcome_unknown: 1 });
    life.accept(accepted, 'tx-9', 2_000);
    expect(repo.get(accepted.id)).toMatchObject({
      send_outcome_unknown: 0,
      transaction_id: 'tx-9',
      accepted_at: NOW,
      next_poll_at: NOW + 2_000,
    });

    const refused = docIn(SENDING, { send_outcome_unknown: 1 });
    life.refuse(refused, { status: 422, code: 'BAD', message: 'bad' });
    expect(repo.get(refused.id)!.send_outcome_unknown).toBe(0);

    const exhausted = docIn(SENDING, { attempts: 5 });
    life.giveUp(exhausted, 'Busy', '503: busy');
    expect(repo.get(exhausted.id)!.send_outcome_unknown).toBe(1);

    // Nothing reached the access point: what an earlier attempt left stays, the attempt is
    // taken back.
    const notSent = docIn(SENDING, { send_outcome_unknown: 1, attempts: 2 });
    life.notSent(notSent, 'Access point unreachable; waiting', null, true);
    expect(repo.get(notSent.id)).toMatchObject({ send_outcome_unknown: 1, attempts: 1 });
  });

  it('fails a document whose kept copy is lost, and warns when its last send may have arrived', () => {
    const { repo, life, docIn, last } = setup();
    const what = 'is missing (bodies/000001.bodies is not in the data folder)';
    const checking = docIn(['validating']);
    expect(life.loseBody(checking, what)).toBe(true);
    expect(repo.get(checking.id)).toMatchObject({
      state: 'invalid',
      problem_code: 'BODY_UNREADABLE',
      problem_action: 'add-again',
      problem_message: `The copy of this invoice that Peppol Desk keeps ${what}, so it cannot be checked or sent. Add the invoice file again.`,
    });
    const queued = docIn(QUEUED);
    expect(life.loseBody(queued, what)).toBe(true);
    expect(repo.get(queued.id)!.state).toBe('failed');
    expect(last(queued.id).detail).toMatch(/Add the invoice file again\.$/);
    // Timed out last time (maybe accepted): not "add it again", and still counted as live, so
    // the same file added again is held as a possible duplicate rather than sent.
    const unknown = docIn([...SENDING, 'retry_wait'], { send_outcome_unknown: 1, attempts: 1 });
    expect(life.loseBody(unknown, what)).toBe(true);
    expect(repo.get(unknown.id)).toMatchObject({ state: 'failed', send_outcome_unknown: 1 });
    expect(repo.get(unknown.id)!.problem_message).toBe(
      `The copy of this invoice that Peppol Desk keeps ${what}, so it cannot be sent again. Its last send may already have reached the access point: ask your provider whether it arrived before you add the invoice file again.`,
    );
    expect(repo.findContentDuplicate(unknown.id + 1000, unknown.sha256, false)?.id).toBe(
      unknown.id,
    );
    expect(repo.findContentDuplicate(unknown.id + 1000, queued.sha256, false)).toBeNull();
  });

  it("holds back a group commit's change events until its caller emits them", () => {
    const { repo, life, changed, docIn } = setup();
    const a = docIn(QUEUED);
    const b = docIn(QUEUED);
    const ids = life.collectChanges(() =>
      repo.tx(() => {
        life.claimForSend(a, null);
        life.claimForSend(b, null);
      }),
    );
    expect(ids).toEqual([a.id, b.id]);
    expect(changed).toEqual([]);
    life.changed(ids);
    expect(changed).toEqual([[a.id, b.id]]);
  });
});

describe("the lifecycle's moves that are more than one write", () => {
  it('supersede: the failures leave Needs attention and both timelines name each other', () => {
    const { repo, life, changed, docIn, last } = setup();
    const old = docIn(['validating', 'invalid']);
    const fix = docIn(['validating', 'ready']);
    expect(life.supersede(fix, [old]).map((o) => o.id)).toEqual([old.id]);
    expect(repo.get(old.id)!.state).toBe('superseded');
    expect(last(old.id).detail).toBe(
      `Replaced by the corrected file ${fix.file_name} (document #${fix.id})`,
    );
    expect(last(fix.id).detail).toBe(
      `Replaces ${old.file_name} (document #${old.id}), which needed fixing`,
    );
    expect(changed).toEqual([[old.id]]);
  });

  it('stopTracking: the document stays accepted, with a problem and a timeline entry', () => {
    const { repo, life, changed, docIn, last } = setup();
    const doc = docIn(ACCEPTED, { transaction_id: 'tx-3', next_poll_at: NOW });
    life.stopTracking(doc, 7 * 24 * 60 * 60_000, 'processing');
    expect(repo.get(doc.id)).toMatchObject({
      state: 'accepted',
      next_poll_at: null,
      problem_code: 'DELIVERY_UNCONFIRMED',
    });
    expect(last(doc.id)).toMatchObject({
      detail: 'Delivery not confirmed after 7 days; stopped asking',
      technical: 'Last status: processing (transaction tx-3)',
    });
    expect(changed).toEqual([[doc.id]]);
  });

  it('recordResponse: an unknown code is kept and said, without a state of its own', () => {
    const { repo, life, changed, woken, docIn, last } = setup();
    const doc = docIn([...ACCEPTED, 'delivered'], { next_poll_at: NOW });
    life.recordResponse(doc, 'delivered', { code: 'ZZ', note: null, at: NOW }, NOW + 5);
    expect(repo.get(doc.id)).toMatchObject({
      state: 'delivered',
      business_response: 'ZZ',
      next_poll_at: null,
    });
    expect(last(doc.id).detail).toBe('The buyer sent an answer Peppol Desk does not know');
    expect(changed).toEqual([[doc.id]]);
    expect(woken).toEqual([]);
  });

  it('recordResponse: a final answer ends polling, another keeps the next poll', () => {
    const { repo, life, docIn } = setup();
    const paid = docIn([...ACCEPTED, 'delivered']);
    life.recordResponse(paid, 'delivered', { code: 'PD', note: null, at: NOW }, NOW + 5);
    expect(repo.get(paid.id)).toMatchObject({ state: 'paid', next_poll_at: null });
    const ack = docIn([...ACCEPTED, 'delivered']);
    life.recordResponse(ack, 'delivered', { code: 'AB', note: null, at: NOW }, NOW + 5);
    expect(repo.get(ack.id)).toMatchObject({ state: 'acknowledged', next_poll_at: NOW + 5 });
  });

  it('sendAnyway: a duplicate whose checks also disagree stays held for the second question', () => {
    const { repo, life, changed, woken, docIn, last } = setup();
    const doc = docIn(['validating', 'held'], {
      problem_code: 'DUPLICATE',
      doc_type: 'Invoice',
      validation_json: JSON.stringify({
        ruleset: 'r',
        findings: [],
        accessPoint: { valid: false, errors: [{ rule: 'R-9', message: 'no' }], warnings: [] },
        checksDisagree: true,
      }),
    });
    const result = life.sendAnyway(doc, 'the user (ann)');
    expect(result.released).toBe(false);
    expect(result.stillHeld).toContain("The access point's own check rejects this invoice (R-9)");
    expect(repo.get(doc.id)).toMatchObject({ state: 'held', problem_code: 'CHECKS_DISAGREE' });
    expect(last(doc.id).detail).toBe(
      "Send anyway as a possible duplicate, decided by the user (ann); still held: our check and the access point's disagree",
    );
    expect(changed).toEqual([[doc.id]]);
    expect(woken).toEqual([]);
  });

  it('undoCancel puts a document cancelled mid-check back to the start of that step', () => {
    const { repo, life, docIn, last } = setup();
    const doc = docIn(['validating']);
    const undo = life.cancel(doc);
    expect(undo).toMatchObject({ id: doc.id, from: 'validating' });
    expect(life.undoCancel(undo!, 'the user (ann)')).toBe(true);
    expect(repo.get(doc.id)!.state).toBe('received');
    expect(last(doc.id).detail).toBe('Cancel undone by the user (ann)');
  });

  it('retry of a failed delivery looks the buyer up again, then sends under a new key, forgetting the old transaction', () => {
    const { repo, life, docIn, last } = setup();
    const doc = docIn([...ACCEPTED, 'failed'], {
      problem_code: 'DELIVERY_FAILED',
      transaction_id: 'tx-old',
    });
    expect(life.retry(doc, () => 'key-new')).toEqual({ moved: true });
    expect(repo.get(doc.id)).toMatchObject({
      state: 'ready',
      idempotency_key: 'key-new',
      transaction_id: null,
      problem_code: null,
    });
    expect(last(doc.id).detail).toBe(
      'Retry requested after the delivery failed (transaction tx-old): the buyer is looked up again, then it is sent again as a new submission',
    );
  });
});
