import type { DocumentState, Environment } from '../../contract';
import { versionWentOut } from '../../domain/duplicate-number';
import type * as problems from '../../domain/problems';
import {
  answerFailedWords,
  answeredByWords,
  answersWords,
  handledWords,
} from '../../domain/states';
import { lostCopyWords } from '../../store/body-files';
import type { ClaimableRecord, DocumentPatch, DocumentRecord } from '../../store/documents-repo';
import * as checking from './checking';
import * as clerk from './clerk';
import { LifecycleCore } from './core';
import * as sending from './sending';
import * as tracking from './tracking';
import type { Note } from './steps';
import type { IntakeError } from '../../validation/types';

export type { LifecycleDeps, Stage } from './core';
export type { CancelledDoc, RerouteTo } from './clerk';
export type { LookupVerdict } from './checking';

/**
 * The one place a document's state changes. Each named move builds its transition, its patch
 * and its timeline words (pure steps per phase: ./checking, ./sending, ./tracking, ./clerk, with
 * problems from app/domain/problems.ts), then records it through `DocumentsRepo.transition`
 * (./core), tells the engine the document changed and wakes the stage the new state gives work
 * to. Moves never open a transaction of their own unless the step itself is several writes: the
 * caller's transaction (a group commit, a claim) carries them, as before.
 *
 * It also keeps what only this process knows about sends: which `sending` rows have a request in
 * flight here ({@link isClaimed}), and whether a document's last attempt may have reached the
 * access point unanswered (`send_outcome_unknown`, which guards cancel and the duplicate check).
 */
export class Lifecycle extends LifecycleCore {
  // ---- validation ----------------------------------------------------------------------------

  /** A received document goes into the check. */
  startCheck(doc: DocumentRecord): boolean {
    return this.move(doc.id, { from: 'received', to: 'validating' });
  }

  /** The file could not be read as an invoice at all. */
  failIntake(doc: DocumentRecord, error: IntakeError): boolean {
    return this.move(doc.id, checking.intakeFailed(error));
  }

  /** The kept copy of its file is gone (`what` happened to it): it fails, saying what to do. */
  loseBody(doc: { id: number; state: DocumentState }, what: string): boolean {
    // Its last send may have been accepted unanswered: then not simply "add the file again".
    const reachedMaybe =
      doc.state !== 'validating' && this.deps.repo.get(doc.id)?.send_outcome_unknown === 1;
    return this.move(doc.id, checking.bodyLost(doc.state, lostCopyWords(what, reachedMaybe)));
  }

  /** Our check found fatal errors (`fields`: the summary columns). */
  markInvalid(doc: DocumentRecord, fields: DocumentPatch, verdict: checking.OurVerdict): boolean {
    return this.move(doc.id, checking.invalid(fields, verdict));
  }

  /** Valid, but without a buyer Peppol ID it cannot be sent. */
  markNoReceiver(doc: DocumentRecord, fields: DocumentPatch): boolean {
    return this.move(doc.id, checking.noReceiver(fields));
  }

  /** The same bytes came before under another name (`twin`). */
  holdSameContent(
    doc: DocumentRecord,
    fields: DocumentPatch,
    twin: DocumentRecord,
    docType: string | null,
  ): boolean {
    return this.move(doc.id, checking.sameContent(fields, twin, docType));
  }

  /** The same seller, number and type came before (document `dupId`) with other content. */
  holdDuplicate(
    doc: DocumentRecord,
    fields: DocumentPatch,
    dupId: number,
    invoiceNumber: string,
    docType: string | null,
  ): boolean {
    // Already sent: the buyer has the first one (the words say how a correction is made).
    const sent = this.wentOut(dupId);
    return this.move(doc.id, checking.duplicate(fields, dupId, invoiceNumber, docType, sent));
  }

  /** Whether document `id` went out (accepted or later): a second version's words say so. */
  private wentOut(id: number): boolean {
    const s = this.deps.repo.get(id)?.state;
    return s !== undefined && versionWentOut(s);
  }

