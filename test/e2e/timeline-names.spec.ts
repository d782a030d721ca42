import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

// Walk 25 B6: the timeline's first line, the file's name, was shown as it is: a right-to-left
// override reversed it ("rtl-‮gmx.pdf.xml" read as "rtl-lmx.fdp.xmg"), where the list writes such
// characters out.
test("the timeline writes out a file name's characters that would reorder it, as the list does", async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('RTLNAME');
  const name = `${prefix}-rtl-\u202Egmx.pdf.xml`;
  const [file] = writeFiles(testInfo.outputPath('invoices'), { [name]: validInvoice(prefix) });
  await desk.dropFiles([file!]);
  await desk.searchFor(prefix);
  const row = desk.rowByFile(name);
  await desk.waitForState(row, ['accepted', 'delivered']);
  await expect(row).toContainText(`${prefix}-rtl-[U+202E]gmx.pdf.xml`);
  await desk.openDetails(row);
  const timeline = desk.detailPanel.locator('ol li').first();
  await expect(timeline).toContainText(`${prefix}-rtl-[U+202E]gmx.pdf.xml`);
  await expect(timeline).not.toContainText('\u202E');
});
