import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { writeFiles } from './support/invoices';

/**
 * A desk whose access point is not the team's (app/team/access-point.ts): the header says, in
 * plain words, that this desk adds invoices but does not send them, and through which access
 * point the team sends; the clerk can make this desk's access point the team's.
 */
test('a desk on another access point than its team says it does not send, and can take the team over', async ({
  desk,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = desk.page;
  const teamFile = join(testInfo.outputPath('team'), 'team.sqlite');
  writeFiles(testInfo.outputPath('team'), {});
  try {
    await desk.invoke('settings:set', { teamStore: `sqlite:${teamFile}` });
    await expect(page.getByTestId('team-label')).toHaveText(teamFile);
    await expect(page.getByTestId('team-other-access-point')).toHaveCount(0);
    // Another desk of the team set the team's access point to a provider this desk does not use.
    const db = new Database(teamFile);
    try {
      db.prepare(
        `UPDATE team_settings SET value = CASE key WHEN 'access_point' THEN 'another-desks-fingerprint'
           ELSE 'ap.example.com (Production)' END
         WHERE key IN ('access_point', 'access_point_label')`,
      ).run();
    } finally {
      db.close();
    }
    // Heard at the desk's next heartbeat.
    const banner = page.getByTestId('team-other-access-point');
    await expect(banner).toContainText(
      'This desk does not send: the team sends through ap.example.com (Production), and this desk is set to the built-in Sandbox.',
      { timeout: 20_000 },
    );
    await expect(banner).toContainText(
      "Invoices added here go on the team's queue and are sent by the desks that use ap.example.com (Production).",
    );
    await desk.screenshot('team-other-access-point', testInfo);

    // Nothing is in doubt at the team's access point: this desk's becomes the team's.
    await banner.getByTestId('team-use-this-access-point').click();
    await expect(page.getByTestId('team-other-access-point')).toHaveCount(0);
    await expect(
      page.getByText(
        /^The team now sends through the built-in Sandbox, the access point of this desk\./,
      ),
    ).toBeVisible();
    const { team } = await desk.invoke('connection:get', undefined);
    expect(team).toMatchObject({
      sends: true,
      accessPoint: 'the built-in Sandbox',
    });
  } finally {
    // Never leave the shared host on the team, whatever failed above.
    await desk.invoke('settings:set', { teamStore: null });
  }
});
