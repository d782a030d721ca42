/**
 * Starting a validation worker, kept apart from the pool and the rules so a host can start one
 * before it loads anything else: a worker takes ~0.2 s to load its bundle, which `validate` would
 * otherwise wait for after its own start-up. Imports nothing but `node:worker_threads`.
 */
import { Worker } from 'node:worker_threads';

/** Heap limit of each worker in MB unless the pool is given another. */
export const DEFAULT_WORKER_HEAP_MB = 512;
// A document's tree outlives the young generation anyway: a larger one only adds resident memory
// (48 MB more at 64 MB for a 10 MB file) without saving CPU.
const WORKER_YOUNG_GENERATION_MB = 16;

/** A validation worker with the limits every pool worker gets. */
export function startWorker(script: string, maxHeapMb: number): Worker {
  return new Worker(script, {
    resourceLimits: {
      maxOldGenerationSizeMb: maxHeapMb,
      maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
    },
  });
}

interface Early {
  worker: Worker;
  script: string;
  maxHeapMb: number;
  /** The worker said it loaded (its `ready` message came before a pool took it). */
  ready: boolean;
  dead: boolean;
  off: () => void;
}

let early: Early | null = null;

/**
 * Start one validation worker now, for the pool that `createValidationPool` will create with the
 * same script and heap limit. Until a pool takes it, it keeps no process alive.
 */
export function prestartValidationWorker(script: string, maxHeapMb = DEFAULT_WORKER_HEAP_MB): void {
  if (early !== null) return;
  const worker = startWorker(script, maxHeapMb);
  worker.unref();
  const e: Early = { worker, script, maxHeapMb, ready: false, dead: false, off: () => {} };
  const onMessage = (msg: { ready?: true }) => {
    if (msg.ready === true) e.ready = true;
  };
  const onGone = () => {
    e.dead = true;
  };
  worker.on('message', onMessage);
  worker.on('error', onGone);
  worker.on('exit', onGone);
  e.off = () => {
    worker.off('message', onMessage);
    worker.off('error', onGone);
    worker.off('exit', onGone);
  };
  early = e;
}

/**
 * The worker started by `prestartValidationWorker` for this script and heap limit, if it is still
 * alive, with whether it already said it loaded; null otherwise. Taken once, and ref'd again.
 */
export function takePrestartedWorker(
  script: string,
  maxHeapMb: number,
): { worker: Worker; ready: boolean } | null {
  const e = early;
  if (e === null) return null;
  early = null;
  e.off();
  if (e.script !== script || e.maxHeapMb !== maxHeapMb) {
    void e.worker.terminate();
    return null;
  }
  if (e.dead) return null;
  e.worker.ref();
  return { worker: e.worker, ready: e.ready };
}
