import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('every waiting row and its details say why it waits: offline with the next try, paused since when', async ({
  desk,
}, testInfo) => {
  const sandbox = await desk.sandbox();
  await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
  const prefix = uniquePrefix('WHY');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
  });
  // The engine probes again at 1, 2, 4, 8 s: long enough to read the row while offline.
  await sandbox.outage(8_000);
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(`${prefix}-1`);
  await expect(desk.connectionState).toHaveAttribute('data-state', 'offline');
  await desk.waitForState(row, ['queued', 'ready', 'resolving']);
  const id = (await row.getAttribute('data-testid'))!.slice('row-'.length);
  await expect(desk.page.getByTestId(`wait-reason-${id}`)).toHaveText(
    /^Access point offline, next try at \S+/,
  );
  await desk.waitForState(row, ['accepted', 'delivered'], 40_000);
  await expect(desk.page.getByTestId(`wait-reason-${id}`)).toHaveCount(0);

  const more = writeFiles(testInfo.outputPath('more'), {
    [`${prefix}-2.xml`]: validInvoice(`${prefix}-2`),
  });
  await desk.invoke('queue:pause', undefined);
  try {
    await desk.dropFiles(more);
    const paused = desk.rowByInvoice(`${prefix}-2`);
    await desk.waitForState(paused, ['queued']);
    const pausedId = (await paused.getAttribute('data-testid'))!.slice('row-'.length);
    await expect(desk.page.getByTestId(`wait-reason-${pausedId}`)).toHaveText(
      /^Paused by you since \S+/,
    );
    // Its details say it too (they said only "Queued", less than the row).
    await desk.openDetails(paused);
    await expect(desk.detailPanel.getByTestId('detail-wait-reason')).toHaveText(
      /^Paused by you since \S+/,
    );
  } finally {
    await desk.invoke('queue:resume', undefined);
  }
});
