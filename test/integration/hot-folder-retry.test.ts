import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';
import { waitFor } from '../helpers/wait';

const engines = useEngines();

// A walk: an invoice the access point refused went to failed/ with the reason; after the clerk's
// Retry it was delivered, yet the file stayed in failed/ under the old reason (whoever reads the
// folder would send it again). The file now follows its document.
/** An engine watching a folder of its own, whose built-in Sandbox refuses every send (400). */
async function refusingSends(message: string, dataDir = engines.tempDir()) {
  const folder = engines.tempDir();
  const engine = await engines({
    dataDir,
    trackDelivery: false,
    coalesceMs: 20,
    hotFolder: folder,
    hotFolderStabilityMs: 100,
  });
  const { sandbox, repo } = engineInternals(engine);
  sandbox!.setFaults({ endpoints: 'send', status: { every: 1, status: 400, message } });
  return { folder, engine, sandbox: sandbox!, repo };
}

describe('hot folder: a failed file follows its document after Retry', () => {
  it('a refused invoice in failed/ goes to sent/ once a Retry sends it, and its old reason goes', async () => {
    const { folder, engine, sandbox, repo } = await refusingSends(
      'Temporary validation backend glitch',
    );
    writeFileSync(join(folder, 'retry-me.xml'), makeInvoice('HOT-RETRY-1'));
    await waitFor('retry-me.xml in failed/', () =>
      existsSync(join(folder, 'failed', 'retry-me.xml')),
    );
    const reasonFile = join(folder, 'failed', 'retry-me.xml.reason.txt');
    expect(readFileSync(reasonFile, 'utf8')).toContain('Temporary validation backend glitch');
    // The clerk uses the folder, not the window: the reason says so.
    expect(readFileSync(reasonFile, 'utf8')).toContain('save it into the hot folder again');
    expect(readFileSync(reasonFile, 'utf8')).not.toContain('drop it again');
    const [doc] = repo.list({ filter: 'all', limit: 10 }).rows;
    expect(doc!.state).toBe('failed');

    sandbox.setFaults({});
    const retried = await engine.handlers['documents:retry']({ ids: [doc!.id] });
    expect(retried.retried).toBe(1);
    await waitFor('retry-me.xml in sent/', () => existsSync(join(folder, 'sent', 'retry-me.xml')));
    expect(repo.get(doc!.id)!.state).toBe('accepted');
    expect(existsSync(join(folder, 'failed', 'retry-me.xml'))).toBe(false);
    expect(existsSync(reasonFile)).toBe(false);
    expect(existsSync(join(folder, 'retry-me.xml'))).toBe(false);
    // One document, not a second one for the file that came back for a moment.
    expect(repo.list({ filter: 'all', limit: 10 }).rows).toHaveLength(1);
  });

  it('a failed invoice cancelled afterwards keeps its file in failed/, with the new reason', async () => {
    const { folder, engine, repo } = await refusingSends('Nope');
    writeFileSync(join(folder, 'drop-it.xml'), makeInvoice('HOT-RETRY-2'));
    await waitFor('drop-it.xml in failed/', () =>
      existsSync(join(folder, 'failed', 'drop-it.xml')),
    );
    const [doc] = repo.list({ filter: 'all', limit: 10 }).rows;
    await engine.handlers['documents:cancel']({ ids: [doc!.id] });
    const reasonFile = join(folder, 'failed', 'drop-it.xml.reason.txt');
    await waitFor('the reason says cancelled', () =>
      existsSync(reasonFile) ? /cancelled/i.test(readFileSync(reasonFile, 'utf8')) : false,
    );
    expect(existsSync(join(folder, 'failed', 'drop-it.xml'))).toBe(true);
    expect(existsSync(join(folder, 'drop-it.xml'))).toBe(false);
    expect(repo.get(doc!.id)!.state).toBe('cancelled');
  });

  // The clerk retries the next morning, after the app was closed: the reason file names the
  // document, and the file is found again by it (and by its content).
  it('after a restart, a failed file in failed/ still follows its document when a Retry sends it', async () => {
    const dataDir = engines.tempDir();
    const { folder, engine } = await refusingSends('Backend glitch', dataDir);
    writeFileSync(join(folder, 'overnight.xml'), makeInvoice('HOT-RETRY-3'));
    const reasonFile = join(folder, 'failed', 'overnight.xml.reason.txt');
    await waitFor('overnight.xml in failed/', () => existsSync(reasonFile));
    const id = engineInternals(engine).repo.list({ filter: 'all', limit: 10 }).rows[0]!.id;
    expect(readFileSync(reasonFile, 'utf8')).toContain(`Peppol Desk document #${id}`);
    // Another folder's leftover naming the same document number, with other content: never moved.
    writeFileSync(join(folder, 'failed', 'stranger.xml'), makeInvoice('HOT-OTHER-1'));
    writeFileSync(
      join(folder, 'failed', 'stranger.xml.reason.txt'),
      `Refused.\n\nPeppol Desk document #${id}\n`,
    );
    await engines.stop(engine);

    const again = await engines({
      dataDir,
      trackDelivery: false,
      coalesceMs: 20,
      hotFolder: folder,
      hotFolderStabilityMs: 100,
    });
    const { repo } = engineInternals(again);
    expect(repo.get(id)!.state).toBe('failed');
    expect((await again.handlers['documents:retry']({ ids: [id] })).retried).toBe(1);
    await waitFor('overnight.xml in sent/', () =>
      existsSync(join(folder, 'sent', 'overnight.xml')),
    );
    expect(existsSync(reasonFile)).toBe(false);
    expect(existsSync(join(folder, 'failed', 'overnight.xml'))).toBe(false);
    expect(existsSync(join(folder, 'failed', 'stranger.xml'))).toBe(true);
    expect(repo.list({ filter: 'all', limit: 10 }).rows).toHaveLength(1);
  });
});
