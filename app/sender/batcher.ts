import { createHash } from 'node:crypto';

/** Limits the provider documents for one batch request. */
export const BATCH_LIMITS = {
  documents: 100,
  /** Whole request body. */
  bytes: 50 * 1024 * 1024,
  /** One document inside a batch. */
  documentBytes: 15 * 1024 * 1024,
} as const;

/** Options of {@link Batcher}. */
export interface BatcherOptions {
  /** Documents per batch (1–100, default 100). */
  maxDocuments?: number;
  /** Bytes per batch body (default 50 MB less a margin for the JSON envelope). */
  maxBytes?: number;
  /** How long the first waiting document may wait for others, ms (default 20). */
  windowMs?: number;
}

/** Something that can go into a batch: its size as serialised into the body. */
export interface BatchCandidate {
  bytes: number;
}

/**
 * Decides when documents leave and how they are grouped: as soon as a full batch is waiting, or
 * when the first waiting document has waited `windowMs` (so a single file still leaves at once,
 * while documents ready together travel together). Pure: the caller passes the time.
 */
export class Batcher {
  readonly maxDocuments: number;
  readonly maxBytes: number;
  readonly windowMs: number;
  private waitingSince: number | null = null;

  constructor(options: BatcherOptions = {}) {
    this.maxDocuments = Math.max(
      1,
      Math.min(BATCH_LIMITS.documents, Math.floor(options.maxDocuments ?? BATCH_LIMITS.documents)),
    );
    this.maxBytes = Math.max(1, options.maxBytes ?? BATCH_LIMITS.bytes - 64 * 1024);
    this.windowMs = Math.max(0, options.windowMs ?? 20);
  }

  /**
   * `waiting` documents are ready at `now`: 0 means send now, otherwise how many ms to wait for
   * more. Call `reset` once they have left.
   */
  waitMs(waiting: number, now: number): number {
    if (waiting <= 0) {
      this.waitingSince = null;
      return Number.POSITIVE_INFINITY;
    }
    if (waiting >= this.maxDocuments) return 0;
    if (this.waitingSince === null) this.waitingSince = now;
    const waited = now - this.waitingSince;
    return waited >= this.windowMs ? 0 : this.windowMs - waited;
  }

  /**
   * While a window is open (documents wait for others): ms left of it when fewer than a full
   * batch wait, 0 when it is over or a full batch waits; null when no window is open.
   */
  windowLeft(waiting: number, now: number): number | null {
    if (this.waitingSince === null) return null;
    if (waiting >= this.maxDocuments) return 0;
    return Math.max(0, this.windowMs - (now - this.waitingSince));
  }

  /** The waiting documents left; the next one starts a new window. */
  reset(): void {
    this.waitingSince = null;
  }

  /**
   * Split `items` (kept in order) into batches within the document and byte limits. An item
   * larger than `maxBytes` on its own goes in a batch of its own (the caller sends it singly).
   */
  split<T extends BatchCandidate>(items: readonly T[]): T[][] {
    const batches: T[][] = [];
    let current: T[] = [];
    let bytes = 0;
    for (const item of items) {
      if (
        current.length > 0 &&
        (current.length >= this.maxDocuments || bytes + item.bytes > this.maxBytes)
      ) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += item.bytes;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }
}

/**
 * The batch `Idempotency-Key` for a set of items: derived from their ids (the documents'
 * idempotency keys), so the same set always gets the same key — after a timeout, a reset or a
 * crash, the identical batch is sent again under the identical key — and a different set never
 * reuses one.
 */
export function batchKeyFor(itemIds: readonly string[]): string {
  const h = createHash('sha256');
  for (const id of [...itemIds].sort()) h.update(id).update('\n');
  return `batch-${h.digest('hex').slice(0, 40)}`;
}
