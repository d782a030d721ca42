import { expect, test } from './fixtures';
import { join } from 'node:path';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('drop three invoices on the sandbox and see them sent', async ({ desk, page }, testInfo) => {
  await expect(desk.envBadge).toHaveText('Sandbox');

  const prefix = uniquePrefix('SKEL');
  const numbers = [1, 2, 3].map((n) => `${prefix}-${n}`);
  const paths = writeFiles(
    testInfo.outputPath('invoices'),
    Object.fromEntries(numbers.map((n) => [`${n}.xml`, validInvoice(n)])),
  );

  await desk.dropFiles(paths);
  await expect(desk.toast('3 added')).toBeVisible();

  for (const n of numbers) {
    const row = desk.rowByInvoice(n);
    await expect(row).toBeVisible();
    await desk.waitForState(row, ['accepted', 'delivered']);
  }

  // A fixed name next to results.json, for people and CI to look at.
  const screenshot = join(testInfo.project.outputDir, 'skeleton.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach('skeleton', { path: screenshot, contentType: 'image/png' });
});