  /** Our check and the access point's disagree: the clerk decides. */
  holdDisagreement(
    doc: DocumentRecord,
    fields: DocumentPatch,
    docType: string | null,
    ours: checking.OurVerdict,
    remote: { errors: readonly { rule: string; message: string }[] },
  ): boolean {
    return this.move(doc.id, checking.disagreement(fields, docType, ours, remote));
  }

  /** Checked and fine: on to the lookup of the buyer. */
  markValid(doc: DocumentRecord, fields: DocumentPatch): boolean {
    return this.move(doc.id, checking.valid(fields));
  }

  /**
   * Checked and fine, and the buyer's answer already known (a fresh cached lookup): `ready` and
   * `resolving` pass in the same write (one UPDATE; the timeline tells each step), and the
   * document ends where the lookup leads (`queued`, `unreachable` or `held`). `fields`: the
   * summary columns, which the lookup's step reads too (receiver and document type).
   */
  markValidAndLookedUp(
    doc: DocumentRecord,
    fields: DocumentPatch,
    lookup: checking.LookupVerdict,
  ): boolean {
    return this.moveThrough(doc.id, [
      checking.valid(fields),
      { from: 'ready', to: 'resolving' },
      checking.lookedUp({ ...doc, ...fields }, lookup),
    ]);
  }

  /**
   * A fix supersedes its failures (`old`): they leave Needs attention, and both timelines name
   * each other. Returns the documents replaced.
   */
  supersede(doc: DocumentRecord, old: readonly DocumentRecord[], state = 'ready' as DocumentState) {
    const replaced = old.filter((o) => this.move(o.id, checking.superseded(doc, o)));
    for (const o of replaced) this.note(doc.id, { ...checking.replaces(o), state });
    return replaced;
  }

  // ---- the receiver --------------------------------------------------------------------------

  /** A ready document's buyer is looked up. */
  startLookup(doc: DocumentRecord): boolean {
    return this.move(doc.id, { from: 'ready', to: 'resolving' });
  }

  /** The lookup of a resolving document's buyer is done: where its verdict leads. */
  finishLookup(doc: DocumentRecord, lookup: checking.LookupVerdict): boolean {
    return this.move(doc.id, checking.lookedUp(doc, lookup));
  }

  /** The buyer accepts the document: to the send queue. */
  queueForSend(doc: DocumentRecord, receiverName: string | null | undefined): boolean {
    return this.move(doc.id, checking.receiverFound(receiverName));
  }

  /**
   * The lookup could not be made (offline, provider error, unreadable answer): queued anyway; the
   * access point does its own lookup. `why`: what went wrong, if anybody said.
   */
  queueUnchecked(doc: DocumentRecord, why: string): boolean {
    return this.move(doc.id, checking.lookupUnavailable(why));
  }

  /** The buyer is not on Peppol. */
  markUnreachable(doc: DocumentRecord): boolean {
    return this.move(doc.id, checking.unreachable(doc));
  }

  /** The buyer is on Peppol but does not take this document. */
  holdNotAccepted(doc: DocumentRecord): boolean {
    return this.move(doc.id, checking.notAccepted(doc));
  }

