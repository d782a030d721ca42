import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { writeFiles } from './support/invoices';

/**
 * A desk whose access point is not the team's (app/team/access-point.ts): the header says, in
 * plain words, that this desk adds invoices but does not send them, and through which access
 * point the team sends; taking the team over is asked first, and refused to a practice Sandbox
 * when the team sends for real (team-desk-access-point.test.ts covers a take-over).
 */
test('a desk on another access point than its team says it does not send; its practice Sandbox cannot take the team over', async ({
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

    // This desk is on the built-in Sandbox: its header says nothing of practice, since what it
    // adds is sent for real by the team.
    await expect(page.getByTestId('env-note')).toHaveCount(0);
    // Taking the team over is asked first, and a practice Sandbox cannot take over a team that
    // sends for real: refused, saying why and what to do.
    await banner.getByTestId('team-use-this-access-point').click();
    const confirm = page.getByTestId('confirm-team-access-point');
    await expect(confirm).toContainText('Send every desk’s invoices through the built-in Sandbox?');
    // It says what the Sandbox is (walk 17: a team moved to practice without a word of it).
    await expect(confirm).toContainText(
      'The built-in Sandbox is practice: nothing reaches Peppol or a buyer, and each desk has a Sandbox of its own inside Peppol Desk.',
    );
    await confirm.getByTestId('confirm-act').click();
    await expect(
      page.getByText(
        /this desk uses the built-in Sandbox, where nothing is really sent, and a practice Sandbox cannot take over a team that sends for real/,
      ),
    ).toBeVisible();
    await expect(page.getByTestId('team-other-access-point')).toBeVisible();
    const { team } = await desk.invoke('connection:get', undefined);
    expect(team).toMatchObject({ sends: false, accessPoint: 'ap.example.com (Production)' });
  } finally {
    // Never leave the shared host on the team, whatever failed above.
    await desk.invoke('settings:set', { teamStore: null });
  }
});
