import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

/**
 * The team's chart through the browser host: another desk (the CLI, named "Second desk") sends
 * three invoices on a `sqlite:` team store, then this desk joins the team and sends two. The
 * charts' "Team" view names both desks with what each had accepted, and each desk's send time as
 * each desk published it (the other desk's is not this desk's); axe finds nothing.
 */

const CLI = resolve(__dirname, '../../dist/cli.cjs');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

test('the Team view of the charts names every desk of the team with its documents', async ({
  desk,
}, testInfo) => {
  test.setTimeout(120_000);
  const page = desk.page;
  const teamFile = join(testInfo.outputPath('team'), 'team.sqlite');
  writeFiles(testInfo.outputPath('team'), {});
  const other = uniquePrefix('OTHER');
  const otherDir = testInfo.outputPath('other-inbox');
  writeFiles(
    otherDir,
    Object.fromEntries([1, 2, 3].map((i) => [`${other}-${i}.xml`, validInvoice(`${other}-${i}`)])),
  );
  // The other desk first, alone on the team, so which desk sent what is certain.
  const out = execFileSync(
    process.execPath,
    [CLI, 'send', otherDir, '--data-dir', testInfo.outputPath('other-desk'), '--json'],
    {
      env: {
        ...process.env,
        PEPPOL_DESK_STORE: `sqlite:${teamFile}`,
        PEPPOL_DESK_NAME: 'Second desk',
      },
      timeout: 90_000,
    },
  ).toString();
  expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ total: 3, sent: 3 });

  try {
    await desk.invoke('settings:set', { teamStore: `sqlite:${teamFile}` });
    await expect(page.getByTestId('team-label')).toHaveText(teamFile);
    const { team } = await desk.invoke('connection:get', undefined);
    const deskName = team!.deskName;
    const prefix = uniquePrefix('MINE');
    const numbers = [`${prefix}-1`, `${prefix}-2`];
    await desk.dropFiles(
      writeFiles(
        testInfo.outputPath('invoices'),
        Object.fromEntries(numbers.map((n) => [`${n}.xml`, validInvoice(n)])),
      ),
    );
    await desk.searchFor(prefix);
    for (const n of numbers) await desk.waitForState(desk.rowByInvoice(n), ['accepted']);

    const performance = page.getByTestId('performance');
    if (!(await performance.evaluate((el) => (el as HTMLDetailsElement).open))) {
      await page.getByTestId('performance-toggle').click();
    }
    await expect(page.getByTestId('performance-this-desk')).toHaveText(/This desk/);
    await page.getByTestId('chart-view-team').click();
    await expect(page.getByTestId('chart-view-team')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('performance-team')).toHaveText(/Team/);
    const chart = page.getByTestId('team-throughput-chart');
    await expect(chart).toContainText('Documents accepted per second by each desk of the team');
    // The team's figures are read every few seconds: wait for both desks' documents.
    const rows = chart.getByTestId('team-desk-row');
    await expect(rows).toHaveCount(2, { timeout: 30_000 });
    await expect(chart.getByTestId('team-total')).toHaveText('5', { timeout: 30_000 });
    const names = [deskName, 'Second desk'].sort((a, b) => a.localeCompare(b));
    await expect(rows.locator('th')).toHaveText(names);
    await expect(rows.filter({ hasText: 'Second desk' }).locator('td').first()).toHaveText('3');
    await expect(rows.filter({ hasText: deskName }).locator('td').first()).toHaveText('2');
    await expect(chart.getByTestId('team-legend-desk')).toHaveText(names);

    // Every desk's send time, from what each desk published (this one every 10 seconds).
    const latency = page.getByTestId('team-latency-chart');
    await expect(latency).toContainText(
      'Time each desk of the team waits for the access point to answer a send',
    );
    const latencyRows = latency.getByTestId('team-latency-row');
    await expect(latencyRows).toHaveCount(2, { timeout: 30_000 });
    await expect(latencyRows.locator('th')).toHaveText(names);
    await expect(latencyRows.filter({ hasText: 'Second desk' }).locator('td').first()).toHaveText(
      '3',
    );
    await expect(latencyRows.filter({ hasText: deskName }).locator('td').first()).toHaveText('2', {
      timeout: 30_000,
    });
    // A median in milliseconds or seconds, never empty for a desk that sent.
    for (const row of await latencyRows.all()) {
      await expect(row.locator('td').nth(1)).toHaveText(/\d/);
    }

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const { violations } = await new AxeBuilder({ page })
        .include('[data-testid="performance"]')
        .withTags(TAGS)
        .analyze();
      expect(
        violations.map((v) => `${v.id}: ${v.help}`),
        colorScheme,
      ).toEqual([]);
      await desk.screenshot(`team-charts-${colorScheme}`, testInfo);
    }
    await page.emulateMedia({ colorScheme: null });

    // Back to this desk's own charts.
    await page.getByTestId('chart-view-desk').click();
    await expect(page.getByTestId('throughput-chart')).toBeVisible();
    await expect(chart).toHaveCount(0);
  } finally {
    // Never leave the shared host on the team, whatever failed above.
    await desk.invoke('settings:set', { teamStore: null });
  }
});
