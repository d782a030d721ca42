import { expect, type Download, type Locator, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Api, RequestArg, RequestChannel, RequestResult } from '../../../app/contract';
import { SandboxControl } from '../support/sandbox';

type Filter = 'attention' | 'progress' | 'sent' | 'responded' | 'all';

/** The main window of Peppol Desk, as a finance clerk sees it. */
export class DeskPage {
  readonly envBadge: Locator;
  readonly connectionState: Locator;
  readonly dropZone: Locator;
  readonly fileInput: Locator;
  readonly table: Locator;
  readonly search: Locator;
  readonly detailPanel: Locator;
  readonly toasts: Locator;
  readonly throughputChart: Locator;
  readonly latencyChart: Locator;

  constructor(readonly page: Page) {
    this.envBadge = page.getByTestId('env-badge');
    this.connectionState = page.getByTestId('connection-state');
    this.dropZone = page.getByTestId('drop-zone');
    this.fileInput = page.getByTestId('file-input');
    this.table = page.getByTestId('document-table');
    this.search = page.getByTestId('search');
    this.detailPanel = page.getByTestId('detail-panel');
    this.toasts = page.getByTestId('toast');
    this.throughputChart = page.getByTestId('throughput-chart');
    this.latencyChart = page.getByTestId('latency-chart');
  }

  /**
   * Calls the engine through the page's own bridge (`window.api`), for set-up the test is not
   * about (settings, seeding); what the test is about goes through the UI.
   */
  async invoke<C extends RequestChannel>(
    channel: C,
    arg: RequestArg<C>,
  ): Promise<RequestResult<C>> {
    const result = await this.page.evaluate(
      ([c, a]) => (window as unknown as { api: Api }).api.invoke(c, a as never),
      [channel, arg] as const,
    );
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as RequestResult<C>;
  }

  /** The sandbox access point behind the host (its address is the connection's endpoint). */
  async sandbox(): Promise<SandboxControl> {
    const { endpoint, environment } = await this.invoke('connection:get', undefined);
    if (environment !== 'sandbox') throw new Error(`Not on the sandbox but on ${environment}.`);
    return new SandboxControl(endpoint);
  }

  /** Sets `maxAttempts` and returns a function that puts the old value back. */
  async setMaxAttempts(maxAttempts: number): Promise<() => Promise<void>> {
    const before = (await this.invoke('settings:get', undefined)).maxAttempts;
    await this.invoke('settings:set', { maxAttempts });
    return async () => {
      await this.invoke('settings:set', { maxAttempts: before });
    };
  }

