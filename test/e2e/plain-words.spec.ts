import { readFileSync } from 'node:fs';
import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';
import type { DeskPage } from './pages/desk-page';
import { csvRecords } from './support/csv';
import { invoiceToReceiver, uniquePrefix, validInvoice, writeFiles } from './support/invoices';

/** What must never reach a clerk's text: JSON, an errno, an XPath, a stack frame, a key or id. */
const TECHNICAL = [
  /[{}]/,
  /\bE[A-Z]{3,}\b/,
  /\b(?:cac|cbc):/,
  /\/Invoice\//,
  /\bat \S+ \(/,
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
];

async function expectClerkWords(
  where: Locator,
  extra: RegExp[] = [],
  /** The file's name: the row shows it in parts, and its random letters are not words to check. */
  fileName?: string,
): Promise<void> {
  const lines = (await where.innerText()).trim().split('\n');
  const text = lines.filter((l) => !fileName || !fileName.includes(l.trim())).join('\n');
  expect(text.length).toBeGreaterThan(0);
  for (const bad of [...TECHNICAL, ...extra]) expect(text, `${bad} in "${text}"`).not.toMatch(bad);
}

/** The CSV row of one invoice number, from a fresh export of what is shown. */
async function csvRow(desk: DeskPage, invoiceNumber: string): Promise<Record<string, string>> {
  const download = await desk.exportCsv();
  const records = csvRecords(readFileSync(await download.path(), 'utf8'));
  const row = records.find((r) => r['Invoice number'] === invoiceNumber);
  expect(row, `a CSV row for ${invoiceNumber}`).toBeDefined();
  return row!;
}

test('a provider\'s raw error stays behind "Show technical details": the row, problem, timeline and CSV say it in words', async ({
  desk,
}, testInfo) => {
  const sandbox = await desk.sandbox();
  const prefix = uniquePrefix('RAW');
  const raw =
    'Schema check failed at /Invoice/cac:AccountingSupplierParty/cbc:EndpointID {"errno":"EINVAL","request":"3f2c1a9e-0b7d-4c52-9a1e-2b3c4d5e6f70"}';
  try {
    await sandbox.setFaults({
      status: { every: 1, status: 422, code: 'SCHEMA_ERROR', message: raw },
    });
    const paths = writeFiles(testInfo.outputPath('invoices'), {
      [`${prefix}.xml`]: validInvoice(prefix),
    });
    await desk.dropFiles(paths);
    await desk.searchFor(prefix);
    const row = desk.rowByInvoice(prefix);
    await desk.waitForState(row, ['failed']);
  } finally {
    await sandbox.clearFaults();
  }
  const row = desk.rowByInvoice(prefix);
  await expectClerkWords(row, [/SCHEMA_ERROR/, /\b422\b/], `${prefix}.xml`);
  await desk.openDetails(row);
  const problem = desk.detailPanel.getByTestId('problem-message');
  await expect(problem).toContainText('The access point refused this invoice');
  await expectClerkWords(problem, [/SCHEMA_ERROR/, /\b422\b/]);
  const timeline = desk.detailPanel.getByTestId('timeline');
  await expect(timeline).toContainText('Refused by the access point');
  await expectClerkWords(timeline, [/SCHEMA_ERROR/, /\b422\b/]);
  // Refused, never sent, and not waiting to go: no access point named as if it went there (walk
  // 13: a PDF's details read "Access point 127.0.0.1 (Test)").
  await expect(desk.detailPanel.getByTestId('detail-access-point')).toHaveCount(0);

  // One click away, exactly as the provider said it.
  const technical = desk.detailPanel.getByTestId('technical-details');
  await technical.locator('summary').click();
  const technicalText = technical.getByTestId('technical-text');
  await expect(technicalText).toContainText('422 SCHEMA_ERROR');
  await expect(technicalText).toContainText('/Invoice/cac:AccountingSupplierParty');
  await expect(technical.getByTestId('copy-technical')).toBeVisible();

  const csv = await csvRow(desk, prefix);
  expect(csv['Reason']).toMatch(/^The access point refused this invoice/);
  for (const bad of [...TECHNICAL, /SCHEMA_ERROR/]) expect(csv['Reason']).not.toMatch(bad);
});

test('a certificate failure at the receiving side: words and advice that fit on the timeline and in the CSV, the code behind technical details', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('CERTW');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: invoiceToReceiver(prefix, '9915:invalid-cert'),
  });
  await desk.dropFiles(paths);
  await desk.searchFor(prefix);
  const row = desk.rowByInvoice(prefix);
  await desk.waitForState(row, ['failed']);
  await expectClerkWords(row, [/CERTIFICATE_ERROR/], `${prefix}.xml`);
  await desk.openDetails(row);
  const timeline = desk.detailPanel.getByTestId('timeline');
  await expect(timeline).toContainText(
    "Delivery failed: the buyer's access point has no valid Peppol certificate",
  );
  await expectClerkWords(timeline, [/CERTIFICATE_ERROR/, /Peppol ID/]);
  // The advice under the problem fits a certificate failure, not a wrong buyer id.
  const problem = desk.detailPanel.getByTestId('detail-problem');
  await expect(problem.getByTestId('problem-message')).toContainText(
    'its certificate is not valid on the Peppol network',
  );
  await expect(problem.getByTestId('problem-message')).toContainText(
    'Nothing is wrong with your invoice',
  );
  await expect(problem).not.toContainText('Peppol ID');
  await expectClerkWords(problem, [/CERTIFICATE_ERROR/]);
  await expect(desk.detailPanel.getByTestId('detail-retry')).toBeVisible();

  const technical = desk.detailPanel.getByTestId('technical-details');
  await technical.locator('summary').click();
  await expect(technical.getByTestId('technical-text')).toContainText('CERTIFICATE_ERROR');

  const csv = await csvRow(desk, prefix);
  expect(csv['Reason']).toContain('certificate is not valid on the Peppol network');
  expect(csv['Reason']).not.toMatch(/Peppol ID|CERTIFICATE_ERROR|[{}]/);
});
