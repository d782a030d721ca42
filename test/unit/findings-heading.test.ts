import { describe, expect, it } from 'vitest';
import type { DocumentDetail } from '../../app/contract';
import { findingsHeading } from '../../renderer/src/features/detail/validation-findings';

// Walk 22 (B8): a row "Replaced by a corrected file" still said "What needs fixing" over the
// errors of the file it no longer is.
describe('the heading over the findings of a check', () => {
  const finding = (flag: 'fatal' | 'warning') => ({ rule: 'BR-CO-16', flag, message: 'm' });
  const doc = (
    state: DocumentDetail['state'],
    flags: ('fatal' | 'warning')[],
  ): Pick<DocumentDetail, 'state' | 'validation'> => ({
    state,
    validation: { ruleset: 'r', findings: flags.map(finding) } as DocumentDetail['validation'],
  });

  it('says what needs fixing while an error stops the invoice', () => {
    expect(findingsHeading(doc('invalid', ['fatal', 'warning']))).toBe('What needs fixing');
  });

  it('says what was wrong once a corrected file replaced it, or it was cancelled', () => {
    expect(findingsHeading(doc('superseded', ['fatal']))).toBe(
      'What was wrong (the corrected file replaced it)',
    );
    expect(findingsHeading(doc('cancelled', ['fatal']))).toBe('What was wrong');
  });

  it('calls warnings warnings: they never stop an invoice', () => {
    expect(findingsHeading(doc('delivered', ['warning']))).toBe(
      'Warnings (they do not stop the invoice)',
    );
  });
});
