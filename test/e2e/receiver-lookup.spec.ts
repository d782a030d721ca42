import { expect, test } from './fixtures';
import {
  invoiceToUnregisteredBuyer,
  invoiceWithWrongAmountDue,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

test('the details show the receiver lookup, its age, and Check again asks anew', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('LOOKUP');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: validInvoice(prefix),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(prefix);
  await desk.waitForState(row, ['accepted', 'delivered']);
  await desk.openDetails(row);

  const lookup = desk.detailPanel.getByTestId('receiver-lookup');
  // The built-in Sandbox takes every buyer as registered: it says so (walk 22).
  await expect(lookup.getByTestId('lookup-verdict')).toHaveText(
    /Found in the built-in Sandbox \(practice: .+ says nothing of the real Peppol network\)$/,
  );
  await expect(lookup.getByTestId('lookup-age')).toHaveText(/^checked (just now|\d+ min ago)$/);
  await expect(lookup.getByTestId('lookup-capabilities')).toContainText('Invoice');
  const before = await lookup.locator('time').getAttribute('datetime');

  await lookup.getByTestId('lookup-refresh').click();
  await expect(lookup.getByTestId('lookup-refresh')).toHaveText('Check again');
  await expect(lookup.locator('time')).not.toHaveAttribute('datetime', before!);
  await expect(lookup.getByTestId('lookup-age')).toHaveText('checked just now');
});

test('a buyer not on Peppol says so in the lookup', async ({ desk }, testInfo) => {
  const prefix = uniquePrefix('NOLOOKUP');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: invoiceToUnregisteredBuyer(prefix),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(prefix);
  await desk.waitForState(row, ['unreachable']);
  await desk.openDetails(row);
  const lookup = desk.detailPanel.getByTestId('receiver-lookup');
  await expect(lookup.getByTestId('lookup-verdict')).toHaveText(/Not registered on Peppol$/);
  await lookup.getByTestId('lookup-refresh').click();
  await expect(lookup.getByTestId('lookup-verdict')).toHaveText(/Not registered on Peppol$/);
  await expect(lookup.getByTestId('lookup-error')).toHaveCount(0);
});

// Walk 23: an invoice with errors, never looked up itself, read "✓ Found · checked 2 min ago" (the
// answer remembered for its buyer, from another invoice).
test('an invoice with errors says the answer is its buyer’s, not a check of its own', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('LOOKBAD');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  await desk.waitForState(desk.rowByInvoice(`${prefix}-1`), ['accepted', 'delivered']);
  const bad = writeFiles(testInfo.outputPath('bad'), {
    [`${prefix}-2.xml`]: invoiceWithWrongAmountDue(`${prefix}-2`),
  });
  await desk.dropFiles(bad);
  const row = desk.rowByInvoice(`${prefix}-2`);
  await desk.waitForState(row, ['invalid']);
  await desk.openDetails(row);
  const lookup = desk.detailPanel.getByTestId('receiver-lookup');
  await expect(lookup.getByTestId('lookup-age')).toHaveText(
    /^this buyer was checked (just now|\d+ min ago) \(an invoice with errors is not sent\)$/,
  );
});
