import {
  accessPointLabel,
  BUSINESS_RESPONSE_STATES,
  RESPONSE_STATES,
  type DocumentProblem,
  type DocumentState,
  type DocumentValidation,
  type Environment,
  type Finding,
} from '../contract';
import * as problems from '../domain/problems';
import { isFinalResponse, mayHaveReachedAccessPoint } from '../domain/states';
import type { DocumentPatch, DocumentRecord, DocumentsRepo } from '../store/documents-repo';

/** The stages a move may give work to (the pipeline looks for work when woken). */
export type Stage = 'validate' | 'resolve' | 'send' | 'track';

/** What the lifecycle needs: the repository, the clock and whom to tell. */
export interface LifecycleDeps {
  repo: DocumentsRepo;
  now?: () => number;
  /** Called with the ids of documents whose state changed (the engine coalesces them). */
  onChanged(ids: number[]): void;
  /** A move gave `stage` work: look for it soon (cheap and coalesced: a flag and a setImmediate). */
  wake(stage: Stage): void;
}

/** Which stage a state gives work to. */
const WAKES: Partial<Record<DocumentState, Stage>> = {
  received: 'validate',
  ready: 'resolve',
  queued: 'send',
  retry_wait: 'send',
  accepted: 'track',
  delivered: 'track',
  // A buyer's answer that is not final: the next one is asked for.
  ...Object.fromEntries(
    RESPONSE_STATES.filter((s) => !isFinalResponse(s)).map((s) => [s, 'track' as const]),
  ),
};

/** The problem columns of a patch (null: no problem). */
function problemPatch(p: DocumentProblem | null): DocumentPatch {
  return {
    problem_code: p?.code ?? null,
    problem_message: p?.message ?? null,
    problem_action: p?.action ?? null,
  };
}
const NO_PROBLEM = problemPatch(null);

/**
 * After a transition out of `sending`: 1 when the attempt's outcome is unknown (it may have been
 * accepted), 0 when the access point answered for this key, undefined when nothing reached it
 * (back to `queued`), which keeps what an earlier attempt left.
 */
function outcomeUnknownAfter(to: DocumentState, patch: DocumentPatch): 0 | 1 | undefined {
  if (to === 'retry_wait') return 1;
  if (to === 'failed') return patch.problem_code === 'ATTEMPTS_EXHAUSTED' ? 1 : 0;
  if (to === 'accepted') return 0;
  return undefined;
}

/** Fatal findings and the verdict's validity, as the moves of a check need them. */
interface OurVerdict {
  valid: boolean;
  findings: readonly Finding[];
}

/** What a cancel changed, so that its Undo puts the document back exactly where it was. */
export interface CancelledDoc {
  id: number;
  from: DocumentState;
  next_attempt_at: number | null;
  problem_code: string | null;
  problem_message: string | null;
  problem_action: DocumentProblem['action'] | null;
}

/**
 * The one place a document's state changes. Each named move builds its transition, its patch
 * and its timeline words (problems from app/domain/problems.ts), then records it through
 * `DocumentsRepo.transition`, tells the engine the document changed and wakes the stage the new
 * state gives work to. Moves never open a transaction of their own unless the step itself is
 * several writes: the caller's transaction (a group commit, a claim) carries them, as before.
 *
 * It also keeps what only this process knows about sends: which `sending` rows have a request in
 * flight here ({@link isClaimed}), and whether a document's last attempt may have reached the
 * access point unanswered (`send_outcome_unknown`, which guards cancel and the duplicate check).
 */
export class Lifecycle {
  private readonly now: () => number;
  /** Documents moved to `sending` by this process and not yet seen leaving it. */
  private readonly claimed = new Set<number>();
  /** Ids of moves made inside {@link collectChanges}, emitted by its caller. */
  private collected: number[] | null = null;

