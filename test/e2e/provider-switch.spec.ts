import { startSandbox } from '../../app/sandbox/server';
import { startDocAccessPoint } from '../helpers/doc-access-point.mjs';
import { expect, test } from './fixtures';
import {
  invoiceToReceiver,
  invoiceWithoutNumber,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

test('queued documents stay with their access point when the provider changes, until the clerk sends them through the new one', async ({
  desk,
}, testInfo) => {
  // Another access point, as a provider URL set in Settings would be (Test environment).
  const other = await startSandbox({});
  const prefix = uniquePrefix('PIN');
  const numbers = [`${prefix}-1`, `${prefix}-2`];
  try {
    // Queued for the built-in Sandbox while sending is paused.
    await desk.invoke('queue:pause', undefined);
    const paths = writeFiles(
      testInfo.outputPath('invoices'),
      Object.fromEntries(numbers.map((n) => [`${n}.xml`, validInvoice(n)])),
    );
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['queued']);
    const firstId = Number(
      (await desk.rowByInvoice(numbers[0]!).getAttribute('data-testid'))!.slice('row-'.length),
    );
    // Queued for the access point in use, which the header names: no badge on the row.
    await expect(desk.page.getByTestId(`env-tag-${firstId}`)).toHaveCount(0);

    await desk.invoke('settings:set', { endpoint: other.url });
    await desk.invoke('queue:resume', undefined);
    // Now another access point is in use: the row says where it is queued.
    await expect(desk.page.getByTestId(`env-tag-${firstId}`)).toHaveText('Sandbox');

    // Nothing moves by itself: both wait for the Sandbox, and the app says so.
    const banner = desk.page.getByTestId('waiting-elsewhere');
    await expect(banner.getByTestId('waiting-elsewhere-text')).toContainText(
      '2 documents wait for the built-in Sandbox',
    );
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['held']);
    const host = new URL(other.url).host;
    const reroute = banner.getByTestId('reroute');
    await expect(reroute).toHaveText(`Send these through ${host} (Test)`);
    expect(other.stats().acceptedDocuments).toBe(0);
    await desk.openDetails(desk.rowByInvoice(numbers[0]!));
    await expect(desk.detailPanel.getByTestId('problem-message')).toContainText(
      'queued for the built-in Sandbox',
    );
    await expect(desk.detailPanel.getByTestId('detail-access-point')).toHaveText(
      'the built-in Sandbox',
    );
    await desk.page.keyboard.press('Escape');

    // The explicit step.
    await reroute.click();
    for (const n of numbers) {
      await desk.waitForState(desk.rowByInvoice(n), ['accepted', 'delivered']);
    }
    await expect(banner).toHaveCount(0);
    expect(other.stats().acceptedDocuments).toBe(2);
    // Sent through the access point in use: no badge again (the header says Test).
    await expect(desk.page.getByTestId(`env-tag-${firstId}`)).toHaveCount(0);
    await expect(desk.page.getByTestId('env-badge')).toHaveText('Test');
    // The access point's own word for its environment is there too; it agrees with Test.
    await expect(desk.page.getByTestId('env-badge')).toHaveAttribute(
      'title',
      /The access point says: sandbox/,
    );
    await expect(desk.page.getByTestId('env-mismatch')).toHaveCount(0);
    // A provider's environment is not practice: the Sandbox's note is gone.
    await expect(desk.page.getByTestId('env-note')).toHaveCount(0);
    // No key is set for it: said before any invoice meets a refusal (walk 18 B4: "Online" and
    // "Test" only), and gone once a key is saved.
    const noKey = desk.page.getByTestId('no-key-note');
    await expect(noKey).toHaveText('No API key set');
    await expect(noKey).toHaveAttribute(
      'title',
      /no API key: invoices go to it without one; most providers refuse that/,
    );
    await desk.invoke('settings:set', { apiKey: 'sk_test_provider_switch' });
    await expect(noKey).toHaveCount(0);
    await expect(desk.page.getByTestId('env-badge')).toHaveText('Test');
    // Walk 22: "Test" alone did not say whether buyers receive anything.
    await expect(desk.page.getByTestId('test-note')).toHaveText('No real buyer receives these');
  } finally {
    await desk.invoke('queue:resume', undefined);
    await desk.invoke('settings:set', { endpoint: null, apiKey: null });
    await other.close();
  }
});

