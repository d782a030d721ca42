import { existsSync } from 'node:fs';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { CheckOptions, CheckResult } from './types';
import type { WorkerRequest, WorkerResponse } from './worker';
import { DEFAULT_WORKER_HEAP_MB, startWorker, takePrestartedWorker } from './worker-start';

/** Worker-thread pool running checkDocument off the event loop. */
export interface ValidationPool {
  check(bytes: Uint8Array, options?: CheckOptions): Promise<CheckResult>;
  readonly size: number;
  /**
   * Where checks run now: worker threads, or the main thread (no worker script given, the bundle
   * is missing, or the workers kept dying). In-thread keeps working but can stall the UI.
   */
  readonly mode: 'workers' | 'in-thread';
  /** Why checks run in-thread when a worker script was expected; null otherwise. */
  readonly fallbackReason: string | null;
  close(): Promise<void>;
}

/** Options of `createValidationPool`. */
export interface ValidationPoolOptions {
  /** Number of workers; default os.availableParallelism()-1, min 1. */
  size?: number;
  /** Path of the built worker bundle; when absent or missing on disk, run in-thread via setImmediate. */
  workerScript?: string;
  /**
   * Told once when a worker script was given but checks fall back to the main thread (default:
   * a Node process warning on stderr).
   */
  onFallback?: (reason: string) => void;
  /**
   * Longest one check may take in a worker (default 30 s). Past it the worker is stopped and
   * replaced, and the document gets an UNCHECKABLE result instead of holding a slot forever.
   */
  timeLimitMs?: number;
  /** Heap limit of each worker in MB (default 512): a hostile file kills its worker, not the app. */
  maxHeapMb?: number;
}

/** Default time limit of one check in a worker. */
export const DEFAULT_CHECK_TIME_LIMIT_MS = 30_000;

/** The result given to a document whose check killed or outlived its worker. */
export function uncheckable(why: string): CheckResult {
  return {
    ok: false,
    error: {
      code: 'UNCHECKABLE',
      message: `This file could not be checked: ${why}. An invoice never needs this much; export it again from your accounting system as Peppol BIS Billing 3.0 UBL.`,
    },
  };
}

/** Raised for checks submitted after `close()` or lost with a crashed worker. */
export class ValidationPoolError extends Error {
  /** Stable code. */
  readonly code: 'POOL_CLOSED' | 'WORKER_FAILED';
  constructor(code: 'POOL_CLOSED' | 'WORKER_FAILED', message: string) {
    super(message);
    this.name = 'ValidationPoolError';
    this.code = code;
  }
}

interface Job {
  id: number;
  /** Stops the worker when the check outlives the time limit. */
  timer?: NodeJS.Timeout;
  bytes: Uint8Array;
  options: CheckOptions | undefined;
  resolve: (r: CheckResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Posted to the worker, in order; the first is being checked, the others wait in its port. */
  jobs: Job[];
  /** The worker loaded its bundle and said so. */
  ready: boolean;
  /** Terminate the worker, giving the reason its document will be told. */
  stop?: (why: string) => void;
}

/** Workers dying this many times in a row without finishing a check switch the pool to in-thread mode. */
const MAX_CONSECUTIVE_FAILURES = 3;
/**
 * Checks posted to one worker at a time: the next one waits in the worker's port, so the worker
 * starts it the moment it answers the last, instead of idling until a busy main thread has read
 * that answer and posted more (one at a time, the worker waited for every commit in between).
 */
const WORKER_DEPTH = 8;

/** Most bytes of documents waiting in one worker's port behind the one it checks. */
const WORKER_QUEUED_BYTES = 2 * 1024 * 1024;

/** Bytes of the documents posted to a slot and not yet answered. */
function postedBytes(slot: Slot): number {
  let n = 0;
  for (const j of slot.jobs) n += j.bytes.byteLength;
  return n;
}

function defaultSize(): number {
  const n =
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n - 1);
}

