import { expect, test } from './fixtures';
import { invoiceToReceiver, uniquePrefix, writeFiles } from './support/invoices';

test("a certificate failure at the buyer's access point says so in plain words, with advice that fits", async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('CERT');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: invoiceToReceiver(prefix, '9915:invalid-cert'),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(prefix);
  await desk.waitForState(row, ['failed']);
  await desk.openDetails(row);
  const problem = desk.detailPanel.getByTestId('detail-problem');
  await expect(problem.getByTestId('problem-message')).toContainText(
    'its certificate is not valid on the Peppol network',
  );
  await expect(problem.getByTestId('problem-message')).toContainText(
    'Nothing is wrong with your invoice',
  );
  // Not the advice for a wrong buyer id, and no raw provider text.
  await expect(problem).not.toContainText('Peppol ID');
  await expect(problem).not.toContainText('CERTIFICATE_ERROR');
  await expect(problem).not.toContainText('{');
  await expect(desk.detailPanel.getByTestId('detail-retry')).toBeVisible();
});
