/**
 * The access point's own check of a file (setting `remoteValidation`, the team's) at a team desk's
 * intake, with the single desk's outcomes (app/queue/stages/validate.ts):
 * - both checks say valid: the document goes on (its receiver is looked up, then `queued`);
 * - both say invalid: `invalid`, the access point's reasons joining ours in the problem;
 * - they disagree: `held` with `CHECKS_DISAGREE` (the clerk cancels it or sends it anyway);
 * - the access point cannot answer: our verdict stands and nothing is noted on the document
 *   (sending surfaces any rejection), exactly as on a single desk; as there, the header learns of
 *   it (`noteOutcome`: offline when the access point cannot be reached).
 * Answers are cached as on a single desk: in this desk's data folder, per access point and
 * content, for 24 h (the team's store does not share them; another desk asks again).
 */
import type { AccessPointClient, ApOutcome, RemoteVerdict } from '../access-point/client';
import {
  remoteVerdictThroughCache,
  type RemoteValidationCache,
} from '../caches/remote-validation-cache';
import type { DocumentValidation } from '../contract';
import { checksDisagree, validationFailed, type Problem } from '../domain/problems';
import { accessPointFindings } from '../queue/stages/validate';
import type { Verdict } from '../validation/types';

/** What the access point's check needs from the desk (read at use: a reconnect swaps them). */
export interface RemoteCheckDeps {
  /** The setting `remoteValidation` (on a team desk, the team's value). */
  enabled(): boolean;
  client(): AccessPointClient;
  /** This desk's cache of the answers of the access point in use. */
  cache(): RemoteValidationCache;
  /** Told of each answer asked for (or its absence): the header's connection, as on a single desk. */
  noteOutcome?(outcome: ApOutcome<RemoteVerdict>): void;
}

/** Asks the access point's own check, through this desk's cache of its answers. */
export class DeskRemoteCheck {
  constructor(private readonly deps: RemoteCheckDeps) {}

  /**
   * The access point's verdict on `body` (its sha256 given), or null: the setting is off, or the
   * access point could not answer (not cached then, so the next file asks again).
   */
  async verdict(sha256: string, body: Uint8Array): Promise<RemoteVerdict | null> {
    if (!this.deps.enabled()) return null;
    return remoteVerdictThroughCache(this.deps.cache(), this.deps.client(), sha256, body, (o) =>
      this.deps.noteOutcome?.(o),
    );
  }

  /** The cached answer about this content, if this desk has one (the detail, Send anyway). */
  cached(sha256: string): RemoteVerdict | null {
    try {
      return this.deps.cache().get(sha256);
    } catch {
      return null;
    }
  }
}

/** Our verdict as the decision needs it. */
export interface OurCheck {
  valid: boolean;
  findings: Verdict['findings'];
}

/** What intake does with a checked file once the access point's check has answered. */
export type RemoteDecision =
  /** Our verdict stands (no answer, both valid, or no buyer to send to anyway). */
  | { kind: 'ours' }
  /** Both checks say invalid: the problem lists ours and the access point's reasons. */
  | { kind: 'invalid'; problem: Problem }
  /** The checks disagree: held for the clerk. */
  | { kind: 'held'; problem: Problem };

/**
 * The single desk's decision (ValidateStage.finishValidation), without its duplicate checks: a
 * disagreement on a file with no buyer Peppol ID leaves our verdict (it cannot be sent anyway).
 */
export function decideWithAccessPoint(
  ours: OurCheck,
  remote: RemoteVerdict | null,
  hasBuyer: boolean,
  docType: string | null,
): RemoteDecision {
  if (remote === null) return { kind: 'ours' };
  if (!ours.valid && !remote.valid) {
    const fatal = [...ours.findings, ...accessPointFindings(remote)].filter(
      (f) => f.flag === 'fatal',
    );
    return { kind: 'invalid', problem: validationFailed(fatal) };
  }
  if (ours.valid === remote.valid || !hasBuyer) return { kind: 'ours' };
  return { kind: 'held', problem: checksDisagree(docType, ours, remote) };
}

/**
 * Our check with the access point's answer, as the detail shows it on a single desk: its verdict,
 * whether the two disagree, and (both invalid) its reasons among ours.
 */
export function withAccessPoint(
  ours: DocumentValidation,
  remote: RemoteVerdict | null,
): DocumentValidation {
  if (remote === null) return ours;
  const oursValid = !ours.findings.some((f) => f.flag === 'fatal');
  const findings =
    !oursValid && !remote.valid
      ? [...ours.findings, ...accessPointFindings(remote)]
      : ours.findings;
  return {
    ...ours,
    findings,
    accessPoint: { valid: remote.valid, errors: remote.errors, warnings: remote.warnings },
    checksDisagree: oursValid !== remote.valid,
  };
}