  constructor(private readonly deps: LifecycleDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ---- the mechanics -------------------------------------------------------------------------

  private move(
    id: number,
    from: DocumentState,
    to: DocumentState,
    patch: DocumentPatch = {},
    detail: string | null = null,
    technical: string | null = null,
  ): boolean {
    const unknown = from === 'sending' ? outcomeUnknownAfter(to, patch) : undefined;
    const ok = this.deps.repo.transition(
      id,
      from,
      to,
      unknown === undefined ? patch : { ...patch, send_outcome_unknown: unknown },
      detail,
      technical,
    );
    if (!ok) return false;
    if (to === 'sending') this.claimed.add(id);
    else if (from === 'sending') this.claimed.delete(id);
    this.changed([id]);
    const stage = WAKES[to];
    if (stage !== undefined) this.deps.wake(stage);
    return true;
  }

  /** Tell the engine these documents changed (a move does it itself; see collectChanges). */
  changed(ids: readonly number[]): void {
    if (ids.length === 0) return;
    if (this.collected !== null) this.collected.push(...ids);
    else this.deps.onChanged([...ids]);
  }

  /**
   * Run `fn` holding back the change events of its moves, and return their ids: the send stage's
   * group commit tells the engine only once its commit is on disk.
   */
  collectChanges(fn: () => void): number[] {
    const outer = this.collected;
    const mine: number[] = [];
    this.collected = mine;
    try {
      fn();
    } finally {
      this.collected = outer;
    }
    return mine;
  }

  /** True while a request of this process is out for this `sending` document. */
  isClaimed(id: number): boolean {
    return this.claimed.has(id);
  }

  /** Their requests are over whatever the rows say (a failed group commit): not in flight any more. */
  forgetClaims(ids: readonly number[]): void {
    for (const id of ids) this.claimed.delete(id);
  }

  // ---- validation ----------------------------------------------------------------------------

  /** A received document goes into the check. */
  startCheck(doc: DocumentRecord): boolean {
    return this.move(doc.id, 'received', 'validating');
  }

  /** The file could not be read as an invoice at all. */
  failIntake(doc: DocumentRecord, error: { code: string; message: string }): boolean {
    return this.move(
      doc.id,
      'validating',
      'invalid',
      problemPatch(problems.intakeFailed(error)),
      error.message,
    );
  }

  /** Our check found fatal errors (`fields`: the summary columns). */
  markInvalid(doc: DocumentRecord, fields: DocumentPatch, verdict: OurVerdict): boolean {
    const fatal = verdict.findings.filter((f) => f.flag === 'fatal');
    return this.move(
      doc.id,
      'validating',
      'invalid',
      { ...fields, ...problemPatch(problems.validationFailed(fatal)) },
      `${fatal.length === 1 ? 'One problem' : `${fatal.length} problems`} found by the check`,
      `${fatal.length} fatal rule(s): ${fatal.map((f) => f.rule).join(', ')}`,
    );
  }

  /** Valid, but without a buyer Peppol ID it cannot be sent. */
  markNoReceiver(doc: DocumentRecord, fields: DocumentPatch): boolean {
    return this.move(
      doc.id,
      'validating',
      'invalid',
      { ...fields, ...problemPatch(problems.noReceiver()) },
      'No buyer Peppol ID on the invoice',
    );
  }

  /** The same bytes came before under another name (`twin`). */
  holdSameContent(
    doc: DocumentRecord,
    fields: DocumentPatch,
    twin: DocumentRecord,
    docType: string | null,
  ): boolean {
    return this.move(
      doc.id,
      'validating',
      'held',
      {
        ...fields,
        duplicate_of: twin.id,
        ...problemPatch(problems.duplicateContent(twin, docType)),
      },
      `Same content as #${twin.id} (${twin.file_name})`,
    );
  }

  /** The same seller, number and type came before (document `dupId`) with other content. */
  holdDuplicate(
    doc: DocumentRecord,
    fields: DocumentPatch,
    dupId: number,
    invoiceNumber: string,
    docType: string | null,
  ): boolean {
    return this.move(
      doc.id,
      'validating',
      'held',
      {
        ...fields,
        duplicate_of: dupId,
        ...problemPatch(problems.duplicateNumber(dupId, invoiceNumber, docType)),
      },
      `Possible duplicate of #${dupId}`,
    );
  }

  /** Our check and the access point's disagree: the clerk decides. */
  holdDisagreement(
    doc: DocumentRecord,
    fields: DocumentPatch,
    docType: string | null,
    ours: OurVerdict,
    remote: { errors: readonly { rule: string; message: string }[] },
  ): boolean {
    return this.move(
      doc.id,
      'validating',
      'held',
      { ...fields, ...problemPatch(problems.checksDisagree(docType, ours, remote)) },
      ours.valid
        ? `The access point's check rejects it (${problems.remoteRules(remote)}); our check found no error`
        : `Our check found ${problems.fatalRules(ours)}; the access point's check accepts it`,
    );
  }

  /** Checked and fine: on to the lookup of the buyer. */
  markValid(doc: DocumentRecord, fields: DocumentPatch): boolean {
    return this.move(doc.id, 'validating', 'ready', { ...fields, ...NO_PROBLEM });
  }

  /**
   * A fix supersedes its failures (`old`): they leave Needs attention, and both timelines name
   * each other. Returns the documents replaced.
   */
  supersede(doc: DocumentRecord, old: readonly DocumentRecord[]): DocumentRecord[] {
    const replaced = old.filter((o) =>
      this.move(
        o.id,
        o.state,
        'superseded',
        { next_attempt_at: null, ...NO_PROBLEM },
        `Replaced by the corrected file ${doc.file_name} (document #${doc.id})`,
      ),
    );
    for (const o of replaced) {
      this.deps.repo.appendEvent(
        doc.id,
        'ready',
        `Replaces ${o.file_name} (document #${o.id}), which ${o.state === 'invalid' ? 'needed fixing' : o.state === 'rejected' ? 'the buyer rejected' : 'could not be sent'}`,
      );
    }
    return replaced;
  }

  // ---- the receiver --------------------------------------------------------------------------

  /** A ready document's buyer is looked up. */
  startLookup(doc: DocumentRecord): boolean {
    return this.move(doc.id, 'ready', 'resolving');
  }

  /** The buyer accepts the document: to the send queue. */
  queueForSend(doc: DocumentRecord, receiverName: string | null | undefined): boolean {
    return this.move(
      doc.id,
      'resolving',
      'queued',
      {},
      `Receiver found${receiverName ? `: ${receiverName}` : ''}`,
    );
  }

  /**
   * The lookup could not be made (offline, provider error, unreadable answer): queued anyway; the
   * access point does its own lookup. `why`: what went wrong, if anybody said.
   */
  queueUnchecked(doc: DocumentRecord, why: string): boolean {
    return this.move(
      doc.id,
      'resolving',
      'queued',
      {},
      'The buyer could not be checked on the Peppol network now; sending (the access point checks the buyer itself)',
      `Receiver lookup unavailable${why ? ` (${why})` : ''}`,
    );
  }

  /** The buyer is not on Peppol. */
  markUnreachable(doc: DocumentRecord): boolean {
    return this.move(
      doc.id,
      'resolving',
      'unreachable',
      problemPatch(problems.receiverNotOnPeppol(doc.receiver_id)),
      'Receiver not found',
    );
  }

  /** The buyer is on Peppol but does not take this document. */
  holdNotAccepted(doc: DocumentRecord): boolean {
    return this.move(
      doc.id,
      'resolving',
      'held',
      problemPatch(problems.receiverDoesNotAccept(doc.receiver_id, doc.doc_type)),
      'Receiver does not accept this document type',
    );
  }

  /** The lookup itself went wrong (`detail`: what was thrown): held for the clerk. */
  holdUnresolved(doc: DocumentRecord, detail: string): boolean {
    return this.move(
      doc.id,
      'resolving',
      'held',
      problemPatch(problems.lookupFailed(doc.receiver_id)),
      'The check of the buyer on the Peppol network went wrong',
      `Receiver lookup failed: ${detail}`,
    );
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * A queued or due document is claimed for an attempt (fsynced before any byte leaves).
   * `batch`: the key and size of the batch it travels in, or null for a single send.
   */
  claimForSend(doc: DocumentRecord, batch: { key: string; size: number } | null): boolean {
    return this.move(
      doc.id,
      doc.state,
      'sending',
      { attempts: doc.attempts + 1, next_attempt_at: null, batch_key: batch?.key ?? null },
      batch
        ? `Attempt ${doc.attempts + 1} (batch of ${batch.size})`
        : `Attempt ${doc.attempts + 1}`,
    );
  }

  /**
   * A claimed document did not leave: back to `queued`, its attempt taken back (`doc` as read
   * before the claim). `detail` says why, when the clerk should read it.
   */
  unclaim(doc: DocumentRecord, detail: string | null = null): boolean {
    return this.move(doc.id, 'sending', 'queued', { attempts: doc.attempts }, detail);
  }

  /** The access point accepted it; delivery is asked about `firstPollAfterMs` later (null: not tracked). */
  accept(doc: DocumentRecord, transactionId: string, firstPollAfterMs: number | null): boolean {
    const now = this.now();
    return this.move(
      doc.id,
      'sending',
      'accepted',
      {
        transaction_id: transactionId,
        accepted_at: now,
        batch_key: null,
        ...NO_PROBLEM,
        next_poll_at: firstPollAfterMs === null ? null : now + firstPollAfterMs,
      },
      'Accepted by the access point',
      `Transaction id: ${transactionId}`,
    );
  }

  /** The access point refused it for good. */
  refuse(doc: DocumentRecord, error: problems.ApErrorLike): boolean {
    const problem = problems.problemFromApError(error);
    return this.move(
      doc.id,
      'sending',
      'failed',
      { batch_key: null, ...problemPatch(problem) },
      problems.refusalWords(problem),
      problems.apErrorTechnical(error),
    );
  }

  /**
   * Nothing reached the access point: not an attempt (`doc` as sent, its attempt counted). Back to
   * the queue; `leaveBatch` sends it under its own key next time.
   */
  notSent(
    doc: DocumentRecord,
    detail: string,
    technical: string | null,
    leaveBatch = false,
  ): boolean {
    return this.move(
      doc.id,
      'sending',
      'queued',
      { ...(leaveBatch ? { batch_key: null } : {}), attempts: doc.attempts - 1 },
      detail,
      technical,
    );
  }

  /**
   * A failure that may pass: try again in `delayMs` under the same key. `words` in a clerk's words
   * ({@link problems.transientWords}), `technical` the raw status and text; `leaveBatch` sends it
   * under its own key next time.
   */
  retryLater(
    doc: DocumentRecord,
    retry: { words: string; technical: string; delayMs: number; leaveBatch?: boolean },
  ): boolean {
    const { words, technical, delayMs } = retry;
    return this.move(
      doc.id,
      'sending',
      'retry_wait',
      {
        ...(retry.leaveBatch ? { batch_key: null } : {}),
        next_attempt_at: this.now() + delayMs,
        ...problemPatch(problems.transient(words)),
      },
      `${words}; next try in ${Math.round(delayMs / 100) / 10} s`,
      technical,
    );
  }

  /** The last automatic attempt failed too: the clerk retries once the access point works. */
  giveUp(doc: DocumentRecord, words: string, technical: string): boolean {
    return this.move(
      doc.id,
      'sending',
      'failed',
      { batch_key: null, ...problemPatch(problems.attemptsExhausted(doc.attempts, words)) },
      `${words}; no automatic attempts left`,
      technical,
    );
  }

  // ---- delivery and the buyer's answer -------------------------------------------------------

  /** Delivered to the buyer's access point (`nextPollAt`: when to ask for the buyer's answer). */
  deliver(doc: DocumentRecord, deliveredAt: number, nextPollAt: number | null): boolean {
    return this.move(
      doc.id,
      'accepted',
      'delivered',
      { delivered_at: deliveredAt, next_poll_at: nextPollAt },
      "Delivered to the buyer's access point",
    );
  }

  /** Accepted, then not delivered. */
  failDelivery(doc: DocumentRecord, errorCode: string | null, error: string | null): boolean {
    return this.move(
      doc.id,
      'accepted',
      'failed',
      { next_poll_at: null, ...problemPatch(problems.deliveryFailed(errorCode, error)) },
      problems.deliveryFailedWords(errorCode, error),
      `Delivery failed: ${errorCode ? `${errorCode}: ` : ''}${error ?? 'no reason given'}`,
    );
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
    const { code, note, at } = response;
    if (!problems.isBusinessResponseCode(code)) {
      this.deps.repo.patch(doc.id, {
        business_response: code,
        business_response_note: note,
        business_response_at: at,
        next_poll_at: null,
      });
      this.deps.repo.appendEvent(
        doc.id,
        from,
        `The buyer sent an answer Peppol Desk does not know${note ? `: "${note}"` : ''}`,
        `Business response code "${code}"`,
      );
      this.changed([doc.id]);
      return true;
    }
    const to = BUSINESS_RESPONSE_STATES[code];
    return this.move(
      doc.id,
      from,
      to,
      {
        business_response: code,
        business_response_note: note,
        business_response_at: at,
        next_poll_at: isFinalResponse(to) ? null : nextPollAt,
        ...problemPatch(problems.buyerResponseProblem(code, note)),
      },
      `${problems.RESPONSE_WORDS[code]}${note ? `: ${note}` : ''}`,
      `Business response ${code}`,
    );
  }

  /**
   * Accepted, but delivery unconfirmed after `timeoutMs`: stop asking (bounded) and say so; the
   * document stays accepted. `lastStatus`: what the access point said last, if anything.
   */
  stopTracking(doc: DocumentRecord, timeoutMs: number, lastStatus: string | null): void {
    const span = problems.unconfirmedSpan(timeoutMs);
    const { repo } = this.deps;
    repo.tx(() => {
      repo.patch(doc.id, {
        next_poll_at: null,
        ...problemPatch(problems.deliveryUnconfirmed(span, doc.transaction_id)),
      });
      repo.appendEvent(
        doc.id,
        'accepted',
        `Delivery not confirmed after ${span}; stopped asking`,
        `Last status: ${lastStatus ?? 'unknown'} (transaction ${doc.transaction_id ?? '?'})`,
      );
    });
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
    const patch = from === 'sending' ? { send_outcome_unknown: 1 } : {};
    return this.move(doc.id, from, to, patch, 'Resumed after the app was stopped');
  }

  /** A `sending` document with no request in flight here (its answer was not recorded). */
  recoverUnrecorded(id: number): boolean {
    return this.move(
      id,
      'sending',
      'queued',
      { send_outcome_unknown: 1 },
      'The answer of the last attempt was not recorded; sending again with the same key',
    );
  }

  // ---- the access point in use ---------------------------------------------------------------

  /**
   * The access point changed while this document's last attempt may have reached the previous
   * one (`where`, at `previousUrl`): held for the clerk to check there first.
   */
  holdUnconfirmed(doc: DocumentRecord, where: string, previousUrl: string): boolean {
    return this.move(
      doc.id,
      doc.state,
      'held',
      {
        next_attempt_at: null,
        batch_key: null,
        ...problemPatch(problems.accessPointChangedUnconfirmed(where)),
      },
      `Held: the access point changed (was ${previousUrl})`,
    );
  }

  /** Waiting to be sent, but pinned to an access point no longer in use: held until rerouted. */
  holdForAccessPoint(doc: DocumentRecord): boolean {
    const where = accessPointLabel(doc.access_point, doc.environment);
    return this.move(
      doc.id,
      doc.state,
      'held',
      {
        next_attempt_at: null,
        batch_key: null,
        ...problemPatch(problems.queuedForOtherAccessPoint(where, mayHaveReachedAccessPoint(doc))),
      },
      `Waiting: queued for ${where}, which is no longer in use`,
    );
  }

  // ---- the clerk's decisions -----------------------------------------------------------------

  /**
   * Retry (`r` as read): a failed or waiting document goes back to the queue under the same key
   * (an earlier attempt that reached the provider replays), a failed delivery under `newKey()`
   * (the old key would only replay that failed transaction), an unreachable one to a new lookup,
   * an invalid one to a new check. False for any other state.
   */
  retry(r: DocumentRecord, newKey: () => string): boolean {
    const patch: DocumentPatch = { attempts: 0, next_attempt_at: null, ...NO_PROBLEM };
    if (r.state === 'failed' && r.problem_code === 'DELIVERY_FAILED') {
      return this.move(
        r.id,
        r.state,
        'queued',
        {
          ...patch,
          idempotency_key: newKey(),
          transaction_id: null,
          accepted_at: null,
          delivered_at: null,
          next_poll_at: null,
          business_response: null,
          business_response_note: null,
          business_response_at: null,
          send_outcome_unknown: 0,
          batch_key: null,
        },
        // The clerk reads the timeline: no idempotency key there (it stays on the row).
        `Retry requested after the delivery failed (transaction ${r.transaction_id ?? '?'}): sent again as a new submission`,
      );
    }
    if (r.state === 'failed' || r.state === 'retry_wait')
      return this.move(r.id, r.state, 'queued', patch, 'Retry requested');
    if (r.state === 'unreachable')
      return this.move(r.id, r.state, 'ready', patch, 'Retry requested (new lookup)');
    if (r.state === 'invalid')
      return this.move(r.id, r.state, 'received', patch, 'Check again requested');
    return false;
  }

  /**
   * Cancel (`r` as read; the caller refuses what may have reached the access point). Returns what
   * an Undo needs, or null when the document had moved on.
   */
  cancel(r: DocumentRecord): CancelledDoc | null {
    const ok = this.move(
      r.id,
      r.state,
      'cancelled',
      { next_attempt_at: null, ...NO_PROBLEM },
      'Cancelled by the user',
    );
    if (!ok) return null;
    return {
      id: r.id,
      from: r.state,
      next_attempt_at: r.next_attempt_at,
      problem_code: r.problem_code,
      problem_message: r.problem_message,
      problem_action: r.problem_action,
    };
  }

  /** Undo a cancel: back where it was (a step in flight starts again). `who`: for the timeline. */
  undoCancel(c: CancelledDoc, who: string): boolean {
    const to: DocumentState =
      c.from === 'validating' ? 'received' : c.from === 'resolving' ? 'ready' : c.from;
    return this.move(
      c.id,
      'cancelled',
      to,
      {
        next_attempt_at: c.next_attempt_at,
        problem_code: c.problem_code,
        problem_message: c.problem_message,
        problem_action: c.problem_action,
      },
      `Cancel undone by ${who}`,
    );
  }

  /**
   * Send anyway a held document (`r` as read; not one held for another access point: see
   * {@link reroute}). A duplicate whose checks also disagree stays held for that second question:
   * the result then carries its problem's words. `who`: for the timeline.
   */
  sendAnyway(r: DocumentRecord, who: string): { released: boolean; stillHeld?: string } {
    if (r.state !== 'held') return { released: false };
    const duplicate = r.problem_code === 'DUPLICATE' || r.problem_code === 'DUPLICATE_CONTENT';
    const checks = validationOf(r.validation_json);
    if (duplicate && checks?.checksDisagree) {
      const problem = problems.checksStillDisagree(checks, r.doc_type);
      this.deps.repo.patch(r.id, problemPatch(problem));
      this.deps.repo.appendEvent(
        r.id,
        'held',
        `Send anyway as a possible duplicate, decided by ${who}; still held: our check and the access point's disagree`,
      );
      this.changed([r.id]);
      return { released: false, stillHeld: problem.message };
    }
    const target =
      duplicate ||
      r.problem_code === problems.ACCESS_POINT_CHANGED ||
      r.problem_code === problems.CHECKS_DISAGREE
        ? 'ready' // looked up again (at the access point now in use)
        : 'queued';
    const detail =
      r.problem_code === problems.CHECKS_DISAGREE && checks
        ? problems.sentAlthoughWords(checks, who)
        : `Send anyway, decided by ${who}`;
    return {
      released: this.move(r.id, 'held', target, { send_anyway: 1, ...NO_PROBLEM }, detail),
    };
  }

  /**
   * The explicit step: a document queued for another access point is pinned to `accessPoint`
   * and goes on from where it was (checked again if it never was, its receiver looked up there).
   */
  reroute(r: DocumentRecord, accessPoint: string, environment: Environment): boolean {
    const to = accessPointLabel(accessPoint, environment);
    return this.move(
      r.id,
      'held',
      r.summary_json ? 'ready' : 'received',
      { send_anyway: 1, access_point: accessPoint, environment, ...NO_PROBLEM },
      `Sent through ${to}, decided by the user (was queued for ${accessPointLabel(r.access_point, r.environment)})`,
    );
  }
}

function validationOf(json: string | null): DocumentValidation | null {
  return json ? (JSON.parse(json) as DocumentValidation) : null;
}
