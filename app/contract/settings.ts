/**
 * The contract's settings: what the UI sees and what `settings:set` accepts. Part of
 * app/contract.ts (import from there).
 */
import type { Environment } from './connection';

/**
 * The settings a team outbox shares: on a team desk every desk uses the team's value (kept in the
 * team's database), so a document's fate does not depend on which desk handles it. The others
 * (concurrency, batching, gzip, the metrics port, the hot folder) stay each desk's own.
 */
export const TEAM_SETTING_KEYS = [
  'maxAttempts',
  'remoteValidation',
  'maxDocumentBytes',
  'lookupFoundTtlMs',
  'lookupNotFoundTtlMs',
] as const;

/** A setting shared by the team (see TEAM_SETTING_KEYS). */
export type TeamSettingKey = (typeof TEAM_SETTING_KEYS)[number];

/** Who changed a shared setting last: a desk's name (null when unknown) and when (ms). */
export interface TeamSettingChange {
  changedBy: string | null;
  changedAt: number;
  /** The value the first desk on the team brought (nobody changed it since). */
  seeded?: boolean;
}

/** Settings as the UI sees them: the API key never leaves the engine, only whether one is set. */
export interface Settings {
  endpoint: string | null;
  /**
   * The provider address was given on the command line (`--endpoint`) when Peppol Desk was
   * started: Settings shows it and cannot change it (walk 24: "Settings saved", and nothing
   * changed).
   */
  endpointFixed?: boolean;
  apiKeySet: boolean;
  environment: Environment;
  concurrency: number | 'auto';
  batching: boolean;
  gzip: boolean;
  /** Port of the Prometheus endpoint on 127.0.0.1, or null when it is off (the default). */
  metricsPort: number | null;
  maxAttempts: number;
  /** Also check each document with the access point's own validator before sending. */
  remoteValidation: boolean;
  hotFolder: string | null;
  /** Move hot folder files to `sent/` or `failed/` once final (default on). */
  hotFolderMove: boolean;
  /** Also take files in the hot folder's subfolders (default off: only its own files). */
  hotFolderSubfolders: boolean;
  /** Largest file accepted, in bytes (default 15 MB, the provider's limit per document). */
  maxDocumentBytes: number;
  /** How long a "receiver found" lookup answer is reused, ms (default 1 h). */
  lookupFoundTtlMs: number;
  /** How long a "receiver not on Peppol" lookup answer is reused, ms (default 5 min). */
  lookupNotFoundTtlMs: number;
  dataDir: string;
  /**
   * The team outbox this desk works on, as people see it (`user@host:port/db`, never the
   * password), or null for this computer's own outbox. Absent where the host cannot switch (CLI).
   */
  teamStore?: { label: string } | null;
  /**
   * On a team desk: the settings the team shares (their values above are the team's), each with
   * who changed it last and when (null until the team's database has answered: the values are
   * then this desk's own). Absent on a single desk.
   */
  sharedByTeam?: Record<TeamSettingKey, TeamSettingChange | null>;
}

/** What `settings:set` accepts. `apiKey: null` removes the key. */
export interface SettingsPatch {
  endpoint?: string | null;
  apiKey?: string | null;
  concurrency?: number | 'auto';
  batching?: boolean;
  gzip?: boolean;
  /** A port turns the Prometheus endpoint on (127.0.0.1 only); null turns it off. */
  metricsPort?: number | null;
  maxAttempts?: number;
  remoteValidation?: boolean;
  hotFolder?: string | null;
  hotFolderMove?: boolean;
  hotFolderSubfolders?: boolean;
  maxDocumentBytes?: number;
  lookupFoundTtlMs?: number;
  lookupNotFoundTtlMs?: number;
  /**
   * Join a team outbox (a `postgresql://` URL, kept like the API key) or leave it (null: back to
   * this computer's own outbox). Checked before it is kept; the app host switches outboxes.
   */
  teamStore?: string | null;
}
