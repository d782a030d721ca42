import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessPointClient } from '../../app/access-point/client';
import { Pipeline, type Validator } from '../../app/queue/pipeline';
import { VALIDATE_AT_ONCE_MAX, VALIDATE_COMMIT_MAX } from '../../app/queue/stages/validate';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import type { CheckResult } from '../../app/validation';
import { until } from '../helpers/wait';
import { pipelineDeps } from '../helpers/pipeline-deps';

const pipelines: Pipeline[] = [];
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.stop()));
});

const never = () => new Promise<never>(() => undefined);
const client = {
  baseUrl: 'http://stub',
  batchSupported: false,
  version: never,
  send: never,
  sendBatch: never,
  lookup: never,
  validate: never,
  transaction: never,
  transactions: never,
  close: async () => undefined,
} as unknown as AccessPointClient;

const ANSWER: CheckResult = { ok: false, error: { code: 'EMPTY', message: 'This file is empty.' } };

/** Polls (bounded) until `cond` holds. */

/**
 * A pipeline on an in-memory outbox whose validator answers at once, except for documents whose
 * body starts with "s": those wait until their function in `slow` is called.
 */
function slowAndFast(): { repo: DocumentsRepo; slow: (() => void)[]; pipeline: Pipeline } {
  const db = openDb({ dataDir: ':memory:' });
  const repo = new DocumentsRepo(db);
  const slow: (() => void)[] = [];
  const validator: Validator = {
    cacheKey: 'test',
    check: (bytes) =>
      bytes[0] === 0x73 /* s */
        ? new Promise((resolve) => slow.push(() => resolve(ANSWER)))
        : Promise.resolve(ANSWER),
  };
  const pipeline = new Pipeline(pipelineDeps(db, { repo, client, validator }), { concurrency: 1 });
  pipelines.push(pipeline);
  return { repo, slow, pipeline };
}

describe('validation has no head-of-line blocking', () => {
  it('lets every document leave validation when its own check ends, while a slow one still runs', async () => {
    const { repo, slow, pipeline } = slowAndFast();
    const add = (i: number, body: string) =>
      repo.insert({
        fileName: `d${i}.xml`,
        sha256: `sha-${i}`,
        size: body.length,
        body: new TextEncoder().encode(body),
        idempotencyKey: `key-${i}`,
      });
    const slowIds = [add(0, 'slow'), add(1, 'slow')];
    const fastIds = Array.from({ length: 200 }, (_, i) => add(i + 2, 'fast'));
    pipeline.start();
    // 200 quick documents pass two that never finish (more than any one batch of old).
    await until(() => fastIds.every((id) => repo.get(id)?.state === 'invalid'), 'the quick ones');
    expect(slowIds.map((id) => repo.get(id)?.state)).toEqual(['validating', 'validating']);
    for (const release of slow.splice(0)) release();
    await until(() => slowIds.every((id) => repo.get(id)?.state === 'invalid'), 'the slow ones');
  });
});

