import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';
import { waitFor } from '../helpers/wait';

const engines = useEngines();
const STABLE_MS = 200;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A walk: an export to a network share paused 3 s half-way, longer than the watcher's wait. The
// file was taken half-written, moved to failed/ as "empty" or "damaged XML", and the writer then
// finished it there: a valid invoice that was never sent, under a false reason.
describe('hot folder: a file whose writer pauses longer than the wait', () => {
  it('waits in the folder while half-written and is taken once, complete, when the writer finishes', async () => {
    const folder = engines.tempDir();
    const log: string[] = [];
    const engine = await engines({
      trackDelivery: false,
      coalesceMs: 20,
      hotFolder: folder,
      hotFolderStabilityMs: STABLE_MS,
      log: (m) => log.push(m),
    });
    const bytes = makeInvoice('HOT-PAUSE-1');
    const empty = join(folder, 'placeholder.xml');
    const path = join(folder, 'paused.xml');
    // An empty placeholder first, and a file written to half-way; both then stand still for
    // many times the watcher's wait.
    writeFileSync(empty, '');
    const fd = openSync(path, 'w');
    writeSync(fd, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await waitFor('the half-written file noticed', () =>
      log.some((m) => m.includes('paused.xml looks half-written')),
    );
    await delay(STABLE_MS * 6);
    const { repo } = engineInternals(engine);
    expect(repo.list({ filter: 'all', limit: 10 }).rows).toEqual([]);
    expect(existsSync(join(folder, 'failed'))).toBe(false);
    expect(readdirSync(folder).sort()).toEqual(['paused.xml', 'placeholder.xml']);

    // The writer goes on: the rest, and the placeholder filled.
    writeSync(fd, bytes.subarray(Math.floor(bytes.length / 2)));
    closeSync(fd);
    writeFileSync(empty, makeInvoice('HOT-PAUSE-2'));
    await waitFor('both in sent/', () =>
      ['paused.xml', 'placeholder.xml'].every((n) => existsSync(join(folder, 'sent', n))),
    );
    const docs = repo.list({ filter: 'all', limit: 10 }).rows;
    expect(docs.map((d) => `${d.file_name}:${d.state}`).sort()).toEqual([
      'paused.xml:accepted',
      'placeholder.xml:accepted',
    ]);
    const paused = docs.find((d) => d.file_name === 'paused.xml')!;
    expect(paused.sha256).toBe(sha256Hex(bytes));
    expect(readFileSync(join(folder, 'sent', 'paused.xml'))).toEqual(Buffer.from(bytes));
    expect(existsSync(join(folder, 'failed'))).toBe(false);
  });

  // Walk 3: a placeholder filled after 75 s had been moved to failed/ as "empty" after 60 s, and its
  // writer then finished it there (never sent). A file that stays half-written is said on screen
  // and left where it is; it is taken once its writer finishes it, however late.
  it('a file left half-written is said on screen and stays in the folder; finished late, it is sent', async () => {
    const folder = engines.tempDir();
    const log: string[] = [];
    const engine = await engines({
      trackDelivery: false,
      coalesceMs: 20,
      hotFolder: folder,
      hotFolderStabilityMs: STABLE_MS,
      hotFolderIncompleteMs: 1_000,
      log: (m) => log.push(m),
    });
    const bytes = makeInvoice('HOT-CUT-1');
    const path = join(folder, 'cut.xml');
    const fd = openSync(path, 'w');
    writeSync(fd, bytes.subarray(0, bytes.length - 40));
    writeFileSync(join(folder, 'placeholder.xml'), '');
    const notices = await waitFor(
      'both said on screen',
      async () => {
        const s = await engine.handlers['connection:get'](undefined);
        return s.hotFolder!.notices.length === 2 ? s.hotFolder!.notices : undefined;
      },
      15_000,
    );
    const said = Object.fromEntries(notices.map((n) => [n.name, n.message]));
    expect(said['cut.xml']).toMatch(/^Not taken yet: the file looks incomplete/);
    expect(said['placeholder.xml']).toMatch(/^Not taken yet: the file is empty/);
    expect(log.join('\n')).toContain(
      'cut.xml still looks incomplete after 1 s without a change; it waits in the folder until it is complete',
    );
    // Never moved, never a document while half-written.
    await delay(STABLE_MS * 5);
    expect(existsSync(join(folder, 'failed'))).toBe(false);
    expect(readdirSync(folder).sort()).toEqual(['cut.xml', 'placeholder.xml']);
    expect(engineInternals(engine).repo.list({ filter: 'all', limit: 10 }).rows).toEqual([]);

    // The writer finishes it, later than the wait: taken, complete, and sent.
    writeSync(fd, bytes.subarray(bytes.length - 40));
    closeSync(fd);
    await waitFor('cut.xml in sent/', () => existsSync(join(folder, 'sent', 'cut.xml')), 15_000);
    expect(readFileSync(join(folder, 'sent', 'cut.xml'))).toEqual(Buffer.from(bytes));
    expect(existsSync(join(folder, 'placeholder.xml'))).toBe(true);
    // Its "Not taken yet" is no longer said (walk 13: it stayed beside the row saying sent).
    const after = (await engine.handlers['connection:get'](undefined)).hotFolder!.notices;
    expect(after.map((n) => n.name)).toEqual(['placeholder.xml']);
  });
});
