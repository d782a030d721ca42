import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli as cli, spawnCli } from '../helpers/dist';
import { freePort } from '../helpers/free-port';
import { makeInvoice } from '../helpers/invoices';
import { useSandboxes } from '../helpers/sandboxes';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const sandbox = useSandboxes();
const KEY = { PEPPOL_DESK_API_KEY: 'wrong-url-key' };

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** Three invoices to buyers on Peppol and one to a buyer who is not, in a fresh folder. */
function drop(): string {
  const dir = tempDir();
  for (const n of [1, 2, 3]) writeFileSync(join(dir, `u${n}.xml`), makeInvoice(`URL-${n}`));
  writeFileSync(join(dir, 'u4.xml'), makeInvoice('URL-4', { receiver: '9915:unreg-url' }));
  return dir;
}

/** The timeline's words of every document, by file name. */
function timelines(dataDir: string): Map<string, string[]> {
  const db = new Database(join(dataDir, 'peppol-desk.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT d.file_name AS name, e.detail AS detail FROM document_events e
         JOIN documents d ON d.id = e.document_id ORDER BY e.id`,
      )
      .all() as { name: string; detail: string | null }[];
    const byName = new Map<string, string[]>();
    for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r.detail ?? '']);
    return byName;
  } finally {
    db.close();
  }
}

// Walk 24b A2: `send` with a provider URL that leads to no access point (the Sandbox's address
// without its /peppol-api) said to check the URL and run the command again; run again with the
// right URL it printed "0 sent, 4 failed" and "queued for 127.0.0.1:P (Test), not 127.0.0.1:P
// (Test)": every invoice held for a decision between two access points of the same name.
describe('send run again with the provider URL corrected', () => {
  it('sends what waited for the wrong URL, each buyer looked up first, and says so truly', async () => {
    const s = await sandbox();
    const wrong = new URL(s.url).origin;
    const dir = drop();
    const dataDir = join(tempDir(), 'data');

    const first = await cli(['send', dir, '--data-dir', dataDir, '--endpoint', wrong], KEY);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('The provider URL does not lead to an access point');
    expect(s.stats().acceptedDocuments).toBe(0);
    // Not "sending (the access point checks the buyer itself)": nothing was sent there.
    const before = timelines(dataDir);
    expect(before.get('u1.xml')).toContain(
      'The buyer could not be checked: the provider URL leads to no access point. Nothing is sent until it is corrected, and the buyer is looked up then',
    );
    expect(before.get('u1.xml')!.join('\n')).not.toContain('checks the buyer itself');

    const second = await cli(
      ['send', dir, '--data-dir', dataDir, '--endpoint', s.url, '--json'],
      KEY,
    );
    expect(lastJson(second.stdout)).toMatchObject({
      total: 4,
      sent: 3,
      failed: 0,
      notOnPeppol: 1,
      held: 0,
    });
    expect(second.stderr).not.toContain('were queued for');
    expect(second.stderr).not.toContain('peppol-desk reroute');
    // The buyer not on Peppol was looked up at the corrected URL and nothing was sent to it.
    expect(s.stats().acceptedDocuments).toBe(3);
    const port = new URL(s.url).port;
    const after = timelines(dataDir);
    // Both addresses are named apart by their paths: they share host and environment.
    expect(after.get('u1.xml')).toContain(
      `Moved to 127.0.0.1:${port}/peppol-api (Production), once the provider URL was corrected (was queued for 127.0.0.1:${port}/ (Production))`,
    );
    expect(after.get('u4.xml')).toContain(
      'Looked up 9915:unreg-url: not registered on the Peppol network',
    );
    // Not held first for a decision nobody was asked (walk 25 B5).
    for (const lines of after.values())
      expect(lines.join('\n')).not.toContain('which is no longer in use');
  }, 60_000);

  it('run again with the same wrong URL, nothing moves; a later run with the right one sends them', async () => {
    const s = await sandbox();
    const wrong = `${new URL(s.url).origin}/api`;
    const dir = drop();
    const dataDir = join(tempDir(), 'data');

    for (let run = 0; run < 2; run++) {
      const again = await cli(['send', dir, '--data-dir', dataDir, '--endpoint', wrong], KEY);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('The provider URL does not lead to an access point');
    }
    expect(s.stats().acceptedDocuments).toBe(0);
    // A command that sends nothing in between (it starts no queue) leaves the correction for the
    // next one that does.
    expect((await cli(['list', '--data-dir', dataDir, '--json'], KEY)).code).toBe(0);

    const right = await cli(
      ['send', dir, '--data-dir', dataDir, '--endpoint', s.url, '--json'],
      KEY,
    );
    expect(lastJson(right.stdout)).toMatchObject({ sent: 3, notOnPeppol: 1, failed: 0 });
    expect(s.stats().acceptedDocuments).toBe(3);
  }, 60_000);

  // Walk 25 B8: a wrong port (nothing listening) kept `send` waiting, as an outage would; run
  // again with the right URL after Ctrl+C, it held all 22 for "peppol-desk reroute 1 … 22".
  it('a port where nothing listens, stopped with Ctrl+C: the run with the right URL sends them', async () => {
    const s = await sandbox();
    const wrong = `http://127.0.0.1:${await freePort()}/peppol-api`;
    const dir = drop();
    const dataDir = join(tempDir(), 'data');

    const first = spawnCli(['send', dir, '--data-dir', dataDir, '--endpoint', wrong], KEY);
    // Every buyer is looked up (or not) and every invoice tried at least once: then Ctrl+C.
    await expect
      .poll(() => timelines(dataDir).get('u4.xml')?.length ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(4);
    first.child.kill('SIGINT');
    expect(await first.exited).not.toBe(0);
    expect(s.stats().acceptedDocuments).toBe(0);

    const right = await cli(
      ['send', dir, '--data-dir', dataDir, '--endpoint', s.url, '--json'],
      KEY,
    );
    expect(lastJson(right.stdout)).toMatchObject({ sent: 3, notOnPeppol: 1, failed: 0, held: 0 });
    expect(right.stderr).not.toContain('peppol-desk reroute');
    expect(s.stats().acceptedDocuments).toBe(3);
  }, 60_000);
});
