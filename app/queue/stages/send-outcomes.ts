import type { ApError, ApOutcome, BatchItemAnswer, SendAnswer } from '../../access-point/client';
import {
  ADDRESS_NOT_FOUND_WAIT_WORDS,
  addressNotFound,
  failingAnswer,
  FORBIDDEN_WAIT_WORDS,
  forbiddenAgain,
  keyRefusalStatus,
  type ReachState,
  SENDS_REFUSED_WAIT_WORDS,
} from '../../access-point/reachability';
import {
  apErrorTechnical,
  KEY_REFUSED_WAIT_WORDS,
  transientWords,
  troubleWaitWords,
} from '../../domain/problems';
import { notCountedAsAttempt, retryDelayMs, type RetryPolicy } from '../../domain/retry-policy';
import { mayHaveReachedAccessPoint } from '../../domain/states';
import type { Metrics } from '../../metrics/metrics';
import type { ClaimableRecord } from '../../store/documents-repo';
import type { Lifecycle } from '../lifecycle';

/** What recording an outcome needs (built once by the send stage). */
export interface OutcomeContext {
  lifecycle: Lifecycle;
  metrics: Metrics;
  random: () => number;
  /** Read at use: the retry policy changes with the setting, the access point's state too. */
  options: {
    readonly retry: RetryPolicy;
    readonly trackDelivery: boolean;
    readonly pollInitialMs: number;
    /** The header's state (see SendStageOptions): in `trouble`, a 5xx counts no attempt. */
    readonly accessPointState?: ReachState;
    /** A send's 403 told, with its invoice's buyer: whether the account may not send (walk 20). */
    noteForbidden?(receiver: string | null, said: string): boolean;
  };
  /** Documents a batch could not carry (batch-level refusal): sent singly from now on. */
  singleOnly: Set<number>;
  /** Documents answered 403 once in this run, waiting for the key (see `forbiddenAgain`). */
  forbiddenOnce: Set<number>;
}

// What an answer of the access point means for each document, as lifecycle moves: `accepted`,
// `failed`, `retry_wait`, or back to `queued` when nothing reached the access point or the answer
// says nothing of the document (the API key refused; a 5xx or a timeout while the access point
// is in trouble): no attempt counted, the same key, sent once the access point works again.

/** Record a single send's outcome (inside the group commit). */
export function recordSingle(
  ctx: OutcomeContext,
  doc: ClaimableRecord,
  outcome: ApOutcome<SendAnswer>,
): void {
  if (outcome.kind === 'ok') {
    accept(ctx, doc, outcome.value.transactionId);
  } else if (outcome.kind === 'permanent') {
    const { status } = outcome.error;
    const refused = status === 403 && forbidden(ctx, [doc], outcome.error.message);
    if (
      addressNotFound(outcome.error) ||
      (keyRefusalStatus(status) && !forbiddenAgain(ctx.forbiddenOnce, doc.id, status, refused))
    )
      waitForKey(ctx, [doc], outcome.error, refused);
    // A 409 for a repeat of an attempt that may have reached it: a document's bytes never change,
    // so the conflict is that attempt, still being processed (a walk: marked Failed, then
    // delivered). Asked again later under the same key, the access point answers its result.
    else if (status === 409 && mayHaveReachedAccessPoint(doc))
      retryLater(ctx, [doc], status, outcome.error.message, null, false);
    else fail(ctx, doc, outcome.error);
  } else if (outcome.offline) {
    ctx.lifecycle.notSent(doc, 'Access point unreachable; waiting', outcome.message);
  } else if (inTrouble(ctx, outcome)) {
    waitOutTrouble(ctx, [doc], outcome.status, outcome.message);
  } else {
    retryLater(ctx, [doc], outcome.status, outcome.message, outcome.retryAfterMs, false);
  }
}