test('once a provider is set, the header counts what was sent in practice apart from Sent', async ({
  desk,
}, testInfo) => {
  // Walks 9 and 12: "Sent" added the Sandbox's practice to invoices really sent.
  const other = await startSandbox({});
  const number = `${uniquePrefix('PRA')}-1`;
  const figure = async (testId: string) =>
    Number((await desk.page.getByTestId(testId).textContent())!.replace(/\D/g, ''));
  try {
    await desk.dropFiles(
      writeFiles(testInfo.outputPath('invoices'), {
        [`${number}.xml`]: validInvoice(number),
        [`${number}-broken.xml`]: invoiceWithoutNumber(number),
        [`${number}-RE.xml`]: invoiceToReceiver(`${number}-RE`, '9915:reject-all'),
        [`${number}-CERT.xml`]: invoiceToReceiver(`${number}-CERT`, '9915:invalid-cert'),
      }),
    );
    await desk.searchFor(number);
    await desk.waitForState(desk.rowByInvoice(number), ['accepted', 'delivered']);
    await desk.waitForState(desk.rowByFile(`${number}-broken.xml`), ['invalid']);
    await desk.waitForState(desk.rowByInvoice(`${number}-RE`), ['rejected']);
    await desk.waitForState(desk.rowByInvoice(`${number}-CERT`), ['failed']);
    const attentionPractising = await figure('count-attention');
    expect(attentionPractising).toBeGreaterThan(0);
    await expect(desk.page.getByTestId('count-practice-attention')).toHaveCount(0);
    // Practising: the note says nothing is really sent, and Sent is all of it.
    await expect(desk.page.getByTestId('env-note')).toBeVisible();
    await expect(desk.page.getByTestId('count-practice')).toHaveCount(0);
    const sentPractising = await figure('count-sent');
    expect(sentPractising).toBeGreaterThan(0);

    await desk.invoke('settings:set', { endpoint: other.url });
    await expect(desk.page.getByTestId('env-note')).toHaveCount(0);
    const practice = desk.page.getByTestId('count-practice');
    await expect(practice).toBeVisible();
    await expect(practice.locator('xpath=..')).toHaveAttribute('title', /nothing reached Peppol/);
    // What Sent counts is said on it (walk 22: read as "went out").
    await expect(desk.page.getByTestId('count-sent').locator('xpath=..')).toHaveAttribute(
      'title',
      /^Accepted by your access point, delivered, or answered well by the buyer\./,
    );
    // Split, not lost: what this desk sent in practice (this invoice among it) apart from the
    // rest (earlier tests of this desk sent some through other access points).
    expect(await figure('count-practice')).toBeGreaterThan(0);
    expect((await figure('count-sent')) + (await figure('count-practice'))).toBe(sentPractising);
    // The Sent tab lists them all, and says how many are practice (walk 18: "Sent 0 · Sent in
    // practice 103" above a tab saying "Sent 103").
    expect(await figure('filter-count-sent')).toBe(sentPractising);
    await expect(desk.page.getByTestId('filter-practice-sent')).toHaveText(
      /^ \([\d,.\s\u202f]+ of them in practice\)$/,
    );
    expect(await figure('filter-practice-sent')).toBe(await figure('count-practice'));
    // The same of Needs attention (walk 22: "Needs attention 4" right after connecting the real
    // provider, all four practice rows): counted apart, the tab says how many are practice.
    const practiceAttention = desk.page.getByTestId('count-practice-attention');
    await expect(practiceAttention).toBeVisible();
    await expect(practiceAttention.locator('xpath=..')).toHaveAttribute(
      'title',
      /nothing reached Peppol or a buyer\. Not counted in Needs attention/,
    );
    expect((await figure('count-attention')) + (await figure('count-practice-attention'))).toBe(
      attentionPractising,
    );
    expect(await figure('filter-count-attention')).toBe(attentionPractising);
    expect(await figure('filter-practice-attention')).toBe(
      await figure('count-practice-attention'),
    );
    // The practice rejection came from the Sandbox's test receiver: no credit note to agree
    // with a buyer (walk 22b); marking it handled clears it.
    await desk.openDetails(desk.rowByInvoice(`${number}-RE`));
    await expect(desk.detailPanel.getByTestId('detail-practice-answer')).toContainText(
      'not from a buyer',
    );
    await expect(desk.detailPanel.getByTestId('detail-handled-hint')).toHaveCount(0);
    await expect(desk.detailPanel.getByTestId('detail-markHandled')).toBeVisible();
    await desk.page.keyboard.press('Escape');
    // A Retry of a practice copy whose delivery failed says it was practice, and what Retry does
    // with it now (walk 22 B5: "Your access point accepted it" of the Sandbox).
    await desk.openDetails(desk.rowByInvoice(`${number}-CERT`));
    await desk.detailPanel.getByTestId('detail-retry').click();
    const ask = desk.page.getByTestId('confirm-retry-undelivered');
    await expect(ask).toContainText('Retry a practice copy?');
    await expect(ask).toContainText(
      'This invoice went to the built-in Sandbox in practice: nothing reached Peppol or a buyer.',
    );
    await ask.getByTestId('confirm-keep').click();
    await expect(ask).toHaveCount(0);
    await desk.page.keyboard.press('Escape');
  } finally {
    await desk.invoke('settings:set', { endpoint: null });
    await other.close();
  }
  await expect(desk.page.getByTestId('count-practice')).toHaveCount(0);
  await expect(desk.page.getByTestId('filter-practice-sent')).toHaveCount(0);
});

