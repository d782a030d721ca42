import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeskPage } from './pages/desk-page';
import { freePort, startOwnHost, type OwnHost } from './support/start-host';

/**
 * What the hot folder could not do is on screen (a walk: files it refused appeared nowhere in the
 * window, and a missing folder was not reported). A host of its own: the hot folder is a setting
 * of its data folder.
 */

test('the window says which hot folder files were not taken and why, and when the folder is not there', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'peppol-desk-hot-'));
  const outside = mkdtempSync(join(tmpdir(), 'peppol-desk-hot-folder-'));
  const folder = join(outside, 'outbox');
  mkdirSync(folder);
  let host: OwnHost | null = await startOwnHost(await freePort(), dataDir);
  try {
    await page.goto(host.url);
    const desk = new DeskPage(page);
    await expect(page.getByTestId('connection-state')).toHaveText(/^Online/, { timeout: 30_000 });
    await desk.invoke('settings:set', { hotFolder: folder, maxDocumentBytes: 1024 * 1024 });
    const banner = page.getByTestId('hot-folder-banner');
    await expect(banner).toBeHidden();
    // All well: the window says which folder it watches, quietly.
    await expect(page.getByTestId('hot-folder-watching')).toContainText(
      `Watching the hot folder ${folder}`,
    );

    writeFileSync(join(folder, 'scan-of-contract.xml'), Buffer.alloc(1_500_000, 'x'));
    await expect(banner).toBeVisible({ timeout: 20_000 });
    await expect(banner).toContainText('One file in the hot folder needs your attention');
    const notice = banner.getByTestId('hot-folder-notice');
    await expect(notice).toHaveCount(1);
    await expect(notice).toContainText('scan-of-contract.xml: Not taken: This file is too large');
    await expect(notice).toContainText("It is in the folder's failed subfolder");

    await banner.getByTestId('hot-folder-dismiss').click();
    await expect(banner).toBeHidden();
    await expect(page.getByTestId('hot-folder-watching')).toBeVisible();

    // The folder goes away (a network share disconnected), then comes back.
    renameSync(folder, join(outside, 'outbox-gone'));
    await expect(banner).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('hot-folder-missing')).toContainText(
      'The hot folder is not there',
    );
    await expect(page.getByTestId('hot-folder-missing')).toContainText(folder);
    await expect(banner.getByTestId('hot-folder-notice')).toHaveCount(0);
    mkdirSync(folder);
    await expect(banner).toBeHidden({ timeout: 20_000 });
  } finally {
    await host?.stop();
    host = null;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
