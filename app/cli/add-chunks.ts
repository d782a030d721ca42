/**
 * How `send` cuts the files it was given into chunks for `documents:add`. Adding a chunk is
 * synchronous: while it runs no verdict is committed, no lookup answered and no request leaves.
 */

/** Files of the first chunk: the first documents are checked, looked up and sent meanwhile. */
export const FIRST_CHUNK = 32;
/**
 * Fewest files of a later chunk. Each chunk ends in a synced commit on the event loop: on a busy
 * disk that sync, not the files, is most of a chunk's time, and more chunks only add syncs (the
 * claims of the first sends then wait behind them).
 */
export const MIN_CHUNK = 128;
/** Most files of a later chunk. */
export const MAX_CHUNK = 500;
/** About how long one later chunk may hold the event loop (ms). */
export const CHUNK_TARGET_MS = 40;

/**
 * How many files the next chunk takes: a small first chunk, so the pipeline starts while the
 * rest is read; then as many as take about {@link CHUNK_TARGET_MS} to read and add (measured on
 * the chunk before), between {@link MIN_CHUNK} and {@link MAX_CHUNK}.
 */
export class ChunkSizer {
  private msPerFile: number | null = null;
  private first = true;

  /** The number of files for the next chunk. */
  next(): number {
    if (this.first) {
      this.first = false;
      return FIRST_CHUNK;
    }
    if (this.msPerFile === null || this.msPerFile <= 0) return MAX_CHUNK;
    return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.floor(CHUNK_TARGET_MS / this.msPerFile)));
  }

  /** A chunk of `files` took `ms` to read and add. */
  took(files: number, ms: number): void {
    if (files > 0) this.msPerFile = ms / files;
  }
}