describe('the first verdicts of a drop', () => {
  it('go on at once while nothing is being sent, without waiting to share a commit', async () => {
    // Timers never fire here: the commit that waits for others to share it (a few ms) would
    // never come, so only a verdict committed at once leaves `validating`.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const { repo, slow, pipeline } = slowAndFast();
      const add = (i: number, body: string) =>
        repo.insert({
          fileName: `f${i}.xml`,
          sha256: `first-${i}`,
          size: body.length,
          body: new TextEncoder().encode(body),
          idempotencyKey: `first-key-${i}`,
        });
      const first = add(0, 'fast');
      const still = [add(1, 'slow'), add(2, 'slow')];
      pipeline.start();
      for (let turn = 0; turn < 200 && repo.get(first)?.state !== 'invalid'; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(repo.get(first)?.state).toBe('invalid');
      expect(still.map((id) => repo.get(id)?.state)).toEqual(['validating', 'validating']);
      // Let the rest finish (their shared commit's timer included) before the timers are real.
      for (const release of slow.splice(0)) release();
      for (let turn = 0; turn < 20; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        vi.advanceTimersByTime(100);
      }
      expect(still.map((id) => repo.get(id)?.state)).toEqual(['invalid', 'invalid']);
      await pipeline.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('validation records its verdicts in bounded turns (issue 9)', () => {
  it('never records more than VALIDATE_COMMIT_MAX verdicts in one commit, however many finish together', async () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    // Verdicts of every transaction that records some (counted, not timed).
    const perCommit: number[] = [];
    let current: number | null = null;
    const txRedoable = repo.txRedoable.bind(repo);
    repo.txRedoable = <T>(fn: () => T): T => {
      const outer = current;
      current = 0;
      try {
        return txRedoable(fn);
      } finally {
        if (current > 0) perCommit.push(current);
        current = outer;
      }
    };
    const pipeline = new Pipeline(
      pipelineDeps(
        db,
        // Every check ends at once: up to a whole batch (128) finishes in the same turn.
        { repo, client, validator: { cacheKey: 'test', check: () => Promise.resolve(ANSWER) } },
        {
          onChanged: (ids) => {
            if (current === null) return;
            for (const id of ids) if (repo.get(id)?.state === 'invalid') current++;
          },
        },
      ),
      { concurrency: 1 },
    );
    pipelines.push(pipeline);
    const ids = Array.from({ length: 300 }, (_, i) =>
      repo.insert({
        fileName: `d${i}.xml`,
        sha256: `sha-${i}`,
        size: 4,
        body: new TextEncoder().encode('fast'),
        idempotencyKey: `key-${i}`,
      }),
    );
    pipeline.start();
    await until(() => ids.every((id) => repo.get(id)?.state === 'invalid'), 'every verdict');
    expect(perCommit.reduce((a, n) => a + n, 0)).toBe(300);
    expect(Math.max(...perCommit)).toBeLessThanOrEqual(VALIDATE_COMMIT_MAX);
    expect(perCommit.length).toBeGreaterThanOrEqual(Math.ceil(300 / VALIDATE_COMMIT_MAX));
  });
});

describe('verdicts arriving one at a time while nothing is being sent (issue 9)', () => {
  it('go on at once only for the first VALIDATE_AT_ONCE_MAX of a drop, then share commits', async () => {
    // Timers never fire here: a commit comes only from a count (VALIDATE_COMMIT_DOCS waiting,
    // none left in validation) or from a verdict that goes on at once.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const db = openDb({ dataDir: ':memory:' });
      const repo = new DocumentsRepo(db);
      // Commits that record verdicts, counted with a spy on the stage's transaction.
      let commits = 0;
      let recorded = 0;
      const txRedoable = repo.txRedoable.bind(repo);
      repo.txRedoable = <T>(fn: () => T): T => {
        const before = recorded;
        const out = txRedoable(fn);
        if (recorded > before) commits++;
        return out;
      };
      // One verdict per turn of the event loop (as worker answers come on an idle engine).
      const waiting: (() => void)[] = [];
      let ticking = false;
      const tick = () => {
        waiting.shift()?.();
        if (waiting.length > 0) setImmediate(tick);
        else ticking = false;
      };
      const validator: Validator = {
        cacheKey: 'test',
        check: () =>
          new Promise<CheckResult>((resolve) => {
            waiting.push(() => resolve(ANSWER));
            if (!ticking) {
              ticking = true;
              setImmediate(tick);
            }
          }),
      };
      const pipeline = new Pipeline(
        pipelineDeps(
          db,
          { repo, client, validator },
          {
            onChanged: (ids) => {
              for (const id of ids) if (repo.get(id)?.state === 'invalid') recorded++;
            },
          },
        ),
        { concurrency: 1 },
      );
      pipelines.push(pipeline);
      const n = 300;
      const ids = Array.from({ length: n }, (_, i) =>
        repo.insert({
          fileName: `t${i}.xml`,
          sha256: `trickle-${i}`,
          size: 4,
          body: new TextEncoder().encode('fast'),
          idempotencyKey: `trickle-key-${i}`,
        }),
      );
      pipeline.start();
      for (let turn = 0; turn < 20 * n && recorded < n; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(ids.every((id) => repo.get(id)?.state === 'invalid')).toBe(true);
      expect(recorded).toBe(n);
      // No send is ever in flight. Every verdict going on at once would be a commit per turn
      // (about n / 2: one or two verdicts each). Only the first ones of the drop go at once; the
      // rest share commits (up to VALIDATE_COMMIT_MAX each).
      expect(commits).toBeGreaterThanOrEqual(Math.ceil(n / VALIDATE_COMMIT_MAX));
      expect(commits).toBeLessThanOrEqual(VALIDATE_AT_ONCE_MAX + Math.ceil(n / 16));
      await pipeline.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
