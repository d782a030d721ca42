// The real CLI against an access point written from the provider's documentation alone
// (test/helpers/doc-access-point.mjs), not our sandbox: every `[doc]` freedom of
// ../shared/api-contract.md that our sandbox does not take is taken there (200 without `id`,
// batches only at /api/v1/batch, one lookup query form, lists with `transaction_id` only, a status
// we have never seen, `details` as a string).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDocAccessPointRuns } from '../helpers/doc-access-point-cli';
import { distFile } from '../helpers/dist';
import { waitFor } from '../helpers/wait';

/** The one line `send --wait-delivery` says while invoices wait for delivery (or none). */
const WAITING_FOR_DELIVERY =
  /^(\d+ accepted by the access point; waiting for (its|their) delivery to the buyers? \(Ctrl\+C stops waiting; nothing is lost\)\.\n)?$/;

const { accessPoint, invoices, send, tempDir } = useDocAccessPointRuns();

/** The .xml files in `dir` (none when it does not exist). */
const xmlIn = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.xml')) : [];

describe('the CLI against an access point written from the docs alone', () => {
  it.concurrent.each([
    // Batches only where the access point says it deduplicates them (not in the docs).
    {
      mode: 'default mode, batches deduplicated',
      flags: [] as string[],
      batchIdempotency: true,
      batched: true,
      prefix: 'BATCH',
    },
    {
      mode: 'default mode, nothing said of batches',
      flags: [] as string[],
      batchIdempotency: false,
      batched: false,
      prefix: 'NOBATCH',
    },
    {
      mode: '--batch off',
      flags: ['--batch', 'off'],
      batchIdempotency: true,
      batched: false,
      prefix: 'SINGLE',
    },
  ])(
    'sends 30 invoices in $mode, each accepted once and tracked to delivery through statuses it has never seen',
    async ({ flags, batchIdempotency, batched, prefix }) => {
      const ap = await accessPoint({ batchIdempotency });
      const { dir, numbers } = invoices(30, prefix);
      const res = await send(ap, dir, ['--wait-delivery', ...flags]);
      const accepted = ap.acceptedByNumber();
      // All in one comparison, so that a failure shows the whole run.
      expect({
        code: res.code,
        stderr: res.stderr,
        summary: res.summary,
        // Accepted exactly once each, counted at the access point.
        acceptedNumbers: [...accepted.keys()].sort(),
        acceptedMoreThanOnce: [...accepted].filter(([, n]) => n !== 1),
        // Tracked through every status, the unknown one read as still in flight.
        statusesReported: [...ap.reportedStatuses()].sort(),
        // Batches go to the one documented path this access point serves; the other path is
        // asked (404) only until its first answer. None where it did not say it keeps them.
        batchesAtApiV1Batch: ap.requests('POST /api/v1/batch') > 0,
        askedApiV1SendBatch: ap.requests('POST /api/v1/send/batch') > 0,
      }).toEqual({
        code: 0,
        // Nothing but what --wait-delivery waits for, once they are past the access point.
        stderr: expect.stringMatching(WAITING_FOR_DELIVERY),
        summary: expect.objectContaining({ total: 30, sent: 30, failed: 0, rejected: 0 }),
        acceptedNumbers: numbers,
        acceptedMoreThanOnce: [],
        statusesReported: ['delivered', 'processing', 'queued_for_as4', 'sending'],
        batchesAtApiV1Batch: batched,
        askedApiV1SendBatch: batched,
      });
    },
    40_000,
  );

  it.concurrent.each([
    { lookupForm: 'peppol_id', notFound: 'status-404' },
    { lookupForm: 'peppol_id', notFound: 'found-false' },
    { lookupForm: 'scheme-identifier', notFound: 'status-404' },
    { lookupForm: 'scheme-identifier', notFound: 'found-false' },
    { lookupForm: 'identifier', notFound: 'status-404' },
    { lookupForm: 'identifier', notFound: 'found-false' },
  ] as const)(
    'says a receiver is not on Peppol when the lookup takes only ?$lookupForm and answers $notFound',
    async (options) => {
      const ap = await accessPoint(options);
      const { dir } = invoices(1, 'NOREG', '9915:not-registered');
      const res = await send(ap, dir, ['--batch', 'off']);
      expect(res.summary).toMatchObject({ total: 1, sent: 0, failed: 0, notOnPeppol: 1 });
      expect(res.stderr).toContain(
        'NOREG-0001.xml (document #1): The buyer 9915:not-registered is not registered on the Peppol network',
      );
      // Known from the lookup: nothing was sent.
      expect(ap.requests('POST /api/v1/send')).toBe(0);
      expect(res.code).toBe(1);
    },
    40_000,
  );

  it.concurrent.each([
    { mode: 'default (batches)', flags: [] as string[] },
    { mode: '--batch off', flags: ['--batch', 'off'] },
  ])(
    "tells the clerk an error's message when its details are a string ($mode)",
    async ({ flags }) => {
      const ap = await accessPoint({
        batchIdempotency: true,
        refuse: (xml) =>
          xml.includes('<cbc:ID>STRDET-0002</cbc:ID>')
            ? {
                status: 422,
                code: 'VALIDATION_ERROR',
                message: 'The seller VAT number is not valid',
                details: 'BR-CO-09 failed for BE0123456749',
              }
            : null,
      });
      const { dir } = invoices(3, 'STRDET');
      const res = await send(ap, dir, flags);
      expect(res.summary).toMatchObject({ total: 3, sent: 2, failed: 1 });
      expect(res.stderr).toContain(
        // Its details too (walk 6: what to fix was dropped), and its document's id (walk 23).
        'STRDET-0002.xml (document #2): The access point refused this invoice (The seller VAT number is not valid: BR-CO-09 failed for BE0123456749).',
      );
      expect(res.code).toBe(1);
    },
    40_000,
  );

  it.concurrent(
    '`watch` sends what is saved into its folder and moves each file to sent/ once delivered',
    async () => {
      const ap = await accessPoint({ steps: ['queued_for_as4', 'delivered'] });
      const watched = join(tempDir(), 'watched');
      mkdirSync(watched);
      const { dir, numbers } = invoices(10, 'WATCH');
      const watch = spawn(
        process.execPath,
        [distFile('cli.cjs'), 'watch', watched, '--endpoint', ap.url, '--data-dir', tempDir()],
        {
          env: { ...process.env, PEPPOL_DESK_API_KEY: ap.apiKey },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      watch.stdout.on('data', (d: Buffer) => (output += d.toString()));
      watch.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => watch.on('exit', resolve));
      try {
        await waitFor('watch to start', () => output.includes('Watching'), 15_000);
        // Saved the way an export does it: complete files moved in.
        for (const f of xmlIn(dir)) renameSync(join(dir, f), join(watched, f));
        await waitFor(
          'all 10 files in sent/',
          () => xmlIn(join(watched, 'sent')).length === 10,
          20_000,
        );
      } finally {
        watch.kill('SIGINT');
      }
      expect(await exited).toBe(0);
      const accepted = ap.acceptedByNumber();
      expect({
        sent: xmlIn(join(watched, 'sent')).sort(),
        failed: xmlIn(join(watched, 'failed')),
        acceptedNumbers: [...accepted.keys()].sort(),
        acceptedMoreThanOnce: [...accepted].filter(([, n]) => n !== 1),
        statusesReported: [...ap.reportedStatuses()].sort(),
      }).toEqual({
        sent: numbers.map((n) => `${n}.xml`),
        failed: [],
        acceptedNumbers: numbers,
        acceptedMoreThanOnce: [],
        statusesReported: ['delivered', 'queued_for_as4'],
      });
    },
    40_000,
  );
});
