import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { csvRecords } from './support/csv';
import { creditNoteFor, invoiceToReceiver, uniquePrefix, writeFiles } from './support/invoices';

test("a buyer's rejection from the sandbox reads Rejected by buyer, needs attention and says why", async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('REJ');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-RE.xml`]: invoiceToReceiver(`${prefix}-RE`, '9915:reject-all'),
    [`${prefix}-AP.xml`]: invoiceToReceiver(`${prefix}-AP`, '9915:respond-ap'),
    [`${prefix}-CA.xml`]: invoiceToReceiver(`${prefix}-CA`, '9915:respond-ca'),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const rejected = desk.rowByInvoice(`${prefix}-RE`);
  const approved = desk.rowByInvoice(`${prefix}-AP`);
  const condition = desk.rowByInvoice(`${prefix}-CA`);
  await desk.waitForState(rejected, ['rejected']);
  await desk.waitForState(approved, ['buyer_accepted']);
  await desk.waitForState(condition, ['conditionally_accepted']);
  await expect(desk.statusOf(rejected)).toHaveText(/Rejected by buyer/);
  await expect(desk.statusOf(approved)).toHaveText(/Accepted by buyer/);

  // Counted under Needs attention, never under Sent; a condition too (walk 6: it showed the
  // attention mark and asked the clerk to act, but was counted as sent and could not be marked).
  await desk.showFilter('attention');
  await desk.expectRowTotal(2);
  await expect(rejected).toBeVisible();
  await expect(condition).toBeVisible();
  await desk.openDetails(condition);
  await expect(desk.detailPanel.getByTestId('problem-message')).toContainText(
    'Do what the buyer asks, then mark it as handled',
  );
  await expect(desk.detailPanel.getByTestId('detail-markHandled')).toBeVisible();
  await desk.page.keyboard.press('Escape');
  await desk.showFilter('sent');
  await desk.expectRowTotal(1);
  await expect(approved).toBeVisible();
  await desk.showFilter('all');

  await desk.openDetails(rejected);
  await expect(desk.detailPanel.getByTestId('problem-message')).toContainText(
    'The buyer rejected this invoice',
  );
  await expect(desk.detailPanel.getByTestId('detail-business-response')).toHaveText(
    'Rejected by buyer',
  );
  await expect(desk.detailPanel.getByTestId('detail-business-response-note')).toContainText(
    'order reference is missing',
  );
  await expect(desk.detailPanel.getByTestId('timeline')).toContainText('Rejected by buyer');
  await desk.page.keyboard.press('Escape');

  const download = await desk.exportCsv();
  const records = csvRecords(readFileSync(await download.path(), 'utf8'));
  const re = records.find((r) => r['Invoice number'] === `${prefix}-RE`);
  expect(re?.['Status']).toBe('Rejected by buyer');
  expect(re?.['Business response']).toBe('Rejected by buyer');
  const ap = records.find((r) => r['Invoice number'] === `${prefix}-AP`);
  expect(ap?.['Status']).toBe('Accepted by buyer');
});

test('a rejection the clerk has dealt with is marked as handled: it leaves Needs attention, and Undo brings it back', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('HND');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-RE.xml`]: invoiceToReceiver(`${prefix}-RE`, '9915:reject-all'),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(`${prefix}-RE`);
  await desk.waitForState(row, ['rejected']);
  await desk.showFilter('attention');
  await desk.expectRowTotal(1);

  await desk.openDetails(row);
  await expect(desk.detailPanel.getByTestId('detail-handled-hint')).toContainText(
    'mark it as handled: it leaves Needs attention',
  );
  await desk.detailPanel.getByTestId('detail-markHandled').click();
  await expect(desk.toast(/1 document marked as handled: out of Needs attention/)).toBeVisible();
  await expect(desk.detailPanel.getByTestId('detail-handled')).toHaveText(
    'Marked as handled: out of Needs attention.',
  );
  // The buyer's words stay; the timeline says who marked it.
  await expect(desk.detailPanel.getByTestId('problem-message')).toContainText(
    'The buyer rejected this invoice',
  );
  await expect(desk.detailPanel.getByTestId('timeline')).toContainText('Marked as handled by');
  await desk.page.keyboard.press('Escape');
  await desk.expectRowTotal(0);
  await desk.showFilter('responded');
  await desk.expectRowTotal(1);
  await expect(desk.statusOf(row)).toHaveText(/Handled/);

  // Undo from the toast: back in Needs attention, as rejected.
  await desk
    .toast(/marked as handled/)
    .getByTestId('toast-undo')
    .click();
  await desk.waitForState(row, ['rejected']);
  await desk.showFilter('attention');
  await desk.expectRowTotal(1);
});

test('the credit note for a rejected invoice takes it out of Needs attention once sent, and says so', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('CNFOR');
  const dir = testInfo.outputPath('invoices');
  // A buyer that rejects invoices and takes credit notes: the credit note goes to the same buyer.
  const buyer = '9915:respond-re-invoices';
  const [invoice] = writeFiles(dir, {
    [`${prefix}-RE.xml`]: invoiceToReceiver(`${prefix}-RE`, buyer),
  });
  await desk.dropFiles([invoice!]);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(`${prefix}-RE`);
  await desk.waitForState(row, ['rejected']);
  await desk.showFilter('attention');
  await desk.expectRowTotal(1);

  const [credit] = writeFiles(dir, {
    [`${prefix}-CN.xml`]: creditNoteFor(`${prefix}-CN`, `${prefix}-RE`, buyer),
  });
  await desk.dropFiles([credit!]);
  await desk.expectRowTotal(0);
  await desk.showFilter('all');
  const cn = desk.rowByInvoice(`${prefix}-CN`);
  await desk.waitForState(cn, ['accepted', 'delivered']);
  await desk.waitForState(row, ['handled']);
  const cnId = (await cn.getAttribute('data-testid'))!.slice('row-'.length);

  // The credit note's details name the invoice it is for.
  await desk.openDetails(cn);
  await expect(desk.detailPanel.getByTestId('detail-preceding-invoices')).toHaveText(
    `${prefix}-RE`,
  );
  // And call it what it is (walk 10: "View whole invoice").
  await expect(desk.detailPanel.getByTestId('open-invoice-view')).toHaveText(
    'View whole credit note',
  );
  // The invoice's details say what dealt with it, and link to it.
  await desk.openDetails(row);
  await expect(desk.detailPanel.getByTestId('open-invoice-view')).toHaveText('View whole invoice');
  const handled = desk.detailPanel.getByTestId('detail-handled');
  await expect(handled).toContainText(
    `Credit note ${prefix}-CN (document #${cnId}) was sent for it: out of Needs attention.`,
  );
  await handled.getByTestId(`handled-link-${cnId}`).click();
  await expect(desk.detailPanel.getByTestId('timeline')).toContainText(
    `Refers to invoice ${prefix}-RE`,
  );
  // A note, not "Accepted by access point" a second time (walk 18).
  await expect(
    desk.detailPanel.getByTestId('timeline').locator('li', { hasText: 'Refers to invoice' }),
  ).toContainText(/^\S.*Note — Refers to invoice/);
  await expect(
    desk.detailPanel.getByTestId('timeline').locator('li', { hasText: 'Accepted by access point' }),
  ).toHaveCount(1);
});
