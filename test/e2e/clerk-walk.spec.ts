import type { Locator, Page } from '@playwright/test';
import { STATUS_WORDS } from '../../app/domain/status-words';
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

test('the box for the rows on screen is mixed while only part of the list is selected', async ({
  desk,
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await addInvoices(desk, testInfo.outputPath('in'), 'MIXED', 25);
  const box = page.getByTestId('select-visible');
  const count = page.getByTestId('selection-count');
  const mixed = '- checkbox "Select the rows on screen" [checked=mixed]';

  // The rows on screen, not the 25: the box says "some", to eye and screen reader alike.
  // (The bar of actions on the selection then takes a line: fewer rows show after the click.)
  const onScreen = await rowsInView(page, desk.table);
  await box.click();
  await expect(count).toHaveText(/^\d+ selected$/);
  const selected = Number((await count.textContent())!.split(' ')[0]);
  expect(selected).toBeLessThan(25);
  expect(selected).toBeGreaterThanOrEqual(onScreen);
  expect(selected).toBeLessThanOrEqual(onScreen + 1); // the row cut at the bottom edge
  await expect(box).toBeChecked({ indeterminate: true });
  await expect(box).toMatchAriaSnapshot(mixed);
  await desk.screenshot('clerk-walk-select-mixed', testInfo);

  // All 25 (Ctrl+A): ticked.
  await desk.rows().first().focus();
  await page.keyboard.press('ControlOrMeta+a');
  await expect(count).toHaveText('25 selected');
  await expect(box).toBeChecked();
  await expect(box).toMatchAriaSnapshot('- checkbox "Select the rows on screen" [checked]');

  // 24 of 25: mixed again; a click selects the row on screen that was not, then clears all.
  await desk.rows().first().locator('input[type="checkbox"]').uncheck();
  await expect(count).toHaveText('24 selected');
  await expect(box).toMatchAriaSnapshot(mixed);
  await box.click();
  await expect(count).toHaveText('25 selected');
  await expect(box).toBeChecked();
  await box.click();
  await expect(count).toBeHidden();
  await expect(box).not.toBeChecked();
  await expect(box).toMatchAriaSnapshot('- checkbox "Select the rows on screen"');
});

/** The status words that would not show whole in the row's status cell (each tried in turn). */
function cutStatusWords(row: Locator): Promise<string[]> {
  return row.evaluate((el, words) => {
    const cell = el.querySelector<HTMLElement>('.col-status')!;
    const label = cell.querySelector('.status')!;
    const text = label.lastChild!;
    const shown = text.textContent;
    const cut: string[] = [];
    for (const word of words) {
      text.textContent = word;
      const c = cell.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      const right = c.right - parseFloat(getComputedStyle(cell).paddingRight);
      const range = document.createRange();
      range.selectNodeContents(label);
      const inside = [...range.getClientRects()].every(
        (b) =>
          b.left >= c.left - 0.5 &&
          b.right <= right + 0.5 &&
          b.top >= r.top - 0.5 &&
          b.bottom <= r.bottom + 0.5,
      );
      if (!inside || cell.scrollWidth > cell.clientWidth) cut.push(word);
    }
    text.textContent = shown;
    return cut;
  }, Object.values(STATUS_WORDS));
}

test('every status word shows whole in the narrow layouts, beside the details too', async ({
  desk,
  page,
}, testInfo) => {
  const prefix = await addInvoices(desk, testInfo.outputPath('in'), 'NARROW', 2);
  const row = desk.rowByInvoice(`${prefix}-1`);
  await desk.waitForState(row, ['accepted', 'delivered']);
  for (const [width, height] of [
    [1280, 800],
    [900, 700],
    [800, 600],
    [640, 600],
  ] as const) {
    await page.setViewportSize({ width, height });
    expect(await cutStatusWords(row), `${width}×${height}`).toEqual([]);
  }
  // Beside the details panel, in the narrowest window that still puts it beside the table.
  await page.setViewportSize({ width: 1280, height: 800 });
  await desk.openDetails(row);
  for (const width of [1280, 1100, 960, 901]) {
    await page.setViewportSize({ width, height: 700 });
    expect(await cutStatusWords(row), `${width}×700, details open`).toEqual([]);
  }
  await page.setViewportSize({ width: 901, height: 700 });
  await desk.screenshot('clerk-walk-narrow-details', testInfo);
});

test("Settings speak a finance clerk's words, with a line under each saying what it changes", async ({
  desk,
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('open-settings').click();
  const dialog = page.getByTestId('settings-dialog');
  await expect(dialog.getByTestId('settings-save')).toBeVisible();
  for (const engineer of ['gzip', 'Parallel sends', 'per request', 'sent/', 'Hot folder']) {
    await expect(dialog).not.toContainText(engineer);
  }
  const described: [Locator, RegExp][] = [
    [dialog.getByRole('group', { name: 'Invoices sent at once' }), /Automatic is best for most/],
    [dialog.getByRole('checkbox', { name: 'Send invoices in groups' }), /Up to 100 invoices/],
    [dialog.getByRole('checkbox', { name: 'Make uploads smaller' }), /compressed/],
    [dialog.getByLabel('Tries before an invoice is marked Failed'), /tried again by itself/],
    [dialog.getByLabel('Largest invoice file accepted (MB)'), /bigger file is not added/],
    [dialog.getByLabel('Remember that a buyer is on Peppol for (minutes)'), /used again/],
    [
      dialog.getByLabel('Ask again about a buyer not on Peppol after (minutes)'),
      /not re-checked by themselves: Retry asks/,
    ],
    [dialog.getByRole('checkbox', { name: /access point check each invoice/ }), /own check/],
    [dialog.getByLabel('Folder to send from automatically'), /added and sent/],
    [dialog.getByTestId('settings-hot-folder-move'), /"sent" subfolder/],
    [dialog.getByTestId('settings-hot-folder-subfolders'), /subfolders stay where they are/],
    [dialog.getByTestId('settings-endpoint'), /built-in Sandbox/],
  ];
  for (const [field, hint] of described) await expect(field).toHaveAccessibleDescription(hint);
  await desk.screenshot('clerk-walk-settings', testInfo);
});
