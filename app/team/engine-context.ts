/** What the team engine's handlers work with (./engine-handlers, ./engine-actions). */
import type { HotFolderStatus } from '../contract';
import type { EngineConnection } from '../engine/connection';
import type { EngineOptions } from '../engine/options';
import type { DropJournal } from '../store/drops';
import type { TeamEngineSettings } from './team-settings';
import type { Metrics } from '../metrics/metrics';
import type { CheckResult } from '../validation/types';
import type { TeamDesk } from './desk';
import type { DeskAccessPointHealth } from './desk-health';
import type { DeskRemoteCheck } from './desk-remote-check';
import type { TeamEngineEvents } from './engine-events';
import type { DeskInfo, TeamStore } from './store';
import type { TeamMetricsReader } from './team-metrics';

/** What the team handlers work with. */
export interface TeamHandlerContext {
  options: EngineOptions;
  settings: TeamEngineSettings;
  connection: EngineConnection;
  store: TeamStore;
  desk: DeskInfo;
  teamDesk: TeamDesk;
  /** Whether this desk's checks, lookups and sends reach the access point (the header). */
  health: DeskAccessPointHealth;
  metrics: Metrics;
  /** The team's figures per desk, for the charts. */
  teamMetrics: TeamMetricsReader;
  events: TeamEngineEvents;
  /** The drops of files being added from this desk's pages (app/store/drops.ts). */
  drops: DropJournal;
  /** This desk's check of a file (verdicts cached by content): the detail's findings. */
  check(bytes: Uint8Array): Promise<CheckResult>;
  /** The access point's own check as this desk asked it (its cached answers: the detail). */
  remote: DeskRemoteCheck;
  /** The hot folder's status, while one is watched (the header shows it). */
  hotFolderStatus?(): HotFolderStatus | null;
  /** Restart (or stop) the hot folder from the saved setting. */
  applyHotFolder?(): Promise<void>;
  /** Start, move or stop this desk's Prometheus endpoint (null: off). */
  setMetricsPort(port: number | null): Promise<void>;
}
