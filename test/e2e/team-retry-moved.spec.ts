import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice, writeFiles } from './support/invoices';

/**
 * A team desk's Retry of a failed invoice whose last attempt may have reached the access point
 * the team sent through before (app/team/access-point.ts, retryHoldOf): the toast says it was
 * held, not sent, and why; the invoice waits for the clerk's decision (Send anyway or cancel).
 */
test('a team Retry holds an invoice that may be at the team’s earlier access point, and says why', async ({
  desk,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = desk.page;
  const teamFile = join(testInfo.outputPath('team'), 'team.sqlite');
  writeFiles(testInfo.outputPath('team'), {});
  const prefix = uniquePrefix('MOVED');
  try {
    await desk.invoke('settings:set', { teamStore: `sqlite:${teamFile}` });
    await expect(page.getByTestId('team-label')).toHaveText(teamFile);
    await desk.invoke('queue:pause', undefined);
    await desk.dropFiles(
      writeFiles(testInfo.outputPath('invoices'), { [`${prefix}.xml`]: validInvoice(prefix) }),
    );
    await desk.searchFor(prefix);
    const row = desk.rowByInvoice(prefix);
    await desk.waitForState(row, ['queued']);
    // Another desk's attempt at ap.example.com got no answer and the invoice failed; the team
    // then moved to this desk's access point (the built-in Sandbox).
    const db = new Database(teamFile);
    try {
      const now = Date.now();
      db.prepare(
        `UPDATE team_documents SET state = 'failed', reached_maybe = 1, due_at = NULL,
           problem_code = 'ATTEMPTS_EXHAUSTED', problem_action = 'retry',
           problem_message = 'The access point did not answer after several attempts.',
           updated_at = ? WHERE invoice_number = ?`,
      ).run(now - 60_000, prefix);
      // Its timeline row, as the other desk writes it: how this desk hears of the change.
      db.prepare(
        `INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
         SELECT id, ?, 'desk-other', 'sending', 'failed', problem_message FROM team_documents
         WHERE invoice_number = ?`,
      ).run(now - 60_000, prefix);
      db.prepare(`UPDATE team_settings SET updated_at = ? WHERE key = 'access_point'`).run(now);
      db.prepare(
        `INSERT INTO team_settings (key, value, updated_by, updated_at)
         VALUES ('access_point_before', ?, 'desk-other', ?)`,
      ).run(JSON.stringify({ label: 'ap.example.com (Production)', since: 0 }), now);
    } finally {
      db.close();
    }
    await desk.invoke('queue:resume', undefined);
    await desk.waitForState(row, ['failed']);

    await desk.openDetails(row);
    await desk.detailPanel.getByTestId('detail-retry').click();
    const toast = desk.toast('0 documents will be tried again.');
    await expect(toast).toBeVisible();
    await expect(toast).toContainText(
      '1 document was held, not sent: This invoice may already have reached ap.example.com (Production) (its last attempt got no answer), and the team now sends through the built-in Sandbox. Ask the provider of ap.example.com (Production) whether it arrived: if it did, cancel it here; if it did not, choose Send anyway to send it through the built-in Sandbox.',
    );
    await desk.waitForState(row, ['held']);
    // The clerk decides: both are offered.
    await expect(desk.detailPanel.getByTestId('detail-sendAnyway')).toBeVisible();
    await expect(desk.detailPanel.getByTestId('detail-cancel')).toBeVisible();
    await desk.screenshot('team-retry-held', testInfo);
    // Send anyway asks first, with the reason it was held and where it would go.
    await desk.detailPanel.getByTestId('detail-sendAnyway').click();
    const confirm = desk.page.getByTestId('confirm-send-anyway');
    await expect(confirm).toContainText('Send it through the built-in Sandbox?');
    await expect(confirm).toContainText('may already have reached ap.example.com (Production)');
    await confirm.getByTestId('confirm-keep').click();
    await expect(confirm).toBeHidden();
    await desk.waitForState(row, ['held']);
  } finally {
    // Never leave the shared host on the team, whatever failed above.
    await desk.invoke('queue:resume', undefined);
    await desk.invoke('settings:set', { teamStore: null });
  }
});
