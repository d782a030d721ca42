import { checkDocument } from './check';
import type { CheckOptions } from './types';

/** Outcome of `runValidationBench`. */
export interface ValidationBenchResult {
  documents: number;
  bytes: number;
  seconds: number;
  docsPerSecond: number;
  megabytesPerSecond: number;
  /** Documents that passed intake (the others were rejected as unreadable). */
  accepted: number;
}

/** Options of `runValidationBench`. */
export interface ValidationBenchOptions extends CheckOptions {
  /** Minimum measuring time in milliseconds (default 2000). */
  minMillis?: number;
  /** Unmeasured warm-up rounds over all files (default 50 documents' worth). */
  warmupDocs?: number;
  /** Clock in milliseconds (default performance.now). */
  now?: () => number;
}

/**
 * Measure `checkDocument` throughput on one thread: warm up, then validate the files round-robin
 * until `minMillis` has passed. Returns documents per second and megabytes per second.
 */
export function runValidationBench(
  files: { name: string; bytes: Uint8Array }[],
  opts: ValidationBenchOptions = {},
): ValidationBenchResult {
  if (files.length === 0) throw new Error('runValidationBench needs at least one file.');
  const now = opts.now ?? (() => performance.now());
  const minMillis = opts.minMillis ?? 2000;
  const check: CheckOptions = opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {};
  const warm = opts.warmupDocs ?? 50;
  for (let i = 0; i < warm; i++) checkDocument(files[i % files.length]!.bytes, check);
  let documents = 0;
  let bytes = 0;
  let accepted = 0;
  const start = now();
  let elapsed = 0;
  while (elapsed < minMillis) {
    for (const f of files) {
      if (checkDocument(f.bytes, check).ok) accepted++;
      documents++;
      bytes += f.bytes.byteLength;
    }
    elapsed = now() - start;
  }
  const seconds = elapsed / 1000;
  return {
    documents,
    bytes,
    seconds,
    docsPerSecond: documents / seconds,
    megabytesPerSecond: bytes / (1024 * 1024) / seconds,
    accepted,
  };
}
