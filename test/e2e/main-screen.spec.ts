import { expect, test } from './fixtures';
import {
  brokenXml,
  invoiceToUnregisteredBuyer,
  invoiceWithoutNumber,
  sameNumberOtherContent,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

test('the main screen with documents in mixed states, light and dark (screenshots)', async ({
  desk,
  page,
}, testInfo) => {
  const prefix = uniquePrefix('MAIN');
  const files: Record<string, string> = {};
  for (let i = 1; i <= 12; i++) files[`${prefix}-${i}.xml`] = validInvoice(`${prefix}-${i}`);
  files[`${prefix}-nonumber.xml`] = invoiceWithoutNumber(prefix);
  files[`${prefix}-broken.xml`] = brokenXml(`${prefix}-B`);
  files[`${prefix}-13.xml`] = invoiceToUnregisteredBuyer(`${prefix}-13`);
  files[`${prefix}-1-again.xml`] = sameNumberOtherContent(`${prefix}-1`);
  files[`${prefix}-2-again.xml`] = sameNumberOtherContent(`${prefix}-2`);
  const paths = writeFiles(testInfo.outputPath('invoices'), files);
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  await desk.showFilter('progress');
  await desk.expectRowTotal(0, 30_000);
  await desk.showFilter('all');
  await desk.expectRowTotal(paths.length);

  // Three more wait in the queue while sending is paused.
  await desk.invoke('queue:pause', undefined);
  try {
    const queued = writeFiles(testInfo.outputPath('queued'), {
      [`${prefix}-20.xml`]: validInvoice(`${prefix}-20`),
      [`${prefix}-21.xml`]: validInvoice(`${prefix}-21`),
      [`${prefix}-22.xml`]: validInvoice(`${prefix}-22`),
    });
    await desk.dropFiles(queued);
    for (const n of [20, 21, 22])
      await desk.waitForState(desk.rowByInvoice(`${prefix}-${n}`), ['queued']);
    await expect(desk.toasts).toHaveCount(0, { timeout: 15_000 });
    await desk.openDetails(desk.rowByFile(`${prefix}-nonumber.xml`));
    await expect(desk.detailPanel.getByTestId('finding').first()).toBeVisible();
    await page.mouse.move(0, 0);
    await desk.screenshot('main-screen', testInfo);
    await page.emulateMedia({ colorScheme: 'dark' });
    await desk.screenshot('main-screen-dark', testInfo);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Escape');
    await desk.screenshot('main-screen-no-detail', testInfo);
  } finally {
    await desk.invoke('queue:resume', undefined);
  }
});