function warnFallback(reason: string): void {
  process.emitWarning(reason, { code: 'PEPPOL_DESK_VALIDATION_IN_THREAD' });
}

/**
 * checkDocument never throws for bad input; anything else still becomes the document's answer.
 * The rules load on the first check made here: a host whose checks run in workers (`send`, the
 * app) does not spend its start-up loading them on its own thread as well.
 */
async function checkSafely(
  bytes: Uint8Array,
  options: CheckOptions | undefined,
): Promise<CheckResult> {
  try {
    const { checkDocument } = await import('./check');
    return checkDocument(bytes, options);
  } catch {
    return uncheckable('the checker stopped on an unexpected error');
  }
}

/** In-thread fallback: one document per macrotask so the event loop keeps breathing. */
function createInlinePool(size: number, fallbackReason: string | null): ValidationPool {
  let closed = false;
  return {
    size,
    mode: 'in-thread',
    fallbackReason,
    check(bytes, options) {
      if (closed)
        return Promise.reject(
          new ValidationPoolError('POOL_CLOSED', 'The validation pool is closed.'),
        );
      return new Promise((resolve) => {
        setImmediate(() => {
          void checkSafely(bytes, options).then(resolve);
        });
      });
    },
    async close() {
      closed = true;
    },
  };
}

