/**
 * `documents:list` off the engine's thread: a worker thread with its own read-only connection
 * (list-worker.ts) reads the pages, so a page costs the engine's thread nothing but passing the
 * request and the answer, however busy it is. Requests are answered in order (one worker).
 *
 * If the worker cannot start or stops, the reader says so once and every list is read on the
 * engine's thread again, as before (`fallback`).
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { DocumentRow, StateCounts } from '../contract';
import type { DocumentListQuery } from './document-record';

/** What the worker is started with. */
export interface ListWorkerData {
  /** The engine's database file. */
  file: string;
  /** better-sqlite3's native module (beside an asar the worker cannot load it by name). */
  nativeBinding: string | null;
  mmapBytes: number;
  cacheKiB: number;
}

/** One page asked of the worker. */
export interface ListRequest {
  id: number;
  query: DocumentListQuery & { offset?: number; limit?: number };
}

/** A page as `documents:list` answers it. */
export interface ListPage {
  rows: DocumentRow[];
  total: number;
  counts: StateCounts;
}

/** The worker's answer to one request. */
export type ListReply =
  { id: number; ok: true; value: ListPage } | { id: number; ok: false; message: string };

/** How to start a list reader. */
export interface ListReaderOptions {
  /** The built worker (dist/list-worker.cjs). */
  script: string;
  file: string;
  nativeBinding?: string | null;
  /** Told once when the worker cannot serve and lists go back to the engine's thread. */
  onFallback?: (message: string) => void;
}

/** Pages read by a worker thread; null answers mean "read it on the engine's thread". */
export class ListReader {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (page: ListPage | null) => void; reject: (err: Error) => void }
  >();

  constructor(private readonly options: ListReaderOptions) {
    if (!existsSync(options.script)) {
      options.onFallback?.(
        `The document list is read on the engine's thread: the worker bundle ${options.script} is missing (rebuild the app). Large lists may answer slower while invoices are sent.`,
      );
      return;
    }
    const data: ListWorkerData = {
      file: options.file,
      nativeBinding: options.nativeBinding ?? null,
      mmapBytes: 256 * 1024 * 1024,
      cacheKiB: 32 * 1024,
    };
    const worker = new Worker(options.script, { workerData: data });
    this.worker = worker;
    // Not a reason to keep the process alive: the engine closes it on stop.
    worker.unref();
    worker.on('message', (reply: ListReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(reply.message));
    });
    worker.on('error', (err) => this.stopServing(err.message));
    worker.on('exit', (code) => this.stopServing(`the list worker exited (${code})`));
  }

  /** True while the worker serves lists. */
  get serving(): boolean {
    return this.worker !== null;
  }

  /**
   * A page read by the worker, in its own read transaction begun after this call; null when the
   * worker no longer serves (read it on the engine's thread). Rejects with the query's error.
   */
  list(query: ListRequest['query']): Promise<ListPage | null> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise<ListPage | null>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, query } satisfies ListRequest);
    });
  }

  /** Stop the worker (the engine stops); pending requests fall back to the engine's thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.settlePending();
    if (worker) await worker.terminate();
  }

  private stopServing(reason: string): void {
    if (!this.worker) return;
    this.worker = null;
    this.settlePending();
    this.options.onFallback?.(
      `The document list is read on the engine's thread: ${reason}. Large lists may answer slower while invoices are sent.`,
    );
  }

  private settlePending(): void {
    for (const w of this.pending.values()) w.resolve(null);
    this.pending.clear();
  }
}
