import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  REFUSED_FOR_GOOD_SQL,
  refusalSettlesDoubt,
  refusedForGood,
  retryDelayMs,
} from '../../app/domain/retry-policy';
import { parseRetryAfter } from '../../app/access-point/client';

const policy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 };

describe('retry policy', () => {
  it('doubles per attempt within [exp/2, exp] and caps at the maximum', () => {
    expect(retryDelayMs(policy, 1, null, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, null, () => 1)).toBe(1000);
    expect(retryDelayMs(policy, 3, null, () => 1)).toBe(4000);
    expect(retryDelayMs(policy, 20, null, () => 1)).toBe(60_000);
  });

  it('never waits less than Retry-After', () => {
    expect(retryDelayMs(policy, 1, 7000, () => 0)).toBe(7000);
  });

  it('parses Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('a Retry goes under a new key after a refusal for good, not after a conflict or a transient failure; the SQL says the same', () => {
    const codes = {
      AP_NOT_FOUND: true,
      AP_REJECTED_VALIDATION_FAILED: true,
      AP_TOO_LARGE: true,
      AP_UNSUPPORTED: true,
      AP_FORBIDDEN: true,
      AP_AUTH: true,
      AP_418: true,
      AP_CONFLICT: false,
      ATTEMPTS_EXHAUSTED: false,
      TRANSIENT: false,
      DELIVERY_FAILED: false,
      RECEIVER_NOT_ON_PEPPOL: false,
      '': false,
    };
    const db = new Database(':memory:');
    const sql = db.prepare(`SELECT ${REFUSED_FOR_GOOD_SQL} AS r FROM (SELECT ? AS problem_code)`);
    for (const [code, expected] of Object.entries(codes)) {
      expect([code, refusedForGood(code)]).toEqual([code, expected]);
      expect([code, (sql.get(code) as { r: number }).r]).toEqual([code, expected ? 1 : 0]);
    }
    expect(refusedForGood(null)).toBe(false);
    expect((sql.get(null) as { r: number }).r).toBe(0);
    db.close();
  });

  it('a refusal of the invoice settles an unanswered attempt, a refusal of the key does not', () => {
    const codes: Record<string, boolean> = {
      AP_NOT_FOUND: true,
      AP_REJECTED_VALIDATION_FAILED: true,
      AP_TOO_LARGE: true,
      AP_UNSUPPORTED: true,
      AP_CONFLICT: true,
      AP_418: true,
      // The access point may check the key and the account before it looks the key up.
      AP_AUTH: false,
      AP_FORBIDDEN: false,
      ATTEMPTS_EXHAUSTED: false,
      TRANSIENT: false,
      DELIVERY_FAILED: false,
    };
    for (const [code, expected] of Object.entries(codes)) {
      expect([code, refusalSettlesDoubt(code)]).toEqual([code, expected]);
    }
    expect(refusalSettlesDoubt(null)).toBe(false);
  });
});
