/**
 * What the header and the queue say while the access point is in trouble, at the laptop size a
 * clerk uses (1280×800): a run of 5xx answers and a refused API key hold the queue (no invoice
 * fails, none uses up its attempts) and say so in plain words; once the access point answers
 * again, every invoice goes out by itself.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox } from '../../app/sandbox/server';
import { expect, test } from './fixtures';
import type { DeskPage } from './pages/desk-page';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test.use({ viewport: { width: 1280, height: 800 } });

/** What a waiting invoice says while the key is refused, and while the access point fails. */
const KEY_WAIT = 'Waits for the API key to be accepted — check it in Settings';
const TROUBLE_WAIT = 'Waits for the access point to work again — then sent automatically';

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
    // Waiting, none failed: each row says what it waits for, not a time nothing leaves at.
    for (const n of numbers) {
      const row = desk.rowByInvoice(n);
      await expect(desk.statusOf(row)).not.toHaveAttribute('data-state', 'failed');
      await expect(desk.waitReasonOf(row)).toHaveText(TROUBLE_WAIT);
    }
    await desk.screenshot('access-point-trouble', testInfo);
    // Its details say the same (beside its status, or in place of a next attempt's time).
    await desk.openDetails(desk.rowByInvoice(numbers[0]!));
    await expect(desk.detailPanel).toContainText(TROUBLE_WAIT);
    await expect(desk.detailPanel).not.toContainText('Next attempt');
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
      'The access point did not accept the API key. Check the key in Settings: invoices wait and are sent by themselves once it is accepted (with a key for another environment, Test or Production, you are asked first).',
    );
    for (const n of numbers) {
      const row = desk.rowByInvoice(n);
      await desk.waitForState(row, ['queued']);
    }
    for (const n of numbers)
      await expect(desk.waitReasonOf(desk.rowByInvoice(n))).toHaveText(KEY_WAIT);
    await desk.screenshot('key-refused-waiting', testInfo);
    // Settings, where the header sends the clerk, says it beside the key.
    await desk.page.getByTestId('open-settings').click();
    await expect(desk.page.getByTestId('settings-key-refused')).toHaveText(
      /^The access point does not accept the key in use\./,
    );
    await desk.screenshot('key-refused-settings', testInfo);
    await desk.page.keyboard.press('Escape');
    await expect(desk.page.getByTestId('settings-dialog')).toBeHidden();

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

test('an invoice waiting for its next attempt during a hold: says what it waits for, and its own time once the hold ends', async ({
  desk,
}, testInfo) => {
  test.setTimeout(120_000);
  const sandbox = await desk.sandbox();
  await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
  const prefix = uniquePrefix('HOLDTIME');
  try {
    // One 503 asking to come back in 10 minutes: the invoice waits for its next try (a 503 is
    // not counted as an attempt: walk 8).
    await sandbox.setFaults({ status503: { every: 1, max: 1, retryAfterSeconds: 600 } });
    const [waiting] = await dropInvoices(desk, prefix, 1, testInfo.outputPath('first'));
    const row = desk.rowByInvoice(waiting!);
    await desk.waitForState(row, ['retry_wait']);
    await expect(desk.waitReasonOf(row)).toHaveText(/^Next try at /);
    await desk.openDetails(row);
    await expect(desk.detailPanel.getByTestId('detail-next-attempt')).toHaveText(/^Next attempt: /);

    // Then the access point refuses the key (every request): the queue is held, and nothing
    // leaves at that time, so neither the row nor the details show it.
    await sandbox.setFaults({ endpoints: 'all', status: { every: 1, status: 401 } });
    await dropInvoices(desk, `${prefix}-B`, 1, testInfo.outputPath('second'));
    await expect(desk.connectionState).toHaveAttribute('data-state', 'refused');
    await desk.searchFor(prefix);
    await expect(desk.waitReasonOf(row)).toHaveText(KEY_WAIT);
    await desk.openDetails(row);
    await expect(desk.detailPanel.getByTestId('detail-held')).toHaveText(KEY_WAIT);
    await expect(desk.detailPanel.getByTestId('detail-next-attempt')).toHaveCount(0);
    await desk.screenshot('hold-instead-of-next-attempt', testInfo);

    // The key is accepted again: the hold ends, and the invoice's own time comes back.
    await sandbox.clearFaults();
    await expect(desk.connectionState).toHaveAttribute('data-state', 'online', { timeout: 60_000 });
    await expect(desk.waitReasonOf(row)).toHaveText(/^Next try at /);
    await expect(desk.detailPanel.getByTestId('detail-next-attempt')).toHaveText(/^Next attempt: /);
    await expect(desk.detailPanel.getByTestId('detail-held')).toHaveCount(0);
    // Sent now rather than in 10 minutes (the next tests share this desk).
    await desk.detailPanel.getByTestId('detail-retry').click();
    await desk.waitForState(row, ['accepted', 'delivered'], 60_000);
  } finally {
    await sandbox.clearFaults();
  }
});

