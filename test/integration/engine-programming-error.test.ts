/**
 * A mistake in the program on the send path (here: a TypeError thrown where the request is
 * handed to the connection pool) stops the queue with a plain fault instead of being retried as
 * if the access point were away, for ever and silently. Nothing is lost: the document stays on
 * the queue.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { breakSends } from '../helpers/break-sends';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';
import { useSandboxes } from '../helpers/sandboxes';

const sandbox = useSandboxes();
const engineOn = useEngines();
// Registered last, so it runs first: the sends are mended before the engines stop.
afterEach(() => {
  vi.restoreAllMocks();
});

describe('a programming error on the send path', () => {
  it('pauses the queue with a fault that says nothing was lost, and keeps the document', async () => {
    const ap = await sandbox();
    const sends = breakSends();
    const engine = await engineOn({
      endpoint: ap.url,
      timings: { retryBaseMs: 10, retryMaxMs: 20 },
    });
    const { added } = await engine.handlers['documents:add']({
      files: [{ name: 'a.xml', bytes: makeInvoice('BUG-1') }],
    });
    const status = await vi.waitFor(
      async () => {
        const s = await engine.handlers['connection:get'](undefined);
        if (!s.paused) throw new Error('not paused yet');
        return s;
      },
      { timeout: 10_000, interval: 25 },
    );
    expect(status.message).toBe(
      'Peppol Desk stopped working on the queue after an unexpected error: nothing was lost. Resume to try again; if it keeps stopping, restart the app.',
    );
    // Stopped at the first attempt, not retried with backoff (10-20 ms here) while paused.
    await new Promise((r) => setTimeout(r, 200));
    expect(sends.attempts).toBe(1);
    const { rows } = await engine.handlers['documents:briefs']({ ids: [added[0]!.id] });
    expect(rows.map((r) => r.state)).not.toContain('failed');
    expect(ap.stats().acceptedDocuments).toBe(0);
  });
});
