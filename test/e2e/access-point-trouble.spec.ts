/**
 * What the header and the queue say while the access point is in trouble, at the laptop size a
 * clerk uses (1280×800): a run of 5xx answers and a refused API key hold the queue (no invoice
 * fails, none uses up its attempts) and say so in plain words; once the access point answers
 * again, every invoice goes out by itself.
 */
import { expect, test } from './fixtures';
import type { DeskPage } from './pages/desk-page';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test.use({ viewport: { width: 1280, height: 800 } });

/** Drop `n` invoices numbered `<prefix>-<i>` and show only them. */
async function dropInvoices(desk: DeskPage, prefix: string, n: number, dir: string) {
  const numbers = Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
  const paths = writeFiles(
    dir,
    Object.fromEntries(numbers.map((x) => [`${x}.xml`, validInvoice(x)])),
  );
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  return numbers;
}

test('503 for everything: the header says the access point has problems, invoices wait, then all are sent', async ({
  desk,
}, testInfo) => {
  test.setTimeout(120_000);
  const sandbox = await desk.sandbox();
  await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
  const prefix = uniquePrefix('STORM');
  try {
    // Every request, the connection checks and delivery polls too, answers 503.
    await sandbox.setFaults({ endpoints: 'all', status503: { every: 1 } });
    const numbers = await dropInvoices(desk, prefix, 3, testInfo.outputPath('invoices'));
    // After a run of them over 5 s (not at the first one).
    await expect(desk.connectionState).toHaveAttribute('data-state', 'trouble', {
      timeout: 40_000,
    });
    await expect(desk.connectionState).toHaveText(/^Access point having problems — \d+ waiting/);
    await expect(desk.page.getByTestId('connection-message')).toHaveText(
      'The access point is having problems. Invoices wait and are sent again automatically once it works.',
    );
    // Waiting, none failed: the rows say why.
    for (const n of numbers) {
      const row = desk.rowByInvoice(n);
      await expect(desk.statusOf(row)).not.toHaveAttribute('data-state', 'failed');
    }
    await expect(desk.page.getByText(/Access point problems, next try at/).first()).toBeVisible();
    await desk.screenshot('access-point-trouble', testInfo);
    // Its details say it waits and will go by itself (its problem, or beside its status).
    await desk.openDetails(desk.rowByInvoice(numbers[0]!));
    await expect(desk.detailPanel).toContainText(
      /Trying again automatically|Access point problems/,
    );
    await desk.screenshot('access-point-trouble-details', testInfo);

    await sandbox.clearFaults();
    for (const n of numbers)
      await desk.waitForState(desk.rowByInvoice(n), ['accepted', 'delivered'], 60_000);
    await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
    await expect(desk.page.getByTestId('connection-message')).toHaveCount(0);
  } finally {
    await sandbox.clearFaults();
  }
});

test('401 for everything: the header says the API key is not accepted, invoices wait, then all are sent', async ({
  desk,
}, testInfo) => {
  test.setTimeout(120_000);
  const sandbox = await desk.sandbox();
  await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
  const prefix = uniquePrefix('KEYHOLD');
  try {
    // Every request is refused, as an access point refuses a key it does not know (the delivery
    // polls of earlier tests' documents too: an answer to any of them would be the key accepted).
    await sandbox.setFaults({ endpoints: 'all', status: { every: 1, status: 401 } });
    const numbers = await dropInvoices(desk, prefix, 3, testInfo.outputPath('invoices'));
    await expect(desk.connectionState).toHaveAttribute('data-state', 'refused');
    await expect(desk.connectionState).toHaveText(/^API key not accepted — \d+ waiting/);
    await expect(desk.page.getByTestId('connection-message')).toHaveText(
      'The access point did not accept the API key. Check the key in Settings: invoices wait and are sent by themselves once it is accepted.',
    );
    for (const n of numbers) {
      const row = desk.rowByInvoice(n);
      await desk.waitForState(row, ['queued']);
    }
    await expect(
      desk.page.getByText('API key not accepted; the invoice waits').first(),
    ).toBeVisible();
    await desk.screenshot('key-refused-waiting', testInfo);

    // The key is accepted again (as after a change in Settings): the next check ends the hold.
    await sandbox.clearFaults();
    for (const n of numbers)
      await desk.waitForState(desk.rowByInvoice(n), ['accepted', 'delivered'], 60_000);
    await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
    await expect(desk.page.getByTestId('connection-message')).toHaveCount(0);
    // Nothing needs the clerk: no failure, and each went once.
    for (const n of numbers) {
      await desk.openDetails(desk.rowByInvoice(n));
      await expect(desk.detailPanel.getByTestId('timeline')).not.toContainText('Failed');
    }
  } finally {
    await sandbox.clearFaults();
  }
});
