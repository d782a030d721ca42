import { expect, test } from './fixtures';
import { sameNumberOtherContent, uniquePrefix, validInvoice, writeFiles } from './support/invoices';

test.use({ viewport: { width: 1400, height: 900 } });

// The status column used to be 170 px with a "Sandbox" badge on every row: "Needs your
// decision", "Accepted by access point" and longer words were cut ("Needs your deci…").
test('the status words are shown whole, without a badge for the access point in use', async ({
  desk,
}, testInfo) => {
  const prefix = uniquePrefix('STATUSCOL');
  const dir = testInfo.outputPath('invoices');
  const [first] = writeFiles(dir, { [`${prefix}-first.xml`]: validInvoice(prefix) });
  await desk.dropFiles([first!]);
  await desk.searchFor(prefix);
  await desk.waitForState(desk.rowByFile(`${prefix}-first.xml`), ['accepted', 'delivered']);
  const [again] = writeFiles(dir, { [`${prefix}-again.xml`]: sameNumberOtherContent(prefix) });
  await desk.dropFiles([again!]);
  const held = desk.rowByFile(`${prefix}-again.xml`);
  await desk.waitForState(held, ['held']);

  const cell = held.locator('.col-status');
  await expect(cell).toContainText('Needs your decision');
  await expect(cell).toHaveAttribute('title', 'Needs your decision');
  // Not cut: the cell's content fits its box.
  expect(await cell.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  // Both rows go through the built-in Sandbox, which the header names: no badge on them.
  await expect(desk.page.getByTestId('env-badge')).toHaveText('Sandbox');
  await expect(desk.table.locator('.row-env')).toHaveCount(0);
  // The longest status words fit the column at this width.
  const longest = await cell.evaluate((el) => {
    const probe = el.ownerDocument.createElement('span');
    probe.className = 'status';
    probe.textContent = 'Conditionally accepted by buyer';
    const icon = el.querySelector('.status-icon')!.getBoundingClientRect().width;
    el.querySelector('.status')!.after(probe);
    const needed = probe.getBoundingClientRect().width + icon + 6;
    probe.remove();
    const style = getComputedStyle(el);
    return {
      needed,
      room: el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    };
  });
  expect(longest.needed).toBeLessThanOrEqual(longest.room);
});
