import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore } from '../../app/engine';
import { startSandbox } from '../../app/sandbox/server';
import { distFile, runCli as cli } from '../helpers/dist';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';
import { engineInternals } from '../../app/engine/internals';

const tempDir = useTempDirs();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** Polls `check` until it is true, or fails after `timeoutMs`. */

describe('final means final (issue 11)', () => {
  it('send --wait-delivery counts a failed delivery as failed, with advice that fits, and exits 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.xml'), makeInvoice('FIN-1'));
    writeFileSync(join(dir, 'cert.xml'), makeInvoice('FIN-2', { receiver: '9915:invalid-cert' }));
    const res = await cli([
      'send',
      join(dir, 'good.xml'),
      join(dir, 'cert.xml'),
      '--data-dir',
      join(dir, 'data'),
      '--wait-delivery',
      '--json',
    ]);
    expect(lastJson(res.stdout)).toMatchObject({ total: 2, sent: 1, failed: 1, rejected: 0 });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('certificate is not valid on the Peppol network');
    expect(res.stderr).not.toContain('Peppol ID');
    // Between acceptance and delivery it says what it waits for (walk 9: silent for a minute).
    expect(res.stderr).toContain(
      '2 accepted by the access point; waiting for their delivery to the buyers (Ctrl+C stops waiting; nothing is lost).',
    );
  }, 60_000);

  it('send --wait-delivery --wait-response counts a buyer rejection as rejected, not sent, and exits 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 're.xml'), makeInvoice('FIN-RE', { receiver: '9915:reject-all' }));
    writeFileSync(join(dir, 'ap.xml'), makeInvoice('FIN-AP', { receiver: '9915:respond-ap' }));
    const res = await cli([
      'send',
      join(dir, 're.xml'),
      join(dir, 'ap.xml'),
      '--data-dir',
      join(dir, 'data'),
      '--wait-delivery',
      '--wait-response',
      '20',
      '--json',
    ]);
    expect(lastJson(res.stdout)).toMatchObject({ total: 2, sent: 1, failed: 0, rejected: 1 });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('The buyer rejected this invoice');
  }, 60_000);

  // Walk 8: a queried or conditionally accepted invoice was counted as sent and nothing more was
  // said, while the app lists it under Needs attention.
  it('send --wait-response counts a buyer query or condition as sent, and says it needs attention and what the buyer asked', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'uq.xml'), makeInvoice('FIN-UQ', { receiver: '9915:respond-uq' }));
    writeFileSync(join(dir, 'ca.xml'), makeInvoice('FIN-CA', { receiver: '9915:respond-ca' }));
    writeFileSync(join(dir, 'ap.xml'), makeInvoice('FIN-AP2', { receiver: '9915:respond-ap' }));
    const args = [
      'send',
      join(dir, 'uq.xml'),
      join(dir, 'ca.xml'),
      join(dir, 'ap.xml'),
      '--data-dir',
      join(dir, 'data'),
      '--wait-delivery',
      '--wait-response',
      '20',
    ];
    const res = await cli(args);
    expect(res.stdout).toMatch(
      /^3 sent \(2 of them need your attention: the buyer asked a question or set a condition\), 0 failed, 0 rejected by the buyer, /m,
    );
    const said = res.stderr.split('\n');
    // Each line names its document (the commands that act on it need the id).
    expect(
      said.filter((l) => /uq\.xml \(document #\d+\): The buyer has a question/.test(l)),
    ).toHaveLength(1);
    expect(
      said.filter((l) =>
        /ca\.xml \(document #\d+\): The buyer accepted this invoice on a condition/.test(l),
      ),
    ).toHaveLength(1);
    expect(said.filter((l) => l.startsWith('ap.xml'))).toHaveLength(0);
    // The same files again: sent earlier, still counted, in the JSON too.
    const again = await cli([...args, '--json']);
    expect(lastJson(again.stdout)).toMatchObject({ total: 3, sent: 3, needsAttention: 2 });
  }, 60_000);

  it('watch moves a file whose delivery failed to failed/ with the reason, never to sent/', async () => {
    const dir = tempDir();
    const folder = join(dir, 'outbox');
    mkdirSync(folder);
    const child = spawn(
      process.execPath,
      [distFile('cli.cjs'), 'watch', folder, '--data-dir', join(dir, 'data'), '--stable-ms', '200'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      await waitFor('the watch banner', () => stdout.includes('Watching'));
      writeFileSync(
        join(folder, 'cert.xml'),
        makeInvoice('W-CERT', { receiver: '9915:invalid-cert' }),
      );
      writeFileSync(join(folder, 're.xml'), makeInvoice('W-RE', { receiver: '9915:reject-all' }));
      writeFileSync(join(folder, 'ok.xml'), makeInvoice('W-OK'));
      await waitFor('cert.xml in failed/', () => existsSync(join(folder, 'failed', 'cert.xml')));
      await waitFor('re.xml in failed/', () => existsSync(join(folder, 'failed', 're.xml')));
      await waitFor('ok.xml in sent/', () => existsSync(join(folder, 'sent', 'ok.xml')));
      expect(existsSync(join(folder, 'sent', 'cert.xml'))).toBe(false);
      expect(existsSync(join(folder, 'sent', 're.xml'))).toBe(false);
      expect(readFileSync(join(folder, 'failed', 'cert.xml.reason.txt'), 'utf8')).toContain(
        'certificate',
      );
      expect(readFileSync(join(folder, 'failed', 're.xml.reason.txt'), 'utf8')).toContain(
        'The buyer rejected this invoice',
      );
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});

describe('documents pinned to their access point (issue 11)', () => {
  it('a run with another --endpoint leaves them alone, names them and exits 1 at once; reroute is the explicit step', async () => {
    const first = await startSandbox({ faults: { status503: { every: 1 } } });
    cleanups.push(() => first.close());
    const second = await startSandbox({});
    cleanups.push(() => second.close());
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const file = join(dir, 'pin.xml');
    writeFileSync(file, makeInvoice('PIN-1'));
    // Queued for the first access point, which keeps answering 503: waiting to retry there.
    const engine = await createEngine({
      dataDir,
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: first.url,
      trackDelivery: false,
      batching: false,
      timings: { retryBaseMs: 60_000, retryMaxMs: 60_000 },
    });
    // With it, one whose delivery will fail (for reroute --wait-delivery below).
    const added = await engine.handlers['documents:add']({
      files: [
        { name: file, bytes: readFileSync(file) },
        { name: 'cert.xml', bytes: makeInvoice('PIN-2', { receiver: '9915:invalid-cert' }) },
      ],
    });
    const [id, cert] = added.added.map((a) => a.id) as [number, number];
    try {
      for (const each of [id, cert])
        await expect
          .poll(() => engineInternals(engine).repo.get(each)?.state, { timeout: 10_000 })
          .toBe('retry_wait');
    } finally {
      await engine.stop();
    }

    const started = Date.now();
    const res = await cli([
      'send',
      file,
      '--data-dir',
      dataDir,
      '--endpoint',
      second.url,
      '--json',
    ]);
    expect(res.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(res.stderr).toContain(
      `1 document(s) were queued for 127.0.0.1:${new URL(first.url).port}`,
    );
    expect(res.stderr).toContain(`#${id} `);
    expect(res.stderr).toContain(`peppol-desk reroute ${id}`);
    // Its attempts were answered 503: it may be there already, which the advice says first.
    expect(res.stderr).toContain(
      `#${id} may already have reached the access point it was queued for: ask that provider first whether it arrived`,
    );
    expect(second.stats().acceptedDocuments).toBe(0);

    const rerouted = await cli([
      'reroute',
      String(id),
      '--data-dir',
      dataDir,
      '--endpoint',
      second.url,
      '--json',
    ]);
    expect(rerouted.code).toBe(0);
    expect(lastJson(rerouted.stdout)).toMatchObject({ sent: 1, failed: 0 });
    expect(second.stats().acceptedDocuments).toBe(1);

    // --all leaves this one held (walk 10): its last attempt, answered 503, may have reached the
    // first access point. Said, with how to decide; not counted as failed.
    const all = await cli(['reroute', '--all', '--data-dir', dataDir, '--endpoint', second.url]);
    expect(all.code).toBe(1);
    expect(all.stderr).toContain(`1 document(s) left held, not sent: #${cert}.`);
    expect(all.stdout).toBe('0 sent, 0 failed, 1 held for your decision\n');
    expect(second.stats().acceptedDocuments).toBe(1);

    // Named, it goes (the clerk's decision). --wait-delivery waits for the delivery, which fails
    // for this one: failed, not sent.
    const waited = await cli([
      'reroute',
      String(cert),
      '--wait-delivery',
      '--data-dir',
      dataDir,
      '--endpoint',
      second.url,
      '--json',
    ]);
    expect(waited.code).toBe(1);
    expect(lastJson(waited.stdout)).toMatchObject({ sent: 0, failed: 1 });
    expect(second.stats().acceptedDocuments).toBe(2);
  }, 60_000);
});

// Walk 23b: `retry 300` sent again, without a word, a file the access point had refused for its
// content (refused again); `retry --all-failed` said "1 left as it is" and neither which nor why.
describe('retry of a file the access point refused itself', () => {
  it('Retry all leaves it, named with why and what to do; named, it is sent again as asked, and said so', async () => {
    const ap = await startSandbox({});
    cleanups.push(() => ap.close());
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const file = join(dir, 'refused.xml');
    writeFileSync(file, makeInvoice('REFUSED-1'));
    ap.setFaults({ status: { every: 1, max: 1, status: 400 } });
    const sent = await cli(['send', file, '--data-dir', dataDir, '--endpoint', ap.url]);
    expect(sent.code).toBe(1);
    expect(sent.stdout).toMatch(/^0 sent, 1 failed/);
    const all = await cli(['retry', '--all-failed', '--data-dir', dataDir, '--endpoint', ap.url]);
    expect(all.code).toBe(1);
    expect(all.stderr).toContain('Retrying 0 of 1 document(s); 1 left as it is\n');
    expect(all.stderr).toContain(
      '1 document(s) left as it is, not sent again: #1. The access point refused the file itself, so the same file would most likely be refused again: fix it in your accounting system and send the corrected file.\n',
    );
    expect(all.stdout).toBe('0 sent, 1 failed (1 of them left as named above)\n');
    // Not sent again (the fault refuses only the first send: a second would be accepted).
    expect(ap.stats().acceptedDocuments).toBe(0);
    // Named, it is sent again as asked (the refusal may have been the access point's mistake),
    // and said so first.
    const named = await cli(['retry', '1', '--data-dir', dataDir, '--endpoint', ap.url]);
    expect(named.stderr).toContain(
      '1 document(s) the access point had refused itself sent again, as you asked: #1. Unless the reason is gone, the access point will refuse it again: then fix it in your accounting system and send the corrected file. (`retry --all-failed` leaves such files as they are.)\n',
    );
    expect([named.code, named.stdout]).toEqual([0, '1 sent, 0 failed\n']);
    expect(ap.stats().acceptedDocuments).toBe(1);
  }, 60_000);
});
