import { expect, test } from './fixtures';
import {
  invoiceToUnregisteredBuyer,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

test('a receiver not on Peppol can be retried or cancelled from the details', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('UNREG');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: invoiceToUnregisteredBuyer(prefix),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(prefix);
  await desk.waitForState(row, ['unreachable']);
  await expect(desk.statusOf(row)).toHaveText(/Receiver not on Peppol/);

  await desk.openDetails(row);
  await expect(desk.detailPanel.getByTestId('problem-message')).not.toBeEmpty();
  await expect(desk.detailPanel.getByTestId('detail-retry')).toBeVisible();
  await desk.detailPanel.getByTestId('detail-cancel').click();
  await desk.waitForState(row, ['cancelled']);
  await expect(desk.toast('1 document cancelled.')).toBeVisible();
});

// Walk 3: a clerk paused sending to stop one invoice, and its own panel offered no Cancel.
test('an invoice waiting to go is cancelled from its own details, and the cancel can be undone', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('WAITCANCEL');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: validInvoice(prefix),
  });
  await desk.invoke('queue:pause', undefined);
  try {
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    const row = desk.rowByInvoice(prefix);
    await desk.waitForState(row, ['queued']);
    await desk.openDetails(row);
    const actions = desk.detailPanel.getByRole('region', { name: 'Actions' });
    await expect(actions).toBeVisible();
    await expect(desk.detailPanel.getByRole('region', { name: 'Problem' })).toHaveCount(0);
    await actions.getByTestId('detail-cancel').click();
    await desk.waitForState(row, ['cancelled']);
    const toast = desk.toast('1 document cancelled.');
    await expect(toast).toBeVisible();
    await expect(desk.detailPanel.getByTestId('detail-cancel')).toHaveCount(0);

    await toast.getByTestId('toast-undo').click();
    await desk.waitForState(row, ['queued']);
    await expect(desk.detailPanel.getByTestId('detail-cancel')).toBeVisible();

    // Cancelled again, and past its Undo: dropping the file again does not send it, and says so;
    // Retry sends it after all (walk 18).
    await desk.detailPanel.getByTestId('detail-cancel').click();
    await desk.waitForState(row, ['cancelled']);
    await expect(desk.detailPanel.getByTestId('detail-cancelled-hint')).toContainText(
      'To send it after all, choose Retry',
    );
    await desk.dropFiles(paths);
    await expect(desk.page.getByText('was cancelled, so not sent')).toBeVisible();
    await desk.invoke('queue:resume', undefined);
    await desk.openDetails(row);
    await desk.detailPanel.getByTestId('detail-retry').click();
    await desk.waitForState(row, ['accepted', 'delivered']);
  } finally {
    await desk.invoke('queue:resume', undefined);
  }
});

