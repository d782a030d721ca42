import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

type Filter = 'attention' | 'progress' | 'sent' | 'all';

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
  async dropPaths(paths: string[]): Promise<void> {
    const box = await this.dropZone.boundingBox();
    if (!box) throw new Error('The drop zone is not on screen.');
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

  /** Waits until the row's raw state is one of `states`. */
  async waitForState(row: Locator, states: string[], timeout = 30_000): Promise<void> {
    const pattern = new RegExp(`^(${states.join('|')})$`);
    await expect(this.statusOf(row)).toHaveAttribute('data-state', pattern, { timeout });
  }

  async openDetails(row: Locator): Promise<void> {
    await row.click();
    await expect(this.detailPanel).toBeVisible();
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
