import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore } from '../../app/engine';
import { spawnSandboxProcess, type SandboxProcess } from '../../app/sandbox/process';
import { distFile } from '../helpers/dist';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { engineInternals } from '../../app/engine/internals';

const run = promisify(execFile);
const tempDir = useTempDirs();
let sandbox: SandboxProcess;

beforeAll(async () => {
  sandbox = await spawnSandboxProcess({
    entryPath: distFile('sandbox.cjs'),
    latencyMs: 5,
    stepMs: 20,
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('engine + sandbox in a separate process', () => {
  it('sends 200 documents added at once; the access point sees each exactly once', async () => {
    const before = await sandbox.stats();
    const engine = await createEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: sandbox.url,
      trackDelivery: false,
    });
    try {
      expect(engineInternals(engine).sandbox).toBeNull();
      const res = await engine.handlers['documents:add']({ files: makeInvoices(200, 'I200') });
      expect(res.added).toHaveLength(200);
      const ids = res.added.map((a) => a.id);
      await engine.waitUntilSettled(ids, { includeAccepted: true });
      const states = ids.map((id) => engineInternals(engine).repo.get(id)?.state);
      expect(states.every((s) => s === 'accepted')).toBe(true);
      const after = await sandbox.stats();
      expect(after.acceptedDocuments - before.acceptedDocuments).toBe(200);
      expect(after.duplicateContentAccepts).toBe(0);
      expect(after.duplicateInvoiceNumbers.count).toBe(0);
    } finally {
      await engine.stop();
    }
  });
});

describe('peppol-desk send (CLI)', () => {
  it('sends a folder to --endpoint, prints the JSON summary, and is idempotent when run again', async () => {
    const dir = tempDir();
    const inbox = join(dir, 'in');
    mkdirSync(join(inbox, 'sub'), { recursive: true });
    for (let i = 1; i <= 4; i++) writeFileSync(join(inbox, `c-${i}.xml`), makeInvoice(`CLI-${i}`));
    writeFileSync(join(inbox, 'sub', 'c-5.xml'), makeInvoice('CLI-5'));
    writeFileSync(join(inbox, 'notes.txt'), 'not an invoice, ignored in folders');
    const args = [
      distFile('cli.cjs'),
      'send',
      inbox,
      '--endpoint',
      sandbox.url,
      '--data-dir',
      join(dir, 'data'),
      '--json',
    ];
    const first = await run(process.execPath, args);
    const line = JSON.parse(first.stdout.trim().split('\n').pop()!);
    expect(line).toMatchObject({ total: 5, sent: 5, failed: 0, invalid: 0, duplicates: 0 });
    expect(typeof line.seconds).toBe('number');
    const acceptedBefore = (await sandbox.stats()).acceptedDocuments;
    const second = await run(process.execPath, args);
    expect(JSON.parse(second.stdout.trim())).toMatchObject({ total: 5, sent: 5 });
    expect((await sandbox.stats()).acceptedDocuments).toBe(acceptedBefore);
  });

  it('exits non-zero and counts invalid files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.xml'), '<Invoice');
    const res = await run(process.execPath, [
      distFile('cli.cjs'),
      'send',
      join(dir, 'bad.xml'),
      '--endpoint',
      sandbox.url,
      '--data-dir',
      join(dir, 'data'),
      '--json',
    ]).catch((e: { code: number; stdout: string }) => e);
    expect((res as { code?: number }).code).toBe(1);
    expect(JSON.parse(res.stdout.trim())).toMatchObject({ total: 1, sent: 0, invalid: 1 });
  });

  it('lists, retries and cancels documents that need attention', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    writeFileSync(join(dir, 'nr.xml'), makeInvoice('CLI-NR', { receiver: '9915:not-registered' }));
    const cli = (...a: string[]) =>
      run(process.execPath, [distFile('cli.cjs'), ...a, '--data-dir', dataDir]).catch(
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const sent = await cli('send', join(dir, 'nr.xml'), '--endpoint', sandbox.url, '--json');
    expect(JSON.parse(sent.stdout.trim())).toMatchObject({
      total: 1,
      sent: 0,
      failed: 0,
      notOnPeppol: 1,
    });
    const listed = await cli('list', '--filter', 'attention', '--json');
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'unreachable', invoiceNumber: 'CLI-NR' });
    expect(rows[0].problem.message).toContain('not registered on the Peppol network');
    const retried = await cli('retry', String(rows[0].id), '--endpoint', sandbox.url, '--json');
    expect(JSON.parse(retried.stdout.trim())).toMatchObject({
      total: 1,
      sent: 0,
      failed: 0,
      notOnPeppol: 1,
    });
    const cancelled = await cli('cancel', String(rows[0].id));
    expect(cancelled.stdout).toContain('1 of 1 cancelled');
    const after = await cli('list', '--json');
    expect(JSON.parse(after.stdout.trim()).state).toBe('cancelled');
  });
});
