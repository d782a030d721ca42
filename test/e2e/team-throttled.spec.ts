import { join } from 'node:path';
import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

/**
 * A team desk (a team SQLite file behind the browser host) whose access point answers 429: its
 * header says "Throttled", as a single desk's does (app/access-point/reachability.ts driven by
 * app/team/desk-health.ts), and "Online" again once the access point answers; the document is sent.
 */
test('a team desk says Throttled while its access point answers 429, then Online again', async ({
  desk,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = desk.page;
  const teamFile = join(testInfo.outputPath('team'), 'team.sqlite');
  writeFiles(testInfo.outputPath('team'), {});
  const prefix = uniquePrefix('TEAMTHROTTLE');
  const paths = writeFiles(testInfo.outputPath('invoices'), {
    [`${prefix}.xml`]: validInvoice(prefix),
  });
  try {
    await desk.invoke('settings:set', { teamStore: `sqlite:${teamFile}` });
    await expect(page.getByTestId('team-label')).toHaveText(teamFile);
    await expect(desk.connectionState).toHaveAttribute('data-state', 'online');
    // The team desk's own engine and its in-process sandbox (joining the team started them).
    const sandbox = await desk.sandbox();
    // Every request is refused with 429 (Retry-After 1 s) a few times in a row.
    await sandbox.setFaults({
      endpoints: 'all',
      status429: { every: 1, max: 4, retryAfterSeconds: 1 },
    });
    await desk.dropFiles(paths);
    await expect(desk.connectionState).toHaveAttribute('data-state', 'throttled');
    await expect(desk.connectionState).toHaveText(/Throttled/);
    // A team desk's header, not a single desk's: the team is named beside it.
    await expect(page.getByTestId('team-label')).toHaveText(teamFile);
    await desk.screenshot('team-throttled', testInfo);
    await desk.searchFor(prefix);
    await desk.waitForState(desk.rowByInvoice(prefix), ['accepted', 'delivered'], 60_000);
    await expect(desk.connectionState).toHaveAttribute('data-state', 'online', {
      timeout: 30_000,
    });
    await expect(desk.connectionState).toHaveText(/Online/);
  } finally {
    await (await desk.sandbox()).clearFaults();
    // Never leave the shared host on the team, whatever failed above.
    await desk.invoke('settings:set', { teamStore: null });
  }
});
