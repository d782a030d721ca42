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
    { edge: 'send answered 201', options: { sendStatus: 201 }, batch: 'off' },
    { edge: 'send answered 202', options: { sendStatus: 202 }, batch: 'off' },
    {
      edge: 'JSON with a charset',
      options: { contentType: 'application/json; charset=utf-8' },
      batch: 'off',
    },
    { edge: 'chunked answers', options: { chunked: true }, batch: '5' },
    // Transaction and batch item statuses: DELIVERED was tracked for a week, and each ACCEPTED
    // item, read as not mentioned, was sent again (3 to 6 times each).
    { edge: 'statuses in upper case', options: { statusCase: 'upper' }, batch: '5' },
    {
      edge: '429 with Retry-After as an HTTP date',
      options: { throttle: 3, retryAfter: 'date' },
      batch: 'off',
    },
    { edge: '503 with an HTML body', options: { serverErrors: 3 }, batch: '5' },
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
      }).toEqual({
        code: 0,
        stderr: '',
        summary: expect.objectContaining({ total: 10, sent: 10, failed: 0 }),
        acceptedNumbers: numbers,
        acceptedMoreThanOnce: [],
      });
    },
    40_000,
  );
});
