/** Errors of a team store that say the database cannot be reached (re-exported by ./store). */

/**
 * The team database cannot be reached (down, unreachable, refusing this login, or no such
 * database): not a bug. The desk keeps its work locally and tries again. The message names the
 * database by its label, never with the password.
 */
export class TeamStoreUnavailableError extends Error {
  readonly code = 'TEAM_STORE_UNAVAILABLE';
  constructor(
    readonly label: string,
    /** What went wrong in a few words (e.g. "connection refused"), no secrets. */
    readonly reason: string,
  ) {
    super(
      `The team database at ${label} cannot be reached (${reason}). Documents dropped here are kept on this computer and handed over when it is back.`,
    );
    this.name = 'TeamStoreUnavailableError';
  }
}

/** True when `err` says the team database cannot be reached now (not a bug). */
export function isStoreUnavailable(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'TEAM_STORE_UNAVAILABLE';
}
