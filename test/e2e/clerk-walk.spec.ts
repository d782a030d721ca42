import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { DeskPage } from './pages/desk-page';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

// What a finance clerk clicking through the app found (the clerk walk), checked at the window
// sizes it used: 1280×800 and narrower.

async function addInvoices(desk: DeskPage, dir: string, label: string, n: number) {
  const prefix = uniquePrefix(label);
  const files = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `${prefix}-${i + 1}.xml`,
      validInvoice(`${prefix}-${i + 1}`),
    ]),
  );
  await desk.chooseFiles(writeFiles(dir, files));
  await desk.searchFor(prefix);
  await desk.expectRowTotal(n);
  return prefix;
}

/** How many rows of the list are wholly in view. */
async function rowsInView(page: Page, table: Locator): Promise<number> {
  return table.locator('.table-body').evaluate((body) => {
    const box = body.getBoundingClientRect();
    const bottom = Math.min(box.bottom, window.innerHeight);
    return [...body.querySelectorAll('[role="row"]')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.top >= box.top - 0.5 && b.bottom <= bottom + 0.5;
    }).length;
  });
}

test('on a first start at 1280×800 the Performance panel is folded and the list shows 12 rows or more', async ({
  desk,
  page,
}, testInfo) => {
  await addInvoices(desk, testInfo.outputPath('in'), 'ROOM', 16);
  const perf = page.getByTestId('performance');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();
  await expect(desk.table).toBeVisible();
  await expect(desk.rows()).not.toHaveCount(0);
  await expect(perf).not.toHaveAttribute('open');
  expect(await rowsInView(page, desk.table)).toBeGreaterThanOrEqual(12);
  await desk.screenshot('clerk-walk-1280x800', testInfo);

  // A window tall enough for both: the panel opens, and the list still has its 12 rows.
  await page.setViewportSize({ width: 1280, height: 1100 });
  await page.reload();
  await expect(desk.table).toBeVisible();
  await expect(perf).toHaveAttribute('open');
  await expect(desk.throughputChart).toBeVisible();
  await expect(desk.rows()).not.toHaveCount(0);
  expect(await rowsInView(page, desk.table)).toBeGreaterThanOrEqual(12);

  // The clerk's choice wins over the window's height, and is remembered.
  await page.getByTestId('performance-toggle').click();
  await expect(perf).not.toHaveAttribute('open');
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('peppol-desk.performance-open')))
    .toBe('false');
  await page.reload();
  await expect(perf).not.toHaveAttribute('open');
});
