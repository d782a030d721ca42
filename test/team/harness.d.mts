/** Types of test/team/harness.mjs (`npm run test:team-crash` runs it with 5,000 invoices). */
import type { AcceptanceReport } from './processes.mjs';

export declare const LEASE_ENV: string;

export interface TeamCrashFigures {
  documents: number;
  desks: number;
  seed: number;
  leaseMs: number;
  killsRequested: number;
  kills: number;
  killsWhileClaiming: number;
  /** Distinct documents a killed desk left in `sending`. */
  documentsOrphanedByKills: number;
  /** Of those, how many were never claimed again in doubt (must be 0). */
  orphanedNotClaimedInDoubt: number | null;
  runs: number;
  failedExits: { desk: string; code: number | null; signal: string | null; stderr: string }[];
  stop: { desk: string; stoppedMs: number; heldWhenStopped: number; heldAfterLease: number } | null;
  postgresRestart: { atAccepted: number; downMs: number; tookMs: number } | null;
  deadlineHit: boolean;
  seconds: number;
  sandbox: {
    accepted: number;
    distinctBodies: number;
    duplicateContentAccepts: number;
    duplicateInvoiceNumbers: number;
    idempotentReplays: number;
    idempotencyConflicts: number;
  };
  acceptance: AcceptanceReport;
  inDoubtClaims: number | null;
  teamRows: number;
  states: Record<string, number>;
  notFinal: number | null;
  desksStillRunning: number;
  perDesk: { desk: string; runs: number; kills: number; finished: boolean; summary: unknown }[];
  ok: boolean;
}

export declare function runTeamCrashHarness(options?: {
  documents?: number;
  kills?: number;
  seed?: number;
  desks?: number;
  latencyMs?: number;
  leaseMs?: number;
  minKillGapMs?: number;
  maxKillGapMs?: number;
  aimedKillShare?: number;
  stopAtShare?: number;
  restartAtShare?: number;
  pgDownMs?: number;
  /** Longest SIGSTOP: it lasts twice the lease, then until the others took its claims over. */
  maxStopMs?: number;
  deadlineMs?: number;
  cliArgs?: string[];
  log?: (line: string) => void;
}): Promise<TeamCrashFigures>;
