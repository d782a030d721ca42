import { expect, test } from './fixtures';
import { invoiceWithBadDate, uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('a corrected file replaces its failure: the old one leaves Needs attention and both timelines link', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('FIX');
  const dir = testInfo.outputPath('invoices');
  const [bad] = writeFiles(dir, { [`${prefix}-bad.xml`]: invoiceWithBadDate(prefix) });
  await desk.dropFiles([bad!]);
  await desk.searchFor(prefix);
  const old = desk.rowByFile(`${prefix}-bad.xml`);
  await desk.waitForState(old, ['invalid']);

  const [fixed] = writeFiles(dir, { [`${prefix}-fixed.xml`]: validInvoice(prefix) });
  await desk.dropFiles([fixed!]);
  const replacement = desk.rowByFile(`${prefix}-fixed.xml`);
  await desk.waitForState(replacement, ['accepted', 'delivered']);
  await desk.waitForState(old, ['superseded']);
  await expect(desk.statusOf(old)).toHaveText(/Replaced by a corrected file/);

  await desk.showFilter('attention');
  await desk.expectRowTotal(0);
  await desk.showFilter('all');

  const newId = (await replacement.getAttribute('data-testid'))!.slice('row-'.length);
  const oldId = (await old.getAttribute('data-testid'))!.slice('row-'.length);
  await desk.openDetails(old);
  const timeline = desk.detailPanel.getByTestId('timeline');
  // The state's words, then the file once (walk 22b: "Replaced by a corrected file — Replaced by
  // the corrected file …").
  await expect(timeline).toContainText(`Replaced by a corrected file — ${prefix}-fixed.xml`);
  // The link opens the replacement, whose timeline links back.
  await timeline.getByTestId(`timeline-link-${newId}`).click();
  await expect(desk.detailPanel.getByTestId('timeline')).toContainText(
    `Replaces ${prefix}-bad.xml (document #${oldId}), which needed fixing`,
  );
});
