import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

// Issue 11 point 8: leaving the page while files are still being added asks first, and the page
// says how many were not added yet; once everything is added, leaving asks nothing.

test('reloading or closing while "Adding files…" is in progress asks first and says what is not added yet', async ({
  desk,
  page,
}, testInfo) => {
  const prefix = uniquePrefix('LEAVE');
  const count = 250; // one add call of 200, then one of 50
  const paths = writeFiles(
    testInfo.outputPath('invoices'),
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => {
        const n = `${prefix}-${String(i + 1).padStart(3, '0')}`;
        return [`${n}.xml`, validInvoice(n)];
      }),
    ),
  );

  // The second add call is held until the test lets it through: "200 of 250" stays on screen.
  let calls = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(
    (url) => decodeURIComponent(url.pathname).endsWith('/api/invoke/documents:add'),
    async (route) => {
      calls++;
      if (calls >= 2) await released;
      await route.continue();
    },
  );

  const dialogs: { type: string; message: string }[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push({ type: dialog.type(), message: dialog.message() });
    // Stay on the page.
    void dialog.dismiss();
  });

  // Browsers only ask before leaving a page the user has interacted with.
  await desk.search.click();
  await desk.dropFiles(paths);
  const progress = desk.toast(`Adding files… 200 of ${count}`);
  await expect(progress).toBeVisible();
  await expect(progress).toContainText(
    `Stay on this page until all are added: the other ${count - 200} are not added yet.`,
  );

  await page.close({ runBeforeUnload: true });
  await expect.poll(() => dialogs.length).toBe(1);
  expect(dialogs[0]!.type).toBe('beforeunload');
  // Dismissed: the page stays, still saying what is not added yet.
  expect(page.isClosed()).toBe(false);
  await expect(progress).toContainText(`the other ${count - 200} are not added yet`);

  release();
  await expect(desk.toast(`${count} added`)).toBeVisible({ timeout: 30_000 });
  await desk.searchFor(prefix);
  await desk.expectRowTotal(count, 30_000);

  // Nothing left to add: reloading asks nothing.
  await page.reload();
  await expect(desk.table).toBeVisible();
  expect(dialogs).toHaveLength(1);
});

test('a dropped folder says at once that it is being read, and leaving meanwhile asks first', async ({
  desk,
  page,
}, testInfo) => {
  // Walk 13: a folder of 10,000 files showed nothing for 11 s while it was read, and leaving the
  // page did not ask. Here the folder's reading is held until the test lets it go on.
  const prefix = uniquePrefix('READ');
  const folder = testInfo.outputPath(prefix);
  writeFiles(
    folder,
    Object.fromEntries(
      Array.from({ length: 3 }, (_, i) => [`${prefix}-${i}.xml`, validInvoice(`${prefix}-${i}`)]),
    ),
  );
  await page.evaluate(() => {
    const w = window as unknown as { releaseReading: () => void };
    const held = new Promise<void>((resolve) => (w.releaseReading = resolve));
    // The dropped folder's reader waits: its entries come once released.
    const getAsEntry = DataTransferItem.prototype.webkitGetAsEntry;
    DataTransferItem.prototype.webkitGetAsEntry = function () {
      const entry = getAsEntry.call(this) as FileSystemDirectoryEntry | null;
      if (!entry?.isDirectory) return entry;
      const createReader = entry.createReader.bind(entry);
      entry.createReader = () => {
        const reader = createReader();
        return {
          readEntries: (ok, fail) => void held.then(() => reader.readEntries(ok, fail)),
        };
      };
      return entry;
    };
  });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type());
    void dialog.dismiss();
  });
  await desk.search.click();
  await desk.dropPaths([folder]);
  await expect(desk.toast('Reading the dropped files…')).toBeVisible();
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => dialogs).toEqual(['beforeunload']);

  await page.evaluate(() => (window as unknown as { releaseReading: () => void }).releaseReading());
  await expect(desk.toast('3 added')).toBeVisible();
  await expect(desk.toast('Reading the dropped files…')).toHaveCount(0);
});
