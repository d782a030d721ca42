// The real CLI against the access point written from the docs alone
// (test/helpers/doc-access-point.mjs), at the edges the docs leave open: a send answered 201 or
// 202, JSON with a charset, chunked answers, status values' case, Retry-After as an HTTP date, a
// 5xx with an HTML body. Each run sends 10 invoices to delivery, each accepted exactly once.
import { describe, expect, it } from 'vitest';
import { type DocAccessPointOptions } from '../helpers/doc-access-point.mjs';
import { useDocAccessPointRuns } from '../helpers/doc-access-point-cli';

/** The one line `send --wait-delivery` says while invoices wait for delivery (or none). */
const WAITING_FOR_DELIVERY =
  /^(\d+ accepted by the access point; waiting for (its|their) delivery to the buyers? \(Ctrl\+C stops waiting; nothing is lost\)\.\n)?$/;

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
    {
      edge: 'statuses in upper case',
      options: { statusCase: 'upper', batchIdempotency: true },
      batch: '5',
    },
    // A batch taken and its answer lost is sent again identical: accepted once where the access
    // point says it deduplicates batches (the only place batches are sent).
    {
      edge: 'a batch answer lost, batches deduplicated',
      options: { dropAnswers: 1, dropAnswersOf: ['/api/v1/batch'], batchIdempotency: true },
      batch: '5',
    },
    {
      edge: '429 with Retry-After as an HTTP date',
      options: { throttle: 1, retryAfter: 'date' },
      batch: 'off',
    },
    {
      edge: '503 with an HTML body, chunked',
      options: { serverErrors: 3, chunked: true, batchIdempotency: true },
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
        // Nothing but what --wait-delivery waits for, once they are past the access point.
        stderr: expect.stringMatching(WAITING_FOR_DELIVERY),
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

  // Batch idempotency is not in the docs: at an access point that does not say it keeps it, a
  // batch whose answer was lost and was sent again identical was accepted twice (the first
  // batch's 5 invoices, 3 runs of 3, while the summary said 10 sent, 0 duplicates). Batches are
  // now sent only where the version answer says `batch_idempotency: true`; here every invoice
  // goes on its own, under its own documented Idempotency-Key, even with --batch 5.
  it('sends no batch where batches are not said to be deduplicated, and no invoice twice when answers are lost', async () => {
    const ap = await accessPoint({ dropAnswers: 2, steps: ['queued_for_as4', 'delivered'] });
    const { dir, numbers } = invoices(10, 'NODEDUP');
    const res = await send(ap, dir, ['--wait-delivery', '--batch', '5']);
    const accepted = ap.acceptedByNumber();
    expect({
      code: res.code,
      summary: res.summary,
      acceptedNumbers: [...accepted.keys()].sort(),
      acceptedMoreThanOnce: [...accepted].filter(([, n]) => n !== 1),
      batches: ap.requests('POST /api/v1/batch') + ap.requests('POST /api/v1/send/batch'),
      dropped: ap.faults().dropped,
    }).toEqual({
      code: 0,
      summary: expect.objectContaining({ total: 10, sent: 10, failed: 0 }),
      acceptedNumbers: numbers,
      acceptedMoreThanOnce: [],
      batches: 0,
      dropped: 2,
    });
  }, 40_000);
});
