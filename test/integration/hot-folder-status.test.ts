import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';
import { waitFor } from '../helpers/wait';

const engines = useEngines();

// A walk: files the hot folder refused (empty, too large) went to failed/ and appeared nowhere in
// the window; a missing folder was not reported; `serve` printed nothing of it. The connection
// status (the header's) now carries the hot folder's: missing or not, and what it could not take.
describe('hot folder on screen', () => {
  it('says which files it could not take and why, in the status the window shows', async () => {
    const folder = engines.tempDir();
    const statuses: ConnectionStatus[] = [];
    const engine = await engines({
      trackDelivery: false,
      coalesceMs: 20,
      hotFolder: folder,
      hotFolderStabilityMs: 100,
      hotFolderIncompleteMs: 300,
    });
    engine.on('connection:changed', (s) => statuses.push(s));
    await engine.handlers['settings:set']({ maxDocumentBytes: 20_000 });
    const first = await engine.handlers['connection:get'](undefined);
    expect(first.hotFolder).toEqual({ folder, missing: false, notices: [] });

    writeFileSync(join(folder, 'empty.xml'), '');
    writeFileSync(join(folder, 'big.xml'), Buffer.alloc(30_000, 'x'));
    writeFileSync(join(folder, 'good.xml'), makeInvoice('HOT-SCREEN-1'));
    await waitFor('good.xml in sent/', () => existsSync(join(folder, 'sent', 'good.xml')));
    const status = await waitFor('two notices', async () => {
      const s = await engine.handlers['connection:get'](undefined);
      return s.hotFolder!.notices.length === 2 ? s : undefined;
    });
    const byName = Object.fromEntries(status.hotFolder!.notices.map((n) => [n.name, n.message]));
    expect(Object.keys(byName).sort()).toEqual(['big.xml', 'empty.xml']);
    // Empty: it may still be written (its writer may hold it open), so it stays where it is.
    expect(byName['empty.xml']).toMatch(
      /^Not taken yet: the file is empty\. It stays in the folder/,
    );
    expect(existsSync(join(folder, 'empty.xml'))).toBe(true);
    expect(byName['big.xml']).toMatch(/^Not taken: .*(larger|too large)/i);
    expect(byName['big.xml']).toContain(
      "It is in the folder's failed subfolder, with this reason beside it.",
    );
    for (const message of Object.values(byName)) expect(message).not.toMatch(/\bE[A-Z]{3,}\b/);
    expect(readFileSync(join(folder, 'failed', 'big.xml.reason.txt'), 'utf8')).toMatch(/large/i);
    // The window hears of it without asking.
    expect(statuses.some((s) => s.hotFolder?.notices.length === 2)).toBe(true);
    const seqs = status.hotFolder!.notices.map((n) => n.seq);
    expect(new Set(seqs).size).toBe(2);
  });

  it('says when the folder is not there, and when it is back, and takes its files then', async () => {
    const parent = engines.tempDir();
    const folder = join(parent, 'share');
    const log: string[] = [];
    const engine = await engines({
      trackDelivery: false,
      coalesceMs: 20,
      hotFolder: folder,
      hotFolderStabilityMs: 100,
      log: (m) => log.push(m),
    });
    const missing = await engine.handlers['connection:get'](undefined);
    expect(missing.hotFolder).toMatchObject({ folder, missing: true, notices: [] });
    expect(log).toContain(
      `Hot folder: ${folder} is not there; files saved into it are taken once it is back`,
    );
    mkdirSync(folder);
    writeFileSync(join(folder, 'late.xml'), makeInvoice('HOT-LATE-1'));
    await waitFor('late.xml in sent/', () => existsSync(join(folder, 'sent', 'late.xml')), 20_000);
    const back = await engine.handlers['connection:get'](undefined);
    expect(back.hotFolder).toMatchObject({ folder, missing: false });
    expect(log).toContain(`Hot folder: ${folder} is there again and watched`);
  });

  it('no hot folder, no hot folder status', async () => {
    const engine = await engines({ trackDelivery: false, coalesceMs: 20 });
    expect((await engine.handlers['connection:get'](undefined)).hotFolder).toBeUndefined();
  });
});
