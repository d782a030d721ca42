import { describe, expect, it } from 'vitest';
import {
  environmentFor,
  environmentMismatch,
  environmentNamed,
} from '../../app/domain/environment';

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

describe('the environment the access point names (GET /peppol/version) against the key', () => {
  it("reads the provider's words: its sandbox is Test; unknown words are not guessed", () => {
    expect(environmentNamed('sandbox')).toBe('test');
    expect(environmentNamed(' Test ')).toBe('test');
    expect(environmentNamed('PRODUCTION')).toBe('production');
    expect(environmentNamed('live')).toBe('production');
    expect(environmentNamed('eu-west-2')).toBeNull();
    expect(environmentNamed('')).toBeNull();
    expect(environmentNamed(null)).toBeNull();
  });

  it('says so when they differ, with where invoices go now', () => {
    const real = environmentMismatch('test', 'production')!;
    expect(real.short).toBe('Access point says: Production — invoices reach real buyers');
    expect(real.long).toContain('invoices sent now reach real buyers');
    expect(real.long).toContain('"production"');
    const practice = environmentMismatch('production', 'sandbox')!;
    expect(practice.short).toBe('Access point says: Test — invoices do not reach buyers');
    expect(practice.long).toContain('do not reach real buyers');
    expect(practice.long).toContain('check the key and the provider address in Settings.');
  });

  it("names the CLI's ways to give a key and an address there, not Settings", () => {
    const practice = environmentMismatch('production', 'sandbox', 'cli')!;
    expect(practice.long).toContain(
      'check the key (PEPPOL_DESK_API_KEY or --api-key-file) and the provider address (--endpoint).',
    );
    const real = environmentMismatch('test', 'production', 'cli')!;
    expect(real.long).toContain('enter a Test key (PEPPOL_DESK_API_KEY or --api-key-file).');
    expect(`${practice.long} ${real.long}`).not.toContain('Settings');
  });

  it('says nothing when they agree, for the built-in Sandbox, or for a word it does not know', () => {
    expect(environmentMismatch('test', 'sandbox')).toBeNull();
    expect(environmentMismatch('production', 'production')).toBeNull();
    expect(environmentMismatch('sandbox', 'production')).toBeNull();
    expect(environmentMismatch('production', 'eu-west-2')).toBeNull();
    expect(environmentMismatch('production', null)).toBeNull();
  });
});
