import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startOwnHost, type OwnHost } from './support/start-host';

/**
 * A browser-host page whose Peppol Desk goes away: it says it is reconnecting, then that Peppol
 * Desk is not answering and what to do; when Peppol Desk is started again (same port, a new
 * session key) the page says its session has ended instead of "Reconnecting…" forever. A host
 * of its own, not the shared one.
 */

test('a page whose Peppol Desk stopped, then started again, says so instead of reconnecting forever', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'peppol-desk-restart-'));
  const port = await freePort();
  let host: OwnHost | null = await startOwnHost(port, dataDir);
  try {
    await page.goto(host.url);
    const state = page.getByTestId('connection-state');
    await expect(state).toHaveAttribute('data-link', 'open');
    await expect(state).toHaveText(/^Online/, { timeout: 30_000 });

    await expect(page.getByTestId('counts-stale')).toHaveCount(0);
    await expect(page.getByTestId('list-stale')).toHaveCount(0);
    await host.stop();
    host = null;
    await expect(state).toHaveAttribute('data-link', 'lost');
    await expect(state).toHaveText('Reconnecting to Peppol Desk…');
    // The figures are the last ones heard, and say so (walk 8 finding 11).
    await expect(page.getByTestId('counts-stale')).toHaveText('Last known, not live');
    // So are the rows' statuses.
    await expect(page.getByTestId('list-stale')).toHaveText(
      'The statuses below are the last ones this page heard, not live: they may have changed since.',
    );
    await expect(state).toHaveAttribute('data-link', 'unanswered', { timeout: 30_000 });
    await expect(state).toHaveText('Peppol Desk is not answering');
    await expect(page.getByTestId('connection-message')).toHaveText(
      'If Peppol Desk was closed, open it again from the app or the command line: it opens a new page. This page connects again by itself if Peppol Desk comes back here.',
    );

    // Started again on the same port: a new session key, which this page does not have.
    host = await startOwnHost(port, dataDir);
    await expect(state).toHaveAttribute('data-link', 'ended', { timeout: 30_000 });
    await expect(state).toHaveText('This page is no longer connected');
    await expect(page.getByTestId('counts-stale')).toHaveText('Last known, not live');
    await expect(page.getByTestId('connection-message')).toHaveText(
      'This page’s session has ended: Peppol Desk was most likely started again. Use the page it opened, or open Peppol Desk again from the app or the command line.',
    );
  } finally {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

// Walk 22 (A1): a page opened with the address of an earlier session showed "Sent 0 · Needs
// attention 0 · Last known, not live": figures it never had.
test('a page of an earlier session, which never heard the figures, shows none', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'peppol-desk-old-page-'));
  const port = await freePort();
  const host = await startOwnHost(port, dataDir);
  try {
    const old = new URL(host.url);
    old.searchParams.set('token', 'a-key-of-an-earlier-session');
    await page.goto(old.toString());
    const state = page.getByTestId('connection-state');
    await expect(state).toHaveAttribute('data-link', 'ended', { timeout: 30_000 });
    for (const id of ['count-progress', 'count-sent', 'count-attention', 'filter-count-all'])
      await expect(page.getByTestId(id)).toHaveText('—');
    await expect(page.getByTestId('counts-stale')).toHaveCount(0);
    // Nor statuses it calls the last ones heard (walk 22b): it never heard any.
    await expect(page.getByTestId('connection-message')).toContainText('session has ended');
    await expect(page.getByTestId('list-stale')).toHaveCount(0);
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
