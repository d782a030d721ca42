import { describe, expect, it } from 'vitest';
import { environmentFor } from '../../app/domain/environment';

describe('environmentFor: the environment an API key selects (engine and screen)', () => {
  it('no key: the Sandbox, or Test when an endpoint was given', () => {
    expect(environmentFor(null)).toBe('sandbox');
    expect(environmentFor('')).toBe('sandbox');
    expect(environmentFor('   ')).toBe('sandbox');
    expect(environmentFor(null, true)).toBe('test');
  });

  it('sk_test_ keys select Test, any other key Production', () => {
    expect(environmentFor('sk_test_abc')).toBe('test');
    expect(environmentFor('  sk_test_abc  ')).toBe('test');
    expect(environmentFor('pk_goroute_abc')).toBe('production');
    expect(environmentFor('something-else', true)).toBe('production');
  });
});
