import type { Locator, Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';
import type { DeskPage } from './pages/desk-page';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

// The Performance panel starts folded in a window shorter than it and 12 rows of the list need.
test.beforeEach(async ({ desk }) => {
  await desk.showPerformance();
});

test('charts have units on both axes, a time window and hover values', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('CHARTS');
  const files = Object.fromEntries(
    Array.from({ length: 5 }, (_, i) => [`${prefix}-${i}.xml`, validInvoice(`${prefix}-${i}`)]),
  );
  await desk.chooseFiles(writeFiles(testInfo.outputPath('in'), files));
  await desk.searchFor(prefix);
  await desk.waitForState(desk.rowByInvoice(`${prefix}-4`), ['accepted', 'delivered']);

  const throughput = desk.throughputChart;
  // Axis titles and ticks are drawn on the canvas (see the screenshot); the hover values below
  // carry the same units in text.

  // One window for both charts: the last minute.
  await desk.page.getByTestId('chart-window-60').click();
  await expect(desk.page.getByTestId('chart-window-60')).toHaveAttribute('aria-pressed', 'true');
  await expect(throughput.locator('figcaption')).toContainText('last minute');
  await expect(desk.latencyChart.locator('figcaption')).toContainText('last minute');

  // Hovering the plot shows the values under the cursor, with their unit.
  const over = throughput.locator('.u-over');
  const box = (await over.boundingBox())!;
  await desk.page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
  await expect(throughput.locator('.u-legend')).toContainText(/Accepted\s*\d+(\.\d)? \/s/);
  await desk.screenshot('charts', testInfo);
});

/** Sends `n` fresh invoices through the file picker and waits until the last one is accepted. */
async function sendInvoices(desk: DeskPage, testInfo: TestInfo, tag: string, n: number) {
  const prefix = uniquePrefix(tag);
  const files = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`${prefix}-${i}.xml`, validInvoice(`${prefix}-${i}`)]),
  );
  await desk.chooseFiles(writeFiles(testInfo.outputPath(`in-${prefix}`), files));
  await desk.searchFor(prefix);
  await desk.waitForState(desk.rowByInvoice(`${prefix}-${n - 1}`), ['accepted', 'delivered']);
}

/**
 * The hover value of `series` at each position across the right `fraction` of a chart's plot,
 * right to left, 3 px apart (bounded: at most 200 positions).
 */
async function hoverValues(
  page: Page,
  chart: Locator,
  series: string,
  fraction: number,
): Promise<string[]> {
  const box = (await chart.locator('.u-over').boundingBox())!;
  const values: string[] = [];
  const cell = chart.locator('.u-legend .u-series').filter({ hasText: series }).locator('.u-value');
  for (let dx = 2, i = 0; dx < box.width * fraction && i < 200; dx += 3, i++) {
    await page.mouse.move(box.x + box.width - dx, box.y + box.height / 2);
    values.push(((await cell.textContent()) ?? '').trim());
  }
  return values;
}

test('latency is a gap with "now —" when idle, never 0 ms, and a value again once sending resumes', async ({
  desk,
}, testInfo) => {
  // Waits for ~20 s of idleness once.
  test.setTimeout(120_000);
  const latencyNow = desk.latencyChart.getByTestId('latency-now');
  // The 10-minute window: the sends stay in view however slowly a loaded machine hovers.
  await desk.page.getByTestId('chart-window-600').click();

  await sendInvoices(desk, testInfo, 'LATGAP-A', 5);
  // The default step is Sending: its median of the last seconds is shown as "now".
  await expect(latencyNow).toHaveText(/now \d[\d.]* (ms|s) median sending/);

  // Idle: within two 10-second intervals the line ends in a gap and "now" says so.
  await expect(latencyNow).toContainText('now —', { timeout: 40_000 });
  const box = (await desk.latencyChart.locator('.u-over').boundingBox())!;
  await desk.page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  const legend = desk.latencyChart.locator('.u-legend');
  await expect(legend).toContainText(/Median\s*—/);
  await expect(legend).toContainText(/95%\s*—/);
  // Across the last 3 minutes: the sends are a value, the idle time is "—", and nowhere "0 ms".
  const values = await hoverValues(desk.page, desk.latencyChart, 'Median', 0.3);
  expect(values).toContain('—');
  expect(values.some((v) => /^\d[\d.]* (ms|s)$/.test(v))).toBe(true);
  expect(values.filter((v) => /^0 ms$/.test(v))).toEqual([]);
  // The "now" figure agrees with the right end of the chart: both say there is nothing.
  await expect(latencyNow).toContainText('now —');

  await sendInvoices(desk, testInfo, 'LATGAP-B', 3);
  await expect(latencyNow).toHaveText(/now \d[\d.]* (ms|s) median sending/);
  await desk.screenshot('charts-latency-gap', testInfo);
});

test('after a reload the 60-minute window still shows what was sent before it', async ({
  desk,
}, testInfo) => {
  await sendInvoices(desk, testInfo, 'RELOAD', 5);
  await desk.page.reload();
  await expect(desk.table).toBeVisible();
  await desk.page.getByTestId('chart-window-3600').click();
  await expect(desk.latencyChart.locator('figcaption')).toContainText('last hour');
  // The hour came from the engine (metrics:snapshot), not from what this page saw: the sends
  // of a moment ago are on the line (right tenth of the hour: the last 6 minutes).
  await expect
    .poll(async () =>
      (await hoverValues(desk.page, desk.latencyChart, 'Median', 0.1)).some((v) =>
        /^\d[\d.]* (ms|s)$/.test(v),
      ),
    )
    .toBe(true);
});

test('a window that reaches back before the desk started says since when it counts', async ({
  desk,
}) => {
  // The test host started minutes ago: the last hour reaches back before it, and an earlier run's
  // figures are not kept, so the charts say from when they count instead of implying an idle hour.
  await desk.page.getByTestId('chart-window-3600').click();
  await expect(desk.page.getByTestId('throughput-since')).toContainText('when Peppol Desk started');
  // A start on another day names the day too (a run across midnight: "Dec 4, 2026, 11:59 PM").
  await expect(desk.page.getByTestId('latency-since')).toHaveText(
    /^ \(since ([A-Z][a-z]{2} \d{1,2}, \d{4}, )?\d{1,2}:\d\d(:\d\d)?\s?(AM|PM)?, when Peppol Desk started\)$/,
  );
});

test('beside an open details panel the time-per-step plot keeps its width (the table goes under it)', async ({
  desk,
}, testInfo) => {
  // The clerk walk's window: at 1280×800 the plot beside its table was squeezed to a sliver.
  await desk.page.setViewportSize({ width: 1280, height: 800 });
  const prefix = uniquePrefix('CHARTWIDTH');
  await desk.chooseFiles(
    writeFiles(testInfo.outputPath('in'), { [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`) }),
  );
  await desk.searchFor(prefix);
  await desk.openDetails(desk.rowByInvoice(`${prefix}-1`));
  const plot = desk.latencyChart.locator('.chart-canvas');
  await expect(plot).toBeVisible();
  await expect.poll(async () => (await plot.boundingBox())?.width ?? 0).toBeGreaterThan(200);
  await desk.screenshot('charts-beside-details', testInfo);
});
