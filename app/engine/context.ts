/**
 * What the engine's parts share: one object made by createEngine, handed to each part (documents,
 * user actions, settings, hot folder) instead of a closure over many variables.
 */
import type { Pipeline } from '../queue/pipeline';
import type { Checkpointer } from '../store/checkpointer';
import type { DocumentsRepo } from '../store/documents-repo';
import type { DropJournal } from '../store/drops';
import type { EngineConnection } from './connection';
import type { EngineEvents } from './events';
import type { EngineOptions } from './options';
import type { EngineSettings } from './settings';

/** The running engine's parts, as its handlers see them. */
export interface EngineContext {
  options: EngineOptions;
  now: () => number;
  repo: DocumentsRepo;
  /** The drops of files being added from the app (app/store/drops.ts). */
  drops: DropJournal;
  settings: EngineSettings;
  connection: EngineConnection;
  pipeline: Pipeline;
  events: EngineEvents;
  /** Checkpoints in a worker thread; null when the connection checkpoints itself. */
  checkpointer?: Checkpointer | null;
}
