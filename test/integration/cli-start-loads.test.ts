import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../app/sandbox/server';
import { distFile, ROOT } from '../helpers/dist';
import { makeInvoices } from '../helpers/invoices';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'pd-start-loads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Issue 9 (the whole `send` as fast as a bare send): every command paid for loading packages it
// did not use before its first request could leave. `send` loads undici's Pool and request by
// their paths, one histogram class, and prom-client only when a metrics port is set.
describe('what `peppol-desk send` loads', () => {
  async function packagesLoaded(extra: string[]): Promise<string[]> {
    const dir = join(work, `run-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(dir, 'in'), { recursive: true });
    for (const f of makeInvoices(2, 'LOADS')) writeFileSync(join(dir, 'in', f.name), f.bytes);
    const out = join(dir, 'requires.txt');
    await run(
      process.execPath,
      [
        '--require',
        join(ROOT, 'test/fixtures/record-requires.cjs'),
        distFile('cli.cjs'),
        'send',
        join(dir, 'in'),
        '--data-dir',
        join(dir, 'data'),
        '--json',
        ...extra,
      ],
      { env: { ...process.env, PEPPOL_DESK_REQUIRES_OUT: out } },
    );
    return readFileSync(out, 'utf8').split('\n');
  }

  it('leaves out prom-client, the undici index and the histogram index', async () => {
    const loaded = await packagesLoaded([]);
    expect(loaded).toContain('undici/lib/dispatcher/pool');
    expect(loaded).toContain('hdr-histogram-js/dist/Int32Histogram');
    expect(loaded).not.toContain('undici');
    expect(loaded).not.toContain('hdr-histogram-js');
    expect(loaded).not.toContain('prom-client');
  });

  // The XML parser is the validation workers' and the invoice view's: `send` to an access point
  // does not use it on its own thread (issue 9 point 2). (The hot folder's watcher is bundled,
  // app/folder-watcher.ts, and loads no package.)
  it('leaves out the XML parser when it sends to an access point', async () => {
    const sandbox = await startSandbox();
    try {
      const loaded = await packagesLoaded(['--endpoint', sandbox.url]);
      expect(loaded).toContain('better-sqlite3');
      expect(loaded).toContain('undici/lib/dispatcher/pool');
      expect(loaded).not.toContain('saxes');
    } finally {
      await sandbox.close();
    }
  });

  it('loads prom-client when it serves metrics', async () => {
    const loaded = await packagesLoaded(['--metrics-port', '0']);
    expect(loaded).toContain('prom-client');
  });
});