  /** A full-page screenshot under test-results/e2e/ with a fixed name, attached to the report. */
  async screenshot(name: string, testInfo: TestInfo): Promise<string> {
    const path = join(testInfo.project.outputDir, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    await testInfo.attach(name, { path, contentType: 'image/png' });
    return path;
  }

  /** Number of rows the table holds for the current filter and search (virtualized or not). */
  async rowTotal(): Promise<number> {
    return Number(await this.table.getAttribute('aria-rowcount')) - 1;
  }

  /** Waits until the table holds exactly `n` rows for the current filter and search. */
  async expectRowTotal(n: number, timeout?: number): Promise<void> {
    await expect(this.table).toHaveAttribute('aria-rowcount', String(n + 1), { timeout });
  }

  /** Opens the app at the address the global setup got from the host (it carries the token). */
  async goto(): Promise<void> {
    const url = process.env.PEPPOL_DESK_URL;
    if (!url) throw new Error('PEPPOL_DESK_URL is not set: the global setup did not run.');
    await this.page.goto(url);
    await expect(this.table).toBeVisible();
  }

  /** Drops files on the drop zone with a real `drop` event carrying a DataTransfer. */
  async dropFiles(paths: string[]): Promise<void> {
    const files = paths.map((p) => ({
      name: basename(p),
      base64: readFileSync(p).toString('base64'),
    }));
    const dataTransfer = await this.page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: 'application/xml' }));
      }
      return dt;
    }, files);
    await this.dropZone.dispatchEvent('dragenter', { dataTransfer });
    await this.dropZone.dispatchEvent('dragover', { dataTransfer });
    await this.dropZone.dispatchEvent('drop', { dataTransfer });
    await dataTransfer.dispose();
  }

  /**
   * Drops files or folders from disk the way the operating system does (Chromium's native drag,
   * through the DevTools protocol), so folders arrive as directory entries.
   */
  async dropPaths(paths: string[], target: Locator = this.dropZone): Promise<void> {
    const box = await target.boundingBox();
    if (!box) throw new Error('The drop target is not on screen.');
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const cdp = await this.page.context().newCDPSession(this.page);
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    try {
      await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', x, y, data });
      await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', x, y, data });
      await cdp.send('Input.dispatchDragEvent', { type: 'drop', x, y, data });
    } finally {
      await cdp.detach();
    }
  }

  /**
   * Drags files from disk over `target` without dropping (the overlay shows), and returns the
   * function that drops them there.
   */
  async dragPathsOver(paths: string[], target: Locator): Promise<() => Promise<void>> {
    const box = await target.boundingBox();
    if (!box) throw new Error('The drag target is not on screen.');
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const cdp = await this.page.context().newCDPSession(this.page);
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', x, y, data });
    await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', x, y, data });
    return async () => {
      try {
        await cdp.send('Input.dispatchDragEvent', { type: 'drop', x, y, data });
      } finally {
        await cdp.detach();
      }
    };
  }

  /** The "Choose files" path. */
  async chooseFiles(paths: string[]): Promise<void> {
    await this.fileInput.setInputFiles(paths);
  }

  /** The newest message whose title matches. */
  toast(title: string | RegExp): Locator {
    return this.toasts
      .filter({ has: this.page.getByTestId('toast-title').getByText(title) })
      .last();
  }

  /** Narrows the table (by invoice number, buyer or file name); the table is virtualized. */
  async searchFor(text: string): Promise<void> {
    await this.search.fill(text);
    // The search is debounced: wait until the table shows its answer.
    await expect(this.table).toHaveAttribute('data-search', text);
  }

  async showFilter(filter: Filter): Promise<void> {
    await this.page.getByTestId(`filter-${filter}`).click();
    await expect(this.page.getByTestId(`filter-${filter}`)).toHaveAttribute(
      'aria-selected',
      'true',
    );
  }

  filterCount(filter: Filter): Locator {
    return this.page.getByTestId(`filter-count-${filter}`);
  }

  /** All rendered rows of the table. */
  rows(): Locator {
    return this.table.locator('[data-testid^="row-"]');
  }

  rowByInvoice(invoiceNumber: string): Locator {
    return this.table.locator(`[data-testid^="row-"][data-invoice="${invoiceNumber}"]`);
  }

  rowByFile(fileName: string): Locator {
    return this.table.locator(`[data-testid^="row-"][data-file="${fileName}"]`);
  }

  statusOf(row: Locator): Locator {
    return row.locator('[data-testid^="status-"]');
  }

  /** Why a waiting row waits, under its status (none for a row that does not wait). */
  waitReasonOf(row: Locator): Locator {
    return row.locator('[data-testid^="wait-reason-"]');
  }

  /** Waits until the row's raw state is one of `states`. */
  async waitForState(row: Locator, states: string[], timeout = 30_000): Promise<void> {
    const pattern = new RegExp(`^(${states.join('|')})$`);
    await expect(this.statusOf(row)).toHaveAttribute('data-state', pattern, { timeout });
  }

  /** Unfolds the Performance panel (folded at first in a window shorter than it needs). */
  async showPerformance(): Promise<void> {
    const panel = this.page.getByTestId('performance');
    await expect(panel).toBeVisible();
    if (!(await panel.evaluate((el) => (el as HTMLDetailsElement).open))) {
      await this.page.getByTestId('performance-toggle').click();
    }
    await expect(panel).toHaveAttribute('open');
  }

  async openDetails(row: Locator): Promise<void> {
    await row.click();
    await expect(this.detailPanel).toBeVisible();
  }

  /** The confirmation before an action that is hard to take back (`confirm-cancel`, `confirm-send-anyway`). */
  confirmDialog(testId: 'confirm-cancel' | 'confirm-send-anyway'): Locator {
    return this.page.getByTestId(testId);
  }

  /** Answers an open confirmation with its acting button. */
  async confirm(testId: 'confirm-cancel' | 'confirm-send-anyway'): Promise<void> {
    const dialog = this.confirmDialog(testId);
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('confirm-act').click();
    await expect(dialog).toBeHidden();
  }

  /** Clicks "Export CSV" and returns the finished download. */
  async exportCsv(): Promise<Download> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId('export-csv').click(),
    ]);
    return download;
  }
}
