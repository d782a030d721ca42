/** Capped exponential backoff with full jitter, honouring Retry-After. */
export interface RetryPolicy {
  /** Attempts before a document waits for the user (default 8). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The default policy: 1 s doubling to 5 min, 8 attempts. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
};

/**
 * An answer that says nothing of the invoice, so the attempt is not counted against its tries
 * (one rule for both desks): a 429 (the access point did not process the request) and a 503 (it
 * cannot serve now; the request may have gone through all the same, walk 8).
 */
export function notCountedAsAttempt(status: number | null): boolean {
  return status === 429 || status === 503;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1). Never shorter than Retry-After.
 * `random` is injectable so tests are deterministic.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: spreads retries without ever retrying immediately.
  const backoff = exp / 2 + random() * (exp / 2);
  return Math.max(retryAfterMs ?? 0, Math.round(backoff));
}

/**
 * The access point refused the invoice for good (a final 4xx: not on Peppol, not valid, too
 * large, not allowed), not a conflict over its key (409, the clerk's decision): nothing was
 * accepted under its idempotency key, and the access point would answer that key with the same
 * refusal for a day. So a clerk's Retry sends it as a new submission, under a new key (one rule
 * for both desks; the SQL of the team stores reads {@link REFUSED_FOR_GOOD_SQL}).
 */
export function refusedForGood(problemCode: string | null): boolean {
  return problemCode !== null && problemCode.startsWith('AP_') && problemCode !== 'AP_CONFLICT';
}

/**
 * {@link refusedForGood} of a row's `problem_code`, in SQL that SQLite and PostgreSQL both read
 * (never NULL).
 */
export const REFUSED_FOR_GOOD_SQL = `(problem_code IS NOT NULL AND substr(problem_code, 1, 3) = 'AP_'
  AND problem_code <> 'AP_CONFLICT')`;

/**
 * A final refusal of the invoice itself (not valid, too large, not its format, the buyer not on
 * Peppol, a conflict over its key), answered under the key an earlier attempt of which may have
 * reached the access point unanswered (a timeout, a 5xx): that attempt was refused alike or its
 * first answer would have come back, so nothing was accepted under the key and the document may be
 * cancelled again (one rule for both desks: `send_outcome_unknown` cleared on a single desk,
 * `reached_maybe` on a team desk). Not a refusal of the API key or the account (401, 403): the
 * access point may check those before it looks the key up.
 */
export function refusalSettlesDoubt(problemCode: string | null | undefined): boolean {
  return (
    typeof problemCode === 'string' &&
    problemCode.startsWith('AP_') &&
    problemCode !== 'AP_AUTH' &&
    problemCode !== 'AP_FORBIDDEN'
  );
}

/** The timeline's words for a Retry of an invoice refused for good (both desks). */
export const REFUSED_RETRY_WORDS =
  'Retry requested after the access point refused it: sent again as a new submission';

/**
 * Where a refusal for good leaves a document, on both desks: `unreachable` for a 404, the buyer
 * not on Peppol ("Receiver not on Peppol", as when its lookup says so: walk 8), else `failed`.
 */
export function refusedTo(status: number): 'unreachable' | 'failed' {
  return status === 404 ? 'unreachable' : 'failed';
}
