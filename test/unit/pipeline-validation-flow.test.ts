import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessPointClient } from '../../app/access-point/client';
import { ParticipantCache } from '../../app/caches/participant-cache';
import { ValidationCache } from '../../app/caches/validation-cache';
import { Metrics } from '../../app/metrics/metrics';
import { Pipeline, type Validator } from '../../app/queue/pipeline';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import type { CheckResult } from '../../app/validation';
import { until } from '../helpers/wait';

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

describe('validation has no head-of-line blocking', () => {
  it('lets every document leave validation when its own check ends, while a slow one still runs', async () => {
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
    const pipeline = new Pipeline(
      {
        repo,
        client,
        validator,
        validationCache: new ValidationCache(db),
        participants: new ParticipantCache(db, 'stub'),
        metrics: new Metrics(),
        environment: 'sandbox',
        onChanged: () => undefined,
        onConnection: () => undefined,
      },
      { concurrency: 1 },
    );
    pipelines.push(pipeline);
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
      const pipeline = new Pipeline(
        {
          repo,
          client,
          validator,
          validationCache: new ValidationCache(db),
          participants: new ParticipantCache(db, 'stub'),
          metrics: new Metrics(),
          environment: 'sandbox',
          onChanged: () => undefined,
          onConnection: () => undefined,
        },
        { concurrency: 1 },
      );
      pipelines.push(pipeline);
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
