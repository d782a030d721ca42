import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CANCEL_UNSAFE_MESSAGE, createEngine, memorySecretStore } from '../../app/engine';
import { startSandbox } from '../../app/sandbox/server';
import { distFile, runCli as cli } from '../helpers/dist';
import { makeInvoice, makeInvoiceWithWrongTotal } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { engineInternals } from '../../app/engine/internals';

const tempDir = useTempDirs();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `peppol-desk send <args>` as its own process, killed after the test if still running. */
function spawnSend(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [distFile('cli.cjs'), 'send', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = () => new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { child, out, exited };
}

describe('peppol-desk send', () => {
  it('names a file that is the same file as another of the run (walk 21: "Sending 3 file(s)", then "of 2")', async () => {
    const sandbox = await startSandbox();
    cleanups.push(() => sandbox.close());
    const dir = tempDir();
    const inbox = join(dir, 'in');
    mkdirSync(join(inbox, 'a'), { recursive: true });
    mkdirSync(join(inbox, 'b'));
    const bytes = makeInvoice('SAME-1');
    writeFileSync(join(inbox, 'a', 'cn.xml'), bytes);
    writeFileSync(join(inbox, 'b', 'cn.xml'), bytes);
    const res = await cli([
      'send',
      inbox,
      '--endpoint',
      sandbox.url,
      '--api-key',
      'sk_test_same_file_0001',
      '--data-dir',
      join(dir, 'data'),
    ]);
    expect(res.stderr).toContain('Sending 2 file(s)');
    expect(res.stderr).toContain(
      `b${sep}cn.xml: the same file as a${sep}cn.xml (same name and content): counted once.`,
    );
    expect(res.stdout).toMatch(/^1 sent, .* of 1 in /m);
    expect(sandbox.stats().acceptedDocuments).toBe(1);
  });

  it('interrupted (Ctrl+C), it says what went out, what waits and what to do (--json: a last line too)', async () => {
    const ap = await startSandbox({ latencyMs: 150 });
    cleanups.push(() => ap.close());
    const dir = tempDir();
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    for (let i = 0; i < 60; i++) writeFileSync(join(inbox, `i${i}.xml`), makeInvoice(`INT-${i}`));
    // Checked before anything is sent (its chunk is the first): it needs the clerk, and running
    // the command again will not send it (a walk: counted among those that "wait").
    writeFileSync(join(inbox, 'a-wrong.xml'), makeInvoiceWithWrongTotal('INT-WRONG'));
    const { child, out, exited } = spawnSend([
      inbox,
      '--endpoint',
      ap.url,
      '--batch',
      'off',
      '--concurrency',
      '4',
      '--data-dir',
      join(dir, 'data'),
      '--json',
    ]);
    // Bounded: sends are under way once the sandbox has accepted a few.
    await expect.poll(() => ap.stats().acceptedDocuments, { timeout: 20_000 }).toBeGreaterThan(2);
    child.kill('SIGINT');
    const code = await exited();
    expect(code).toBe(130);
    const sent = ap.stats().acceptedDocuments;
    expect(sent).toBeLessThan(60);
    expect(out.stderr).toMatch(
      /Stopped: \d+ of 61 invoice\(s\) were sent \(accepted by the access point\); \d+ on (its|their) way waits? in the data folder [^;]*; 1 needs you \(peppol-desk list --filter attention\)\. Run the same command again to send the rest: nothing is sent twice\./,
    );
    // Counted once the sends in flight were answered (walk 8: "850 of 2000 … sent", then 212
    // more accepted before the process ended): the number is what the access point accepted.
    expect(out.stderr).toContain('Stopping: the invoices being sent now are answered first…\n');
    const said = Number(/Stopped: (\d+) of 61/.exec(out.stderr)?.[1]);
    expect(said).toBe(sent);
    const waits = Number(/; (\d+) on (its|their) way/.exec(out.stderr)?.[1]);
    expect(said + waits + 1).toBe(61);
    // A script reads the same figures from the last line (walk 10: none was printed).
    expect(JSON.parse(out.stdout.trim().split('\n').pop()!)).toEqual({
      interrupted: true,
      total: 61,
      sent: said,
      onTheirWay: waits,
      needYou: 1,
      notRead: 0,
    });
  }, 60_000);

  it('with --wait-delivery, progress and Ctrl+C say how many sent wait for their delivery receipt (walk 19)', async () => {
    // One buyer's access point takes long (9915:timeout-test stays in `sending`): the run waits
    // for that receipt; it said "10 of 10 sent, 0 on their way" and nothing of what it waited for.
    const ap = await startSandbox({ transactionStepMs: 20, slowSendingMs: 600_000 });
    cleanups.push(() => ap.close());
    const dir = tempDir();
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'fast.xml'), makeInvoice('WD-1'));
    writeFileSync(join(inbox, 'slow.xml'), makeInvoice('WD-2', { receiver: '9915:timeout-test' }));
    const { child, out, exited } = spawnSend(
      [inbox, '--endpoint', ap.url, '--wait-delivery', '--data-dir', join(dir, 'data')],
      { PEPPOL_DESK_PROGRESS_MS: '200' },
    );
    const waiting =
      'Still working: 2 of 2 sent, 0 on their way, 1 of the sent waiting for its delivery receipt.';
    await expect.poll(() => out.stderr.includes(waiting), { timeout: 30_000 }).toBe(true);
    child.kill('SIGINT');
    const code = await exited();
    expect(code).toBe(130);
    expect(out.stderr).toContain(
      'Stopped: 2 of 2 invoice(s) were sent (accepted by the access point; 1 of them not yet confirmed delivered: asked about again when the app, watch or send --wait-delivery runs with this data folder); 0 on their way wait in the data folder',
    );
    // Nothing is left to send: not told to run it again "to send the rest" (walk 19b).
    expect(out.stderr).not.toContain('send the rest');
  }, 60_000);

  it('a long run says how far it got now and then (not with --json)', async () => {
    // Walk 11: a run of 382 s said nothing between its first line and its summary.
    const ap = await startSandbox({ latencyMs: 100 });
    cleanups.push(() => ap.close());
    const dir = tempDir();
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    for (let i = 0; i < 40; i++) writeFileSync(join(inbox, `p${i}.xml`), makeInvoice(`PROG-${i}`));
    const args = ['send', inbox, '--endpoint', ap.url, '--batch', 'off', '--concurrency', '2'];
    // 40 at 2 at a time, 100 ms each: 2 s at least (the wait looks once a second); told every
    // 200 ms here (15 s by default).
    const env = { PEPPOL_DESK_PROGRESS_MS: '200' };
    const text = await cli([...args, '--data-dir', join(dir, 'a')], env);
    expect(text.code).toBe(0);
    const lines = text.stderr.split('\n').filter((l) => l.startsWith('Still working: '));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^Still working: \d+ of 40 sent, \d+ on their way\.$/);
    expect(text.stdout).toMatch(/^40 sent, /);
    const json = await cli([...args, '--data-dir', join(dir, 'b'), '--json'], env);
    expect(json.code).toBe(0);
    expect(json.stderr).not.toContain('Still working');
  }, 60_000);

  it('a summary a script can trust: held for a decision is not "failed", a re-run says what an earlier run sent, an empty folder is not success', async () => {
    // A walk (5): "4 failed" counted a document held for a decision; a re-run said "1000 sent"
    // though nothing left; an empty folder exited 0.
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'good.xml'), makeInvoice('TRUST-1'));
    writeFileSync(
      join(inbox, 'cn-only.xml'),
      makeInvoice('TRUST-2', { receiver: '9915:credit-note-only' }),
    );
    const first = await cli(['send', inbox, '--data-dir', data, '--json']);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout.trim().split('\n').pop()!)).toMatchObject({
      total: 2,
      sent: 1,
      failed: 0,
      held: 1,
      sentEarlier: 0,
    });
    const again = await cli(['send', inbox, '--data-dir', data]);
    expect(again.stdout).toMatch(
      /^1 sent \(1 of them before this run\), 0 failed, 0 rejected by the buyer, 0 invalid, 0 held as duplicates, 1 held for your decision, of 2 in /,
    );
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'scan.pdf'), 'not an invoice');
    const none = await cli(['send', empty, '--data-dir', data]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`No invoice files found in ${empty}: nothing was sent.`);
  }, 60_000);

  it('a name that leads nowhere is "not found", not "failed", and nothing else is claimed', async () => {
    // Walk 9: `send nonexist` said "Sending 0 file(s)", then "1 failed … of 1".
    const dir = tempDir();
    const data = join(dir, 'data');
    const nowhere = join(dir, 'nonexist');
    const alone = await cli(['send', nowhere, '--data-dir', data]);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain(`Not found: ${nowhere}\n`);
    expect(alone.stderr).toContain(`Nothing to send: no file or folder named ${nowhere}.`);
    expect(alone.stderr).not.toContain('Sending 0 file(s)');
    expect(alone.stdout).toMatch(/^0 sent, 0 failed, .*, 1 not found, of 1 in /);
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'good.xml'), makeInvoice('FOUND-1'));
    const mixed = await cli(['send', inbox, nowhere, '--data-dir', data, '--json']);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).not.toContain('Nothing to send');
    expect(JSON.parse(mixed.stdout.trim().split('\n').pop()!)).toMatchObject({
      total: 2,
      sent: 1,
      failed: 0,
      notFound: 1,
    });
  }, 60_000);

  // Walk 23: an empty file was counted among the failed sends; it is a file to fix.
  it('counts files refused when added (empty) as invalid, in the total too, and exits 1', async () => {
    const dir = tempDir();
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'good.xml'), makeInvoice('CLI-1'));
    writeFileSync(join(inbox, 'empty.xml'), '');
    const res = await cli(['send', inbox, '--data-dir', join(dir, 'data'), '--json']);
    expect(res.stderr).toContain('empty.xml: The file is empty');
    const summary = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ total: 2, sent: 1, failed: 0, invalid: 1, duplicates: 0 });
    expect(res.code).toBe(1);
  }, 30_000);

  it('refuses to work on a data folder another live process works on, and takes over at once from a killed one', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const watched = join(dir, 'watched');
    mkdirSync(watched);
    writeFileSync(join(dir, 'a.xml'), makeInvoice('LOCK-1'));
    // A long-running engine in another process: `watch` runs until interrupted.
    const holder = spawn(
      process.execPath,
      [distFile('cli.cjs'), 'watch', watched, '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      holder.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Watching')) resolve();
      });
      holder.on('exit', (code) => reject(new Error(`watch exited ${code}`)));
    });
    const res = await cli(['send', join(dir, 'a.xml'), '--data-dir', dataDir, '--json']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(
      `Peppol Desk is already running with this data folder (pid ${holder.pid}). Close it or use --data-dir.`,
    );
    // SIGKILL: no clean-up ran, yet the next engine takes the folder at once.
    const exited = new Promise((r) => holder.on('exit', r));
    holder.kill('SIGKILL');
    await exited;
    const engine = await createEngine({
      dataDir,
      secrets: memorySecretStore(),
      host: 'cli',
      trackDelivery: false,
    });
    await engine.stop();
  }, 30_000);

  it('stores every file byte for byte when a folder is read in several chunks', async () => {
    const dir = tempDir();
    const inbox = join(dir, 'in');
    const dataDir = join(dir, 'data');
    mkdirSync(inbox);
    // More files than the first chunk takes (64): the second chunk is read into the same buffer
    // as the first, so a document keeping a view of it would change under it.
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 70; i++) {
      const bytes = Buffer.from(makeInvoice(`CHUNK-${i}`, { note: 'n'.repeat(i * 37) }));
      files.set(`c-${i}.xml`, bytes);
      writeFileSync(join(inbox, `c-${i}.xml`), bytes);
    }
    const res = await cli(['send', inbox, '--data-dir', dataDir, '--json']);
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toMatchObject({ total: 70, sent: 70 });
    const engine = await createEngine({
      dataDir,
      secrets: memorySecretStore(),
      host: 'cli',
      trackDelivery: false,
    });
    try {
      const { repo } = engineInternals(engine);
      const stored = repo.inState('accepted', 1000);
      expect(stored).toHaveLength(70);
      for (const d of stored) expect(repo.getBody(d.id).equals(files.get(d.file_name)!)).toBe(true);
    } finally {
      await engine.stop();
    }
  }, 60_000);
});

