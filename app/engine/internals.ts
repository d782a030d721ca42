/**
 * The engine's insides, for tests and diagnostics only: the documents repository, the raw
 * database and the built-in sandbox of a running engine. Hosts (the CLI, the Electron main, the browser host, the
 * renderer) go through the contract's handlers; test/unit/import-graph.test.ts keeps them away
 * from this file.
 */
import type { SandboxHandle } from '../sandbox/server';
import type { Db } from '../store/db';
import type { DocumentsRepo } from '../store/documents-repo';

/** What a test may look at inside an engine (the state of a row, the raw database). */
export interface EngineInternals {
  repo: DocumentsRepo;
  db: Db;
  /**
   * The built-in sandbox when it is the access point in use and runs on the engine's thread (its
   * faults and counts), else null (on its own thread: `EngineOptions.sandboxWorker`).
   */
  readonly sandbox: SandboxHandle | null;
  /** Send requests out now, waiting for their answers. */
  sendsInFlight(): number;
}

/** An engine, as far as this file needs to know (no import of the engine: no cycle). */
type AnEngine = { handlers: object; waitUntilSettled: unknown };

// Keyed by the engine object: nothing on `Engine` itself hands these out.
const byEngine = new WeakMap<AnEngine, EngineInternals>();

/** Recorded once by createEngine for the engine it returns. */
export function recordInternals(engine: AnEngine, internals: EngineInternals): void {
  byEngine.set(engine, internals);
}

/** The repository and database of an engine made by createEngine (tests and diagnostics only). */
export function engineInternals(engine: AnEngine): EngineInternals {
  const internals = byEngine.get(engine);
  if (!internals) throw new Error('This engine was not made by createEngine.');
  return internals;
}
