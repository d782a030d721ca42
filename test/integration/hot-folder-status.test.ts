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
    expect(byName['empty.xml']).toMatch(/^Not taken: .*empty/i);
    expect(byName['big.xml']).toMatch(/^Not taken: .*(larger|too large)/i);
    for (const message of Object.values(byName)) {
      expect(message).toContain(
        "It is in the folder's failed subfolder, with this reason beside it.",
      );
      expect(message).not.toMatch(/\bE[A-Z]{3,}\b/);
    }
    expect(readFileSync(join(folder, 'failed', 'empty.xml.reason.txt'), 'utf8')).toMatch(/empty/i);
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
