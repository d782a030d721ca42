import { accessPointLabel, type Environment } from '../../contract';
import * as problems from '../../domain/problems';
import {
  accessPointChangedUnconfirmed,
  inDoubtHeld,
  queuedForOtherAccessPoint,
} from '../../domain/in-doubt';
import { refusedTo } from '../../domain/retry-policy';
import { mayHaveReachedAccessPoint } from '../../domain/states';
import type { ClaimableRecord, DocumentRecord } from '../../store/documents-repo';
import { NO_PROBLEM, problemPatch, type Step } from './steps';

// The steps of an attempt, of start-up recovery and of a change of access point, as plain data
// (recorded by ./index.ts). `doc` is the row as read before the step, or as sent (its attempt
// counted) for the outcomes.

/**
 * Claimed for an attempt; `batch`: the key and size of its batch, or null for a single send. An
 * attempt that may leave it in doubt starts under API key `keyId` at `now` (kept while in doubt).
 */
export function claim(
  doc: ClaimableRecord,
  batch: { key: string; size: number } | null,
  keyId: string | null,
  now: number,
): Step {
  const fresh = keyId !== null && !mayHaveReachedAccessPoint(doc);
  return {
    from: doc.state,
    to: 'sending',
    patch: {
      attempts: doc.attempts + 1,
      next_attempt_at: null,
      batch_key: batch?.key ?? null,
      ...(fresh ? { doubt_key: keyId, doubt_at: now } : {}),
    },
    detail: batch
      ? `Attempt ${doc.attempts + 1} (batch of ${batch.size})`
      : `Attempt ${doc.attempts + 1}`,
  };
}

/**
 * The access point keeps an idempotency key for 24 hours and per API key; a repeat within both is
 * answered with the first result. Past this (an hour's margin), a repeat may be a new submission.
 */
export const DOUBT_WINDOW_MS = 23 * 3600_000;

/**
 * Why a document in doubt may not simply go again (same idempotency key): its attempt was made
 * under another API key (`'key'`), or too long ago (`'old'`); null when it may (or is not in
 * doubt, or its row predates the check).
 */
export function doubtStale(doc: ClaimableRecord, keyId: string, now: number): 'key' | 'old' | null {
  if (!mayHaveReachedAccessPoint(doc) || doc.doubt_key === null || doc.doubt_at === null)
    return null;
  if (doc.doubt_key !== keyId) return 'key';
  return now - doc.doubt_at > DOUBT_WINDOW_MS ? 'old' : null;
}

/** Held instead of being sent again: see {@link doubtStale}. */
export function heldInDoubt(doc: ClaimableRecord, why: 'key' | 'old'): Step {
  return {
    from: doc.state,
    to: 'held',
    patch: {
      next_attempt_at: null,
      batch_key: null,
      ...problemPatch(inDoubtHeld(why, doc.doc_type)),
    },
    detail:
      why === 'key'
        ? 'Held: the API key changed after an attempt that may have reached the access point'
        : 'Held: its last attempt, more than 23 hours ago, may have reached the access point',
  };
}

/**
 * A claim taken back (`doc` as read before the claim): its attempt, and the batch it was in
 * before (a batch key left by a claim that never left would read as "may have reached it").
 */
export function unclaim(doc: ClaimableRecord, detail: string | null): Step {
  return {
    from: 'sending',
    to: 'queued',
    patch: { attempts: doc.attempts, batch_key: doc.batch_key },
    detail,
  };
}

/**
 * Accepted at `now`, by an access point that names itself `said` (test or production; null: no
 * name, or the built-in Sandbox); delivery asked about `firstPollAfterMs` later (null: not tracked).
 */
export function accepted(
  transactionId: string,
  firstPollAfterMs: number | null,
  now: number,
  said: 'test' | 'production' | null = null,
): Step {
  return {
    from: 'sending',
    to: 'accepted',
    patch: {
      transaction_id: transactionId,
      accepted_at: now,
      said_environment: said,
      batch_key: null,
      ...NO_PROBLEM,
      next_poll_at: firstPollAfterMs === null ? null : now + firstPollAfterMs,
    },
    detail: 'Accepted by the access point',
    technical: `Transaction id: ${transactionId}`,
  };
}

/**
 * Refused for good. Refused because the buyer is not on Peppol (a 404: its lookup said it was, or
 * could not be asked): "Receiver not on Peppol", as when the lookup says so (walk 8), its Retry a
 * new lookup and then a new submission (clerk.retry: the key would replay the refusal).
 */
export function refused(error: problems.ApErrorLike): Step {
  const problem = problems.problemFromApError(error);
  return {
    from: 'sending',
    to: refusedTo(error.status),
    patch: { batch_key: null, ...problemPatch(problem) },
    detail: problems.refusalWords(problem),
    technical: problems.apErrorTechnical(error),
  };
}

/** Nothing reached the access point: back to the queue, the attempt not counted. */
export function notSent(
  doc: ClaimableRecord,
  detail: string,
  technical: string | null,
  leaveBatch: boolean,
): Step {
  return {
    from: 'sending',
    to: 'queued',
    patch: { ...(leaveBatch ? { batch_key: null } : {}), attempts: doc.attempts - 1 },
    detail,
    technical,
  };
}

