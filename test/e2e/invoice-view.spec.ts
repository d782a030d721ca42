import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Download } from '@playwright/test';
import { expect, test } from './fixtures';
import { uniquePrefix, writeFiles } from './support/invoices';

const RICH = readFileSync(resolve(__dirname, '../fixtures/rich-invoice.xml'), 'utf8');

async function bytesOf(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

test('the document view shows every section of a rich invoice, opens the original and prints alone', async ({
  desk,
}, testInfo) => {
  const number = uniquePrefix('RICH');
  const xml = RICH.replace('<cbc:ID>RICH-2025-0042</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`);
  const paths = writeFiles(testInfo.outputPath('in'), { [`${number}.xml`]: xml });
  await desk.chooseFiles(paths);
  await desk.searchFor(number);
  await desk.openDetails(desk.rowByInvoice(number));
  const opener = desk.detailPanel.getByTestId('open-invoice-view');
  await opener.click();

  const view = desk.page.getByTestId('invoice-view');
  await expect(view).toBeVisible();
  await expect(view.getByRole('heading', { name: `Invoice ${number}` })).toBeVisible();
  const seller = view.getByTestId('iv-seller');
  await expect(seller).toContainText('Rich Supplier BV');
  await expect(seller).toContainText('Teststraat 1');
  await expect(seller).toContainText('9000 Gent');
  await expect(seller).toContainText('BE0123456749');
  await expect(seller).toContainText('0208:0123456749');
  await expect(view.getByTestId('iv-buyer')).toContainText('Voorbeeldlaan 42');
  await expect(view.getByTestId('iv-buyer')).toContainText('BE0987654394');
  const refs = view.getByTestId('iv-references');
  for (const r of ['BR-7781', 'PO-55120', 'CT-2024-17', 'PRJ-ALPHA'])
    await expect(refs).toContainText(r);
  // Labels carry their business term on hover.
  await expect(refs.getByText('Purchase order', { exact: true })).toHaveAttribute('title', /BT-13/);
  const payment = view.getByTestId('iv-payment');
  await expect(payment).toContainText('Credit transfer');
  await expect(payment).toContainText('BE71096123456769');
  await expect(payment).toContainText('+++012/3456/78901+++');
  await expect(view.getByTestId('iv-notes')).toContainText('Thank you for your order');
  const vat = view.getByTestId('iv-vat-row');
  await expect(vat).toHaveCount(2);
  await expect(vat.nth(0)).toContainText('Standard rate');
  await expect(vat.nth(0)).toContainText('21%');
  await expect(vat.nth(0)).toContainText('€1,095.00');
  await expect(vat.nth(0)).toContainText('€229.95');
  await expect(vat.nth(1)).toContainText('6%');
  const lines = view.getByTestId('iv-line');
  await expect(lines).toHaveCount(3);
  await expect(lines.nth(0).getByTestId('line-quantity')).toHaveText('10 hours');
  await expect(lines.nth(0).getByTestId('line-unit-price')).toHaveText('€95.00');
  await expect(lines.nth(1).getByTestId('line-allowance-charge')).toContainText('Volume discount');
  await expect(lines.nth(2).getByTestId('line-quantity')).toHaveText('3 boxes');
  await expect(view.getByTestId('iv-allowances-charges')).toContainText('Freight');
  const totals = view.getByTestId('iv-totals');
  await expect(totals).toContainText('€1,388.55');
  await expect(totals).toContainText('€1,288.55');
  const attachment = view.getByTestId('iv-attachment');
  await expect(attachment).toContainText('timesheet-march.pdf');
  await expect(attachment).toContainText('application/pdf');
  await expect(attachment).toContainText(/\d+ bytes/);
  await desk.page.screenshot({ path: testInfo.outputPath('invoice-view.png') });

  const [pdf] = await Promise.all([
    desk.page.waitForEvent('download'),
    view.getByTestId('iv-attachment-open-0').click(),
  ]);
  expect(pdf.suggestedFilename()).toBe('timesheet-march.pdf');
  expect((await bytesOf(pdf)).toString('latin1')).toMatch(/^%PDF-1\.4/);

  const [original] = await Promise.all([
    desk.page.waitForEvent('download'),
    view.getByTestId('iv-original').click(),
  ]);
  expect(original.suggestedFilename()).toBe(`${number}.xml`);
  expect((await bytesOf(original)).toString('utf8')).toBe(xml);

  // Printed, only the invoice shows: no header, table or buttons.
  await desk.page.emulateMedia({ media: 'print' });
  await expect(desk.page.locator('.app-header')).toBeHidden();
  await expect(desk.table).toBeHidden();
  await expect(view.getByTestId('iv-print')).toBeHidden();
  await expect(view.getByTestId('iv-totals')).toBeVisible();
  await desk.page.emulateMedia({ media: 'screen' });

  // Escape closes the view and gives focus back to the button that opened it.
  await desk.page.keyboard.press('Escape');
  await expect(view).toBeHidden();
  await expect(opener).toBeFocused();
});

// A walk: an invoice in USD whose VAT is accounted in EUR showed no VAT in EUR, and a seller with
// only a legal name had it printed twice.
test('the view shows the VAT in the accounting currency, and a legal name once', async ({
  desk,
}, testInfo) => {
  const number = uniquePrefix('USD');
  const xml = RICH.replace('<cbc:ID>RICH-2025-0042</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`)
    .replaceAll('currencyID="EUR"', 'currencyID="USD"')
    .replace(
      '<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>',
      '<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>',
    )
    .replace(
      '<cac:TaxTotal>',
      '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">214.87</cbc:TaxAmount></cac:TaxTotal><cac:TaxTotal>',
    )
    .replace(/<cac:PartyName>\s*<cbc:Name>Rich Supplier BV<\/cbc:Name>\s*<\/cac:PartyName>/, '');
  expect(xml).not.toContain('<cac:PartyName>\n        <cbc:Name>Rich Supplier BV');
  const paths = writeFiles(testInfo.outputPath('in'), { [`${number}.xml`]: xml });
  await desk.chooseFiles(paths);
  await desk.searchFor(number);
  await desk.openDetails(desk.rowByInvoice(number));
  await desk.detailPanel.getByTestId('open-invoice-view').click();
  const view = desk.page.getByTestId('invoice-view');
  await expect(view).toBeVisible();
  const totals = view.getByTestId('iv-totals');
  await expect(totals).toContainText('$233.55');
  await expect(totals).toContainText('VAT in EUR (accounting currency)');
  await expect(totals).toContainText('€214.87');
  const seller = view.getByTestId('iv-seller');
  await expect(seller.getByText('Rich Supplier BV', { exact: true })).toHaveCount(1);
});

test('a 10,000-line invoice lists every line and renders only those on screen', async ({
  desk,
}, testInfo) => {
  // Reading and checking a 6 MB file takes a while on a shared, loaded machine.
  test.setTimeout(180_000);
  const number = uniquePrefix('LONG');
  const line = /<cac:InvoiceLine>[\s\S]*?<\/cac:InvoiceLine>/.exec(RICH)![0];
  const allLines = Array.from({ length: 10_000 }, (_, i) =>
    line.replace('<cbc:ID>1</cbc:ID>', `<cbc:ID>${i + 1}</cbc:ID>`),
  ).join('\n');
  const xml = RICH.replace('<cbc:ID>RICH-2025-0042</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`).replace(
    /<cac:InvoiceLine>[\s\S]*<\/cac:InvoiceLine>/,
    allLines,
  );
  const paths = writeFiles(testInfo.outputPath('in'), { [`${number}.xml`]: xml });
  await desk.chooseFiles(paths);
  await expect(desk.toast(/^1 added$/)).toBeVisible({ timeout: 90_000 });
  await desk.search.fill(number);
  await expect(desk.table).toHaveAttribute('data-search', number, { timeout: 60_000 });
  await desk.openDetails(desk.rowByInvoice(number));
  await desk.detailPanel.getByTestId('open-invoice-view').click();

  const view = desk.page.getByTestId('invoice-view');
  await expect(view.getByTestId('line-count')).toHaveText('(10,000)', { timeout: 60_000 });
  const rendered = await view.getByTestId('iv-line').count();
  expect(rendered).toBeGreaterThan(3);
  expect(rendered).toBeLessThan(60);
  await view.getByTestId('iv-lines-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(view.getByTestId('iv-line').last()).toHaveAttribute('aria-rowindex', '10001');
  await expect(view.getByTestId('iv-line').last()).toContainText('10000');
});
