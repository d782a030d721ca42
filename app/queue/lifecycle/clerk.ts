import {
  accessPointLabel,
  type DocumentProblem,
  type DocumentState,
  type DocumentValidation,
  type Environment,
} from '../../contract';
import { retriedDuplicateWords } from '../../domain/duplicate-number';
import * as problems from '../../domain/problems';
import { REFUSED_RETRY_WORDS, refusedForGood } from '../../domain/retry-policy';
import { handledFrom, handledTo } from '../../domain/states';
import type { DocumentPatch, DocumentRecord } from '../../store/documents-repo';
import { NO_PROBLEM, problemPatch, type Note, type Step } from './steps';

// The clerk's decisions as plain data (recorded by ./index.ts): retry, cancel and its undo,
// send anyway, reroute. `r` is the row as read when the clerk decided.

/** What a cancel changed, so that its Undo puts the document back exactly where it was. */
export interface CancelledDoc {
  id: number;
  from: DocumentState;
  next_attempt_at: number | null;
  problem_code: string | null;
  problem_message: string | null;
  problem_action: DocumentProblem['action'] | null;
}

/** The timeline of a cancelled document retried (see {@link retry}). */
export const SEND_AFTER_ALL_WORDS = 'Retry requested after the cancel: checked again, then sent';

