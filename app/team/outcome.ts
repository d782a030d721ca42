/**
 * How a team desk's send ended, as the store writes it back under the claim's fence (see
 * ./store.ts for the promises, ./store-rows.ts for the write).
 */

/** A plain-language problem, as in app/domain/problems.ts. */
export interface TeamProblem {
  code: string;
  message: string;
  action: string | null;
}

/** How a send ended, as written back under the claim's fence. */
export type TeamOutcome =
  /**
   * Delivery is asked about `firstPollInMs` later (database clock; default at once). The access
   * point answered `answeredMsAgo` before the write (the desk's monotonic clock; default 0):
   * the acceptance is dated that long before the database's now.
   */
  | { kind: 'accepted'; transactionId: string; firstPollInMs?: number; answeredMsAgo?: number }
  /** Nothing reached the access point (refused before sending, paused): queued again now. */
  | { kind: 'released' }
  /**
   * Try again after `delayMs` (database clock); `reachedMaybe` keeps it from being cancelled;
   * `uncount`: the attempt is taken back (the access point was in trouble, not the document).
   */
  | {
      kind: 'retry';
      delayMs: number;
      problem: TeamProblem;
      reachedMaybe: boolean;
      uncount?: boolean;
    }
  /**
   * `reachedMaybe`: this attempt may have reached the access point (its attempts used up on a
   * timeout or a 5xx), kept with what earlier ones left; `to`: not on Peppol (refused 404);
   * `settles`: the access point refused the invoice under its key, so no attempt of it was
   * accepted (refusalSettlesDoubt): `reached_maybe` is cleared and it may be cancelled.
   */
  | {
      kind: 'failed';
      problem: TeamProblem;
      reachedMaybe?: boolean;
      to?: 'unreachable';
      settles?: boolean;
    };
