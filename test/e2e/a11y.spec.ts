import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { DeskPage } from './pages/desk-page';
import {
  invoiceWithBadDate,
  invoiceWithWrongAmountDue,
  uniquePrefix,
  validInvoice,
  writeFiles,
} from './support/invoices';

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function expectNoViolations(page: Page, state: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const summary = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe violations with ${state}`).toEqual([]);
}

async function addSome(desk: DeskPage, label: string, outDir: string): Promise<string> {
  const prefix = uniquePrefix(label);
  await desk.chooseFiles(
    writeFiles(outDir, {
      [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
      [`${prefix}-2.xml`]: validInvoice(`${prefix}-2`),
    }),
  );
  await desk.searchFor(prefix);
  await desk.expectRowTotal(2);
  return prefix;
}

test.describe('accessibility (axe, WCAG 2.2 AA)', () => {
  // axe walks the whole page several times: slow on a shared machine.
  test.describe.configure({ timeout: 240_000 });
  test('no violations on a desk without any document', async ({ page }) => {
    // The shared host already holds other tests' documents: answer the list as a new desk would.
    await page.route('**/api/invoke/documents*list', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as {
        ok: boolean;
        value: { rows: unknown[]; total: number; counts: Record<string, number> };
      };
      for (const k of Object.keys(body.value.counts)) body.value.counts[k] = 0;
      body.value.rows = [];
      body.value.total = 0;
      await route.fulfill({ response, json: body });
    });
    const { DeskPage } = await import('./pages/desk-page');
    const desk = new DeskPage(page);
    await desk.goto();
    await expect(desk.page.getByTestId('empty-state')).toContainText('No documents yet');
    // First start, no provider: the main screen says that this is practice, not only Settings.
    await expect(desk.page.getByTestId('env-badge')).toHaveText('Sandbox');
    await expect(desk.page.getByTestId('env-note')).toHaveText('Practice: nothing is really sent');
    await expect(desk.page.getByTestId('empty-sandbox')).toContainText(
      'nothing leaves this computer',
    );
    await expectNoViolations(page, 'an empty desk');
  });

  test('no violations with documents, a search without match, details, the invoice, settings and the drop overlay', async ({
    desk,
  }, testInfo) => {
    const prefix = await addSome(desk, 'AXE', testInfo.outputPath('in'));
    await expectNoViolations(desk.page, 'documents');

    await desk.searchFor(`${prefix}-none`);
    await expect(desk.page.getByTestId('empty-state')).toContainText('No documents match');
    await expectNoViolations(desk.page, 'a search without match');
    await desk.searchFor(prefix);

    await desk.page.getByTestId('performance-toggle').click();
    await desk.openDetails(desk.rowByInvoice(`${prefix}-1`));
    await expectNoViolations(desk.page, 'details open and Performance shown');

    await desk.detailPanel.getByTestId('open-invoice-view').click();
    await expect(desk.page.getByTestId('iv-totals')).toBeVisible();
    await expectNoViolations(desk.page, 'the invoice view');
    await desk.page.keyboard.press('Escape');

    await desk.page.getByTestId('open-settings').click();
    await expect(desk.page.getByTestId('settings-dialog')).toBeVisible();
    await expect(
      desk.page.getByTestId('settings-dialog').locator('form, input').first(),
    ).toBeVisible();
    await expectNoViolations(desk.page, 'settings open');
    await desk.page.keyboard.press('Escape');

    const drop = await desk.dragPathsOver(
      writeFiles(testInfo.outputPath('drag'), { 'x.xml': validInvoice(`${prefix}-drag`) }),
      desk.table,
    );
    await expect(desk.page.getByTestId('drop-overlay')).toBeVisible();
    await expectNoViolations(desk.page, 'the drop overlay');
    await drop();
  });

  test('no violations with documents that need attention, their problems, selected rows, a confirmation, a toast, at 1024×700 and in dark mode', async ({
    desk,
  }, testInfo) => {
    await desk.page.setViewportSize({ width: 1024, height: 700 });
    const prefix = uniquePrefix('AXEBAD');
    await desk.chooseFiles(
      writeFiles(testInfo.outputPath('in'), {
        [`${prefix}-1.xml`]: invoiceWithBadDate(`${prefix}-1`),
        [`${prefix}-2.xml`]: invoiceWithWrongAmountDue(`${prefix}-2`),
      }),
    );
    await expect(desk.toast('2 added')).toBeVisible();
    await expectNoViolations(desk.page, 'a toast after adding, at 1024×700');

    await desk.showFilter('attention');
    await desk.searchFor(prefix);
    await desk.waitForState(desk.rowByInvoice(`${prefix}-1`), ['invalid']);
    await expectNoViolations(desk.page, 'Needs attention with an invalid document');

    await desk.openDetails(desk.rowByInvoice(`${prefix}-1`));
    await expect(desk.detailPanel).toContainText(/date/i);
    await expectNoViolations(desk.page, 'the problems of an invalid document');
    await desk.page.keyboard.press('Escape');

    await desk.showFilter('all');
    await desk.waitForState(desk.rowByInvoice(`${prefix}-2`), ['invalid', 'held']);
    await desk.table.click({ position: { x: 5, y: 5 } });
    await desk.page.keyboard.press('ControlOrMeta+a');
    await expect(desk.page.getByTestId('selection-count')).toHaveText('2 selected');
    await expectNoViolations(desk.page, 'rows selected');
    await desk.page.getByTestId('bulk-cancel').click();
    await expect(desk.confirmDialog('confirm-cancel')).toBeVisible();
    await expectNoViolations(desk.page, 'a confirmation');
    await desk.page.keyboard.press('Escape');
    await expect(desk.confirmDialog('confirm-cancel')).toBeHidden();

    await desk.page.emulateMedia({ colorScheme: 'dark' });
    await desk.openDetails(desk.rowByInvoice(`${prefix}-2`));
    await expectNoViolations(desk.page, 'dark mode, details open, rows selected');
    await desk.page.getByTestId('performance-toggle').click();
    await expectNoViolations(desk.page, 'dark mode, Performance toggled');
  });
});
