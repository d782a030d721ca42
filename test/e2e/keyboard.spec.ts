import { expect, test } from './fixtures';
import {
  invoiceToUnregisteredBuyer,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

test('a skip link leads past the header and the filters are tabs with arrow keys', async ({
  desk,
  page,
}, testInfo) => {
  const prefix = uniquePrefix('SKIP');
  await desk.chooseFiles(
    writeFiles(testInfo.outputPath('in'), { [`${prefix}.xml`]: validInvoice(prefix) }),
  );
  await desk.searchFor(prefix);
  await expect(desk.rows()).toHaveCount(1);

  // From a fresh page, the first Tab reaches the skip link.
  await page.reload();
  await expect(desk.table).toBeVisible();
  await expect(desk.rows().first()).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByTestId('skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(desk.rows().first()).toBeFocused();

  // One tab stop for the filters; arrows choose (All is last, after Answered by buyer).
  await expect(page.locator('[role="tab"][tabindex="0"]')).toHaveCount(1);
  await page.getByTestId('filter-all').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('filter-responded')).toBeFocused();
  await expect(page.getByTestId('filter-responded')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(page.getByTestId('filter-attention')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(page.getByTestId('filter-all')).toBeFocused();
  await expect(page.getByTestId('filter-all')).toHaveAttribute('aria-selected', 'true');
});

test('Ctrl+A selects the rows, not the page text; in the search box it selects the text', async ({
  desk,
  page,
}, testInfo) => {
  const prefix = uniquePrefix('CTRLA');
  await desk.chooseFiles(
    writeFiles(testInfo.outputPath('in'), {
      [`${prefix}-1.xml`]: invoiceToUnregisteredBuyer(`${prefix}-1`),
      [`${prefix}-2.xml`]: invoiceToUnregisteredBuyer(`${prefix}-2`),
      [`${prefix}-3.xml`]: invoiceToUnregisteredBuyer(`${prefix}-3`),
    }),
  );
  await desk.searchFor(prefix);
  await desk.expectRowTotal(3);
  // Not sent (the buyer is not on Peppol): there is something to cancel, so Cancel asks.
  for (const n of [1, 2, 3])
    await desk.waitForState(desk.rowByInvoice(`${prefix}-${n}`), ['unreachable']);

  await desk.rows().first().focus();
  await page.keyboard.press('ControlOrMeta+a');
  await expect(page.getByTestId('selection-count')).toHaveText('3 selected');
  await expect(page.getByTestId('select-all-matching')).toHaveCount(0);
  expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');

  // Cancel of several asks first, with focus on "Keep them"; Escape keeps them and gives focus back.
  const cancel = page.getByTestId('bulk-cancel');
  await cancel.focus();
  await page.keyboard.press('Enter');
  const confirm = desk.confirmDialog('confirm-cancel');
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('button', { name: 'Keep them' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(cancel).toBeFocused();
  await expect(page.getByTestId('selection-count')).toHaveText('3 selected');

  // Clearing the selection removes the bar: focus goes back to the rows, not to the page.
  await page.getByRole('button', { name: 'Clear selection' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('selection-count')).toHaveCount(0);
  await expect
    .poll(() => page.evaluate(() => !!document.activeElement?.closest('#document-table')))
    .toBe(true);
  await desk.search.focus();
  await page.keyboard.press('ControlOrMeta+a');
  expect(await desk.search.evaluate((el: HTMLInputElement) => el.selectionEnd)).toBe(prefix.length);
  await expect(page.getByTestId('selection-count')).toHaveCount(0);

  // One row ticked: the bar offers the whole list (the header box takes the rows on screen
  // only), and once all are selected it no longer does.
  const first = await desk.rows().first().getAttribute('data-testid');
  await page.getByTestId(first!.replace('row-', 'select-')).check();
  await expect(page.getByTestId('selection-count')).toHaveText('1 selected');
  await page.getByTestId('select-all-matching').click();
  await expect(page.getByTestId('selection-count')).toHaveText('3 selected');
  await expect(page.getByTestId('select-all-matching')).toHaveCount(0);
});

test('after Retry in the details focus stays in the panel and Escape still closes it', async ({
  desk,
  page,
}, testInfo) => {
  const prefix = uniquePrefix('FOCUS');
  await desk.chooseFiles(
    writeFiles(testInfo.outputPath('in'), {
      [`${prefix}.xml`]: invoiceToUnregisteredBuyer(prefix),
    }),
  );
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(prefix);
  await desk.waitForState(row, ['unreachable']);
  await row.focus();
  await page.keyboard.press('Enter');
  await expect(desk.detailPanel).toBeVisible();

  const retry = desk.detailPanel.getByTestId('detail-retry');
  await retry.focus();
  await page.keyboard.press('Enter');
  // The document goes round again (and the button with it); focus must not fall to the page.
  await desk.waitForState(row, ['resolving', 'ready', 'unreachable', 'received', 'validating']);
  await expect
    .poll(() => page.evaluate(() => !!document.activeElement?.closest('.detail-panel')))
    .toBe(true);
  await page.keyboard.press('Escape');
  await expect(desk.detailPanel).toHaveCount(0);
  // Closing gives focus back to the row it was opened from.
  await expect(row).toBeFocused();
});

test('Settings takes focus when it opens and gives it back when it closes', async ({ desk }) => {
  const page = desk.page;
  const opener = page.getByTestId('open-settings');
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('settings-dialog');
  await expect(dialog).toBeVisible();
  await expect
    .poll(() =>
      page.evaluate(() => !!document.activeElement?.closest('[data-testid="settings-dialog"]')),
    )
    .toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});
