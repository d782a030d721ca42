import { RESPONSE_STATES, type DocumentState } from '../contract';

// A response state may follow delivery, or an earlier response.
const RESPONSES: readonly DocumentState[] = RESPONSE_STATES;

/**
 * The document state machine: for each state, the states it may move to. Every transition goes
 * through DocumentsRepo.transition, which refuses any pair not listed here.
 *
 *   received → validating → invalid | ready | held (duplicate)
 *   ready → resolving → unreachable | queued | held (receiver refuses the type)
 *   queued / retry_wait → sending → accepted | failed | retry_wait | queued (nothing reached the
 *   access point, or resumed after a crash)
 *   accepted → delivered | failed (delivery tracking)
 *   delivered → a buyer's business response: acknowledged (AB), in_process (IP), under_query (UQ),
 *   conditionally_accepted (CA), buyer_accepted (AP), rejected (RE), paid (PD); a later response
 *   moves an answered document on (AB → IP → AP → PD, UQ → AP …). RE and PD are final.
 *
 * Recovery after a crash puts in-flight work back one step (validating → received, resolving →
 * ready, sending → queued). The user retries (failed / retry_wait → queued, unreachable → ready,
 * invalid → received), releases held documents (held → ready / queued) and cancels
 * what has not possibly reached the access point (the engine checks the latter). An Undo right
 * after a cancel (`documents:uncancel`) puts a document back where it was (in-flight steps start
 * again: validating → received, resolving → ready), so cancelled leads back to those states only.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<DocumentState, readonly DocumentState[]>> = {
  // held: queued for an access point that is no longer in use (see Pipeline.holdPinnedElsewhere).
  received: ['validating', 'cancelled', 'held'],
  validating: ['invalid', 'ready', 'held', 'received', 'cancelled'],
  // superseded: a corrected file with the same seller, number and type was added (for one still
  // waiting to be sent, saved under the same name: see DocumentsRepo.findReplaceableWaiting).
  invalid: ['received', 'cancelled', 'superseded'],
  ready: ['resolving', 'cancelled', 'held', 'superseded'],
  resolving: ['unreachable', 'queued', 'held', 'ready', 'cancelled', 'superseded'],
  unreachable: ['ready', 'cancelled', 'superseded'],
  // held: the access point changed while its last attempt's outcome was unknown.
  // failed: the kept copy of its file is gone (store/body-files.ts), so it cannot be sent.
  // ready: queued for a provider URL that led to no access point, now corrected: its buyer is
  // looked up at the corrected one (see Recovery.holdPinnedElsewhere; walk 25 B5).
  queued: ['sending', 'cancelled', 'held', 'failed', 'superseded', 'ready'],
  // unreachable: refused 404, the buyer not on Peppol (its lookup said it was, or was not asked).
  sending: ['accepted', 'failed', 'unreachable', 'retry_wait', 'queued'],
  // cancelled: only when no attempt may have reached the access point (the engine checks
  // send_outcome_unknown: a 429 said the request was not processed).
  retry_wait: ['sending', 'queued', 'held', 'failed', 'cancelled', 'superseded', 'ready'],
  accepted: ['delivered', 'failed'],
  delivered: RESPONSES,
  // ready: a failed delivery retried, its buyer looked up again first (walk 19); unreachable: the
  // same on a team desk, which looks the buyer up before it moves the document (walk 19b).
  failed: ['queued', 'ready', 'unreachable', 'cancelled', 'superseded'],
  held: ['received', 'ready', 'queued', 'cancelled'],
  // Only the Undo of the cancel, to the state it was cancelled from.
  cancelled: [
    'received',
    'invalid',
    'ready',
    'unreachable',
    'queued',
    'retry_wait',
    'failed',
    'held',
  ],
  acknowledged: RESPONSES,
  in_process: RESPONSES,
  // handled: the clerk marked the buyer's rejection, query or condition as dealt with.
  under_query: [...RESPONSES, 'handled'],
  conditionally_accepted: [...RESPONSES, 'handled'],
  buyer_accepted: RESPONSES,
  rejected: ['superseded', 'handled'],
  paid: [],
  superseded: [],
  // Back to the buyer's answer it came from (the clerk's "not handled"); a queried one may still
  // get the buyer's next answer; a corrected file with the same number replaces it.
  handled: [...RESPONSES, 'superseded'],
};

/**
 * States of documents on their way out, which need more work from a running desk (everything
 * else waits for a person, or is final).
 */
