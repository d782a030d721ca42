import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeskPage } from './pages/desk-page';
import { freePort, startOwnHost, type OwnHost } from './support/start-host';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

/**
 * Walk 23 B2, walk 23b N6: Peppol Desk stopped in the middle of a drop; the page it opened after
 * its restart (a new page, as the old one advises) said nothing of the files never added. The
 * drop's files are named in the engine's journal first: the new page says which were not added.
 * A host of its own, not the shared one.
 */
test('a drop stopped by Peppol Desk stopping is shown by the page it opens after its restart', async ({
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'peppol-desk-journal-'));
  const prefix = uniquePrefix('JOURNAL');
  const paths = writeFiles(
    testInfo.outputPath('invoices'),
    Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => {
        const n = `${prefix}-${String(i + 1).padStart(3, '0')}`;
        return [`${n}.xml`, validInvoice(n)];
      }),
    ),
  );
  let host: OwnHost | null = await startOwnHost(await freePort(), dataDir);
  try {
    const first = await browser.newPage();
    await first.goto(host.url);
    const desk = new DeskPage(first);
    await expect(desk.table).toBeVisible();
    // The second add call (files 201–250) never gets through: Peppol Desk stops meanwhile.
    let calls = 0;
    await first.route(
      (url) => decodeURIComponent(url.pathname).endsWith('/api/invoke/documents:add'),
      async (route) => {
        calls++;
        if (calls >= 2) return; // left unanswered
        await route.continue();
      },
    );
    await desk.dropFiles(paths);
    await expect(desk.toast('Adding files… 200 of 250')).toBeVisible({ timeout: 30_000 });
    await host.stop();
    host = await startOwnHost(await freePort(), dataDir);

    // The page Peppol Desk opens after its restart: another page, which never saw the drop.
    const second = await browser.newPage();
    await second.goto(host.url);
    const bar = second.getByTestId('last-drop');
    await expect(bar).toContainText(/^50 files of the drop at .+ not added/, { timeout: 30_000 });
    await second.getByTestId('last-drop-show').click();
    const which = new DeskPage(second).toast('Stopped after 200 of 250 files');
    await expect(which).toContainText(
      `${prefix}-201.xml, ${prefix}-202.xml, ${prefix}-203.xml, ${prefix}-204.xml, ${prefix}-205.xml, ${prefix}-206.xml, ${prefix}-207.xml, ${prefix}-208.xml, ${prefix}-209.xml, ${prefix}-210.xml and 40 more: not added.`,
    );
    // Dropped again, as it advises: added, and its message goes with it (walk 26 F5: it stayed,
    // "not added", beside "50 added").
    await new DeskPage(second).dropFiles(paths.slice(200));
    await expect(new DeskPage(second).toast(/^50 added/)).toBeVisible({ timeout: 30_000 });
    await expect(which).toBeHidden();
    await expect(bar).toHaveCount(0);
    const third = await browser.newPage();
    await third.goto(host.url);
    await expect(new DeskPage(third).table).toBeVisible();
    await expect(third.getByTestId('drop-zone')).toBeVisible();
    // The engine's journal has nothing more to say, to this page or any other.
    const asked = await third.evaluate(() =>
      (
        window as unknown as { api: { invoke: (c: string, a: undefined) => Promise<unknown> } }
      ).api.invoke('drops:unfinished', undefined),
    );
    expect(asked).toEqual({ ok: true, value: { drops: [] } });
    await expect(third.getByTestId('last-drop')).toHaveCount(0);
    await first.close();
  } finally {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
