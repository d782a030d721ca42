import { parentPort } from 'node:worker_threads';
import { checkDocument } from './check';
import type { CheckOptions, CheckResult } from './types';
import { warmUpInvoice, WARM_UP_ROUNDS } from './warm-up';

/** Message a pool sends to a worker. */
export interface WorkerRequest {
  id: number;
  bytes: Uint8Array;
  options?: CheckOptions;
}

/** Message a worker sends back. */
export interface WorkerResponse {
  id: number;
  /** Sent once after start-up, so the pool only hands work to workers that loaded. */
  ready?: true;
  result?: CheckResult;
  error?: string;
}

// Entry point of the worker bundle (dist/validation-worker.cjs).
if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (msg: WorkerRequest) => {
    let reply: WorkerResponse;
    try {
      reply = { id: msg.id, result: checkDocument(msg.bytes, msg.options) };
    } catch (err) {
      reply = { id: msg.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
  const ready: WorkerResponse = { id: 0, ready: true };
  port.postMessage(ready);
  // Warm up (see warm-up.ts): one check per turn, so real documents are answered in between.
  let round = 0;
  const warmUp = () => {
    try {
      checkDocument(warmUpInvoice(round));
    } catch {
      // Only ever a warm-up: a real document's error is reported with that document.
    }
    if (++round < WARM_UP_ROUNDS) setImmediate(warmUp);
  };
  setImmediate(warmUp);
}