describe('peppol-desk send, the API key refused', () => {
  it('says so, leaves the invoices waiting in the queue (none failed) and exits 1', async () => {
    const sandbox = await startSandbox({
      faults: { endpoints: 'all', status: { every: 1, status: 401 } },
    });
    cleanups.push(() => sandbox.close());
    const dir = tempDir();
    writeFileSync(join(dir, 'k.xml'), makeInvoice('CLI-KEY'));
    const res = await cli([
      'send',
      join(dir, 'k.xml'),
      '--data-dir',
      join(dir, 'data'),
      '--endpoint',
      sandbox.url,
      '--api-key',
      'sk_test_refused_key_0001',
      '--json',
    ]);
    expect(res.stderr).toContain('The access point did not accept the API key.');
    // A command line has no Settings, and the run stops here (walk 18).
    expect(res.stderr).toContain(
      'The invoices stay queued in the data folder: check the key (PEPPOL_DESK_API_KEY, --api-key-file, or the key saved in the app) and run the command again.',
    );
    expect(res.stderr).not.toContain('Settings');
    const summary = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ total: 1, sent: 0, failed: 0, waiting: 1 });
    expect(res.code).toBe(1);
  }, 30_000);

  it('with no key at all, says that a key is missing (not that it was refused)', async () => {
    const sandbox = await startSandbox({
      faults: { endpoints: 'all', status: { every: 1, status: 401 } },
    });
    cleanups.push(() => sandbox.close());
    const dir = tempDir();
    writeFileSync(join(dir, 'k.xml'), makeInvoice('CLI-NOKEY'));
    const res = await cli(
      ['send', join(dir, 'k.xml'), '--data-dir', join(dir, 'data')].concat([
        '--endpoint',
        sandbox.url,
        '--json',
      ]),
    );
    expect(res.stderr).toContain('No API key is set for this provider.');
    expect(res.stderr).toContain('give the key (PEPPOL_DESK_API_KEY');
    expect(res.code).toBe(1);
  }, 30_000);
});

describe('peppol-desk cancel', () => {
  it('refuses a document whose last attempt may have reached the access point, with the reason, and exits 1', async () => {
    const sandbox = await startSandbox({ faults: { status503: { every: 1 } } });
    cleanups.push(() => sandbox.close());
    const dataDir = tempDir();
    const engine = await createEngine({
      dataDir,
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: sandbox.url,
      trackDelivery: false,
      batching: false,
      timings: { retryBaseMs: 60_000, retryMaxMs: 60_000 },
    });
    const res = await engine.handlers['documents:add']({
      files: [{ name: 'w.xml', bytes: makeInvoice('CLI-W') }],
    });
    const id = res.added[0]!.id;
    try {
      await expect
        .poll(() => engineInternals(engine).repo.get(id)?.state, { timeout: 10_000 })
        .toBe('retry_wait');
    } finally {
      await engine.stop();
    }
    const out = await cli(['cancel', String(id), '--data-dir', dataDir]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(CANCEL_UNSAFE_MESSAGE);
  }, 30_000);
});