/** The step of a retry from `r`'s state, or null when that state has none. */
export function retry(r: DocumentRecord, newKey: () => string): Step | null {
  const patch: DocumentPatch = { attempts: 0, next_attempt_at: null, ...NO_PROBLEM };
  // The buyer is looked up again first (walk 19: a buyer the access point had found not
  // registered was sent to again, and failed again).
  if (r.state === 'failed' && r.problem_code === 'DELIVERY_FAILED') {
    return {
      from: r.state,
      to: 'ready',
      patch: {
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
      detail: `Retry requested after the delivery failed (transaction ${r.transaction_id ?? '?'}): the buyer is looked up again, then it is sent again as a new submission`,
    };
  }
  // Refused for good (an unreachable one: not on Peppol when sent, looked up again first): the
  // access point took nothing under its key and would replay the refusal to it, so a new key.
  if ((r.state === 'failed' || r.state === 'unreachable') && refusedForGood(r.problem_code)) {
    const lookUp = r.state === 'unreachable';
    return {
      from: r.state,
      to: lookUp ? 'ready' : 'queued',
      patch: { ...patch, idempotency_key: newKey(), send_outcome_unknown: 0, batch_key: null },
      detail: lookUp ? `${REFUSED_RETRY_WORDS} (new lookup)` : REFUSED_RETRY_WORDS,
    };
  }
  if (r.state === 'failed' || r.state === 'retry_wait')
    return { from: r.state, to: 'queued', patch, detail: 'Retry requested' };
  // The buyer is on Peppol but did not take this type of document: asked again (the clerk
  // contacted the buyer), it goes on if the buyer takes it now and is held again otherwise.
  if (
    r.state === 'unreachable' ||
    (r.state === 'held' && r.problem_code === 'RECEIVER_DOES_NOT_ACCEPT')
  )
    return { from: r.state, to: 'ready', patch, detail: 'Retry requested (new lookup)' };
  if (r.state === 'invalid')
    return { from: r.state, to: 'received', patch, detail: 'Check again requested' };
  // Cancelled, and the clerk wants it sent after all (walk 18: once the Undo had gone, nothing
  // could send it; dropping its file again said "already known"). A cancel is allowed only while
  // nothing may have reached the access point: it starts again from the check, duplicates
  // included, under its own key.
  if (r.state === 'cancelled')
    return { from: r.state, to: 'received', patch, detail: SEND_AFTER_ALL_WORDS };
  return null;
}

/**
 * A retried document held, from where its retry put it (`from`), because another version of its
 * number (`dupId`; `sent`: it went out) is live: the check's DUPLICATE words and choices.
 */
export function retriedDuplicate(
  from: 'queued' | 'ready',
  dupId: number,
  invoiceNumber: string,
  docType: string,
  sent: boolean,
): Step {
  return {
    from,
    to: 'held',
    patch: {
      duplicate_of: dupId,
      ...problemPatch(problems.duplicateNumber(dupId, invoiceNumber, docType, sent)),
    },
    detail: retriedDuplicateWords(dupId, sent),
  };
}

/**
 * A buyer's rejection or query marked as dealt with (`on`), or back to the answer it came from
 * (null: neither applies), with the timeline's `detail`: the clerk's (handledWords), or the
 * credit note or corrected invoice that went out for it (answeredByWords). The buyer's answer
 * and its words stay on the document.
 */
export function markHandled(r: DocumentRecord, on: boolean, detail: string): Step | null {
  if (!handledFrom(on).includes(r.state)) return null;
  const to = handledTo(on, r.business_response);
  return { from: r.state, to: to.state, patch: { problem_action: to.action }, detail };
}

/** Cancelled by the user. */
export function cancelled(r: DocumentRecord): Step {
  return {
    from: r.state,
    to: 'cancelled',
    patch: { next_attempt_at: null, ...NO_PROBLEM },
    detail: 'Cancelled by the user',
  };
}

/**
 * A practice copy (`r`, never taken by the built-in Sandbox) of a file added again for real as
 * document `realId`: it is not sent (store/practice-copies.ts).
 */
export function practiceRetired(r: DocumentRecord, realId: number): Step {
  return {
    ...cancelled(r),
    detail: `Added again for real as document #${realId}: this practice copy is not sent`,
  };
}

/** What the Undo of cancelling `r` needs. */
export function cancelledDoc(r: DocumentRecord): CancelledDoc {
  return {
    id: r.id,
    from: r.state,
    next_attempt_at: r.next_attempt_at,
    problem_code: r.problem_code,
    problem_message: r.problem_message,
    problem_action: r.problem_action,
  };
}

/** Back where it was before the cancel (a step in flight starts again). */
export function cancelUndone(c: CancelledDoc, who: string): Step {
  const to: DocumentState =
    c.from === 'validating' ? 'received' : c.from === 'resolving' ? 'ready' : c.from;
  return {
    from: 'cancelled',
    to,
    patch: {
      next_attempt_at: c.next_attempt_at,
      problem_code: c.problem_code,
      problem_message: c.problem_message,
      problem_action: c.problem_action,
    },
    detail: `Cancel undone by ${who}`,
  };
}

/**
 * Send anyway the held `r`: the step that releases it, or, for a duplicate whose checks also
 * disagree, the note that keeps it held for that second question and its problem's words; one
 * whose buyer does not take its type of document stays held (the network would refuse it,
 * whoever decides: walk 9, a selection's Send anyway released one its details do not offer it for).
 */
export function sendAnyway(
  r: DocumentRecord,
  who: string,
): { step: Step } | { note: Note; stillHeld: string } {
  if (r.problem_code === 'RECEIVER_DOES_NOT_ACCEPT') {
    return {
      note: {
        state: 'held',
        detail: `Send anyway asked by ${who}; not possible: the buyer's Peppol registration does not accept this type of document`,
      },
      stillHeld: r.problem_message ?? 'The buyer does not accept this type of document.',
    };
  }
  const duplicate = r.problem_code === 'DUPLICATE' || r.problem_code === 'DUPLICATE_CONTENT';
  const checks = validationOf(r.validation_json);
  if (duplicate && checks?.checksDisagree) {
    const problem = problems.checksStillDisagree(checks, r.doc_type);
    return {
      note: {
        state: 'held',
        patch: problemPatch(problem),
        detail: `Send anyway as a possible duplicate, decided by ${who}; still held: our check and the access point's disagree`,
      },
      stillHeld: problem.message,
    };
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
  // Sent anyway after the clerk's check at the access point: no longer held for its doubt.
  const doubt = r.problem_code === problems.ACCESS_POINT_CHANGED ? { doubt_key: null } : {};
  return {
    step: { from: 'held', to: target, patch: { send_anyway: 1, ...doubt, ...NO_PROBLEM }, detail },
  };
}

/**
 * Why documents waiting for a provider URL that led to no access point went on through another
 * one on their own (EngineConnection.takeLedNowhere): their timeline's words after "Moved to …".
 */
export const URL_CORRECTED_WHY = 'once the provider URL was corrected';

/**
 * Where a reroute sends a document, and why when not by the clerk's decision (the timeline's
 * words after "Moved to …": see URL_CORRECTED_WHY).
 */
export interface RerouteTo {
  accessPoint: string;
  environment: Environment;
  why?: string;
}

/** The timeline's words of a move of `r` to `to`: "Moved to …, why (was queued for …)". */
function movedWords(r: DocumentRecord, { accessPoint, environment, why }: RerouteTo): string {
  const was = { accessPoint: r.access_point, environment: r.environment };
  const label = accessPointLabel(accessPoint, environment, was);
  const wasLabel = accessPointLabel(r.access_point, r.environment, { accessPoint, environment });
  // "Moved to", not "Sent through": the buyer is looked up there first, and nothing is sent
  // yet (walk 25: "Sent through …" on an invoice whose buyer then was not on Peppol).
  return `Moved to ${label}, ${why ?? 'decided by the user'} (was queued for ${wasLabel})`;
}

/** Pinned to `to.accessPoint` and on from where it was (checked again if it never was). */
export function rerouted(r: DocumentRecord, to: RerouteTo): Step {
  const { accessPoint, environment } = to;
  return {
    from: 'held',
    to: r.summary_json ? 'ready' : 'received',
    // The clerk's decision after checking: no longer held for a doubt (see sending.doubtStale).
    patch: {
      send_anyway: 1,
      access_point: accessPoint,
      environment,
      doubt_key: null,
      ...NO_PROBLEM,
    },
    detail: movedWords(r, to),
  };
}

/**
 * Waiting (received, ready, queued, retry_wait) for a provider URL that led to no access point,
 * now corrected: on through `to` at once, as {@link rerouted} sends a held one, instead of held
 * first for a decision nobody is asked (walk 25 B5: "Needs your decision" then "Moved to …" in
 * the same second). A queued one is looked up again there (→ ready); one not looked up yet keeps
 * its state, with its new pin and the same words.
 */
export function movedOn(r: DocumentRecord, to: RerouteTo): Step | Note {
  const detail = movedWords(r, to);
  // Not send_anyway, as a reroute sets: nobody decided anything (its checks all still apply).
  const patch = {
    access_point: to.accessPoint,
    environment: to.environment,
    next_attempt_at: null,
    ...NO_PROBLEM,
  };
  if (r.state === 'received' || r.state === 'ready') return { state: r.state, patch, detail };
  return { from: r.state, to: 'ready', patch, detail };
}

function validationOf(json: string | null): DocumentValidation | null {
  return json ? (JSON.parse(json) as DocumentValidation) : null;
}
