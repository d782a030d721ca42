import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

/**
 * A desk on a real PostgreSQL team database (started by the test, trust auth on 127.0.0.1):
 * the header names it; while the database is down the header says so calmly, a file dropped
 * meanwhile is kept and handed over, and the banner goes once the database answers again.
 */

type PostgresHelper = typeof import('../helpers/postgres.mjs');

test('the header says calmly when the team database cannot be reached, and files dropped meanwhile are sent once it is back', async ({
  desk,
}, testInfo) => {
  test.setTimeout(180_000);
  // ESM helper (plain JS shared with the crash harness): loaded at run time.
  const pgHelper = (await import('../helpers/postgres.mjs')) as PostgresHelper;
  test.skip(
    !pgHelper.hasPostgres() && process.env.CI !== 'true',
    `PostgreSQL is not installed here. ${pgHelper.MISSING_POSTGRES}`,
  );
  const cluster = await pgHelper.startPostgres();
  const page = desk.page;
  try {
    await desk.invoke('settings:set', { teamStore: cluster.url });
    const label = `postgres@127.0.0.1:${cluster.port}/postgres`;
    await expect(page.getByTestId('team-label')).toHaveText(label);
    await expect(page.getByTestId('team-desks-online')).toHaveText(' · 1 desk online');
    // One invoice sent, and selected: its actions are offered while the database answers.
    const prefix = uniquePrefix('TEAMDOWN');
    await desk.dropFiles(
      writeFiles(testInfo.outputPath('before'), {
        [`${prefix}-0.xml`]: validInvoice(`${prefix}-0`),
      }),
    );
    await desk.searchFor(prefix);
    const first = desk.rowByInvoice(`${prefix}-0`);
    await desk.waitForState(first, ['accepted', 'delivered'], 60_000);
    await page
      .getByTestId((await first.getAttribute('data-testid'))!.replace('row-', 'select-'))
      .check();
    await expect(page.getByTestId('bulk-cancel')).toBeEnabled();

    // The database goes away for a while (a fast stop cuts every connection).
    const restarted = cluster.restart({ downMs: 20_000 });
    const banner = page.getByTestId('team-unreachable');
    await expect(banner).toHaveText(
      'The team database cannot be reached. Documents you drop are kept on this computer and handed over when it is back.',
      { timeout: 30_000 },
    );
    await expect(desk.connectionState).toHaveText('Team database unreachable');
    await expect(page.getByTestId('team-desks-online')).toHaveCount(0);
    // No action on the selection while it cannot be written (walk 17b: each only failed).
    await expect(page.getByTestId('bulk-cancel')).toBeDisabled();
    // The list's statuses are the last ones read, said so (walk 17: read as live).
    await expect(page.getByTestId('list-stale')).toHaveText(
      'The statuses below are the last ones read from the team database, not live: other desks may have sent some of them since.',
    );
    // Another search cannot be read meanwhile: said, not "Loading…" for a minute (walk 20 B4).
    await desk.search.fill(`${prefix}-0`);
    await expect(page.getByTestId('list-error')).toContainText(
      'The list could not be read: The team database at',
    );
    await expect(desk.table.getByText('Loading…')).toHaveCount(0);
    // Nor a count of what the search matched, which could not be read.
    await expect(page.getByTestId('search-count')).toHaveCount(0);
    await desk.search.fill(prefix);
    // The team's documents cannot be counted meanwhile: a dash, not 0 (walk 12: a window opened
    // during an outage said "Sent 0", "All 0").
    await page.reload();
    await expect(banner).toBeVisible();
    for (const id of ['count-progress', 'count-sent', 'count-attention', 'filter-count-all'])
      await expect(page.getByTestId(id)).toHaveText('—');

    await desk.dropFiles(
      writeFiles(testInfo.outputPath('invoices'), {
        [`${prefix}-1.xml`]: validInvoice(`${prefix}-1`),
      }),
    );
    // Kept, not "added": it is in no list of the team's yet (walk 14).
    await expect(
      desk.toast('1 kept on this computer until the team database answers'),
    ).toBeVisible();
    // And said above the list, which cannot show it yet (walk 20: only the toast said so).
    await expect(page.getByTestId('list-kept')).toHaveText(
      ' 1 file dropped meanwhile is kept on this computer: it shows here once the team database answers.',
    );
    await desk.screenshot('team-outbox-unreachable', testInfo);
    // Settings says the same as the banner, not that dropped documents go to the team's queue.
    await page.getByTestId('open-settings').click();
    await expect(page.getByTestId('team-outbox-connected')).toContainText(
      "which cannot be reached now. Documents dropped here are kept on this computer and go to the team's queue when it answers.",
    );
    await page.keyboard.press('Escape');
    await restarted;

    await expect(banner).toHaveCount(0, { timeout: 60_000 });
    await expect(page.getByTestId('team-desks-online')).toHaveText(' · 1 desk online');
    await expect(page.getByTestId('count-progress')).not.toHaveText('—');
    await expect(page.getByTestId('list-stale')).toHaveCount(0);
    await desk.searchFor(prefix);
    await desk.waitForState(desk.rowByInvoice(`${prefix}-1`), ['accepted'], 60_000);
    // Its timeline begins at the hand-over: it says when it was dropped (walk 24 B7).
    await desk.openDetails(desk.rowByInvoice(`${prefix}-1`));
    await expect(desk.detailPanel.getByTestId('timeline')).toContainText(
      /added to the team queue \(dropped (less than a minute|\d+ min) earlier while the team database could not be reached: kept on the desk that added it until the database was back\)/,
    );
  } finally {
    await desk.invoke('settings:set', { teamStore: null });
    await cluster.stop();
  }
});
