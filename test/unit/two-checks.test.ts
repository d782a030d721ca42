/**
 * Our check and the access point's own put together (app/queue/stages/two-checks.ts): the one
 * rule a single desk's validation and a team desk's intake and detail both ask, so what a file
 * becomes and what its detail shows cannot differ between the two.
 */
import { describe, expect, it } from 'vitest';
import type { RemoteVerdict } from '../../app/access-point/client';
import { twoChecks } from '../../app/queue/stages/two-checks';
import type { Finding } from '../../app/validation/types';

const OUR_ERROR: Finding = {
  rule: 'BR-CO-16',
  flag: 'fatal',
  message: 'Amount due for payment (BT-115) is not the total with VAT minus the amount paid.',
  location: '/Invoice',
};
const WARNING: Finding = { rule: 'PEPPOL-W', flag: 'warning', message: 'A hint.', location: '' };
const VALID: RemoteVerdict = { valid: true, errors: [], warnings: [] };
const REJECTS: RemoteVerdict = {
  valid: false,
  errors: [{ rule: 'AP-42', location: '/Invoice', message: 'Seller unknown to us.' }],
  warnings: [],
};
const ours = (valid: boolean) => ({
  valid,
  ruleset: 'Peppol BIS Billing 3.0',
  findings: valid ? [WARNING] : [OUR_ERROR, WARNING],
});

describe('what the two checks decide', () => {
  it('the access point did not answer: our verdict decides, and the detail shows ours alone', () => {
    for (const valid of [true, false]) {
      const c = twoChecks(ours(valid), null, true);
      expect(c).toEqual({
        decision: valid ? 'valid' : 'invalid',
        disagree: false,
        findings: ours(valid).findings,
        validation: { ruleset: 'Peppol BIS Billing 3.0', findings: ours(valid).findings },
      });
    }
  });

  it('both valid: valid, the detail showing both agreeing', () => {
    const c = twoChecks(ours(true), VALID, true);
    expect(c.decision).toBe('valid');
    expect(c.validation).toEqual({
      ruleset: 'Peppol BIS Billing 3.0',
      findings: [WARNING],
      accessPoint: VALID,
      checksDisagree: false,
    });
  });

  it("both invalid: invalid, the access point's reasons among ours in its own words", () => {
    const c = twoChecks(ours(false), REJECTS, true);
    expect([c.decision, c.disagree]).toEqual(['invalid', false]);
    expect(c.findings.map((f) => f.rule)).toEqual(['BR-CO-16', 'PEPPOL-W', 'AP-42']);
    expect(c.findings[2]).toEqual({
      rule: 'AP-42',
      flag: 'fatal',
      message: "The access point's own check says: Seller unknown to us.",
      location: '/Invoice',
    });
    expect(c.validation.findings).toEqual(c.findings);
    expect(c.validation.checksDisagree).toBe(false);
  });

  it('they disagree about a file with a buyer: held, either way round', () => {
    for (const [mine, theirs] of [
      [false, VALID],
      [true, REJECTS],
    ] as const) {
      const c = twoChecks(ours(mine), theirs, true);
      expect([c.decision, c.disagree]).toEqual(['held', true]);
      // Neither's reasons are merged: each verdict is shown as it is.
      expect(c.findings).toEqual(ours(mine).findings);
      expect(c.validation).toMatchObject({ accessPoint: theirs, checksDisagree: true });
    }
  });

  it('a disagreement about a file without a buyer Peppol ID leaves our verdict (nothing to send to)', () => {
    expect(twoChecks(ours(false), VALID, false).decision).toBe('invalid');
    expect(twoChecks(ours(true), REJECTS, false).decision).toBe('valid');
    // The detail still says they disagree.
    expect(twoChecks(ours(true), REJECTS, false).validation.checksDisagree).toBe(true);
  });

  it('an access point error without a rule is named ACCESS-POINT', () => {
    const noRule = { ...REJECTS, errors: [{ rule: '', location: '', message: 'No.' }] };
    const c = twoChecks(ours(false), noRule, true);
    expect(c.findings.at(-1)).toMatchObject({
      rule: 'ACCESS-POINT',
      message: "The access point's own check says: No.",
    });
  });
});
