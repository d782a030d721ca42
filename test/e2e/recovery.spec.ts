import { expect, test } from './fixtures';
import { installDroppableEventStream } from './support/event-stream-drop';
import { addThroughHost, invokeHost } from './support/host';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('a document that failed while the access point was down is sent by Retry once it recovers', async ({
  desk,
}, testInfo) => {
  const sandbox = await desk.sandbox();
  // Two attempts (1 s apart) so it fails quickly; every send answers 500 meanwhile (a 500 counts
  // as an attempt; a 503 says nothing of the invoice and does not).
  const restoreAttempts = await desk.setMaxAttempts(2);
  const prefix = uniquePrefix('RETRY');
  const row = desk.rowByInvoice(prefix);
  try {
    await sandbox.setFaults({ status: { every: 1, status: 500 } });
    const paths = writeFiles(testInfo.outputPath('invoices'), {
      [`${prefix}.xml`]: validInvoice(prefix),
    });
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    await desk.waitForState(row, ['failed']);
    await expect(desk.statusOf(row)).toHaveText(/Failed/);
    await desk.openDetails(row);
    await expect(desk.detailPanel.getByTestId('problem-message')).not.toBeEmpty();
    await expect(desk.detailPanel.getByTestId('timeline')).toContainText('Failed');
    await desk.screenshot('retry-failed', testInfo);

    await sandbox.clearFaults();
    await desk.detailPanel.getByTestId('detail-retry').click();
    await expect(desk.toast('1 document will be tried again.')).toBeVisible();
    await desk.waitForState(row, ['accepted', 'delivered']);
    await expect(desk.detailPanel.getByTestId('detail-transaction-id')).not.toHaveText('—');
  } finally {
    await sandbox.clearFaults();
    await restoreAttempts();
  }
});

test('offline while the access point is away, then online and everything waiting is sent', async ({
  desk,
}, testInfo) => {
  const sandbox = await desk.sandbox();
  await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
  const prefix = uniquePrefix('OFFLINE');
  const numbers = [1, 2, 3].map((n) => `${prefix}-${n}`);
  const paths = writeFiles(
    testInfo.outputPath('invoices'),
    Object.fromEntries(numbers.map((n) => [`${n}.xml`, validInvoice(n)])),
  );
  // Long enough to see the offline state; the engine probes again at 1, 2, 4, 8 s.
  await sandbox.outage(6_000);
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);

  await expect(desk.connectionState).toHaveAttribute('data-state', 'offline');
  // The count follows the drop's documents as they are checked: at least one once they are.
  await expect(desk.connectionState).toHaveText(/^Offline — [1-9]\d* waiting/);
  // Why, in words: no errno or address of the access point (issue 11 point 7).
  await expect(desk.page.getByTestId('connection-message')).toHaveText(
    /cannot be reached right now\. Peppol Desk keeps trying/,
  );
  await expect(desk.page.getByTestId('connection-message')).not.toHaveText(/E[A-Z]{3,}|127\.0/);
  for (const n of numbers)
    await desk.waitForState(desk.rowByInvoice(n), [
      'queued',
      'ready',
      'resolving',
      'validating',
      'received',
    ]);
  await desk.screenshot('offline', testInfo);

  await expect(desk.connectionState).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  await expect(desk.connectionState).toHaveText(/^Online/);
  for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['accepted', 'delivered']);
});

test('after the event stream drops and returns, the page catches up on what it missed', async ({
  desk,
  page,
}, testInfo) => {
  const stream = await installDroppableEventStream(page);
  await desk.goto();
  const prefix = uniquePrefix('RELINK');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: validInvoice(prefix),
  });
  await desk.searchFor(prefix);
  await desk.expectRowTotal(0);
  // Paused: once the document is queued, no later event would tell the page about it.
  await desk.invoke('queue:pause', undefined);
  try {
    await expect(desk.connectionState).toContainText('Paused');
    await stream.drop();
    await expect(desk.connectionState).toHaveAttribute('data-state', 'unlinked');
    await expect(desk.connectionState).toHaveText('Reconnecting to Peppol Desk…');
    // Added by someone else meanwhile (another window, the CLI): the page hears nothing of it.
    expect(await addThroughHost(paths)).toBe(1);
    // Checked and queued before the stream returns: no later event will mention it.
    await expect
      .poll(async () => (await invokeHost('documents:list', { search: prefix })).rows[0]?.state)
      .toBe('queued');
    await stream.restore();
    await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
    await expect(desk.rowByInvoice(prefix)).toBeVisible();
    await expect(desk.connectionState).toContainText('Paused');
  } finally {
    await desk.invoke('queue:resume', undefined);
  }
  await expect(desk.connectionState).not.toContainText('Paused');
  await desk.waitForState(desk.rowByInvoice(prefix), ['accepted', 'delivered']);
});

test('the header says Throttled while the access point answers 429, then Online again', async ({
  desk,
}, testInfo) => {
  const sandbox = await desk.sandbox();
  const prefix = uniquePrefix('THROTTLE');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: validInvoice(prefix),
  });
  // Every send is refused with 429 (Retry-After 1 s) a few times in a row.
  await sandbox.setFaults({ status429: { every: 1, max: 4, retryAfterSeconds: 1 } });
  try {
    await desk.dropFiles(paths);
    await expect(desk.connectionState).toHaveAttribute('data-state', 'throttled');
    await expect(desk.connectionState).toHaveText(/Throttled/);
    await desk.screenshot('throttled', testInfo);
    await desk.searchFor(prefix);
    await desk.waitForState(desk.rowByInvoice(prefix), ['accepted', 'delivered']);
    await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
  } finally {
    await sandbox.clearFaults();
  }
});
