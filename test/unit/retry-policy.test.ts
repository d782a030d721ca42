import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../app/domain/retry-policy';
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
});
