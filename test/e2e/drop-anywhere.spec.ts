import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('files dropped on the table are added, with one overlay while dragging', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('ANYWHERE');
  const folder = testInfo.outputPath(prefix);
  const names = [`${prefix}-1.xml`, `${prefix}-2.xml`, `${prefix}-3.xml`];
  writeFiles(folder, Object.fromEntries(names.map((n) => [n, validInvoice(n.slice(0, -4))])));
  const paths = names.map((n) => `${folder}/${n}`);

  const drop = await desk.dragPathsOver(paths, desk.table);
  const overlay = desk.page.getByTestId('drop-overlay');
  await expect(overlay).toHaveCount(1);
  await expect(overlay).toContainText('Drop to add 3 files');
  await desk.page.screenshot({ path: testInfo.outputPath('drop-overlay.png') });
  await drop();
  await expect(overlay).toHaveCount(0);
  await expect(desk.toast('3 added')).toBeVisible();
  await desk.searchFor(prefix);
  await desk.expectRowTotal(3);
  // The page did not navigate to the dropped file.
  expect(desk.page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/(\?.*)?$/);
});

test('files dropped on the header or the charts are added too', async ({ desk }, testInfo) => {
  const prefix = uniquePrefix('HEADER');
  const folder = testInfo.outputPath(prefix);
  writeFiles(folder, {
    [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
    [`${prefix}-2.xml`]: validInvoice(`${prefix}-2`),
  });
  await desk.dropPaths([`${folder}/${prefix}-1.xml`], desk.page.locator('.app-header'));
  await expect(desk.toast('1 added')).toBeVisible();
  await desk.showPerformance();
  await desk.dropPaths([`${folder}/${prefix}-2.xml`], desk.throughputChart);
  await desk.searchFor(prefix);
  await desk.expectRowTotal(2);
});

test('a drop on the search box or on the open details adds the files and never navigates', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('ONFIELD');
  const folder = testInfo.outputPath(prefix);
  writeFiles(folder, {
    [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
    [`${prefix}-2.xml`]: validInvoice(`${prefix}-2`),
  });
  const url = desk.page.url();
  await desk.searchFor(prefix);
  await desk.dropPaths([`${folder}/${prefix}-1.xml`], desk.search);
  await expect(desk.toast('1 added')).toBeVisible();
  // The file went to the desk, not into the text field as a path.
  await expect(desk.search).toHaveValue(prefix);
  await desk.expectRowTotal(1);

  await desk.openDetails(desk.rowByInvoice(`${prefix}-1`));
  await desk.dropPaths([`${folder}/${prefix}-2.xml`], desk.detailPanel);
  await desk.expectRowTotal(2);
  await expect(desk.detailPanel).toBeVisible();
  expect(desk.page.url()).toBe(url);
});

test('a search without a match says so and offers to clear it', async ({ desk }) => {
  const query = uniquePrefix('NOMATCH');
  await desk.searchFor(query);
  const empty = desk.page.getByTestId('empty-state');
  await expect(empty).toHaveText(new RegExp(`No documents match “${query}”`));
  await expect(empty).not.toContainText('No documents yet');
  await desk.page.getByTestId('clear-search').click();
  await expect(desk.search).toHaveValue('');
  await expect(desk.search).toBeFocused();
  await expect(desk.table).toHaveAttribute('data-search', '');
});
