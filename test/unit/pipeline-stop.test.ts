/**
 * Stopping the queue, then closing the database (the engine's stop: app/engine/index.ts): every
 * answer the access point gave is recorded before the close, and nothing writes after it. Before
 * the fix, a commit of the send stage asked for by the last pump before the stop ran after the
 * close ("Peppol Desk could not record send outcomes: The database connection is not open", about
 * one run in three of delivery-poll-429's set-up and queue-faults in CI).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessPointClient, ApOutcome, SendAnswer } from '../../app/access-point/client';
import { Pipeline, type Validator } from '../../app/queue/pipeline';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { useTempDirs } from '../helpers/temp';
import { docInState } from '../helpers/walk';
import { pipelineDeps } from '../helpers/pipeline-deps';

/** A real turn of the event loop (captured before any test fakes the timers). */
const realImmediate = setImmediate;
const realTurn = () => new Promise<void>((resolve) => realImmediate(resolve));
const tempDir = useTempDirs();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** An access point that accepts every send at once; `answered` maps each key to its transaction. */
function acceptingClient(answered: Map<string, string>, hold?: (answer: () => void) => void) {
  const never = () => new Promise<never>(() => undefined);
  const accept = (key: string): ApOutcome<SendAnswer> => {
    const transactionId = `tx-${key}`;
    answered.set(key, transactionId);
    return { kind: 'ok', value: { transactionId, status: 'ACCEPTED' }, status: 202 };
  };
  return {
    baseUrl: 'http://stub',
    batchSupported: false,
    version: () => Promise.resolve({ kind: 'ok', value: {}, status: 200 }),
    send: (_body: Uint8Array, key: string) =>
      hold
        ? new Promise<ApOutcome<SendAnswer>>((resolve) => hold(() => resolve(accept(key))))
        : Promise.resolve(accept(key)),
    sendBatch: never,
    lookup: never,
    validate: never,
    transaction: never,
    transactions: never,
    close: async () => undefined,
  } as unknown as AccessPointClient;
}

/** A pipeline on `dataDir`'s database (`:memory:` for one in memory), sending with `client`. */
function open(dataDir: string, client: AccessPointClient) {
  const db = openDb({ dataDir });
  const repo = new DocumentsRepo(db);
  const validator: Validator = { cacheKey: 'test', check: () => new Promise(() => undefined) };
  const pipeline = new Pipeline(
    pipelineDeps(db, { repo, client, validator }),
    // Fixed concurrency, single sends: claims ahead and lazy commits, the most timers.
    { concurrency: 2, trackDelivery: false },
  );
  // Every write of the database after `closed` is set (a transaction of the repository).
  const afterClose: string[] = [];
  let closed = false;
  for (const name of ['tx', 'txRedoable'] as const) {
    const original = repo[name].bind(repo) as (fn: () => unknown) => unknown;
    vi.spyOn(repo, name).mockImplementation(((fn: () => unknown, ...rest: unknown[]) => {
      if (closed) afterClose.push(name);
      return (original as (...a: unknown[]) => unknown)(fn, ...rest);
    }) as never);
  }
  const close = () => {
    closed = true;
    db.close();
  };
  return { db, repo, pipeline, afterClose, close };
}

describe('stopping the queue, then closing the database', () => {
  it('at any moment of a run: every answer is recorded as accepted, nothing is written after the close', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'setInterval', 'clearInterval'],
    });
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const DOCS = 6;
    // Stopped after 0, 1, 2, … timers of the run: every point where the stop can fall, up to
    // well past the last acceptance (a run takes about 20 timers here).
    const STOPS = 60;
    let wholeRuns = 0;
    for (let stopAfter = 0; stopAfter < STOPS; stopAfter++) {
      const answered = new Map<string, string>();
      const { repo, pipeline, afterClose, close } = open(':memory:', acceptingClient(answered));
      const ids = Array.from({ length: DOCS }, () =>
        docInState(repo, ['validating', 'ready', 'resolving', 'queued']),
      );
      pipeline.start();
      for (let i = 0; i < stopAfter; i++) await vi.advanceTimersToNextTimerAsync();

      // The engine's order: the queue stops, then the database closes. The worst case: nothing
      // else of the stop takes a turn of the event loop, so the close comes before any timer
      // that was already due (a real turn lets every promise settle, no fake timer runs).
      let stopped = false;
      const stopping = pipeline.stop().then(() => {
        stopped = true;
      });
      await realTurn();
      for (let i = 0; i < 100 && !stopped; i++) await vi.advanceTimersToNextTimerAsync();
      await stopping;
      // Every answer is recorded; a document not answered was not sent and waits in the queue.
      for (const id of ids) {
        const doc = repo.get(id)!;
        const tx = answered.get(doc.idempotency_key);
        expect([doc.state, doc.transaction_id]).toEqual(
          tx === undefined ? ['queued', null] : ['accepted', tx],
        );
      }
      if (answered.size === DOCS) wholeRuns++;
      close();
      // Whatever timer was still due runs now: none may touch the closed database.
      await vi.runAllTimersAsync();
      expect(afterClose, `stopped after ${stopAfter} timers`).toEqual([]);
    }
    expect(warnings).not.toHaveBeenCalled();
    // The stops covered the whole run, its end included.
    expect(wholeRuns).toBeGreaterThan(5);
  });

  it('answers that could not be recorded leave their documents sending; the next start sends them again under the same keys', async () => {
    const dataDir = tempDir();
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const answered = new Map<string, string>();
    const answers: (() => void)[] = [];
    const first = open(
      dataDir,
      acceptingClient(answered, (answer) => answers.push(answer)),
    );
    const ids = Array.from({ length: 2 }, () =>
      docInState(first.repo, ['validating', 'ready', 'resolving', 'queued']),
    );
    const keys = ids.map((id) => first.repo.get(id)!.idempotency_key);
    first.pipeline.start();
    await vi.waitFor(() => expect(answers).toHaveLength(2), { timeout: 10_000, interval: 5 });
    // The disk refuses every write from now on; the access point accepts both while stopping.
    vi.mocked(first.repo.tx).mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    const stopping = first.pipeline.stop();
    for (const answer of answers) answer();
    await stopping;
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/could not record send outcomes/));
    expect([...answered.keys()].sort()).toEqual([...keys].sort());
    // Nothing recorded, nothing lost: both are still `sending`, their keys unchanged.
    for (const [i, id] of ids.entries())
      expect([first.repo.get(id)!.state, first.repo.get(id)!.idempotency_key]).toEqual([
        'sending',
        keys[i],
      ]);
    first.close();
    expect(first.afterClose).toEqual([]);

    // The next start: sent again under the same keys, so the access point answers with the
    // first result (here: the same transaction), and recorded this time.
    const again = new Map<string, string>();
    const second = open(dataDir, acceptingClient(again));
    second.pipeline.start();
    await vi.waitFor(
      () => expect(ids.map((id) => second.repo.get(id)!.state)).toEqual(['accepted', 'accepted']),
      { timeout: 10_000, interval: 5 },
    );
    expect([...again.keys()].sort()).toEqual([...keys].sort());
    for (const id of ids) {
      const doc = second.repo.get(id)!;
      expect(doc.transaction_id).toBe(answered.get(doc.idempotency_key));
      expect(second.repo.timeline(id).map((e) => e.detail)).toContain(
        'Resumed after the app was stopped',
      );
    }
    await second.pipeline.stop();
    second.close();
  });
});
