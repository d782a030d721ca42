/**
 * Our check of a file and the access point's own (setting `remoteValidation`) put together: what
 * they decide for the document and what its detail shows. A single desk's validation
 * (./validate.ts, finishValidation) and a team desk's intake and detail
 * (app/team/desk-remote-check.ts) both ask here, so the two desks cannot drift apart.
 */
import type { RemoteVerdict } from '../../access-point/client';
import type { DocumentValidation } from '../../contract';
import type { Verdict } from '../../validation/types';

/** Our check as the two-checks rule needs it. */
export interface OurCheck {
  valid: boolean;
  ruleset: string;
  findings: Verdict['findings'];
}

/** The two checks put together (see {@link twoChecks}). */
export interface TwoChecks {
  /**
   * - `invalid`: ours says invalid and the access point agrees, did not answer, or says valid
   *   about a file without a buyer Peppol ID (it cannot be sent anyway);
   * - `held`: they disagree about a file with a buyer: the clerk decides (Send anyway or cancel);
   * - `valid`: ours says valid and the access point agrees or did not answer, or it disagrees
   *   about a file without a buyer (which then fails for want of one, not of the checks).
   */
  decision: 'valid' | 'invalid' | 'held';
  /** The access point answered and said otherwise than ours. */
  disagree: boolean;
  /** Our findings, with the access point's reasons among them when both say invalid. */
  findings: Verdict['findings'];
  /** What the detail shows: our findings so joined, and the access point's answer when asked. */
  validation: DocumentValidation;
}

/** Our verdict and the access point's (null: not asked, or it could not answer), put together. */
export function twoChecks(
  ours: OurCheck,
  remote: RemoteVerdict | null,
  hasBuyer: boolean,
): TwoChecks {
  const disagree = remote !== null && remote.valid !== ours.valid;
  // Both say invalid: the access point's reasons join ours in the list of what to fix.
  const findings =
    remote && !remote.valid && !ours.valid
      ? [...ours.findings, ...accessPointFindings(remote)]
      : ours.findings;
  const decision =
    !ours.valid && (!disagree || !hasBuyer) ? 'invalid' : disagree && hasBuyer ? 'held' : 'valid';
  const validation: DocumentValidation = {
    ruleset: ours.ruleset,
    findings,
    ...(remote
      ? {
          accessPoint: { valid: remote.valid, errors: remote.errors, warnings: remote.warnings },
          checksDisagree: disagree,
        }
      : {}),
  };
  return { decision, disagree, findings, validation };
}

/** The access point's errors as findings, worded as its own (shown when both checks fail). */
export function accessPointFindings(remote: RemoteVerdict): Verdict['findings'] {
  return remote.errors.map((e) => ({
    rule: e.rule || 'ACCESS-POINT',
    flag: 'fatal' as const,
    message: `The access point's own check says: ${e.message}`,
    location: e.location ?? '',
  }));
}
