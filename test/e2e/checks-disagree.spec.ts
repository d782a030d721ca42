import { expect, test } from './fixtures';
import {
  invoiceWithWrongAmountDue,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

// Issue 10, "never worse than the provider": when our check and the access point's own check
// disagree, the details show both and the clerk decides.

test('ours says invalid, the access point says valid: both shown, sent anyway, decision on the timeline', async ({
  desk,
}, testInfo) => {
  await desk.invoke('settings:set', { remoteValidation: true });
  try {
    const prefix = uniquePrefix('DISAGREE');
    const paths = writeFiles(testInfo.outputPath('invoices'), {
      [`${prefix}.xml`]: invoiceWithWrongAmountDue(prefix),
    });
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    const row = desk.rowByInvoice(prefix);
    await desk.waitForState(row, ['held']);
    await desk.openDetails(row);

    const section = desk.detailPanel.getByTestId('checks-disagree');
    await expect(section.getByRole('heading', { name: 'Two checks disagree' })).toBeVisible();
    await expect(section.getByTestId('our-verdict')).toHaveText(/^Not valid: 1 error \(BR-CO-16\)/);
    await expect(section.getByTestId('access-point-verdict')).toHaveText('Valid: no errors found.');
    await expect(desk.detailPanel.getByTestId('problem-message')).toContainText(
      "The access point's own check accepts it.",
    );
    await desk.screenshot('checks-disagree', testInfo);

    await desk.detailPanel.getByTestId('detail-sendAnyway').click();
    await expect(desk.toast('1 document released for sending.')).toBeVisible();
    await desk.waitForState(row, ['accepted', 'delivered']);
    await expect(desk.detailPanel.getByTestId('timeline')).toContainText(
      /Sent anyway by the user.* although our check found 1 error \(BR-CO-16\); the access point's check accepted it/,
    );
  } finally {
    await desk.invoke('settings:set', { remoteValidation: false });
  }
});

test('ours says valid, the access point says invalid: its messages are shown in plain words', async ({
  desk,
}, testInfo) => {
  const sandbox = await desk.sandbox();
  await desk.invoke('settings:set', { remoteValidation: true });
  try {
    await sandbox.setFaults({
      validateVerdict: {
        valid: false,
        errors: [
          {
            rule: 'AP-SELLER-01',
            location: '/Invoice/cac:AccountingSupplierParty',
            message: 'The seller is not registered with this access point.',
          },
        ],
      },
    });
    const prefix = uniquePrefix('APSAYSNO');
    const paths = writeFiles(testInfo.outputPath('invoices'), {
      [`${prefix}.xml`]: validInvoice(prefix),
    });
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    const row = desk.rowByInvoice(prefix);
    await desk.waitForState(row, ['held']);
    await desk.openDetails(row);

    const section = desk.detailPanel.getByTestId('checks-disagree');
    await expect(section.getByTestId('our-verdict')).toHaveText('Valid: no errors found.');
    await expect(section.getByTestId('access-point-verdict')).toHaveText('Not valid: 1 error.');
    const errors = section.getByTestId('access-point-errors');
    await expect(errors).toContainText('The seller is not registered with this access point.');
    // The place in business terms; the XPath only under "Show technical details".
    await expect(errors.getByTestId('access-point-location')).toHaveText(
      'Where in the invoice: BG-4 Seller',
    );
    await expect(errors).not.toContainText('/Invoice/');
    const technical = desk.detailPanel.getByTestId('technical-details');
    await technical.locator('summary').click();
    await expect(technical.getByTestId('technical-text')).toContainText(
      '/Invoice/cac:AccountingSupplierParty',
    );

    await desk.detailPanel.getByTestId('detail-cancel').click();
    await desk.waitForState(row, ['cancelled']);
  } finally {
    await sandbox.clearFaults();
    await desk.invoke('settings:set', { remoteValidation: false });
  }
});