test('Cancel from the "wait for" banner asks first for several documents and can be undone', async ({
  desk,
}, testInfo) => {
  const other = await startSandbox({});
  const prefix = uniquePrefix('PINX');
  const numbers = [`${prefix}-1`, `${prefix}-2`];
  try {
    await desk.invoke('queue:pause', undefined);
    const paths = writeFiles(
      testInfo.outputPath('invoices'),
      Object.fromEntries(numbers.map((n) => [`${n}.xml`, validInvoice(n)])),
    );
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['queued']);
    await desk.invoke('settings:set', { endpoint: other.url });
    await desk.invoke('queue:resume', undefined);
    const banner = desk.page.getByTestId('waiting-elsewhere');
    await expect(banner.getByTestId('waiting-elsewhere-text')).toContainText(
      '2 documents wait for the built-in Sandbox',
    );
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['held']);

    // The app's own confirmation, "Keep" by default: Escape changes nothing.
    await banner.getByTestId('cancel-waiting').click();
    const dialog = desk.confirmDialog('confirm-cancel');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('confirm-keep')).toBeFocused();
    await desk.page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['held']);

    await banner.getByTestId('cancel-waiting').click();
    await desk.confirm('confirm-cancel');
    const toast = desk.toast('2 documents cancelled.');
    await expect(toast).toBeVisible();
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['cancelled']);
    await expect(banner).toHaveCount(0);

    // Undo: both wait for the Sandbox again, and the banner says so.
    await toast.getByTestId('toast-undo').click();
    await expect(desk.toast('Cancel undone: 2 documents are back.')).toBeVisible();
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['held']);
    await expect(banner.getByTestId('waiting-elsewhere-text')).toContainText(
      '2 documents wait for the built-in Sandbox',
    );
    expect(other.stats().acceptedDocuments).toBe(0);
  } finally {
    await desk.invoke('queue:resume', undefined);
    await desk.invoke('settings:set', { endpoint: null });
    await other.close();
  }
});

test("the header follows the access point's own environment when it differs from what the key suggests", async ({
  desk,
}) => {
  // The standalone sandbox names its environment "sandbox" (the provider's Test), whatever the key.
  const other = await startSandbox({});
  try {
    await desk.invoke('settings:set', { endpoint: other.url, apiKey: 'pk_goroute_looks_live' });
    const badge = desk.page.getByTestId('env-badge');
    const mismatch = desk.page.getByTestId('env-mismatch');
    await expect(mismatch).toHaveText('Access point says: Test — invoices do not reach buyers');
    await expect(mismatch).toHaveAttribute(
      'title',
      /although the API key looks like a Production key/,
    );
    // Where invoices go is what the access point says, not the key's prefix.
    await expect(badge).toHaveText('Test');
    await expect(badge).toHaveClass(/env-test/);
    // A key that agrees: the note goes.
    await desk.invoke('settings:set', { apiKey: 'sk_test_agreeing' });
    await expect(mismatch).toHaveCount(0);
    await expect(badge).toHaveText('Test');
  } finally {
    await desk.invoke('settings:set', { endpoint: null, apiKey: null });
    await other.close();
  }
});

