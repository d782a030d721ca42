/** Types of test/team/processes.mjs (plain JS so the harness and the bench run it unbuilt). */
import type { ChildProcess } from 'node:child_process';

export declare const root: string;
export declare function dist(name: string): string;
export declare function mulberry32(seed: number): () => number;
export declare function sleep(ms: number): Promise<void>;
export declare function teamKey(bytes: Uint8Array): string;

export interface WrittenInvoice {
  number: string;
  key: string;
}
export declare function writeInvoices(
  folders: string[],
  count: number,
  prefix?: string,
): WrittenInvoice[];

export interface AcceptedRow {
  key: string | null;
  sha256: string;
  number: string | null;
  transactionId: string;
}
export interface SandboxProcess {
  url: string;
  child: ChildProcess;
  stats(): Promise<{
    acceptedDocuments: number;
    distinctBodies: number;
    duplicateContentAccepts: number;
    duplicateInvoiceNumbers: { count: number; numbers: string[] };
    idempotentReplays: number;
    idempotencyConflicts: number;
    requests: {
      total: number;
      byEndpoint: Record<string, { total: number; byStatus: Record<string, number> }>;
    };
  }>;
  accepted(): Promise<AcceptedRow[]>;
  stop(): Promise<void>;
}
export declare function startSandboxProcess(options?: {
  latencyMs?: number;
  extraArgs?: string[];
}): Promise<SandboxProcess>;

export interface AcceptanceReport {
  acceptances: number;
  acceptedOnce: number;
  acceptedMoreThanOnce: number;
  neverAccepted: number;
  unknownNumbers: number;
  wrongKey: number;
  examples: { twice: string[]; missing: string[] };
}
export declare function acceptanceReport(
  rows: AcceptedRow[],
  invoices: WrittenInvoice[],
): AcceptanceReport;

export interface DeskExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  summary: Record<string, unknown> | null;
  stdout: string;
  stderr: string;
}
export interface DeskRun {
  proc: ChildProcess;
  exited: Promise<DeskExit>;
  startedAt: number;
}
export declare function spawnDesk(options: {
  folder: string;
  storeUrl: string;
  dataDir: string;
  endpoint: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}): DeskRun;
export declare function isRunning(pid: number): boolean;
