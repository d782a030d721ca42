import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeskPage } from './pages/desk-page';
import {
  invoiceToReceiver,
  invoiceToUnregisteredBuyer,
  uniquePrefix,
  writeFiles,
} from './support/invoices';
import { freePort, startOwnHost, type OwnHost } from './support/start-host';

/**
 * "Retry all failed" among which is an invoice whose delivery failed: the access point accepted
 * it, so a Retry sends it again as a new submission. Asked first, as a Retry of a selection asks
 * (walk 8: "Retry all failed (10)" re-submitted ten accepted invoices without a word). A host of
 * its own: the shared one holds other specs' failures.
 */
test('"Retry all failed" in Needs attention tries every failed document again, and asks first before sending again an invoice whose delivery failed', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'peppol-desk-retry-all-'));
  let host: OwnHost | null = await startOwnHost(await freePort(), dataDir);
  try {
    await page.goto(host.url);
    const desk = new DeskPage(page);
    await expect(desk.table).toBeVisible();
    const prefix = uniquePrefix('RAU');
    const paths = writeFiles(testInfo.outputPath('invoices'), {
      [`${prefix}-CERT.xml`]: invoiceToReceiver(`${prefix}-CERT`, '9915:invalid-cert'),
      [`${prefix}-NOBODY.xml`]: invoiceToUnregisteredBuyer(`${prefix}-NOBODY`),
    });
    await desk.dropFiles(paths);
    const cert = desk.rowByInvoice(`${prefix}-CERT`);
    const nobody = desk.rowByInvoice(`${prefix}-NOBODY`);
    await desk.waitForState(cert, ['failed'], 60_000);
    await desk.waitForState(nobody, ['unreachable']);
    const sandbox = await desk.sandbox();
    const acceptedBefore = (await sandbox.stats()).acceptedDocuments;
    expect(acceptedBefore).toBe(1);

    const retryAll = page.getByTestId('retry-all-failed');
    // Only offered where failed documents are listed.
    await desk.showFilter('all');
    await expect(retryAll).toHaveCount(0);
    await desk.showFilter('attention');
    // Named after its rows: one failed, one whose receiver was not found (walk 13).
    await expect(retryAll).toHaveText('Retry all failed or not found (2)');
    await retryAll.click();
    const dialog = page.getByTestId('confirm-retry-all-undelivered');
    await expect(dialog).toContainText('Send 1 invoice again whose delivery failed?');
    await expect(dialog).toContainText(
      'Among the failed documents is 1 invoice your access point accepted but could not deliver.',
    );
    // What Retry all does with it: its buyer looked up again first (walk 19b).
    await expect(dialog).toContainText(
      'Retry all looks its buyer up again on Peppol and sends it again as a new submission (unless its buyer is not found there)',
    );
    // There is another (the buyer not found): how to retry only that one is said.
    await expect(dialog).toContainText('To retry only the others, choose Not now');
    // Not now: nothing is retried.
    await dialog.getByRole('button', { name: 'Not now' }).click();
    await expect(dialog).toHaveCount(0);
    const retriedYet = async () => {
      const { rows } = await desk.invoke('documents:list', { search: prefix });
      const details = await Promise.all(
        rows.map((r) => desk.invoke('documents:get', { id: r.id })),
      );
      return details.filter((d) => d.timeline.some((e) => e.detail?.startsWith('Retry requested')))
        .length;
    };
    expect(await retriedYet()).toBe(0);
    // Its own Retry asks the same, in one sentence after another.
    await desk.openDetails(cert);
    await desk.detailPanel.getByTestId('detail-retry').click();
    const one = page.getByTestId('confirm-retry-undelivered');
    await expect(one).toContainText(
      'Your access point accepted it but could not deliver it. Retry looks its buyer up again on Peppol and sends it again as a new submission (unless its buyer is not found there)',
    );
    await one.getByRole('button', { name: 'Not now' }).click();
    await expect(one).toHaveCount(0);
    await page.keyboard.press('Escape');
    expect(await retriedYet()).toBe(0);

    // Asked again, and confirmed: both are tried again, the accepted one as a new submission.
    await retryAll.click();
    await page
      .getByTestId('confirm-retry-all-undelivered')
      .getByRole('button', { name: 'Retry all, sending them again' })
      .click();
    await expect(desk.toast('2 documents will be tried again.')).toBeVisible();
    expect(await retriedYet()).toBe(2);
    await expect.poll(async () => (await sandbox.stats()).acceptedDocuments).toBe(2);
  } finally {
    await host?.stop();
    host = null;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