/** Create a pool of validation workers (or an in-thread fallback when no worker bundle exists). */
export function createValidationPool(opts: ValidationPoolOptions = {}): ValidationPool {
  const size = Math.max(1, Math.floor(opts.size ?? defaultSize()));
  const script = opts.workerScript;
  const onFallback = opts.onFallback ?? warnFallback;
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_CHECK_TIME_LIMIT_MS;
  const maxHeapMb = opts.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  // No script asked for (tests, small tools): in-thread by choice, nothing to warn about.
  if (script === undefined) return createInlinePool(size, null);
  if (!existsSync(script)) {
    const reason = `Validation runs on the main thread: the worker bundle ${script} is missing (rebuild the app). Large drops may make the window slow.`;
    onFallback(reason);
    return createInlinePool(size, reason);
  }

  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  let failures = 0;
  let degraded = false;
  let fallbackReason: string | null = null;
  let draining = false;

  const spawn = (): Slot => {
    // The first may have been started before the host loaded (see worker-start.ts).
    const early = takePrestartedWorker(script, maxHeapMb);
    const worker = early?.worker ?? startWorker(script, maxHeapMb);
    const slot: Slot = { worker, jobs: [], ready: early?.ready ?? false };
    // Why the pool itself stopped this worker (time limit), for the document's message.
    let stoppedFor: string | null = null;
    slot.worker.on('message', (msg: WorkerResponse) => {
      if (msg.ready === true) {
        slot.ready = true;
        failures = 0;
        pump();
        return;
      }
      const job = slot.jobs[0];
      failures = 0;
      if (job !== undefined && job.id === msg.id) {
        slot.jobs.shift();
        clearTimeout(job.timer);
        if (msg.result !== undefined) job.resolve(msg.result);
        else job.resolve(uncheckable('the checker stopped on an unexpected error'));
        // The next posted check starts now in the worker: its time limit starts with it.
        const next = slot.jobs[0];
        if (next !== undefined) startTimer(slot, next);
      }
      pump();
    });
    const onDeath = (err?: Error) => {
      const i = slots.indexOf(slot);
      if (i < 0) return; // already handled ('error' is followed by 'exit')
      slots.splice(i, 1);
      // The first posted check is the one the worker died on; the others never started and go
      // back to the front of the queue, in order.
      const [job = null, ...notStarted] = slot.jobs.splice(0);
      queue.unshift(...notStarted);
      if (job !== null) {
        clearTimeout(job.timer);
        const outOfMemory =
          (err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        job.resolve(
          uncheckable(
            stoppedFor ??
              (outOfMemory ? 'checking it needed more memory than allowed' : 'the checker stopped'),
          ),
        );
      }
      if (closed) return;
      // A worker that died on a document it was given had loaded fine: replace it without
      // counting towards the in-thread fallback (that is for bundles that cannot start).
      if (job === null) failures++;
      if (failures >= MAX_CONSECUTIVE_FAILURES) {
        // The bundle cannot start (e.g. a missing dependency): stop respawning and validate
        // in-thread instead of failing every document.
        degraded = true;
        fallbackReason = `Validation runs on the main thread: the validation workers stopped ${MAX_CONSECUTIVE_FAILURES} times in a row (${err?.message ?? 'exited'}). Large drops may make the window slow.`;
        onFallback(fallbackReason);
        for (const s of slots.splice(0)) {
          queue.unshift(...s.jobs.splice(0));
          void s.worker.terminate();
        }
        drainInThread();
        return;
      }
      slots.push(spawn());
      pump();
    };
    slot.worker.on('error', onDeath);
    slot.stop = (why: string) => {
      stoppedFor = why;
      void worker.terminate();
    };
    slot.worker.on('exit', (code) => {
      if (!closed) onDeath(new Error(`exit code ${code}`));
    });
    return slot;
  };

  const drainInThread = () => {
    const job = queue.shift();
    if (job === undefined) return;
    setImmediate(() => {
      void checkSafely(job.bytes, job.options).then((result) => {
        job.resolve(result);
        drainInThread();
      });
    });
  };

  const pump = () => {
    if (degraded) {
      if (queue.length > 0 && !draining) {
        draining = true;
        setImmediate(() => {
          draining = false;
          drainInThread();
        });
      }
      return;
    }
    for (const slot of slots) {
      while (slot.ready && slot.jobs.length < WORKER_DEPTH) {
        const head = queue[0];
        if (head === undefined) return;
        // Each posted document is a copy in the worker's port: past the first, post only while
        // the copies stay small, so a run of 15 MB files is not held eight at a time.
        if (slot.jobs.length > 0 && postedBytes(slot) + head.bytes.byteLength > WORKER_QUEUED_BYTES)
          break;
        const job = queue.shift()!;
        slot.jobs.push(job);
        if (slot.jobs.length === 1) startTimer(slot, job);
        // The worker gets a copy of its own, handed over instead of cloned: one copy of a 15 MB
        // file instead of two (the message's and the worker's), and the caller keeps its bytes.
        const own = new Uint8Array(job.bytes.byteLength);
        own.set(job.bytes);
        const req: WorkerRequest = { id: job.id, bytes: own };
        if (job.options !== undefined) req.options = job.options;
        slot.worker.postMessage(req, [own.buffer]);
      }
    }
  };
  /** The time limit of a check, from when the worker starts it. */
  const startTimer = (slot: Slot, job: Job) => {
    job.timer = setTimeout(() => {
      if (slot.jobs[0] === job)
        slot.stop?.(
          `checking it took longer than ${(timeLimitMs / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} s`,
        );
    }, timeLimitMs);
    job.timer.unref?.();
  };

  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    size,
    get mode() {
      return degraded ? 'in-thread' : 'workers';
    },
    get fallbackReason() {
      return fallbackReason;
    },
    check(bytes, options) {
      if (closed)
        return Promise.reject(
          new ValidationPoolError('POOL_CLOSED', 'The validation pool is closed.'),
        );
      return new Promise<CheckResult>((resolve, reject) => {
        queue.push({ id: nextId++, bytes, options, resolve, reject });
        pump();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) {
        job.reject(new ValidationPoolError('POOL_CLOSED', 'The validation pool was closed.'));
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
      for (const s of slots) {
        for (const job of s.jobs.splice(0))
          job.reject(new ValidationPoolError('POOL_CLOSED', 'The validation pool was closed.'));
      }
      slots.length = 0;
    },
  };
}