/** Record a batch's outcome for each of its documents (inside the group commit). */
export function recordBatch(
  ctx: OutcomeContext,
  docs: ClaimableRecord[],
  outcome: ApOutcome<BatchItemAnswer[]>,
): void {
  const { lifecycle } = ctx;
  if (outcome.kind === 'ok') {
    const byId = new Map(outcome.value.map((r) => [r.id, r]));
    const missing: ClaimableRecord[] = [];
    for (const d of docs) {
      const r = byId.get(d.idempotency_key);
      if (r?.status === 'accepted' && r.transaction_id) accept(ctx, d, r.transaction_id);
      else if (r?.status === 'rejected') fail(ctx, d, itemError(r));
      else missing.push(d);
    }
    // Answered, but not for these: their outcome is unknown; each goes again under its own key.
    if (missing.length) {
      retryLater(ctx, missing, null, 'the batch answer did not mention this document', null, true);
    }
    return;
  }
  if (outcome.kind === 'permanent') {
    const { status } = outcome.error;
    // The key refused: nothing of the batch was taken; it waits, identical, for the key (a
    // document forbidden a second time fails, see forbiddenAgain).
    if (keyRefusalStatus(status)) {
      const refused = status === 403 && forbidden(ctx, docs, outcome.error.message);
      const again = docs.filter((d) => forbiddenAgain(ctx.forbiddenOnce, d.id, status, refused));
      for (const d of again) fail(ctx, d, outcome.error);
      waitForKey(
        ctx,
        docs.filter((d) => !again.includes(d)),
        outcome.error,
        refused,
      );
      return;
    }
    // 409: the access point refuses to repeat this batch key (it saw it with other content).
    // Whether the first send went through is unknown, so sending the documents singly could
    // deliver them twice: a person checks the provider's transaction list first.
    if (status === 409) {
      for (const d of docs) fail(ctx, d, outcome.error);
      return;
    }
    // The batch as a whole was refused (no batch endpoint, too large, malformed for this
    // provider): nothing was accepted, so these documents go again one by one.
    for (const d of docs) {
      if (status !== 404 && status !== 405) ctx.singleOnly.add(d.id);
      lifecycle.notSent(
        d,
        'The access point did not take it in a batch; sending it on its own',
        apErrorTechnical(outcome.error),
        true,
      );
    }
    return;
  }
  if (outcome.offline) {
    // Not connected: nothing left, so the batch is made again unless an earlier attempt of it
    // may have been taken.
    for (const d of docs)
      lifecycle.notSent(
        d,
        'Access point unreachable; waiting',
        outcome.message,
        d.send_outcome_unknown === 0,
      );
    return;
  }
  // A batch sent for the first time and refused with 429: nothing of it was taken, and the
  // access point's quota of batches is not its rate for single sends (the gate holds batches
  // back meanwhile), so these go again one by one at once. A batch sent before (its outcome was
  // unknown) must go again identical: it waits for its turn below like any other.
  if (outcome.status === 429 && docs.every((d) => d.batch_key === null)) {
    const technical = `429: ${outcome.message}`;
    for (const d of docs) {
      lifecycle.notSent(
        d,
        'The access point asked for fewer batches; sending it on its own',
        technical,
        true,
      );
    }
    return;
  }
  // Unknown or refused for now (429, 5xx, timeout, reset): the identical batch goes again
  // under the same key (batch_key stays), so nothing is accepted twice.
  if (inTrouble(ctx, outcome)) {
    waitOutTrouble(ctx, docs, outcome.status, outcome.message);
    return;
  }
  retryLater(ctx, docs, outcome.status, outcome.message, outcome.retryAfterMs, false);
}

/** A 5xx or a timeout while the header says the access point is in trouble. */
function inTrouble(ctx: OutcomeContext, outcome: ApOutcome<unknown>): boolean {
  return failingAnswer(outcome) && ctx.options.accessPointState === 'trouble';
}

/**
 * The key refused (401), or maybe (403: the probe says), or no such address (the provider URL):
 * back to the queue, no attempt counted; the queue waits for the key or the URL.
 */
function waitForKey(
  ctx: OutcomeContext,
  docs: ClaimableRecord[],
  error: ApError,
  sendsRefused = false,
): void {
  const technical = apErrorTechnical(error);
  const detail = addressNotFound(error)
    ? ADDRESS_NOT_FOUND_WAIT_WORDS
    : error.status === 403
      ? sendsRefused
        ? SENDS_REFUSED_WAIT_WORDS
        : FORBIDDEN_WAIT_WORDS
      : KEY_REFUSED_WAIT_WORDS;
  // Refused before anything was taken: a batch whose earlier attempts were all answered so is
  // made again (under a new batch key) once the key is accepted.
  for (const d of docs) {
    ctx.lifecycle.waitForAccessPoint(d, {
      detail,
      technical,
      reachedMaybe: false,
      leaveBatch: d.send_outcome_unknown === 0,
    });
  }
}