/**
 * The access point refused the key (401/403) or is failing (5xx, timeouts, see
 * app/access-point/reachability.ts): says nothing of this document, so back to the queue with
 * its attempt taken back, under the same key (and batch key). `reachedMaybe`: the request may
 * have been accepted (a 5xx, a timeout), so its outcome is unknown until it is answered.
 * `leaveBatch`: nothing of its batch was taken, now or before, so it need not go again in the
 * same batch (kept, the batch key read as "may have reached it": no Cancel, and held as in
 * doubt once another key is entered).
 */
export function waitForAccessPoint(
  doc: ClaimableRecord,
  detail: string,
  technical: string,
  reachedMaybe: boolean,
  leaveBatch = false,
): Step {
  return {
    from: 'sending',
    to: 'queued',
    patch: {
      attempts: doc.attempts - 1,
      ...(reachedMaybe ? { send_outcome_unknown: 1 } : {}),
      ...(leaveBatch ? { batch_key: null } : {}),
    },
    detail,
    technical,
  };
}

/** Why and when a send is tried again (see {@link retryLater}). */
export interface RetryLater {
  /** In a clerk's words ({@link problems.transientWords}). */
  words: string;
  /** The raw status and text. */
  technical: string;
  delayMs: number;
  /** Sent under its own key next time (it leaves its batch). */
  leaveBatch?: boolean;
  /**
   * The access point said it did not process the request (429): it may still be cancelled
   * unless an earlier attempt may have reached it, and the attempt is taken back (it says
   * nothing of the document, so it never uses up its tries).
   */
  notProcessed?: boolean;
  /**
   * The answer says nothing of the document (a 503: the access point cannot serve now), so the
   * attempt is taken back as for a 429, but the request may have gone through (a gateway may
   * answer 503 after it did): its outcome stays unknown, it is not cancelled.
   */
  uncounted?: boolean;
}

/** A failure that may pass: `doc` tried again `delayMs` after `now`, under the same key. */
export function retryLater(doc: ClaimableRecord, retry: RetryLater, now: number): Step {
  const { words, technical, delayMs } = retry;
  return {
    from: 'sending',
    to: 'retry_wait',
    notProcessed: retry.notProcessed === true,
    patch: {
      ...(retry.leaveBatch ? { batch_key: null } : {}),
      ...(retry.notProcessed || retry.uncounted ? { attempts: doc.attempts - 1 } : {}),
      next_attempt_at: now + delayMs,
      ...problemPatch(problems.transient(words)),
    },
    detail: `${words}; next try in ${Math.round(delayMs / 100) / 10} s`,
    technical,
  };
}

/** The last automatic attempt failed too (never after a 429: see {@link retryLater}). */
export function gaveUp(doc: ClaimableRecord, words: string, technical: string): Step {
  return {
    from: 'sending',
    to: 'failed',
    patch: { batch_key: null, ...problemPatch(problems.attemptsExhausted(doc.attempts, words)) },
    detail: `${words}; no automatic attempts left`,
    technical,
  };
}

/** Start-up: a step in flight goes back one; a cut-off send's outcome is unknown. */
export function interrupted(
  from: 'validating' | 'resolving' | 'sending',
  to: 'received' | 'ready' | 'queued',
): Step {
  const patch = from === 'sending' ? { send_outcome_unknown: 1 } : {};
  return { from, to, patch, detail: 'Resumed after the app was stopped' };
}

/** A `sending` document with no request in flight here. */
export function unrecorded(): Step {
  return {
    from: 'sending',
    to: 'queued',
    patch: { send_outcome_unknown: 1 },
    detail: 'The answer of the last attempt was not recorded; sending again with the same key',
  };
}

/** The access point changed (was `previousUrl`) while the last attempt may have reached `where`. */
export function heldUnconfirmed(doc: DocumentRecord, where: string, previousUrl: string): Step {
  return {
    from: doc.state,
    to: 'held',
    patch: {
      next_attempt_at: null,
      batch_key: null,
      ...problemPatch(accessPointChangedUnconfirmed(where, doc.doc_type)),
    },
    detail: `Held: the access point changed (was ${previousUrl})`,
  };
}

/** Held for the access point it was queued for ({@link heldForAccessPoint}), in use again. */
export function backOnItsWay(doc: DocumentRecord): Step {
  const where = accessPointLabel(doc.access_point, doc.environment);
  return {
    from: 'held',
    to: doc.summary_json ? 'ready' : 'received',
    patch: NO_PROBLEM,
    detail: `Back on its way: ${where}, the access point it was queued for, is in use again`,
  };
}

/**
 * Waiting to be sent, pinned to an access point no longer in use (`now`: the one in use, as
 * `access_point` and `environment` are stored).
 */
export function heldForAccessPoint(
  doc: DocumentRecord,
  now?: { accessPoint: string; environment: Environment },
): Step {
  const where = accessPointLabel(doc.access_point, doc.environment, now);
  const sameAddressNow =
    now && now.accessPoint === doc.access_point && now.environment !== doc.environment
      ? accessPointLabel(now.accessPoint, now.environment)
      : undefined;
  return {
    from: doc.state,
    to: 'held',
    patch: {
      next_attempt_at: null,
      batch_key: null,
      ...problemPatch(
        queuedForOtherAccessPoint(
          where,
          mayHaveReachedAccessPoint(doc),
          doc.doc_type,
          sameAddressNow,
        ),
      ),
    },
    detail: sameAddressNow
      ? `Waiting: queued for ${where}; the API key now in use is for another environment`
      : `Waiting: queued for ${where}, which is no longer in use`,
  };
}
