/**
 * The access point's own check of a file (setting `remoteValidation`, the team's) at a team desk's
 * intake, with the single desk's outcomes (the one rule both desks ask,
 * app/queue/stages/two-checks.ts; ./desk-intake turns it into the team row's state and problem):
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
