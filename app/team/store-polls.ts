/** A team desk's polls of the access point (what it asks about accepted documents): the store's types. */
import type { DocumentState } from '../contract';
import type { TeamProblem } from './outcome';

/**
 * `delivery`: accepted documents (is it delivered yet?); `response`: delivered or answered ones
 * waiting for the buyer's next answer.
 */
export type PollKind = 'delivery' | 'response';

/**
 * A poll claim: this desk may ask the access point about an accepted (or delivered, awaiting the
 * buyer's answer) document until the lease ends, then write what it learnt with this fence.
 */
export interface PollClaim {
  id: number;
  /** Grows with every poll claim of the document. */
  pollFence: number;
  state: DocumentState;
  transactionId: string | null;
  acceptedAt: number | null;
  deliveredAt: number | null;
  businessResponse: string | null;
  businessResponseAt: number | null;
  /** When the lease ends (database clock): lease start = leaseUntil − the lease asked for. */
  leaseUntil: number;
  /** Invoice or credit note (the words of a buyer's answer); null when not known. */
  docType: 'Invoice' | 'CreditNote' | null;
}

/** The fenced proof of a poll claim. */
export interface PollRef {
  id: number;
  pollFence: number;
  /**
   * The document's state when claimed (a PollClaim has it): a store may then write the result
   * in one statement that checks the state is still this one (and read it first otherwise).
   */
  state?: DocumentState;
}

/** What a poll learnt, written under its fence (every move one the state table allows). */
export interface PollResult {
  /** State changes in order, each with its timeline words (delivered, then a response). */
  moves: readonly { to: DocumentState; detail: string }[];
  /** A timeline line without a state change (stopped asking, an unknown answer). */
  note?: string | null;
  deliveredAt?: number;
  response?: { code: string; note: string | null; at: number };
  /** Set (or with null clear) the problem; left as it is when absent. */
  problem?: TeamProblem | null;
  /** Ask again this long after now (database clock); null: stop asking. */
  nextPollInMs: number | null;
}