// Walk 4: a provider address with no key said "API key not accepted", and Settings "does not
// accept the key in use", though no key was ever entered.
test('a provider address with no key at all: the header and Settings say a key is missing', async ({
  desk,
}) => {
  const provider = await startSandbox({
    faults: { endpoints: 'all', status: { every: 1, status: 401 } },
  });
  try {
    await desk.invoke('settings:set', { endpoint: provider.url });
    await expect(desk.connectionState).toHaveAttribute('data-state', 'refused');
    await expect(desk.connectionState).toHaveText(/^No API key — \d+ waiting/);
    await desk.page.getByTestId('open-settings').click();
    await expect(desk.page.getByTestId('settings-key-refused')).toHaveText(
      /^No key is set for this provider\. Type the key your provider gave you/,
    );
    await desk.page.keyboard.press('Escape');
  } finally {
    await desk.invoke('settings:set', { endpoint: null });
    await provider.close();
  }
});

// Walk 24: a provider URL that leads to no access point (an HTML 404 to every address): the
// banner said so, but the header said "API key not accepted", each row "Waits for the API key to
// be accepted" and Settings "does not accept the key in use"; and once the URL was corrected the
// invoices were held for a decision between two access points of the same name, though their
// timelines said they would go by themselves.
test('a provider URL that leads to no access point: the header, rows and Settings say the URL, and the invoices go once it is corrected', async ({
  desk,
}, testInfo) => {
  test.setTimeout(120_000);
  const wrong = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html>404 Not Found</html>'),
    );
  });
  await new Promise<void>((r) => wrong.listen(0, '127.0.0.1', r));
  const right = await startSandbox({});
  try {
    await desk.invoke('settings:set', {
      endpoint: `http://127.0.0.1:${(wrong.address() as AddressInfo).port}`,
    });
    const numbers = await dropInvoices(desk, uniquePrefix('URL'), 2, testInfo.outputPath('in'));
    await expect(desk.connectionState).toHaveText(/^Provider URL wrong — \d+ waiting/, {
      timeout: 30_000,
    });
    for (const n of numbers)
      await expect(desk.waitReasonOf(desk.rowByInvoice(n))).toHaveText(
        'Waits for the provider URL to be corrected — check it in Settings',
      );
    // Walk 24 B12: the details said "Not looked up yet" beside a timeline saying the buyer could
    // not be checked.
    await desk.openDetails(desk.rowByInvoice(numbers[0]!));
    const verdict = desk.detailPanel.getByTestId('lookup-verdict');
    await expect(verdict).toHaveText(
      /Could not be looked up: the provider URL leads to no access point\. Correct it in Settings; the buyer is looked up then\.$/,
    );
    await expect(desk.detailPanel.getByTestId('lookup-refresh')).toHaveText('Check now');
    await desk.detailPanel.getByTestId('detail-close').click();
    await desk.page.getByTestId('open-settings').click();
    await expect(desk.page.getByTestId('settings-address-wrong')).toContainText(
      'The address in use does not lead to an access point',
    );
    await expect(desk.page.getByTestId('settings-key-refused')).toHaveCount(0);
    await desk.page.keyboard.press('Escape');

    await desk.invoke('settings:set', { endpoint: right.url });
    for (const n of numbers)
      await desk.waitForState(desk.rowByInvoice(n), ['accepted', 'delivered'], 60_000);
    expect(right.stats().acceptedDocuments).toBe(2);
    // Looked up once the URL was corrected: the details give that answer, not the failure.
    await desk.openDetails(desk.rowByInvoice(numbers[0]!));
    await expect(desk.detailPanel.getByTestId('lookup-verdict')).toHaveText(/Found/);
  } finally {
    await desk.invoke('settings:set', { endpoint: null });
    await right.close();
    await new Promise<void>((r) => wrong.close(() => r()));
  }
});
