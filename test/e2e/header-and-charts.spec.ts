import { startSandbox } from '../../app/sandbox/server';
import { expect, test } from './fixtures';
import { DeskPage } from './pages/desk-page';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('charts show throughput and time per step once documents are sent', async ({
  desk,
}, testInfo) => {
  await desk.showPerformance();
  await expect(desk.throughputChart).toBeVisible();
  await expect(desk.latencyChart).toBeVisible();
  await expect(desk.throughputChart.locator('canvas')).toBeVisible();

  const prefix = uniquePrefix('CHART');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: validInvoice(prefix),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  await desk.waitForState(desk.rowByInvoice(prefix), ['accepted', 'delivered']);

  // metrics:tick arrives every second: the "Sending" step then has a count.
  const sendingCount = desk.latencyChart
    .locator('tbody tr', { hasText: 'Sending' })
    .locator('td')
    .last();
  await expect(sendingCount).not.toHaveText('0');
});

test('pausing holds documents in the queue until sending resumes', async ({
  desk,
  page,
}, testInfo) => {
  const toggle = page.getByTestId('pause-toggle');
  await expect(toggle).toHaveText('Pause sending');
  await toggle.click();
  await expect(toggle).toHaveText('Resume sending');
  await expect(desk.connectionState).toContainText('Paused');

  const prefix = uniquePrefix('PAUSE');
  const row = desk.rowByInvoice(prefix);
  try {
    const paths = writeFiles(testInfo.outputPath('invoices'), {
      [`${prefix}.xml`]: validInvoice(prefix),
    });
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    await desk.waitForState(row, ['queued', 'ready']);
  } finally {
    // Resume even when the test fails: the host is shared by every test.
    await toggle.click();
    await expect(toggle).toHaveText('Pause sending');
  }
  await desk.waitForState(row, ['accepted', 'delivered']);
});

test('settings show the sandbox and keep a changed value', async ({ desk, page }) => {
  await page.getByTestId('open-settings').click();
  const dialog = page.getByTestId('settings-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Sandbox');
  await expect(dialog.getByTestId('settings-api-key')).toHaveValue('');

  const attempts = dialog.getByLabel('Tries before an invoice is marked Failed');
  const before = await attempts.inputValue();
  const maxFile = dialog.getByLabel('Largest invoice file accepted (MB)');
  await expect(maxFile).toHaveValue('15');
  await attempts.fill('7');
  await maxFile.fill('2.5');
  await dialog.getByTestId('settings-save').click();
  await expect(dialog).toBeHidden();
  await expect(desk.toast('Settings saved')).toBeVisible();
  const saved = await desk.invoke('settings:get', undefined);
  expect(saved.maxDocumentBytes).toBe(Math.round(2.5 * 1024 * 1024));

  await page.getByTestId('open-settings').click();
  await expect(attempts).toHaveValue('7');
  await expect(maxFile).toHaveValue('2.5');
  await attempts.fill(before);
  await maxFile.fill('15');
  await dialog.getByTestId('settings-save').click();
  await expect(dialog).toBeHidden();
});

test('settings show the environment a key selects, the hot folder move option and the data location', async ({
  desk,
  page,
}) => {
  await expect(desk.envBadge).toBeVisible();
  await page.getByTestId('open-settings').click();
  const dialog = page.getByTestId('settings-dialog');
  await expect(dialog).toBeVisible();
  const keyEnvironment = dialog.getByTestId('settings-key-environment');
  await expect(keyEnvironment).toContainText('Sandbox');
  const key = dialog.getByTestId('settings-api-key');
  await key.fill('sk_test_123');
  await expect(keyEnvironment).toContainText('Test environment');
  await key.fill('pk_goroute_123');
  await expect(keyEnvironment).toContainText('Production environment');
  await key.fill('');
  await expect(keyEnvironment).toContainText('Sandbox');
  // A provider address with no key: said, not "Sends to the provider's Test environment" (walk 18).
  const endpoint = dialog.getByTestId('settings-endpoint');
  await endpoint.fill('https://ap.example.com/peppol-api');
  await expect(keyEnvironment).toHaveText(
    'No key set: invoices go to this provider without one; most providers refuse that, and the invoices then wait here until a key is saved. Type the key your provider gave you.',
  );
  await key.fill('sk_test_123');
  await expect(keyEnvironment).toContainText('Test environment');
  await key.fill('');
  await endpoint.fill('');
  await expect(keyEnvironment).toContainText('Sandbox');

  const dataDir = dialog.getByTestId('settings-data-dir');
  await expect(dataDir).not.toHaveValue('');
  await expect(dataDir).toHaveAttribute('readonly', '');
  await expect(dialog.getByTestId('settings-copy-data-dir')).toBeVisible();
  await expect(dialog.getByTestId('settings-data-note')).toContainText('PEPPOL_DESK_DATA_DIR');
  await expect(dialog.getByTestId('settings-data-note')).toContainText('--data-dir');

  // Moving hot folder files is on by default; turning it off is saved.
  const move = dialog.getByTestId('settings-hot-folder-move');
  await expect(move).toBeChecked();
  await move.uncheck();
  await dialog.getByTestId('settings-save').click();
  await expect(dialog).toBeHidden();
  await page.getByTestId('open-settings').click();
  await expect(move).not.toBeChecked();
  await move.check();
  // Subfolders: off by default (said in the hint), and turning them on is saved.
  const subfolders = dialog.getByTestId('settings-hot-folder-subfolders');
  await expect(subfolders).not.toBeChecked();
  await subfolders.check();
  await dialog.getByTestId('settings-save').click();
  await expect(dialog).toBeHidden();
  expect((await desk.invoke('settings:get', undefined)).hotFolderSubfolders).toBe(true);
  await page.getByTestId('open-settings').click();
  await expect(subfolders).toBeChecked();
  await subfolders.uncheck();
  await dialog.getByTestId('settings-save').click();
  await expect(dialog).toBeHidden();
});

test('an open Settings form shows a provider address changed in another window, keeping what the clerk typed', async ({
  desk,
  page,
}) => {
  const other = await startSandbox({});
  const before = await desk.invoke('settings:get', undefined);
  const secondTab = await page.context().newPage();
  try {
    await page.getByTestId('open-settings').click();
    const dialog = page.getByTestId('settings-dialog');
    const endpoint = dialog.getByTestId('settings-endpoint');
    await expect(endpoint).toHaveValue('');
    const attempts = dialog.getByLabel('Tries before an invoice is marked Failed');
    await attempts.fill('3');

    // Another window sets a provider address (and other tries).
    const elsewhere = new DeskPage(secondTab);
    await elsewhere.goto();
    await elsewhere.invoke('settings:set', { endpoint: other.url, maxAttempts: 5 });

    await expect(endpoint).toHaveValue(other.url);
    await expect(dialog.getByTestId('settings-changed-elsewhere')).toContainText(
      'These settings were changed in another window',
    );
    // Typed here: kept, and saved as typed; the address is not written back or cleared.
    await expect(attempts).toHaveValue('3');
    await dialog.getByTestId('settings-save').click();
    await expect(dialog).toBeHidden();
    const saved = await desk.invoke('settings:get', undefined);
    expect(saved.maxAttempts).toBe(3);
    expect(saved.endpoint).toBe(other.url);
  } finally {
    await secondTab.close();
    await desk.invoke('settings:set', { endpoint: null, maxAttempts: before.maxAttempts });
    await other.close();
  }
});
