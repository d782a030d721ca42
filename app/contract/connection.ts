/**
 * The contract's access point connection: the environment, the header's connection status and how
 * an access point is named to a clerk. Part of app/contract.ts (import from there).
 */

/** The environment the app talks to. */
export type Environment = 'sandbox' | 'test' | 'production';

/** Connection to the access point, as shown in the header. */
export interface ConnectionStatus {
  /**
   * `refused`: the access point answers, but not to this API key (a 401, or a 403 to the
   * connection check, which carries no invoice). `checking`: a request was answered 403, which may
   * be about its invoice; the connection check says which. `trouble`: it answers only with server
   * errors or not in time (a run of 5xx or timeouts). All three hold the queue until it answers
   * again (app/access-point/reachability.ts).
   */
  state: 'connecting' | 'online' | 'offline' | 'throttled' | 'checking' | 'refused' | 'trouble';
  environment: Environment;
  endpoint: string;
  /** The access point in use as documents are pinned to it (`sandbox` for the built-in one). */
  accessPoint?: string;
  paused: boolean;
  waiting: number;
  message: string | null;
  /**
   * Documents held because they were queued for another access point, per access point; `inDoubt`
   * of them may already have reached it (a reroute leaves those for a decision on each).
   */
  waitingElsewhere?: {
    accessPoint: string;
    environment: Environment | null;
    count: number;
    inDoubt?: number;
  }[];
  /** When sending was paused (ms), while paused. */
  pausedAt?: number | null;
  /** When the next automatic attempt or connection check is due (ms), when known. */
  nextTryAt?: number | null;
  /** The hot folder, while one is watched. */
  hotFolder?: HotFolderStatus;
  /**
   * False when a provider address is set without an API key (not the built-in Sandbox, which
   * needs none): the header says a key is missing, and, when the access point refuses the
   * requests, that this is why (not that a key was refused).
   */
  apiKeySet?: boolean;
  /**
   * Whether the access point in use takes invoices in groups: only one whose version answer
   * says it recognises a group sent twice (a group whose answer is lost must be sent again).
   * `not-offered`: the Settings box "Send invoices in groups" has no effect, invoices go one by
   * one (walk 23). Absent until it has answered, and on a team outbox (one by one always).
   */
  groups?: 'offered' | 'not-offered';
  /**
   * The environment the access point names in its version answer (`GET /peppol/version`), as it
   * says it; null or absent until it answered one (see app/domain/environment.ts
   * environmentMismatch for when the screen says it differs from the key's).
   */
  accessPointEnvironment?: string | null;
  /**
   * On a team outbox: the team's database (label without password), the desks online, this
   * desk's name, and whether the database answers now.
   */
  team?: {
    label: string;
    desksOnline: number;
    deskName: string;
    reachable: boolean;
    /**
     * False while this desk does not send because the team sends through another access point
     * (`accessPoint`, its label): the desk still adds invoices to the team's queue. Absent until
     * the team database has said which access point the team uses.
     */
    sends?: boolean;
    /** The access point the team sends through, once a desk has set it. */
    accessPoint?: string | null;
    /** Desks online that send through the team's access point (this one included), not paused. */
    sendersOnline?: number;
    /** While the database cannot be reached: files kept on this computer meanwhile (walk 20). */
    kept?: number;
  };
}

/** A file the hot folder could not take (moved to failed/ or left) or could not move. */
export interface HotFolderNotice {
  /** Grows with each notice: a screen hides the ones the clerk dismissed by it. */
  seq: number;
  /** The file, relative to the hot folder. */
  name: string;
  /** What happened and what to do, in plain words. */
  message: string;
  /** When, ms. */
  at: number;
}

/** The hot folder as the header shows it. */
export interface HotFolderStatus {
  folder: string;
  /** The folder is not there (a drive or share not connected): files are taken once it is back. */
  missing: boolean;
  /** The newest notices, oldest first (at most MAX_HOT_FOLDER_NOTICES). */
  notices: HotFolderNotice[];
}

/**
 * An access point as a clerk reads it: "the built-in Sandbox", or the provider's host with its
 * environment ("app.goroute.ai (Test)"). Named beside `other`, an address whose host and
 * environment are the same as its own shows its path too (walk 24b: "queued for 127.0.0.1:18020
 * (Test), not 127.0.0.1:18020 (Test)" of a URL left without its `/peppol-api`).
 */
export function accessPointLabel(
  accessPoint: string | null,
  environment: Environment | null,
  other?: { accessPoint: string | null; environment: Environment | null },
): string {
  const twin =
    other !== undefined &&
    accessPoint !== null &&
    other.accessPoint !== accessPoint &&
    other.accessPoint !== null &&
    other.environment === environment &&
    hostAndPath(other.accessPoint)[0] === hostAndPath(accessPoint)[0];
  return labelOf(accessPoint, environment, twin);
}

/**
 * An access point by its whole address, its path included ("app.goroute.ai/peppol-api
 * (Production)"): where one document went, in its details (walk 25b N2: "Sent through
 * 127.0.0.1:P (Test)" read like the wrong URL just corrected, which lacked the path).
 */
export function accessPointAddressLabel(
  accessPoint: string | null,
  environment: Environment | null,
): string {
  return labelOf(accessPoint, environment, true);
}

function labelOf(
  accessPoint: string | null,
  environment: Environment | null,
  withPath: boolean,
): string {
  if (accessPoint === null) return 'an unknown access point';
  if (accessPoint === 'sandbox') return 'the built-in Sandbox';
  const env = environment === 'production' ? 'Production' : environment === 'test' ? 'Test' : null;
  const [host, path] = hostAndPath(accessPoint);
  const where = withPath ? `${host}${path || '/'}` : host;
  return env ? `${where} (${env})` : where;
}

/** The host of a provider URL and its path without a trailing slash (as stored, if no URL). */
function hostAndPath(accessPoint: string): [string, string] {
  try {
    const url = new URL(accessPoint);
    return [url.host, url.pathname.replace(/\/+$/, '')];
  } catch {
    return [accessPoint, ''];
  }
}

/** Whether a label of {@link accessPointLabel} names the built-in Sandbox (practice). */
export function isBuiltInSandboxLabel(label: string): boolean {
  return label.startsWith(accessPointLabel('sandbox', null));
}

/**
 * How ConnectionStatus.message begins while the access point refuses to send invoices with the
 * key it takes otherwise (state `refused`; app/access-point/reachability-words sendsRefusedWords):
 * the header and the rows say "sending refused", not that the key is wrong (walk 20b).
 */
export const SENDS_REFUSED_START = 'The access point refuses to send invoices with this API key';

/**
 * How ConnectionStatus.message begins while the provider URL leads to no access point (state
 * `refused`; app/access-point/reachability-words ADDRESS_NOT_FOUND_WORDS): the header, the rows
 * and Settings say the URL is wrong, not the key (walk 24: "API key not accepted" beside a
 * banner saying the URL was wrong, and a clerk retyping a key that was fine).
 */
export const ADDRESS_NOT_FOUND_START =
  'The provider URL in Settings does not lead to an access point';

/** What a `refused` status refuses: no key set, the key, sending with it, or the URL. */
export function refusalOf(status: {
  apiKeySet?: boolean;
  message?: string | null;
}): 'no-key' | 'key' | 'sends' | 'address' {
  if (status.message?.startsWith(ADDRESS_NOT_FOUND_START)) return 'address';
  if (status.apiKeySet === false) return 'no-key';
  return status.message?.startsWith(SENDS_REFUSED_START) ? 'sends' : 'key';
}
