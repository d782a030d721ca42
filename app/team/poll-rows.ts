/**
 * What both team stores share for delivery polling: the row a poll claim reads, and how a poll's
 * result becomes timeline rows (every move checked against the state table before any write).
 */
import type { DocumentState } from '../contract';
import { isAllowedTransition } from '../domain/states';
import type { PollClaim, PollResult } from './store';

/** The columns a poll claim returns. */
export const POLL_CLAIM_COLUMNS = `id, poll_fence, state, transaction_id, accepted_at, delivered_at,
  business_response, business_response_at, next_poll_at, doc_type`;

/** team_documents as a poll claim reads it. */
export interface PollClaimRow {
  id: number;
  poll_fence: number;
  state: DocumentState;
  transaction_id: string | null;
  accepted_at: number | null;
  delivered_at: number | null;
  business_response: string | null;
  business_response_at: number | null;
  next_poll_at: number;
  doc_type: 'Invoice' | 'CreditNote' | null;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

/** A poll claim as the desk sees it. */
export function toPollClaim(r: PollClaimRow): PollClaim {
  return {
    id: Number(r.id),
    pollFence: Number(r.poll_fence),
    state: r.state,
    transactionId: r.transaction_id,
    acceptedAt: num(r.accepted_at),
    deliveredAt: num(r.delivered_at),
    businessResponse: r.business_response,
    businessResponseAt: num(r.business_response_at),
    leaseUntil: Number(r.next_poll_at),
    docType: r.doc_type ?? null,
  };
}

/** One timeline row of a poll's result. */
export interface PollEventRow {
  from: DocumentState;
  to: DocumentState;
  detail: string;
}

/**
 * The timeline rows of `result` applied to a document in `from`, and the state it ends in;
 * throws (nothing written) when a move is one the state table does not allow.
 */
export function pollEvents(
  from: DocumentState,
  result: PollResult,
): { to: DocumentState; events: PollEventRow[] } {
  const events: PollEventRow[] = [];
  let at = from;
  for (const m of result.moves) {
    if (!isAllowedTransition(at, m.to)) throw new Error(`${at} → ${m.to} is not allowed`);
    events.push({ from: at, to: m.to, detail: m.detail });
    at = m.to;
  }
  if (result.note) events.push({ from: at, to: at, detail: result.note });
  return { to: at, events };
}

/** The optional columns a poll result sets, as [value, set?] pairs for `CASE WHEN set`. */
export function pollSets(result: PollResult): {
  deliveredAt: number | null;
  response: { code: string; note: string | null; at: number } | null;
  setProblem: boolean;
  problem: { code: string; message: string; action: string | null } | null;
  nextPollInMs: number | null;
} {
  return {
    deliveredAt: result.deliveredAt ?? null,
    response: result.response ?? null,
    setProblem: result.problem !== undefined,
    problem: result.problem ?? null,
    nextPollInMs:
      result.nextPollInMs === null ? null : Math.max(0, Math.round(result.nextPollInMs)),
  };
}
