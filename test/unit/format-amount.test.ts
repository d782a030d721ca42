import { describe, expect, it } from 'vitest';
import { formatAmount } from '../../renderer/src/lib/format';

// Node's Intl follows the process locale; these checks compare against Intl itself for the
// separators and pin what must hold everywhere: exact digits, the currency, no truncation.
describe('formatAmount', () => {
  it('adds thousands separators and the currency symbol in the user locale', () => {
    const expected = new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: 'EUR',
    }).format(1234567.5);
    expect(formatAmount('1234567.50', 'EUR')).toBe(expected);
  });

  it('keeps every digit of very large amounts (no float rounding)', () => {
    const text = formatAmount('123456789012345678.99', 'EUR');
    expect(text.replace(/\D/g, '')).toBe('12345678901234567899');
  });

  it('keeps extra decimals (unit prices) instead of rounding them away', () => {
    expect(formatAmount('0.12345', 'EUR').replace(/\D/g, '')).toBe('012345');
  });

  it('follows the currency: no decimals for yen', () => {
    expect(formatAmount('1500', 'JPY').replace(/\D/g, '')).toBe('1500');
  });

  it('shows unknown currency codes and non-numbers as they are', () => {
    expect(formatAmount('12.00', 'X1')).toBe('12.00 X1');
    expect(formatAmount('n/a', 'EUR')).toBe('n/a EUR');
    expect(formatAmount(null, 'EUR')).toBe('');
  });
});
