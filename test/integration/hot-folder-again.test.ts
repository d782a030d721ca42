import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { useEngines } from '../helpers/engine';
import { makeInvoice, makeInvoiceWithWrongTotal } from '../helpers/invoices';
import { waitFor } from '../helpers/wait';

const engines = useEngines();

async function watching(trackDelivery: boolean) {
  const folder = engines.tempDir();
  const engine = await engines({
    trackDelivery,
    coalesceMs: 20,
    hotFolder: folder,
    hotFolderStabilityMs: 100,
    timings: { pollInitialMs: 50, pollMaxMs: 200 },
  });
  return { folder, engine, repo: engineInternals(engine).repo };
}

// Walk 3: files saved into the hot folder again, after their first copy was done with.
describe('hot folder: a file saved again', () => {
  it('the same bytes under the same name, after the invoice was delivered, go to sent/ too (not left in silence)', async () => {
    const { folder, repo } = await watching(true);
    const bytes = makeInvoice('HOT-AGAIN-1');
    writeFileSync(join(folder, 'again.xml'), bytes);
    await waitFor(
      'again.xml in sent/',
      () => existsSync(join(folder, 'sent', 'again.xml')),
      20_000,
    );
    const [doc] = repo.list({ filter: 'all', limit: 10 }).rows;
    expect(doc!.state).toBe('delivered');

    writeFileSync(join(folder, 'again.xml'), bytes);
    await waitFor('the copy in sent/ too', () => !existsSync(join(folder, 'again.xml')), 20_000);
    expect(readdirSync(join(folder, 'sent')).sort()).toEqual(['again (2).xml', 'again.xml']);
    // The same document: not sent twice.
    expect(repo.list({ filter: 'all', limit: 10 }).rows).toHaveLength(1);
  });

  it('saved again with other content just before its first version went out: not moved as sent, taken as a file of its own', async () => {
    // Walk 13: an ERP saved a corrected invoice over the same name about 2 s after the first; the
    // first version went out, and the corrected file was moved to sent/ as if it had.
    const folder = engines.tempDir();
    const log: string[] = [];
    const engine = await engines({
      trackDelivery: false,
      coalesceMs: 20,
      hotFolder: folder,
      // The watcher waits this long after a change: the first version is done before that.
      hotFolderStabilityMs: 1_500,
      log: (m) => log.push(m),
    });
    const repo = engineInternals(engine).repo;
    await engine.handlers['queue:pause'](undefined);
    const path = join(folder, 'rw.xml');
    const first = makeInvoice('HOT-RW-1');
    writeFileSync(path, first);
    const v1 = await waitFor('the first version queued', () =>
      repo.list({ filter: 'all', limit: 10 }).rows.find((d) => d.state === 'queued'),
    );
    const second = new TextDecoder()
      .decode(first)
      .replace('</cbc:Note>', ' (corrected)</cbc:Note>');
    writeFileSync(path, second);
    await engine.handlers['queue:resume'](undefined);
    await waitFor('the first version sent', () => repo.get(v1.id)?.state === 'accepted');
    await waitFor('the corrected file taken as a document of its own', () =>
      repo.list({ filter: 'all', limit: 10 }).rows.length === 2 ? true : undefined,
    );
    expect(log.join('\n')).toContain(
      'rw.xml was saved again with other content after it was taken; taken again',
    );
    const [, v2] = repo.list({ filter: 'all', sort: { key: 'id', dir: 'asc' }, limit: 10 }).rows;
    expect(v2!.sha256).not.toBe(v1.sha256);
    // Held for the clerk as a correction of an invoice already sent; its file stays in the
    // folder, as it is, and nothing is filed as sent.
    await waitFor('the corrected one held', () => repo.get(v2!.id)?.state === 'held');
    expect(repo.get(v2!.id)?.problem_message).toContain(
      'Invoice HOT-RW-1 from this seller was already sent (document #1) with different content',
    );
    expect(readFileSync(path, 'utf8')).toBe(second);
    expect(existsSync(join(folder, 'sent', 'rw.xml'))).toBe(false);
  });

  it('an invalid invoice replaced by a corrected file: the old copy in failed/ says it was replaced', async () => {
    const { folder, repo } = await watching(false);
    writeFileSync(join(folder, 'fixme.xml'), makeInvoiceWithWrongTotal('HOT-FIX-1'));
    const reasonFile = join(folder, 'failed', 'fixme.xml.reason.txt');
    await waitFor('fixme.xml in failed/', () => existsSync(reasonFile));
    expect(readFileSync(reasonFile, 'utf8')).toContain('save it into the hot folder again');

    writeFileSync(join(folder, 'fixme.xml'), makeInvoice('HOT-FIX-1'));
    await waitFor('the corrected one in sent/', () =>
      existsSync(join(folder, 'sent', 'fixme.xml')),
    );
    await waitFor('the old reason replaced', () =>
      readFileSync(reasonFile, 'utf8').startsWith('Replaced by a corrected file'),
    );
    expect(existsSync(join(folder, 'failed', 'fixme.xml'))).toBe(true);
    expect(existsSync(join(folder, 'fixme.xml'))).toBe(false);
    const states = repo
      .list({ filter: 'all', limit: 10 })
      .rows.map((d) => d.state)
      .sort();
    expect(states).toEqual(['accepted', 'superseded']);
  });
});
