import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

/**
 * Settings → Team outbox through the browser host: join a team, see it in the header, send
 * there with the desk named on the timeline, leave it again. The team's store is a `sqlite:`
 * file in the test's own folder (the host is shared with the other specs and runs as its own
 * process; the same screens on PostgreSQL are covered by test/integration/engine-switch.test.ts).
 */

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function expectSectionAccessible(
  page: Page,
  state: string,
  section = 'team-outbox',
): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .include(`[data-testid="${section}"]`)
    .withTags(TAGS)
    .analyze();
  const summary = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe violations with ${state}`).toEqual([]);
}

test('a desk joins a team outbox, sends there with its name on the timeline, and leaves it', async ({
  desk,
}, testInfo) => {
  test.setTimeout(120_000);
  const page = desk.page;
  const teamFile = join(testInfo.outputPath('team'), 'team.sqlite');
  writeFiles(testInfo.outputPath('team'), {});
  const section = page.getByTestId('team-outbox');
  try {
    await page.getByTestId('open-settings').click();
    await expect(section).toBeVisible();
    await expect(section).toContainText(
      'Share one outbox with your team: every desk connected to the same database sees the same queue, and each invoice is sent once.',
    );
    const address = section.getByTestId('team-outbox-address');
    // Masked like the API key.
    await expect(address).toHaveAttribute('type', 'password');
    await expectSectionAccessible(page, 'the section before joining');
    // A single desk's settings are its own: nothing says "shared".
    const attempts = page.getByLabel('Tries before an invoice is marked Failed');
    const ownAttempts = await attempts.inputValue();
    await expect(page.getByTestId('settings-shared-maxAttempts')).toHaveCount(0);

    // A wrong address is refused in place, in plain words; nothing changes.
    await address.fill('https://example.invalid/team');
    await section.getByTestId('team-outbox-connect').click();
    await expect(section.getByTestId('team-outbox-problem')).toContainText(
      'The team outbox address cannot be read. It must look like postgresql://user@host:5432/database',
    );
    await expect(page.getByTestId('team-badge')).toHaveCount(0);
    await expectSectionAccessible(page, 'an error shown in the section');

    await address.fill(`sqlite:${teamFile}`);
    await section.getByTestId('team-outbox-connect').click();
    await expect(section.getByTestId('team-outbox-connected')).toContainText(teamFile);
    await expect(section.getByTestId('team-outbox-problem')).toHaveCount(0);
    await expectSectionAccessible(page, 'the section while connected');
    await desk.screenshot('team-outbox-settings', testInfo);
    await page.keyboard.press('Escape');

    // The header names the team and the desks working on it; the charts say whose figures.
    await expect(page.getByTestId('team-label')).toHaveText(teamFile);
    await expect(page.getByTestId('team-desks-online')).toHaveText(' · 1 desk online');
    await expect(page.getByTestId('team-unreachable')).toHaveCount(0);
    await expect(page.getByTestId('performance-this-desk')).toHaveText(/This desk/);
    // Pausing a team desk stops this desk only, and the header says so: alone on the team, that
    // nothing goes out (a walk: "the team's other desks still send" with none sending).
    await page.getByTestId('pause-toggle').click();
    await expect(desk.connectionState).toContainText(
      'Paused here, and no other desk of the team is sending now: nothing goes out',
    );
    await page.getByTestId('pause-toggle').click();
    await expect(desk.connectionState).not.toContainText('Paused');
    const { team } = await desk.invoke('connection:get', undefined);
    const deskName = team!.deskName;

    // Settings the team shares say so, and who changed them last; a change is the team's.
    await page.getByTestId('open-settings').click();
    const sharedAttempts = page.getByTestId('settings-shared-maxAttempts');
    await expect(sharedAttempts).toContainText(
      'Shared by the team: a change applies to every desk.',
    );
    // Brought by this desk when it joined first: not "changed" by anyone (walk 7).
    await expect(sharedAttempts).toContainText(`The value ${deskName} had when it joined first, `);
    await expect(page.getByTestId('settings-shared-maxDocumentBytes')).toContainText(
      'Shared by the team: a change applies to every desk.',
    );
    // The access point's check is the team's, and team desks ask it too: no "not yet" caveat.
    const sharedCheck = page.getByTestId('settings-shared-remoteValidation');
    await expect(sharedCheck).toHaveText(
      /^Shared by the team: a change applies to every desk\.( Changed by .+| The value .+ had when it joined first, .+)?$/,
    );
    await expect(sharedCheck).not.toContainText('ask the access point');
    await expect(attempts).toHaveAccessibleDescription(/^Shared by the team/);
    await sharedAttempts.scrollIntoViewIfNeeded();
    await desk.screenshot('team-shared-settings', testInfo);
    await expectSectionAccessible(page, 'settings shared by the team', 'settings-dialog');
    const teamAttempts = String((Number(ownAttempts) % 100) + 1);
    await attempts.fill(teamAttempts);
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-dialog')).toBeHidden();
    expect((await desk.invoke('settings:get', undefined)).maxAttempts).toBe(Number(teamAttempts));

    // Dropped files go to the team's queue and are sent from this desk.
    const prefix = uniquePrefix('TEAM');
    const numbers = [`${prefix}-1`, `${prefix}-2`];
    await desk.dropFiles(
      writeFiles(
        testInfo.outputPath('invoices'),
        Object.fromEntries(numbers.map((n) => [`${n}.xml`, validInvoice(n)])),
      ),
    );
    await desk.searchFor(prefix);
    await desk.expectRowTotal(2);
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['accepted']);

    // The table's header sorts the team's rows by that column, both ways, as on a single desk.
    const order = () =>
      desk.rows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-invoice')));
    const byNumber = page.getByTestId('sort-invoiceNumber');
    await byNumber.click();
    await expect(page.getByRole('columnheader', { name: 'Invoice number' })).toHaveAttribute(
      'aria-sort',
      'ascending',
    );
    await expect.poll(order).toEqual([numbers[0], numbers[1]]);
    await byNumber.click();
    await expect.poll(order).toEqual([numbers[1], numbers[0]]);
    await byNumber.click();
    await expect(page.getByRole('columnheader', { name: 'Invoice number' })).toHaveAttribute(
      'aria-sort',
      'none',
    );
    expect((await desk.invoke('documents:list', { limit: 10 })).total).toBe(2);

    await desk.openDetails(desk.rowByInvoice(numbers[0]!));
    await expect(desk.detailPanel.getByTestId('timeline-added-by')).toHaveText(
      `Added on ${deskName}`,
    );
    await expect(desk.detailPanel.getByTestId('timeline-sent-by')).toHaveText(
      `Sent by ${deskName}`,
    );
    // The receiver as this desk looked it up when it added the file; "Check again" asks now.
    const verdict = desk.detailPanel.getByTestId('lookup-verdict');
    await expect(verdict).toContainText('Found');
    await desk.detailPanel.getByTestId('lookup-refresh').click();
    await expect(desk.detailPanel.getByTestId('lookup-refresh')).toHaveText('Check again');
    await expect(verdict).toContainText('Found');
    await expect(desk.detailPanel.getByTestId('lookup-error')).toHaveCount(0);
    await desk.screenshot('team-outbox-timeline', testInfo);
    // The whole invoice opens on a team desk too, read from the team's store.
    await desk.detailPanel.getByTestId('open-invoice-view').click();
    const view = page.getByTestId('invoice-view');
    await expect(view.getByRole('heading', { name: `Invoice ${numbers[0]}` })).toBeVisible();
    await expect(view.getByTestId('iv-buyer')).toContainText('BE0987654394');
    await page.keyboard.press('Escape');
    await expect(view).toBeHidden();
    await page.keyboard.press('Escape');

    // The team's list exports as CSV, as on a single desk.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      '\ufeffDocument id,File,Type,Invoice number,Issue date,Seller,Buyer,Amount,Currency,Status,Business response,Access point,Environment,Transaction id,Sent,Delivered,Reason',
    );
    for (const n of numbers) expect(text).toContain(`${n}.xml,Invoice,${n},`);
    await expect(page.getByText('Exported 2 rows')).toBeVisible();

    // Cancelled on its way, past any Undo: Retry in its details sends it after all (walk 18: a
    // team's Retry took no cancelled invoice).
    const later = `${prefix}-3`;
    await desk.invoke('queue:pause', undefined);
    await desk.dropFiles(
      writeFiles(testInfo.outputPath('later'), { [`${later}.xml`]: validInvoice(later) }),
    );
    const laterRow = desk.rowByInvoice(later);
    await desk.waitForState(laterRow, ['queued']);
    await desk.openDetails(laterRow);
    await desk.detailPanel.getByTestId('detail-cancel').click();
    await desk.waitForState(laterRow, ['cancelled']);
    await expect(desk.detailPanel.getByTestId('detail-cancelled-hint')).toHaveText(
      'Cancelled: it will not be sent. To send it after all, choose Retry: it goes back to the team’s queue (held for your decision if another version of its number is on its way).',
    );
    await desk.detailPanel.getByTestId('detail-retry').click();
    await desk.waitForState(laterRow, ['queued']);
    await desk.invoke('queue:resume', undefined);
    await desk.waitForState(laterRow, ['accepted']);
    await page.keyboard.press('Escape');

    // Leaving: back to this computer's own outbox, where the team's documents are not.
    await page.getByTestId('open-settings').click();
    await section.getByTestId('team-outbox-leave').click();
    await expect(section.getByTestId('team-outbox-address')).toBeVisible();
    // The desk's own attempts are as they were before it joined.
    await page.keyboard.press('Escape');
    await page.getByTestId('open-settings').click();
    await expect(attempts).toHaveValue(ownAttempts);
    await expect(page.getByTestId('settings-shared-maxAttempts')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('team-badge')).toHaveCount(0);
    await expect(page.getByTestId('performance-this-desk')).toHaveCount(0);
    await expect(page.getByTestId('export-csv')).toBeVisible();
    await desk.searchFor(prefix);
    await desk.expectRowTotal(0);
  } finally {
    // Never leave the shared host on the team (or paused), whatever failed above.
    await desk.invoke('queue:resume', undefined);
    await desk.invoke('settings:set', { teamStore: null });
  }
});
