import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test('dropping a folder adds the XML files inside it, subfolders too', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('FOLDER');
  const folder = testInfo.outputPath(prefix);
  writeFiles(folder, {
    [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
    'notes.txt': 'not an invoice',
  });
  writeFiles(join(folder, 'march'), { [`${prefix}-2.xml`]: validInvoice(`${prefix}-2`) });
  mkdirSync(join(folder, 'empty'), { recursive: true });

  await desk.dropPaths([folder]);
  const toast = desk.toast('2 added, 1 skipped (not XML)');
  await expect(toast).toBeVisible();
  // The skipped file is named, so the clerk knows what was left out.
  await expect(toast).toContainText(`${prefix}/notes.txt: Not an XML file, so it was not added.`);
  await desk.searchFor(prefix);
  await expect(desk.rowByFile(`${prefix}/march/${prefix}-2.xml`)).toBeVisible();
  await expect(desk.rowByFile(`${prefix}/${prefix}-1.xml`)).toBeVisible();
});

test('a folder of 450 invoices is added in chunks and the table renders only what is on screen', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('MANY');
  const count = 450;
  const folder = testInfo.outputPath(prefix);
  writeFiles(
    folder,
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => {
        const n = `${prefix}-${String(i).padStart(4, '0')}`;
        return [`${n}.xml`, validInvoice(n)];
      }),
    ),
  );

  await desk.dropPaths([folder]);
  await expect(desk.toast(`${count} added`)).toBeVisible({ timeout: 30_000 });
  await desk.searchFor(prefix);
  await expect(desk.table).toHaveAttribute('aria-rowcount', String(count + 1));

  // Virtualized: far fewer rows in the DOM than documents.
  const rendered = await desk.rows().count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);

  // Scrolling to the end fetches the last page: its rows arrive, no "Loading…" placeholders stay.
  await desk.table.locator('.table-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(desk.table.locator('.table-row.is-loading')).toHaveCount(0);
  const last = desk.rows().last();
  await expect(last).toHaveAttribute('aria-rowindex', String(count + 1));
  await expect(last).toHaveAttribute('data-invoice', new RegExp(`^${prefix}-`));
});

test('a dropped folder leaves office lock files, hidden files and folders and non-XML files alone, as send does, and says why', async ({
  desk,
}, testInfo) => {
  // Walk 21: a dropped folder's `~$…xml` lock file became a "Needs fixing" row asking to export
  // the invoice again; the hot folder and `send` leave it alone.
  const prefix = uniquePrefix('ALONE');
  const folder = testInfo.outputPath(prefix);
  writeFiles(folder, {
    [`~$${prefix}-lock.xml`]: 'owner',
    [`.${prefix}-hidden.xml`]: validInvoice(`${prefix}-HIDDEN`),
    [`${prefix}-invoice.txt`]: validInvoice(`${prefix}-TXT`),
    [`${prefix}-no-extension`]: validInvoice(`${prefix}-NOEXT`),
  });
  writeFiles(join(folder, '.git'), {
    [`${prefix}-in-hidden-folder.xml`]: validInvoice(`${prefix}-GIT`),
  });
  // Same-named files of two subfolders are told apart by their folders (walk 21 B6).
  writeFiles(join(folder, 'sub1'), { 'same-name.xml': validInvoice(`${prefix}-SAME1`) });
  writeFiles(join(folder, 'sub2'), { 'same-name.xml': validInvoice(`${prefix}-SAME2`) });

  await desk.dropPaths([folder]);
  const toast = desk.toast('2 added, 5 skipped');
  await expect(toast).toBeVisible();
  await expect(toast).toContainText(
    `${prefix}/~$${prefix}-lock.xml: An office lock file (Word, Excel or LibreOffice keeps one beside a file it has open; it is not an invoice), so it was left alone.`,
  );
  await expect(toast).toContainText(`${prefix}/.${prefix}-hidden.xml: A hidden file`);
  await expect(toast).toContainText(`${prefix}/.git/: A hidden folder`);
  // Named in the order the folder is read.
  await expect(toast).toContainText(`${prefix}/${prefix}-invoice.txt`);
  await expect(toast).toContainText(`${prefix}/${prefix}-no-extension`);
  await expect(toast).toContainText('Not XML files, so they were not added.');
  await desk.searchFor(prefix);
  await expect(desk.rowByFile(`${prefix}/sub1/same-name.xml`)).toHaveAttribute(
    'data-invoice',
    `${prefix}-SAME1`,
  );
  await expect(desk.rowByFile(`${prefix}/sub2/same-name.xml`)).toHaveAttribute(
    'data-invoice',
    `${prefix}-SAME2`,
  );
  await expect(desk.rows()).toHaveCount(2);
});

test('files a dropped folder leaves alone are not counted among the files not added', async ({
  desk,
}, testInfo) => {
  // Walk 21b, W2: "8 files of 2 drops … not added", 6 of them the lock, hidden and .txt files
  // the drop's own message had called "6 skipped".
  const prefix = uniquePrefix('NOTCOUNTED');
  const folder = testInfo.outputPath(prefix);
  writeFiles(folder, {
    [`${prefix}-empty.xml`]: '',
    [`~$${prefix}-lock.xml`]: 'owner',
    [`.${prefix}-hidden.xml`]: validInvoice(`${prefix}-HIDDEN`),
    [`${prefix}-notes.txt`]: 'not an invoice',
  });
  await desk.dropPaths([folder]);
  const toast = desk.toast('0 added, 1 not added, 3 skipped');
  await expect(toast).toContainText(`${prefix}/~$${prefix}-lock.xml: An office lock file`);
  const last = desk.dropZone.getByTestId('last-drop');
  await expect(last).toContainText(/^1 file of the drop at .+ not added/);
  await toast.getByRole('button', { name: 'Close message' }).click();
  await last.getByRole('button', { name: 'Show which' }).click();
  const which = desk.toast('0 added, 1 not added');
  await expect(which).toContainText(`${prefix}/${prefix}-empty.xml: The file is empty.`);
  await expect(which).not.toContainText('lock');
  await expect(which).not.toContainText(`${prefix}-notes.txt`);
  await expect(which).not.toContainText(`${prefix}-hidden.xml`);
  await which.getByRole('button', { name: 'Close message' }).click();
  // A folder with only files left alone leaves nothing to list.
  await last.getByRole('button', { name: 'Forget the files not added' }).click();
  const alone = testInfo.outputPath(`${prefix}-alone`);
  writeFiles(alone, {
    [`${prefix}-ok.xml`]: validInvoice(`${prefix}-OK`),
    [`~$${prefix}-lock2.xml`]: 'owner',
  });
  await desk.dropPaths([alone]);
  await expect(desk.toast('1 added, 1 skipped (office lock file)')).toBeVisible();
  await expect(last).toBeHidden();
});