export const ON_THEIR_WAY: ReadonlySet<DocumentState> = new Set<DocumentState>([
  'received',
  'validating',
  'ready',
  'resolving',
  'queued',
  'sending',
  'retry_wait',
]);

/**
 * States a cancel leaves as they are, with nothing to refuse: sent, on their way, finished or
 * replaced by a corrected file. The engine skips them, and the window's confirmation does not
 * count them.
 */
export const NOTHING_TO_CANCEL: ReadonlySet<DocumentState> = new Set<DocumentState>([
  'sending',
  'accepted',
  'delivered',
  'cancelled',
  'superseded',
  'handled',
  ...RESPONSES,
]);

/** True when a document may move from `from` to `to`. */
export function isAllowedTransition(from: DocumentState, to: DocumentState): boolean {
  return ALLOWED_TRANSITIONS[from]?.includes(to) ?? false;
}

/** A transition the state machine does not allow: a bug in the engine, never a user error. */
export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly documentId: number,
    readonly from: DocumentState,
    readonly to: DocumentState,
  ) {
    super(`Document #${documentId} cannot move from ${from} to ${to}.`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * True when an attempt may have reached the access point without us knowing the answer (a
 * timeout, a reset, a 5xx, a crash mid-send; `send_outcome_unknown`, kept by every later attempt
 * until a definite answer), or it went in a batch. Cancelling would hide an invoice the access
 * point may have accepted, and sending it to another access point could deliver it twice. A
 * document waiting to retry after a 429 only (the access point did not process the request) has
 * not reached it: it may be cancelled. Rows written before that distinction have the flag set
 * for every retry_wait and every ATTEMPTS_EXHAUSTED failure (migration 007), so they stay safe.
 */
export function mayHaveReachedAccessPoint(r: {
  send_outcome_unknown: number;
  batch_key: string | null;
}): boolean {
  return r.send_outcome_unknown === 1 || r.batch_key !== null;
}

/**
 * A team's Retry sends a cancelled document after all when it was cancelled on its way out
 * (queued, waiting to retry, or failed): it goes back to the queue as a failed one would, held
 * if another version of its number is live. One cancelled while invalid, unreachable or held is
 * not taken (nothing there would check it again). A single desk checks any cancelled one again
 * from the start instead.
 */
export const TEAM_SEND_AFTER_CANCEL_FROM: readonly DocumentState[] = [
  'queued',
  'retry_wait',
  'failed',
];

/**
 * Whether a team's Retry sends after all a document whose last move into `cancelled` came from
 * `from` (see TEAM_SEND_AFTER_CANCEL_FROM; its timeline says from where).
 */
export function teamSendsAfterCancel(from: DocumentState | null | undefined): boolean {
  return from != null && TEAM_SEND_AFTER_CANCEL_FROM.includes(from);
}

/** True once the buyer's answer is final (rejected or paid): nothing more is asked. */
export function isFinalResponse(state: DocumentState): boolean {
  return state === 'rejected' || state === 'paid';
}

/**
 * "Mark as handled" (`on`) moves these: a buyer's rejection, query or condition the clerk has
 * dealt with; "Mark as not handled" moves handled ones back. One rule for both desks and the
 * window.
 */
export function handledFrom(on: boolean): readonly DocumentState[] {
  return on ? ['rejected', 'under_query', 'conditionally_accepted'] : ['handled'];
}

/** Where "Mark as (not) handled" puts a document, from the buyer's answer it carries. */
export function handledTo(
  on: boolean,
  businessResponse: string | null,
): { state: DocumentState; action: 'none' | 'fix-file' } {
  if (on) return { state: 'handled', action: 'none' };
  if (businessResponse === 'RE') return { state: 'rejected', action: 'fix-file' };
  if (businessResponse === 'CA') return { state: 'conditionally_accepted', action: 'none' };
  return { state: 'under_query', action: 'none' };
}

/** The timeline's words of "Mark as (not) handled" by `who`. */
export function handledWords(on: boolean, who: string): string {
  return on
    ? `Marked as handled by ${who}: out of Needs attention`
    : `Marked as not handled by ${who}: back in Needs attention`;
}

/**
 * States of a document that went out: the access point accepted it and nothing undid that (a
 * failed delivery, the buyer's rejection). A credit note in one of them deals with the rejected
 * invoice it refers to (BT-25).
 */
export const WENT_OUT_STATES: readonly DocumentState[] = [
  'accepted',
  'delivered',
  'acknowledged',
  'in_process',
  'under_query',
  'conditionally_accepted',
  'buyer_accepted',
  'paid',
];

/**
 * States after which news may still come from the access point: the delivery of an accepted
 * document, or the buyer's next answer (every state that went out but a final answer, and a
 * query the clerk marked handled: the buyer may still reject it). Polled, and followed by the
 * hot folder.
 */
export const NEWS_MAY_FOLLOW_STATES: readonly DocumentState[] = [
  ...WENT_OUT_STATES.filter((s) => !isFinalResponse(s)),
  'handled',
];

/** A document named in the words below: its id, type and number. */
export interface NamedDocument {
  id: number;
  doc_type: string | null;
  invoice_number: string | null;
}

function named(d: NamedDocument): string {
  const kind = d.doc_type === 'CreditNote' ? 'Credit note' : 'Invoice';
  return `${kind}${d.invoice_number ? ` ${d.invoice_number}` : ''} (document #${d.id})`;
}

/**
 * The timeline's words on an invoice the buyer rejected or queried, once `by` (a credit note or a
 * corrected invoice naming it as its preceding invoice, BT-25) went out: sent after the answer,
 * or `earlier`, before the rejection came.
 */
export function answeredByWords(by: NamedDocument, earlier: boolean): string {
  if (by.doc_type === 'CreditNote')
    return `${named(by)} ${earlier ? 'had already been' : 'was'} sent for it: out of Needs attention`;
  return `${named(by)}, which refers to it, ${earlier ? 'had already been' : 'was'} sent: out of Needs attention`;
}

/** The timeline's words on `by` when the invoice it refers to (`to`, `state`) leaves Needs attention. */
export function answersWords(to: NamedDocument, state: DocumentState): string {
  const answer =
    state === 'under_query'
      ? 'queried'
      : state === 'rejected'
        ? 'rejected'
        : 'accepted on a condition';
  return `Refers to ${named(to).replace(/^Invoice/, 'invoice')}, which the buyer ${answer}: that one is out of Needs attention`;
}

/**
 * The timeline's words on an invoice taken out of Needs attention by `by` (see answeredByWords)
 * when `by` then did not reach the buyer as meant: `how` the buyer rejected it, or its delivery
 * failed. The invoice stays out of Needs attention: `by` is there now, and dealing with it deals
 * with this one (walk 10: the invoice still read as dealt with, and nothing said otherwise).
 */
export function answerFailedWords(by: NamedDocument, how: 'rejected' | 'failed'): string {
  const what = how === 'rejected' ? 'was then rejected by the buyer' : 'then failed at delivery';
  return `${named(by)}, sent for this invoice, ${what}: deal with it in Needs attention`;
}