  /** The lookup itself went wrong (`detail`: what was thrown): held for the clerk. */
  holdUnresolved(doc: DocumentRecord, detail: string): boolean {
    return this.move(doc.id, checking.lookupFailed(doc, detail));
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * A queued or due document is claimed for an attempt (fsynced before any byte leaves).
   * `batch`: the key and size of the batch it travels in, or null for a single send.
   */
  claimForSend(doc: ClaimableRecord, batch: { key: string; size: number } | null): boolean {
    const keyId = this.deps.keyId?.() ?? null;
    const now = this.now();
    // In doubt under another API key, or for too long: sent again, it could arrive twice.
    const stale = keyId === null ? null : sending.doubtStale(doc, keyId, now);
    if (stale !== null) {
      this.move(doc.id, sending.heldInDoubt(doc, stale));
      return false;
    }
    return this.move(doc.id, sending.claim(doc, batch, keyId, now));
  }

  /**
   * A claimed document did not leave: back to `queued`, its attempt taken back (`doc` as read
   * before the claim). `detail` says why, when the clerk should read it.
   */
  unclaim(doc: ClaimableRecord, detail: string | null = null): boolean {
    return this.move(doc.id, sending.unclaim(doc, detail));
  }

  /** The access point accepted it; delivery is asked about `firstPollAfterMs` later (null: not tracked). */
  accept(doc: ClaimableRecord, transactionId: string, firstPollAfterMs: number | null): boolean {
    const said = this.deps.saidEnvironment?.() ?? null;
    const step = sending.accepted(transactionId, firstPollAfterMs, this.now(), said);
    if (!this.move(doc.id, step)) return false;
    this.answerPreceding(doc.id);
    return true;
  }

  /**
   * Document `id` went out: a rejected or queried invoice it names as its preceding invoice
   * (BT-25: a credit note for it, a corrected invoice) leaves Needs attention, and both timelines
   * say so. One index lookup when it names none.
   */
  private answerPreceding(id: number): void {
    const targets = this.deps.repo.refs.answered(id);
    if (targets.length === 0) return;
    const by = this.deps.repo.get(id)!;
    for (const t of targets) {
      const step = clerk.markHandled(t, true, answeredByWords(by, false));
      if (step && this.move(t.id, step))
        this.note(id, { state: by.state, detail: answersWords(t, t.state) });
    }
  }

  /** The access point refused it for good. */
  refuse(doc: ClaimableRecord, error: problems.ApErrorLike): boolean {
    return this.move(doc.id, sending.refused(error));
  }

  /**
   * Nothing reached the access point: not an attempt (`doc` as sent, its attempt counted). Back to
   * the queue; `leaveBatch` sends it under its own key next time.
   */
  notSent(
    doc: ClaimableRecord,
    detail: string,
    technical: string | null,
    leaveBatch = false,
  ): boolean {
    return this.move(doc.id, sending.notSent(doc, detail, technical, leaveBatch));
  }

  /**
   * The access point refused the API key or is failing: nothing is known against this document.
   * Back to the queue, its attempt taken back, same key; sent when the access point works again.
   */
  waitForAccessPoint(
    doc: ClaimableRecord,
    why: { detail: string; technical: string; reachedMaybe: boolean; leaveBatch?: boolean },
  ): boolean {
    const { detail, technical, reachedMaybe, leaveBatch } = why;
    return this.move(
      doc.id,
      sending.waitForAccessPoint(doc, detail, technical, reachedMaybe, leaveBatch),
    );
  }

  /**
   * A failure that may pass: try again in `delayMs` under the same key (see
   * {@link sending.RetryLater}).
   */
  retryLater(doc: ClaimableRecord, retry: sending.RetryLater): boolean {
    return this.move(doc.id, sending.retryLater(doc, retry, this.now()));
  }

  /** The last automatic attempt failed too: the clerk retries once the access point works. */
  giveUp(doc: ClaimableRecord, words: string, technical: string): boolean {
    return this.move(doc.id, sending.gaveUp(doc, words, technical));
  }

  // ---- delivery and the buyer's answer -------------------------------------------------------

  /** Delivered to the buyer's access point (`nextPollAt`: when to ask for the buyer's answer). */
  deliver(doc: DocumentRecord, deliveredAt: number, nextPollAt: number | null): boolean {
    return this.move(doc.id, tracking.delivered(deliveredAt, nextPollAt));
  }

  /** Accepted, then not delivered. */
  failDelivery(doc: DocumentRecord, errorCode: string | null, error: string | null): boolean {
    if (!this.move(doc.id, tracking.deliveryFailed(errorCode, error))) return false;
    this.answerFailed(doc, 'failed');
    return true;
  }

  /**
   * Document `by` (a credit note or corrected invoice) was rejected by the buyer or failed at
   * delivery: the handled invoices it refers to say so on their timelines. One index lookup.
   */
  private answerFailed(by: DocumentRecord, how: 'rejected' | 'failed'): void {
    const targets = this.deps.repo.refs.referredHandled(by.id);
    for (const t of targets)
      this.note(t.id, { state: t.state, detail: answerFailedWords(by, how) });
    if (targets.length > 0) this.changed(targets.map((t) => t.id));
  }

  /**
   * A buyer's business response: the document moves to that response's state (with the buyer's
   * note, and a problem for a rejection or a query); a final answer ends the polling, otherwise
   * the next poll is at `nextPollAt`. A code Peppol Desk does not know is kept and said, without
   * a state of its own.
   */
  recordResponse(
    doc: DocumentRecord,
    from: DocumentState,
    response: { code: string; note: string | null; at: number },
    nextPollAt: number | null,
  ): boolean {
    const r = tracking.response(from, response, nextPollAt, doc.doc_type);
    if ('step' in r) {
      if (!this.move(doc.id, r.step)) return false;
      if (r.step.to === 'rejected') {
        this.answeredEarlier(doc);
        this.answerFailed(doc, 'rejected');
      }
      return true;
    }
    this.note(doc.id, r.note);
    this.changed([doc.id]);
    return true;
  }

  /**
   * The buyer rejected invoice `doc`, but a credit note (or corrected invoice) naming it went out
   * before the rejection came: it is dealt with already, so it leaves Needs attention at once.
   */
  private answeredEarlier(doc: DocumentRecord): void {
    const { seller_id: seller, invoice_number: number, receiver_id: buyer } = doc;
    if (doc.doc_type !== 'Invoice' || !seller || !number || !buyer) return;
    const by = this.deps.repo.refs.sentEarlierFor(seller, number, buyer, doc.id);
    if (by === null) return;
    const rejected = { ...doc, state: 'rejected' as const, business_response: 'RE' };
    const step = clerk.markHandled(rejected, true, answeredByWords(by, true));
    if (step && this.move(doc.id, step)) {
      this.note(by.id, {
        state: this.deps.repo.get(by.id)!.state,
        detail: answersWords(doc, 'rejected'),
      });
      this.changed([by.id]);
    }
  }

  /**
   * Accepted, but delivery unconfirmed after `timeoutMs`: stop asking (bounded) and say so; the
   * document stays accepted. `lastStatus`: what the access point said last, if anything.
   */
  stopTracking(doc: DocumentRecord, timeoutMs: number, lastStatus: string | null): void {
    this.stopAsking(doc, tracking.stoppedTracking(doc.transaction_id, timeoutMs, lastStatus));
  }

  /** The access point does not know the transaction of the accepted `doc`: stop asking, say so. */
  transactionUnknown(doc: DocumentRecord): void {
    const where = doc.environment === 'sandbox' ? 'sandbox' : 'provider';
    this.stopAsking(doc, tracking.transactionUnknown(doc.transaction_id, where));
  }

  /**
   * Delivered or answered, and the access point no longer knows the transaction: the buyer's
   * answer is no longer asked for (the document keeps its state; the timeline says why).
   */
  responsesForgotten(doc: DocumentRecord): void {
    this.stopAsking(doc, tracking.responsesForgotten(doc.state, doc.transaction_id));
  }

  /** `doc` is no longer asked about: `note` (its problem, if any, and timeline) says why. */
  private stopAsking(doc: DocumentRecord, note: Note): void {
    this.deps.repo.tx(() => this.note(doc.id, note));
    this.changed([doc.id]);
  }

  // ---- recovery ------------------------------------------------------------------------------

  /**
   * Start-up: work a stopped engine had in flight goes back one step. A send cut off mid-flight
   * may have been accepted: it goes again under the same key (`send_outcome_unknown`).
   */
  recoverInterrupted(
    doc: DocumentRecord,
    from: 'validating' | 'resolving' | 'sending',
    to: 'received' | 'ready' | 'queued',
  ): boolean {
    return this.move(doc.id, sending.interrupted(from, to));
  }

  /** A `sending` document with no request in flight here (its answer was not recorded). */
  recoverUnrecorded(id: number): boolean {
    return this.move(id, sending.unrecorded());
  }

  // ---- the access point in use ---------------------------------------------------------------

  /**
   * The access point changed while this document's last attempt may have reached the previous
   * one (`where`, at `previousUrl`): held for the clerk to check there first.
   */
  holdUnconfirmed(doc: DocumentRecord, where: string, previousUrl: string): boolean {
    return this.move(doc.id, sending.heldUnconfirmed(doc, where, previousUrl));
  }

  /** Waiting to be sent, but pinned to an access point no longer in use: held until rerouted. */
  holdForAccessPoint(doc: DocumentRecord, now?: { accessPoint: string; environment: Environment }) {
    return this.move(doc.id, sending.heldForAccessPoint(doc, now));
  }

  /** Pinned to a provider URL that led to no access point, now corrected: on (clerk.movedOn). */
  moveOn(doc: DocumentRecord, to: clerk.RerouteTo): void {
    const s = clerk.movedOn(doc, to);
    if ('to' in s) return void this.move(doc.id, s);
    this.note(doc.id, s);
    this.changed([doc.id]);
  }

  /** Held for the access point it was queued for, which is in use again: on its way again. */
  backOnItsWay(doc: DocumentRecord): boolean {
    return this.move(doc.id, sending.backOnItsWay(doc));
  }

  // ---- the clerk's decisions -----------------------------------------------------------------

  /**
   * Retry (`r` as read): a failed or waiting document goes back to the queue under the same key
   * (an earlier attempt that reached the provider replays), a failed delivery or a refusal for
   * good under `newKey()` (the old key would only replay that failed transaction or refusal), an
   * unreachable one to a new lookup, an invalid one to a new check; `moved` false for any other
   * state. `heldBecause`: held instead, another version of its number live (`real`: not practice).
   */
  retry(
    r: DocumentRecord,
    newKey: () => string,
    real = true,
  ): { moved: boolean; heldBecause?: string } {
    const step = clerk.retry(r, newKey);
    if (step === null) return { moved: false };
    // Another version of its number went on meanwhile (walk 14: a correction held beside this one
    // was sent anyway, then this one retried: the buyer got both): held as the check holds one,
    // unless sent anyway already. (To a new check, `received`, the check does this itself.)
    const { seller_id: seller, invoice_number: number, doc_type: type } = r;
    const goesOn = step.to === 'queued' || step.to === 'ready' ? step.to : null;
    if (goesOn && !r.send_anyway && seller && number && type) {
      const dup = this.deps.repo.findBusinessDuplicate(r.id, seller, number, type, real);
      if (dup !== null) {
        const held = clerk.retriedDuplicate(goesOn, dup, number, type, this.wentOut(dup));
        return this.moveThrough(r.id, [step, held])
          ? { moved: false, heldBecause: held.patch!.problem_message! }
          : { moved: false };
      }
    }
    return { moved: this.move(r.id, step) };
  }

  /** Cancel `r` (the caller refuses what may have reached the access point): what Undo needs. */
  cancel(r: DocumentRecord): clerk.CancelledDoc | null {
    return this.move(r.id, clerk.cancelled(r)) ? clerk.cancelledDoc(r) : null;
  }

  /** See clerk.practiceRetired. */
  retirePractice(r: DocumentRecord, realId: number): boolean {
    return this.move(r.id, clerk.practiceRetired(r, realId));
  }

  /** Undo a cancel: back where it was (a step in flight starts again). `who`: for the timeline. */
  undoCancel(c: clerk.CancelledDoc, who: string): boolean {
    return this.move(c.id, clerk.cancelUndone(c, who));
  }

  /**
   * Send anyway a held document (`r` as read; not one held for another access point: {@link
   * reroute}). A duplicate whose checks also disagree stays held for that second question (the
   * result carries its problem's words). `who`: for the timeline.
   */
  sendAnyway(r: DocumentRecord, who: string): { released: boolean; stillHeld?: string } {
    if (r.state !== 'held') return { released: false };
    const d = clerk.sendAnyway(r, who);
    if ('step' in d) return { released: this.move(r.id, d.step) };
    this.note(r.id, d.note);
    this.changed([r.id]);
    return { released: false, stillHeld: d.stillHeld };
  }

  /** A rejection or query the clerk dealt with (`on`), or back to it (see clerk.markHandled). */
  markHandled(r: DocumentRecord, on: boolean, who: string): boolean {
    const step = clerk.markHandled(r, on, handledWords(on, who));
    return step !== null && this.move(r.id, step);
  }

  /**
   * The explicit step: a document queued for another access point is pinned to `accessPoint` and
   * goes on from where it was (checked again if it never was, its receiver looked up there).
   */
  reroute(r: DocumentRecord, to: clerk.RerouteTo): boolean {
    return this.move(r.id, clerk.rerouted(r, to));
  }
}
