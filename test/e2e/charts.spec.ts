import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('charts have units on both axes, a time window, hover values and no zero latency when idle', async ({
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
  const latencyOver = (await desk.latencyChart.locator('.u-over').boundingBox())!;
  await desk.page.mouse.move(latencyOver.x + 3, latencyOver.y + latencyOver.height / 2);
  // Far left of the last minute: no documents yet, so a gap ("—"), not "0 ms".
  await expect(desk.latencyChart.locator('.u-legend')).toContainText(/Median\s*(—|\d[\d.]* m?s)/);

  // Latency gaps: no plotted value of 0 ms stands for "no documents".
  const zeros = await desk.page.evaluate(() => {
    const el = document.querySelector('[data-testid="latency-chart"] .u-legend');
    return el ? el.textContent : '';
  });
  expect(zeros).not.toMatch(/Median\s*0 ms/);
  await desk.screenshot('charts', testInfo);
});
