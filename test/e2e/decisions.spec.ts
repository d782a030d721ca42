import { expect, test } from './fixtures';
import {
  invoiceToReceiver,
  sameNumberOtherContent,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

test('Send anyway on a duplicate shows both documents side by side and is never the default', async ({
  desk,
  page,
}, testInfo) => {
  const prefix = uniquePrefix('DUPCMP');
  const dir = testInfo.outputPath('invoices');
  const [first] = writeFiles(dir, { [`${prefix}-first.xml`]: validInvoice(prefix) });
  await desk.dropFiles([first!]);
  await desk.searchFor(prefix);
  const firstRow = desk.rowByFile(`${prefix}-first.xml`);
  await desk.waitForState(firstRow, ['accepted', 'delivered']);
  const [again] = writeFiles(dir, { [`${prefix}-again.xml`]: sameNumberOtherContent(prefix) });
  await desk.dropFiles([again!]);
  const held = desk.rowByFile(`${prefix}-again.xml`);
  await desk.waitForState(held, ['held']);

  // The reason names the first document; its link opens it, and back.
  const firstId = (await firstRow.getAttribute('data-testid'))!.slice('row-'.length);
  await desk.openDetails(held);
  const reason = desk.detailPanel.getByTestId('problem-message');
  await expect(reason).toContainText(`was already sent (document #${firstId})`);
  await reason.getByTestId(`problem-link-${firstId}`).click();
  await expect(desk.detailPanel.getByTestId('timeline')).toContainText(`${prefix}-first.xml`);
  await expect(desk.detailPanel.getByTestId('problem-message')).toHaveCount(0);
  await desk.openDetails(held);
  await desk.detailPanel.getByTestId('detail-sendAnyway').click();
  const dialog = desk.confirmDialog('confirm-send-anyway');
  await expect(dialog).toBeVisible();
  // What sending would do, from what the first one is now (walk 14).
  await expect(dialog.getByTestId('send-anyway-lead')).toHaveText(
    `The buyer already has invoice ${prefix} with other content (document #${firstId}): sending this one too gives the buyer two invoices with one number. Compare the two before deciding.`,
  );
  const compare = dialog.getByTestId('duplicate-compare');
  await expect(compare.getByTestId('compare-first-Invoice number')).toHaveText(prefix);
  await expect(compare.getByTestId('compare-held-Invoice number')).toHaveText(prefix);
  await expect(compare.getByTestId('compare-first-File')).toHaveText(`${prefix}-first.xml`);
  await expect(compare.getByTestId('compare-held-File')).toHaveText(`${prefix}-again.xml`);
  await expect(compare.getByTestId('compare-first-Buyer')).not.toHaveText('—');
  await expect(compare.getByTestId('compare-first-Amount due')).not.toHaveText('—');
  await expect(compare.getByTestId('compare-first-Issue date')).not.toHaveText('—');
  // Walk 24 B9: the due date too, on both sides.
  await expect(compare.getByTestId('compare-first-Due date')).toHaveText('2025-04-30');
  await expect(compare.getByTestId('compare-held-Due date')).toHaveText('2025-04-30');
  // The state of the first document, in words.
  await expect(compare.getByTestId('compare-first-Status')).toHaveText(/Accepted|Delivered/);
  // Only the buyer reference differs, which the table does not show: the dialog says where the
  // difference is (walk 4: nothing to compare), and the sizes show the files are not the same.
  await expect(dialog.getByTestId('duplicate-same-fields')).toContainText(
    'the files differ in other details',
  );
  await expect(compare.getByTestId('compare-held-File size')).not.toHaveText(
    (await compare.getByTestId('compare-first-File size').textContent())!,
  );

  // Focus is on "Keep holding": Enter keeps the document held.
  await expect(dialog.getByTestId('confirm-keep')).toBeFocused();
  await expect(dialog.getByTestId('confirm-keep')).toHaveText('Keep holding');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  const heldId = Number((await held.getAttribute('data-testid'))!.replace('row-', ''));
  expect((await desk.invoke('documents:get', { id: heldId })).state).toBe('held');

  // Only the explicit button sends it.
  await desk.detailPanel.getByTestId('detail-sendAnyway').click();
  await desk.confirm('confirm-send-anyway');
  await expect(desk.toast('1 document released for sending.')).toBeVisible();
  await desk.waitForState(held, ['accepted', 'delivered']);
});

test('an action that cannot work is not offered, and the reason is shown instead', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('NOTYPE');
  const [path] = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: invoiceToReceiver(prefix, '9915:credit-note-only'),
  });
  await desk.dropFiles([path!]);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(prefix);
  await desk.waitForState(row, ['held']);
  await desk.openDetails(row);
  await expect(desk.detailPanel.getByTestId('problem-message')).toContainText('does not accept');
  // The receiver does not accept invoices: Send anyway would only fail.
  await expect(desk.detailPanel.getByTestId('detail-sendAnyway')).toHaveCount(0);
  await expect(desk.detailPanel.getByTestId('unavailable-sendAnyway')).toContainText(
    'does not accept this type of document',
  );
  await expect(desk.detailPanel.getByTestId('detail-cancel')).toBeVisible();
  // Once the clerk has talked to the buyer, Retry asks about the buyer again (walk 13: Cancel was
  // the only choice); this one still takes no invoices, so it is held again, saying so.
  await expect(desk.detailPanel.getByTestId('problem-message')).toContainText(
    'once they accept invoices on Peppol, choose Retry',
  );
  await desk.detailPanel.getByTestId('detail-retry').click();
  // On the timeline as "Retry requested — new lookup" (walk 22: it was labelled "Checked").
  await expect(
    desk.detailPanel.getByTestId('timeline').getByText('Retry requested', { exact: true }),
  ).toBeVisible();
  await expect(desk.detailPanel.getByTestId('timeline')).toContainText(
    'Retry requested — new lookup',
  );
  await desk.waitForState(row, ['held']);
});

