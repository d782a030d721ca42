/** What a hot folder needs (./hot-folder.ts) and what it offers: its deps, options and handle. */
import type { AddResult, HotFolderStatus, IncomingFile } from './contract';
import type { FolderWatchWork } from './folder-watcher';
import type { HotFolderDocumentStatus } from './hot-folder-outcome';

/** What the hot folder uses of the engine (plain functions, so it can be tested alone). */
export interface HotFolderDeps {
  add(files: IncomingFile[]): AddResult | Promise<AddResult>;
  status(id: number): HotFolderDocumentStatus | null;
  /** Subscribe to changed document ids; returns the unsubscribe function. */
  onChanged(listener: (ids: number[]) => void): () => void;
  /** Largest file taken, bytes (setting `maxDocumentBytes`); larger ones go to `failed/` unread. */
  maxBytes?(): number;
  /** True when the engine tracks delivery (default): files wait for delivery, not acceptance. */
  tracksDelivery?: boolean;
  log?(message: string): void;
  /** The folder's status ({@link HotFolder.status}) changed: shown on screen. */
  onStatus?(): void;
  /** Clock, ms (default Date.now). */
  now?(): number;
}

/** Options of one hot folder. */
export interface HotFolderOptions {
  /** The watched folder (absolute path). */
  folder: string;
  /** Move files to `sent/` / `failed/` once final (default true). */
  move?: boolean;
  /** A file is complete when its size stayed the same this long, ms (default 2000). */
  stabilityMs?: number;
  /** Also take files in subfolders (setting `hotFolderSubfolders`); default only its own files. */
  subfolders?: boolean;
  /** Documents on their way at most (default HOT_FOLDER_BACKLOG (./hot-folder.ts)). */
  backlog?: number;
  /**
   * A file that looks half-written (see hot-folder-complete.ts) waits in the folder until it is
   * complete; once unchanged this long, ms (default INCOMPLETE_WAIT_MS (./hot-folder-complete.ts)), it is said on
   * screen (and still waits).
   */
  incompleteMs?: number;
}

/** A running hot folder. */
export interface HotFolder {
  readonly folder: string;
  /** Resolves once the initial scan is done and new files are being watched. */
  readonly ready: Promise<void>;
  /** The watcher's work so far (files looked at, folder entries listed). */
  readonly work: FolderWatchWork;
  /** Whether the folder is there, and the files it could not take or move (for the screen). */
  status(): HotFolderStatus;
  close(): Promise<void>;
}