test('the "wait for" banner sends the others and leaves one that may already be there for a decision on it', async ({
  desk,
}, testInfo) => {
  // Walk 10: one click on the banner re-sent invoices held "may already have reached it", and
  // the access point took each twice. An access point answering 503 leaves an attempt in doubt.
  const first = await startSandbox({ faults: { status503: { every: 1 } } });
  const other = await startSandbox({});
  const prefix = uniquePrefix('DOUBT');
  const [doubtful, plain] = [`${prefix}-1`, `${prefix}-2`];
  try {
    await desk.invoke('settings:set', { endpoint: first.url });
    const write = (n: string) =>
      writeFiles(testInfo.outputPath(n), { [`${n}.xml`]: validInvoice(n) });
    await desk.dropFiles(write(doubtful));
    await desk.searchFor(prefix);
    const row = desk.rowByInvoice(doubtful);
    const id = Number((await row.getAttribute('data-testid'))!.slice('row-'.length));
    await expect
      .poll(async () => (await desk.invoke('documents:get', { id })).mayHaveReachedAccessPoint, {
        timeout: 15_000,
      })
      .toBe(true);
    await desk.invoke('queue:pause', undefined);
    await desk.dropFiles(write(plain));
    await desk.waitForState(desk.rowByInvoice(plain), ['queued']);
    await desk.invoke('settings:set', { endpoint: other.url });
    await desk.invoke('queue:resume', undefined);

    const firstLabel = `${new URL(first.url).host} (Test)`;
    const banner = desk.page.getByTestId('waiting-elsewhere');
    await expect(banner.getByTestId('waiting-elsewhere-text')).toContainText(
      `2 documents wait for ${firstLabel}`,
    );
    await expect(banner.getByTestId('waiting-elsewhere-doubt')).toHaveText(
      `1 of them may already have reached ${firstLabel}, so it stays held: ask that provider whether it arrived, then open it and choose Send anyway (it did not arrive) or Cancel (it did).`,
    );
    const reroute = banner.getByTestId('reroute');
    await expect(reroute).toHaveText(
      `Send the other one through ${new URL(other.url).host} (Test)`,
    );
    await reroute.click();
    await expect(desk.toast('1 document will be sent through')).toBeVisible();
    await desk.waitForState(desk.rowByInvoice(plain), ['accepted', 'delivered']);
    expect(other.stats().acceptedDocuments).toBe(1);
    // The one in doubt stays held, and the banner says what to do; no button sends it.
    await desk.waitForState(row, ['held']);
    await expect(banner.getByTestId('waiting-elsewhere-doubt')).toHaveText(
      ` It may already have reached ${firstLabel}, so it stays held: ask that provider whether it arrived, then open it and choose Send anyway (it did not arrive) or Cancel (it did).`,
    );
    await expect(banner.getByTestId('reroute')).toHaveCount(0);
  } finally {
    await desk.invoke('queue:resume', undefined);
    await desk.invoke('settings:set', { endpoint: null });
    await first.close();
    await other.close();
  }
});

// Walk 23: "Send invoices in groups" stood ticked, beside "faster for a large run", against an
// access point that takes no groups (it does not say it recognises a group sent twice).
test('Settings says when the access point in use takes no groups, so the box has no effect', async ({
  desk,
  page,
}) => {
  const ap = await startDocAccessPoint({ batchIdempotency: false });
  try {
    // The built-in Sandbox takes groups: nothing more is said.
    await page.getByTestId('open-settings').click();
    const dialog = page.getByTestId('settings-dialog');
    await expect(dialog.getByRole('checkbox', { name: 'Send invoices in groups' })).toBeChecked();
    await expect(dialog).toContainText('where your provider says it recognises a group sent twice');
    await expect(dialog.getByTestId('settings-batching-one-by-one')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await desk.invoke('settings:set', { endpoint: ap.url, apiKey: ap.apiKey });
    await expect
      .poll(async () => (await desk.invoke('connection:get', undefined)).groups, {
        timeout: 10_000,
      })
      .toBe('not-offered');
    await page.getByTestId('open-settings').click();
    await expect(dialog.getByTestId('settings-batching-one-by-one')).toHaveText(
      'Your access point does not say so: invoices go to it one by one whatever this says.',
    );
    await page.keyboard.press('Escape');
    // It begins to say so: Settings, opened again, asks it again (walk 24: the sentence stayed
    // until a restart, however often the clerk opened and saved Settings).
    ap.set({ batchIdempotency: true });
    await page.getByTestId('open-settings').click();
    await expect(dialog).toContainText('where your provider says it recognises a group sent twice');
    await expect(dialog.getByTestId('settings-batching-one-by-one')).toHaveCount(0);
    await page.keyboard.press('Escape');
  } finally {
    await desk.invoke('settings:set', { endpoint: null, apiKey: null });
    await ap.close();
  }
});
