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
