import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';
import type { DeskPage } from './pages/desk-page';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test.use({ viewport: { width: 1024, height: 700 } });

/** True when the element's box lies inside the table's box and its text is not cut. */
async function fullyShown(cell: Locator, table: Locator): Promise<boolean> {
  const [c, t] = await Promise.all([cell.boundingBox(), table.boundingBox()]);
  if (!c || !t) return false;
  const cut = await cell.evaluate((el) => el.scrollWidth > el.clientWidth);
  return c.x >= t.x && c.x + c.width <= t.x + t.width + 0.5 && !cut;
}

test('at 1024×700 the details panel leaves File, Issue date, Amount and Status in view', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('LAYOUT');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
    [`${prefix}-2.xml`]: validInvoice(`${prefix}-2`),
  });
  await desk.chooseFiles(paths);
  await desk.searchFor(prefix);
  await desk.expectRowTotal(2);
  // A short window opens with the Performance panel folded: the table gets the room.
  await expect(desk.page.getByTestId('performance')).not.toHaveAttribute('open');

  const row = desk.rowByInvoice(`${prefix}-1`);
  await desk.openDetails(row);
  for (const col of ['status', 'file', 'amount', 'date']) {
    const header = desk.table.locator(`.table-head .col-${col}`);
    const cell = row.locator(`.col-${col}`);
    await expect(header).toBeVisible();
    await expect(cell).toBeVisible();
    expect(await fullyShown(header, desk.table), `header ${col}`).toBe(true);
  }
  // Amounts in the user's locale with the currency, never cut.
  await expect(row.locator('.col-amount')).toHaveText('€2,420.00');
  expect(await fullyShown(row.locator('.col-amount'), desk.table)).toBe(true);
  await desk.screenshot('layout-1024-details', testInfo);

  // The panel's edge resizes it from the keyboard; the width is remembered after a reload.
  const panel = await desk.detailPanel.boundingBox();
  const handle = desk.page.getByTestId('detail-resize');
  await handle.focus();
  await desk.page.keyboard.press('ArrowRight');
  await desk.page.keyboard.press('ArrowRight');
  const narrower = Number(await handle.getAttribute('aria-valuenow'));
  await expect
    .poll(async () => (await desk.detailPanel.boundingBox())?.width)
    .toBeLessThan(panel!.width - 20);
  await desk.page.reload();
  await expect(desk.table).toBeVisible();
  await desk.openDetails(desk.rows().first());
  await expect(desk.page.getByTestId('detail-resize')).toHaveAttribute(
    'aria-valuenow',
    String(narrower),
  );
});

/** The Performance panel's state as remembered (written when its `toggle` event is handled). */
function rememberedOpen(desk: DeskPage): Promise<string | null> {
  return desk.page.evaluate(() => localStorage.getItem('peppol-desk.performance-open'));
}

test('the Performance panel folds and stays as it was left', async ({ desk }) => {
  const perf = desk.page.getByTestId('performance');
  await expect(perf).not.toHaveAttribute('open');
  await desk.page.getByTestId('performance-toggle').click();
  await expect(perf).toHaveAttribute('open');
  await expect(desk.throughputChart).toBeVisible();
  await expect.poll(() => rememberedOpen(desk)).toBe('true');
  await desk.page.reload();
  await expect(desk.page.getByTestId('performance')).toHaveAttribute('open');
  await desk.page.getByTestId('performance-toggle').click();
  // The toggle event comes after the click: a reload before it would forget the choice.
  await expect.poll(() => rememberedOpen(desk)).toBe('false');
  await desk.page.reload();
  await expect(desk.page.getByTestId('performance')).not.toHaveAttribute('open');
  await expect(desk.throughputChart).toBeHidden();
});

test("at 1024×700 with the details open, a dropped folder's rows still show the end of each file's name", async ({
  desk,
}, testInfo) => {
  // The clerk walk's month-end folder: with the panel open every row read "drop/INV-2026-…",
  // the part that tells the files apart cut off. Now the folder and the middle give way.
  const prefix = uniquePrefix('NAMES');
  const folder = testInfo.outputPath(prefix);
  writeFiles(folder, {
    'INV-2026-11-0001.xml': validInvoice(`${prefix}-1`),
    'INV-2026-11-0002.xml': validInvoice(`${prefix}-2`),
  });
  await desk.dropPaths([folder]);
  await desk.searchFor(prefix);
  await desk.expectRowTotal(2);
  await desk.openDetails(desk.rowByInvoice(`${prefix}-1`));
  for (const n of ['0001', '0002']) {
    const cell = desk.rowByFile(`${prefix}/INV-2026-11-${n}.xml`).locator('.col-file');
    // The whole path is there (and in the title); the end that tells the files apart is shown.
    await expect(cell).toHaveText(`${prefix}/INV-2026-11-${n}.xml`);
    await expect(cell).toHaveAttribute('title', `${prefix}/INV-2026-11-${n}.xml`);
    const end = cell.locator('.file-end');
    await expect(end).toHaveText(`${n}.xml`);
    expect(
      await end.evaluate((el) => {
        const text = document.createRange();
        text.selectNodeContents(el);
        const shown = el.getBoundingClientRect();
        const box = el.parentElement!.getBoundingClientRect();
        const padding = parseFloat(getComputedStyle(el.parentElement!).paddingRight);
        return (
          text.getBoundingClientRect().width <= shown.width + 0.01 &&
          shown.right <= box.right - padding + 0.5
        );
      }),
      `${n}.xml is shown in full`,
    ).toBe(true);
  }
  await desk.screenshot('layout-1024-file-names', testInfo);
});
