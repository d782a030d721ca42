// The real CLI against the access point written from the docs alone
// (test/helpers/doc-access-point.mjs), at the edges the docs leave open: a send answered 201 or
// 202, JSON with a charset, chunked answers, status values' case, Retry-After as an HTTP date, a
// 5xx with an HTML body. Each run sends 10 invoices to delivery, each accepted exactly once.
import { describe, expect, it } from 'vitest';
import { type DocAccessPointOptions } from '../helpers/doc-access-point.mjs';
import { useDocAccessPointRuns } from '../helpers/doc-access-point-cli';

const { accessPoint, invoices, send } = useDocAccessPointRuns();

describe("the CLI against an access point written from the docs alone, at the docs' edges", () => {
  it.concurrent.each([
    // Five cases, so that all run at once (vitest's default concurrency). Lost answers: the
    // retry under the same Idempotency-Key gets the first result.
    {
      edge: 'send answered 201 with a charset, answers lost after sends were taken',
      options: {
        sendStatus: 201,
        contentType: 'application/json; charset=utf-8',
        dropAnswers: 2,
        dropAnswersOf: ['/api/v1/send'],
      },
      batch: 'off',
    },
    {
      edge: 'send answered 202, chunked',
      options: { sendStatus: 202, chunked: true },
      batch: 'off',
    },
    // Transaction and batch item statuses: DELIVERED was tracked for a week, and each ACCEPTED
    // item, read as not mentioned, was sent again (3 to 6 times each).
    { edge: 'statuses in upper case', options: { statusCase: 'upper' }, batch: '5' },
    {
      edge: '429 with Retry-After as an HTTP date',
      options: { throttle: 1, retryAfter: 'date' },
      batch: 'off',
    },
    {
      edge: '503 with an HTML body, chunked',
      options: { serverErrors: 3, chunked: true },
      batch: '5',
    },
  ] as { edge: string; options: DocAccessPointOptions; batch: string }[])(
    'sends and tracks 10 invoices to delivery with --batch $batch, $edge',
    async ({ options, batch }) => {
      const ap = await accessPoint({ ...options, steps: ['queued_for_as4', 'delivered'] });
      const { dir, numbers } = invoices(10, 'EDGE');
      const res = await send(ap, dir, ['--wait-delivery', '--batch', batch]);
      const accepted = ap.acceptedByNumber();
      expect({
        code: res.code,
        stderr: res.stderr,
        summary: res.summary,
        acceptedNumbers: [...accepted.keys()].sort(),
        acceptedMoreThanOnce: [...accepted].filter(([, n]) => n !== 1),
        faults: ap.faults(),
      }).toEqual({
        code: 0,
        stderr: '',
        summary: expect.objectContaining({ total: 10, sent: 10, failed: 0 }),
        acceptedNumbers: numbers,
        acceptedMoreThanOnce: [],
        // The faults asked for were all given (the case is not passed by missing its edge).
        faults: {
          throttled: options.throttle ?? 0,
          serverErrors: options.serverErrors ?? 0,
          dropped: options.dropAnswers ?? 0,
        },
      });
    },
    40_000,
  );

  // Known, left to the send stages (being changed): a batch whose answer is lost is retried as
  // the identical batch, and batch idempotency is our sandbox's choice, not the docs'. At this
  // access point (dropAnswers: 1, dropAnswersOf: ['/api/v1/batch'], --batch 5, 10 invoices) the
  // first batch's 5 invoices are accepted twice each, and the summary says 10 sent, 0 duplicates.
  it.todo('sends no invoice twice when a batch is taken and its answer lost');
});