test('several documents are cancelled at once from the selection, after a confirmation, and the cancel can be undone', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('BULK');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-1.xml`]: invoiceToUnregisteredBuyer(`${prefix}-1`),
    [`${prefix}-2.xml`]: invoiceToUnregisteredBuyer(`${prefix}-2`),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  for (const n of [`${prefix}-1`, `${prefix}-2`]) {
    await desk.waitForState(desk.rowByInvoice(n), ['unreachable']);
  }

  await desk.page.getByTestId('select-visible').check();
  await expect(desk.page.getByTestId('selection-count')).toHaveText('2 selected');
  // Issue 11: more than one document asks first; the default answer changes nothing.
  await desk.page.getByTestId('bulk-cancel').click();
  const dialog = desk.confirmDialog('confirm-cancel');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Cancel 2 documents?');
  await expect(dialog.getByTestId('confirm-keep')).toBeFocused();
  await desk.page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  for (const n of [`${prefix}-1`, `${prefix}-2`]) {
    await expect(desk.statusOf(desk.rowByInvoice(n))).toHaveAttribute('data-state', 'unreachable');
  }
  await expect(desk.page.getByTestId('selection-count')).toHaveText('2 selected');

  await desk.page.getByTestId('bulk-cancel').click();
  await desk.confirm('confirm-cancel');
  const toast = desk.toast('2 documents cancelled.');
  await expect(toast).toBeVisible();
  for (const n of [`${prefix}-1`, `${prefix}-2`]) {
    await desk.waitForState(desk.rowByInvoice(n), ['cancelled']);
  }

  // Undo puts both back where they were, with their reason.
  await toast.getByTestId('toast-undo').click();
  await expect(desk.toast('Cancel undone: 2 documents are back.')).toBeVisible();
  for (const n of [`${prefix}-1`, `${prefix}-2`]) {
    await desk.waitForState(desk.rowByInvoice(n), ['unreachable']);
    await expect(desk.statusOf(desk.rowByInvoice(n))).toHaveText(/Receiver not on Peppol/);
  }
});

test('the table works from the keyboard', async ({ desk, page }, testInfo) => {
  const prefix = uniquePrefix('KEYS');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-1.xml`]: invoiceToUnregisteredBuyer(`${prefix}-1`),
    [`${prefix}-2.xml`]: invoiceToUnregisteredBuyer(`${prefix}-2`),
  });
  await desk.chooseFiles(paths);
  await desk.searchFor(prefix);
  await expect(desk.rows()).toHaveCount(2);

  // One tab stop for the whole table (roving tabindex); row checkboxes are not tab stops.
  await expect(desk.table.locator('[role="row"][tabindex="0"]')).toHaveCount(1);
  await expect(desk.rows().first()).toHaveAttribute('tabindex', '0');
  await expect(desk.table.locator('[data-testid^="row-"] input[tabindex="-1"]')).toHaveCount(2);
  await desk.rows().first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(desk.rows().nth(1)).toBeFocused();
  await expect(desk.rows().nth(1)).toHaveAttribute('tabindex', '0');
  await expect(desk.rows().first()).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('Home');
  await expect(desk.rows().first()).toBeFocused();
  await page.keyboard.press('End');
  await expect(desk.rows().nth(1)).toBeFocused();
  await page.keyboard.press(' ');
  await expect(desk.page.getByTestId('selection-count')).toHaveText('1 selected');
  await page.keyboard.press('Enter');
  await expect(desk.detailPanel).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(desk.detailPanel).toHaveCount(0);
  await expect(desk.rows().nth(1)).toBeFocused();
});

// Walk 26 F4: End in a list longer than what is read at once (2,000 rows) focused a "Loading…"
// placeholder, which went when its row was read: focus fell to the page, and Home, the arrows
// and Space did nothing more.
test('End and Home move focus to rows not read yet, and the keys go on working', async ({
  desk,
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const prefix = uniquePrefix('ENDKEY');
  const files: Record<string, string> = {};
  for (let i = 1; i <= 450; i++) {
    const n = `${prefix}-${String(i).padStart(3, '0')}`;
    files[`${n}.xml`] = invoiceToUnregisteredBuyer(n);
  }
  await desk.chooseFiles(writeFiles(testInfo.outputPath('invoices'), files));
  await expect(desk.toast(/450 added/)).toBeVisible({ timeout: 60_000 });
  await desk.searchFor(prefix);
  await desk.expectRowTotal(450, 30_000);
  await desk.rows().first().focus();
  await page.keyboard.press('End');
  const lastRow = desk.table.locator('[role="row"][aria-rowindex="451"]');
  await expect(lastRow).toHaveAttribute('data-testid', /^row-\d+$/, { timeout: 15_000 });
  await expect(lastRow).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(desk.table.locator('[role="row"][aria-rowindex="450"]')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(desk.rows().first()).toBeFocused();
  await page.keyboard.press(' ');
  await expect(desk.page.getByTestId('selection-count')).toHaveText('1 selected');
});

test('a Retry of a selection says which were not tried again and why', async ({
  desk,
}, testInfo) => {
  // Walk 10: "0 documents will be tried again." and nothing more for what Retry skips.
  const prefix = uniquePrefix('SKIP');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-1.xml`]: invoiceToUnregisteredBuyer(`${prefix}-1`),
    [`${prefix}-2.xml`]: validInvoice(`${prefix}-2`),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  await desk.waitForState(desk.rowByInvoice(`${prefix}-1`), ['unreachable']);
  await desk.waitForState(desk.rowByInvoice(`${prefix}-2`), ['accepted', 'delivered']);
  await desk.page.getByTestId('select-visible').check();
  await expect(desk.page.getByTestId('selection-count')).toHaveText('2 selected');
  await desk.page.getByTestId('bulk-retry').click();
  const toast = desk.toast('1 document will be tried again.');
  await expect(toast).toBeVisible();
  await expect(toast).toContainText(
    '1 document was not tried again: Retry is for documents that failed or whose buyer was not on Peppol. Open it to see what it needs.',
  );
});