/**
 * A 5xx or a timeout in trouble: back to the queue, no attempt counted, its outcome unknown
 * (it may have been accepted), so it goes again under the same key (and batch key).
 */
function waitOutTrouble(
  ctx: OutcomeContext,
  docs: ClaimableRecord[],
  status: number | null,
  message: string,
): void {
  const technical = transientTechnical(status, message);
  const detail = troubleWaitWords(status, message);
  for (const d of docs)
    ctx.lifecycle.waitForAccessPoint(d, { detail, technical, reachedMaybe: true });
}

function accept(ctx: OutcomeContext, doc: ClaimableRecord, transactionId: string): void {
  const firstPoll = ctx.options.trackDelivery ? ctx.options.pollInitialMs : null;
  if (ctx.lifecycle.accept(doc, transactionId, firstPoll)) ctx.metrics.recordOutcome('accepted');
}

function fail(ctx: OutcomeContext, doc: ClaimableRecord, error: ApError): void {
  if (ctx.lifecycle.refuse(doc, error)) ctx.metrics.recordOutcome('failed');
}

/**
 * Transient: retry after a backoff (one time for a whole batch), or give up after the last
 * attempt. `leaveBatch`: each goes again under its own key.
 */
function retryLater(
  ctx: OutcomeContext,
  docs: ClaimableRecord[],
  status: number | null,
  message: string,
  retryAfterMs: number | null,
  leaveBatch: boolean,
): void {
  // The clerk reads what it means; the status and raw text go to the technical details.
  const words = transientWords(status, message);
  const technical = transientTechnical(status, message);
  const { lifecycle, random } = ctx;
  const attempts = Math.max(...docs.map((d) => d.attempts));
  const delayMs = retryDelayMs(ctx.options.retry, attempts, retryAfterMs, random);
  // 429 Too Many Requests: the access point did not process the request, so this attempt
  // cannot have reached it (earlier ones may have: the lifecycle keeps what they left). Nor does
  // it say anything of the invoice: it is not counted and never uses up the invoice's tries (a
  // walk: a minute of quota at month-end left invoices Failed, "when the access point works").
  const notProcessed = status === 429;
  // 503 Service Unavailable: the access point cannot serve now, which says nothing of the
  // invoice either: not counted (walk 8: a 503 streak's first seconds, before the header says
  // "having problems", or a provider answering 503 to some requests, used up invoices' tries
  // until they failed). It may have gone through all the same: its outcome stays unknown.
  const uncounted = notCountedAsAttempt(status);
  for (const d of docs) {
    if (!uncounted && d.attempts >= ctx.options.retry.maxAttempts) {
      if (lifecycle.giveUp(d, words, technical)) ctx.metrics.recordOutcome('failed');
      continue;
    }
    lifecycle.retryLater(d, { words, technical, delayMs, leaveBatch, notProcessed, uncounted });
  }
}

/** A transient answer for the technical details: the status (if any) and the raw text. */
function transientTechnical(status: number | null, message: string): string {
  return status === null ? message : `${status}: ${message}`;
}

/** A rejected batch item as an ApError, with the HTTP status its code would have on a single send. */
function itemError(r: BatchItemAnswer): ApError {
  const e = typeof r.error === 'string' ? { message: r.error } : (r.error ?? {});
  const code = e.code ?? 'REJECTED';
  const status =
    code === 'RECEIVER_NOT_REGISTERED' || code === 'PARTICIPANT_NOT_FOUND'
      ? 404
      : code === 'IDEMPOTENCY_KEY_REUSED'
        ? 409
        : code === 'INVALID_XML' || code === 'INVALID_REQUEST' || code === 'MISSING_ID'
          ? 400
          : code === 'DOCUMENT_TOO_LARGE'
            ? 413
            : 422;
  return {
    status,
    code,
    message: e.message ?? 'The access point rejected this document.',
    details: e.details ?? null,
  };
}

/**
 * A 403 to the send of `docs`, told with their buyers: whether the account may not send (walk
 * 20: then no invoice fails for it; one buyer's 403s are that buyer's, walk 20b).
 */
function forbidden(ctx: OutcomeContext, docs: ClaimableRecord[], said: string): boolean {
  let refused = false;
  for (const d of docs) refused = ctx.options.noteForbidden?.(d.receiver_id, said) ?? false;
  return refused;
}