test('Send anyway on a copy of a file says the two are identical, not that they differ (walk 18)', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('DUPSAME');
  const bytes = validInvoice(prefix);
  const [a, b] = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-a.xml`]: bytes,
    [`${prefix}-b.xml`]: bytes,
  });
  await desk.dropFiles([a!, b!]);
  await desk.searchFor(prefix);
  const held = desk.rowByFile(`${prefix}-b.xml`);
  await desk.waitForState(held, ['held']);
  await desk.openDetails(held);
  await desk.detailPanel.getByTestId('detail-sendAnyway').click();
  const dialog = desk.confirmDialog('confirm-send-anyway');
  await expect(dialog.getByTestId('duplicate-same-file')).toHaveText(
    'The two files are identical, byte for byte: it is the same invoice twice.',
  );
  await expect(dialog.getByTestId('duplicate-same-fields')).toHaveCount(0);
  await dialog.getByTestId('confirm-keep').click();
  await expect(dialog).toBeHidden();
});

test('an open held second version says "already sent" as soon as its first version goes out (walk 18b)', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('DUPLIVE');
  const dir = testInfo.outputPath('invoices');
  const [first] = writeFiles(dir, { [`${prefix}-first.xml`]: validInvoice(prefix) });
  const [second] = writeFiles(dir, { [`${prefix}-second.xml`]: sameNumberOtherContent(prefix) });
  await desk.invoke('queue:pause', undefined);
  try {
    await desk.dropFiles([first!]);
    await desk.searchFor(prefix);
    await desk.waitForState(desk.rowByFile(`${prefix}-first.xml`), ['queued']);
    await desk.dropFiles([second!]);
    const held = desk.rowByFile(`${prefix}-second.xml`);
    await desk.waitForState(held, ['held']);
    await desk.openDetails(held);
    const reason = desk.detailPanel.getByTestId('problem-message');
    await expect(reason).toContainText('was already added');
    // The first one goes out while the details stay open: they follow it.
    await desk.invoke('queue:resume', undefined);
    await expect(reason).toContainText('was already sent');
  } finally {
    await desk.invoke('queue:resume', undefined);
  }
});

// Walk 24 B9: a second version whose only change is its due date read as the same invoice ("the
// files differ in other details"), and the comparison showed no due date.
test('Send anyway on a second version with a new due date shows the two due dates', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('DUPDUE');
  const dir = testInfo.outputPath('invoices');
  const [first] = writeFiles(dir, { [`${prefix}-first.xml`]: validInvoice(prefix) });
  await desk.dropFiles([first!]);
  await desk.searchFor(prefix);
  await desk.waitForState(desk.rowByFile(`${prefix}-first.xml`), ['accepted', 'delivered']);
  const [again] = writeFiles(dir, {
    [`${prefix}-later.xml`]: validInvoice(prefix).replace(
      '<cbc:DueDate>2025-04-30</cbc:DueDate>',
      '<cbc:DueDate>2025-05-31</cbc:DueDate>',
    ),
  });
  await desk.dropFiles([again!]);
  const held = desk.rowByFile(`${prefix}-later.xml`);
  await desk.waitForState(held, ['held']);
  await desk.openDetails(held);
  await desk.detailPanel.getByTestId('detail-sendAnyway').click();
  const dialog = desk.confirmDialog('confirm-send-anyway');
  const compare = dialog.getByTestId('duplicate-compare');
  await expect(compare.getByTestId('compare-first-Due date')).toHaveText('2025-04-30');
  await expect(compare.getByTestId('compare-held-Due date')).toHaveText('2025-05-31');
  await expect(compare.getByTestId('compare-first-Due date').locator('xpath=..')).toHaveClass(
    'is-different',
  );
  await expect(dialog.getByTestId('duplicate-same-fields')).toHaveCount(0);
  await dialog.getByTestId('confirm-keep').click();
  await expect(dialog).toBeHidden();
});
