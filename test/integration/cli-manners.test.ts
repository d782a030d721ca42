import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { distFile, runCli as cli } from '../helpers/dist';
import { makeInvoice, makeInvoiceWithWrongTotal, makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

describe('peppol-desk manners', () => {
  it('retry of invoices that failed at delivery says that "sent" is their acceptance, and --wait-delivery waits for their delivery', async () => {
    // A walk: `retry --all-failed` printed "500 sent, 0 failed" and exited 0 for invoices whose
    // delivery then failed again.
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(
      join(inbox, 'cert.xml'),
      makeInvoice('CERT-1', { receiver: '9915:invalid-cert' }),
    );
    const sent = await cli(['send', inbox, '--wait-delivery', '--data-dir', data]);
    expect(sent.code).toBe(1);
    expect(sent.stdout).toMatch(/^0 sent, 1 failed/);
    const quick = await cli(['retry', '--all-failed', '--data-dir', data]);
    expect([quick.code, quick.stdout]).toEqual([0, '1 sent, 0 failed\n']);
    expect(quick.stderr).toContain(
      '1 of these had failed at delivery, after the access point accepted them: "sent" counts their acceptance again, not their delivery. Run with --wait-delivery',
    );
    // The same again in another data folder, this time waiting for the delivery.
    const data2 = join(dir, 'data2');
    expect((await cli(['send', inbox, '--wait-delivery', '--data-dir', data2])).code).toBe(1);
    const waited = await cli(['retry', '--all-failed', '--wait-delivery', '--data-dir', data2]);
    expect([waited.code, waited.stdout]).toEqual([1, '0 sent, 1 failed\n']);
    expect(waited.stderr).not.toContain('had failed at delivery');
    // Said before they go, with or without waiting (walk 24: said only at the end).
    for (const r of [quick, waited])
      expect(r.stderr.split('\n')[0]).toBe(
        '1 of these failed at delivery after the access point accepted it: Retry sends it again as a new submission, its buyer looked up again first.',
      );
  }, 60_000);

  it('list shows every document of a drop larger than a page, newest first, and counts what it shows', async () => {
    // A walk: `list` printed the newest 5,000 of a 10,000-invoice month under "10000 document(s)".
    const data = join(tempDir(), 'data');
    const engine = await createEngine({
      dataDir: data,
      secrets: memorySecretStore(),
      host: 'cli',
      autoStart: false,
    });
    const n = 5_003;
    for (let i = 0; i < n; i += 1_000) {
      const files = makeInvoices(Math.min(1_000, n - i), `BIG${i}-`);
      expect((await engine.handlers['documents:add']({ files })).added).toHaveLength(files.length);
    }
    await engine.stop();
    const json = await cli(['list', '--json', '--data-dir', data]);
    const ids = json.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: number }).id);
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
    expect(ids[0]).toBe(n);
    expect(ids.at(-1)).toBe(1);
    const text = await cli(['list', '--data-dir', data]);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines.at(-1)).toBe(`${n} document(s): ${n} received`);
    // Nothing runs with the folder: said, as their words promise what only a running desk does.
    expect(text.stderr).toBe(
      `Nothing is sending from this data folder now: the ${n} on their way move on when Peppol Desk runs with it (the app, or peppol-desk send of their folder, or watch).\n`,
    );
  }, 120_000);

  it('send names a held document by its own id; send-anyway of one the buyer cannot take says why, in its words (walk 14)', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(
      join(inbox, 'cn-only.xml'),
      makeInvoice('CNO-1', { receiver: '9915:credit-note-only' }),
    );
    const sent = await cli(['send', inbox, '--data-dir', data]);
    const id =
      /^cn-only\.xml \(document #(\d+)\): The buyer 9915:credit-note-only is on Peppol but does not accept invoices/m.exec(
        sent.stderr,
      )?.[1];
    expect(id, sent.stderr).toBeDefined();
    const anyway = await cli(['send-anyway', id!, '--data-dir', data]);
    expect(anyway.code).toBe(1);
    expect(anyway.stderr).toContain(
      `#${id}: The buyer 9915:credit-note-only is on Peppol but does not accept invoices`,
    );
    expect(anyway.stderr).not.toContain('not waiting for a decision');
  }, 60_000);

  it('send counts a held copy as a duplicate; list --filter counts what it lists; send-anyway on a cancelled document claims no failure', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    const bytes = makeInvoice('SUM-1');
    writeFileSync(join(inbox, 'a.xml'), bytes);
    writeFileSync(join(inbox, 'b-copy.xml'), bytes);
    writeFileSync(join(inbox, 'c.xml'), makeInvoice('SUM-2'));
    const sent = await cli(['send', inbox, '--data-dir', data, '--json']);
    const summary = JSON.parse(sent.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(summary).toMatchObject({ total: 3, sent: 2, failed: 0, duplicates: 1 });

    const attention = await cli(['list', '--filter', 'attention', '--data-dir', data]);
    expect(attention.stdout.trim().split('\n').at(-1)).toBe('1 document(s): 1 needs your decision');
    const all = await cli(['list', '--data-dir', data]);
    expect(all.stdout).toMatch(/3 document\(s\): .*2 /);

    const held = /^#(\d+)\tNeeds your decision/m.exec(attention.stdout)?.[1];
    expect(held).toBeDefined();
    // Cancelled now: not said to be "already cancelled" (walk 11).
    const first = await cli(['cancel', held!, '--data-dir', data]);
    expect([first.code, first.stdout, first.stderr]).toEqual([0, '1 of 1 cancelled\n', '']);
    // Cancelled already: said so, not "already sent, or may have reached the access point".
    const again = await cli(['cancel', held!, '--data-dir', data]);
    expect([again.code, again.stdout]).toEqual([1, '0 of 1 cancelled\n']);
    expect(again.stderr).toBe(`#${held}: Cancelled: already cancelled\n`);
    const anyway = await cli(['send-anyway', held!, '--data-dir', data]);
    expect(anyway.code).toBe(1);
    expect(anyway.stderr).toContain(
      '1 of 1 was not waiting for a decision (sent, cancelled or decided already), so there was nothing to decide.',
    );
    expect(anyway.stdout).not.toMatch(/failed/);
    // Nothing left to list: the line ends with the count (a walk read "0 document(s): ").
    const none = await cli(['list', '--filter', 'attention', '--data-dir', data]);
    expect(none.stdout.trim().split('\n').at(-1)).toBe('0 document(s)');
    // The folder sent again: the cancelled copy is not sent, and is counted as cancelled, not as
    // failed (walk 18b).
    const rerun = await cli(['send', inbox, '--data-dir', data, '--json']);
    const after = JSON.parse(rerun.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(after).toMatchObject({ total: 3, sent: 2, failed: 0, cancelled: 1, duplicates: 0 });
    expect(rerun.stderr).toContain(`b-copy.xml (document #${held}): cancelled, so not sent.`);
  });

  it('send-anyway --wait-delivery waits for the delivery: one that then fails is failed, not sent', async () => {
    // Left by a note: send-anyway and reroute counted the acceptance, with no way to wait.
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    const bytes = makeInvoice('ANY-1', { receiver: '9915:invalid-cert' });
    writeFileSync(join(inbox, 'a.xml'), bytes);
    writeFileSync(join(inbox, 'a-copy.xml'), bytes);
    const sent = await cli(['send', inbox, '--data-dir', data, '--json']);
    expect(JSON.parse(sent.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      sent: 1,
      duplicates: 1,
    });
    const attention = await cli(['list', '--filter', 'attention', '--data-dir', data]);
    const held = /^#(\d+)\tNeeds your decision/m.exec(attention.stdout)?.[1];
    expect(held).toBeDefined();
    const anyway = await cli([
      'send-anyway',
      held!,
      '--wait-delivery',
      '--json',
      '--data-dir',
      data,
    ]);
    expect(anyway.code).toBe(1);
    expect(JSON.parse(anyway.stdout.trim())).toMatchObject({ sent: 0, failed: 1 });
    const after = await cli(['list', '--json', '--data-dir', data]);
    const states = after.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; state: string })
      .find((r) => r.id === Number(held));
    expect(states?.state).toBe('failed');
  }, 60_000);

  it('retry says why each document it could not send did not go (as send does)', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(
      join(inbox, 'nobody.xml'),
      makeInvoice('WHY-1', { receiver: '9915:not-registered' }),
    );
    const sent = await cli(['send', inbox, '--data-dir', data]);
    expect(sent.stderr).toMatch(/^nobody\.xml \(document #1\): .+/m);
    const retried = await cli(['retry', '--all-failed', '--data-dir', data]);
    expect(retried.code).toBe(1);
    expect(retried.stdout.trim()).toBe('0 sent, 0 failed, 1 whose buyer is not on Peppol');
    // Looked up again (the single desk retries an unreachable one by asking again): counted.
    expect(retried.stderr).toContain('Retrying 1 document(s)\n');
    expect(retried.stderr).toMatch(/^nobody\.xml \(document #1\): .*Peppol.*/m);
  });

  it('retry counts what it did: one sent before it is said so, an invalid one as invalid (walk 9)', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'good.xml'), makeInvoice('RETRY-GOOD-1'));
    writeFileSync(join(inbox, 'bad.xml'), makeInvoiceWithWrongTotal('RETRY-BAD-1'));
    expect((await cli(['send', inbox, '--data-dir', data])).code).toBe(1);
    const rows = (await cli(['list', '--json', '--data-dir', data])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; fileName: string });
    const idOf = (name: string) => String(rows.find((r) => r.fileName === name)!.id);
    // Accepted already: left as it is, and not counted as sent by this retry.
    const good = await cli(['retry', idOf('good.xml'), '--data-dir', data]);
    expect(good.stderr).toContain('Retrying 0 of 1 document(s); 1 left as it is\n');
    expect([good.code, good.stdout]).toEqual([
      0,
      '1 sent (1 of them before this retry), 0 failed\n',
    ]);
    // Checked again and still invalid: said, not "0 sent, 0 failed".
    const bad = await cli(['retry', idOf('bad.xml'), '--data-dir', data]);
    expect([bad.code, bad.stdout]).toEqual([1, '0 sent, 0 failed, 1 invalid\n']);
    const json = await cli(['retry', idOf('good.xml'), '--data-dir', data, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ sent: 1, sentEarlier: 1 });
    // list's count line: the status's names kept, its verb agreeing (walk 9).
    writeFileSync(join(inbox, 'bad2.xml'), makeInvoiceWithWrongTotal('RETRY-BAD-2'));
    writeFileSync(
      join(inbox, 'nobody.xml'),
      makeInvoice('RETRY-NOBODY-1', { receiver: '9915:not-registered' }),
    );
    await cli(['send', inbox, '--data-dir', data]);
    const listed = (await cli(['list', '--data-dir', data])).stdout.trim().split('\n').at(-1);
    expect(listed).toBe(
      '4 document(s): 2 need fixing, 1 receiver not on Peppol, 1 accepted by access point',
    );
    // The buyer's words say "mark it as handled": the CLI can (walk 9).
    const goodId = idOf('good.xml');
    const notYet = await cli(['mark-handled', goodId, '--data-dir', data]);
    expect([notYet.code, notYet.stdout]).toEqual([1, '0 of 1 marked as handled\n']);
    expect(notYet.stderr).toContain(
      `#${goodId}: Accepted by access point: the buyer did not reject`,
    );
    const engine = await createEngine({
      dataDir: data,
      secrets: memorySecretStore(),
      host: 'cli',
      autoStart: false,
    });
    const { db } = engineInternals(engine).repo as unknown as {
      db: { prepare(sql: string): { run(...a: unknown[]): unknown } };
    };
    db.prepare(
      "UPDATE documents SET state = 'rejected', business_response = 'RE' WHERE id = ?",
    ).run(Number(goodId));
    await engine.stop();
    const marked = await cli(['mark-handled', goodId, '--data-dir', data]);
    expect([marked.code, marked.stdout]).toEqual([0, '1 of 1 marked as handled\n']);
    const listedNow = (await cli(['list', '--filter', 'attention', '--data-dir', data])).stdout;
    expect(listedNow).not.toContain('RETRY-GOOD-1');
    const undone = await cli(['mark-handled', goodId, '--undo', '--data-dir', data]);
    expect([undone.code, undone.stdout]).toEqual([0, '1 of 1 back under Needs attention\n']);
  });

  it('send names skipped files; list speaks the app words, quietly into a closed pipe; unknown ids (retry, cancel, send-anyway, reroute) and filters exit 2', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    for (let i = 0; i < 150; i++)
      writeFileSync(join(inbox, `inv-${i}.xml`), makeInvoice(`MAN-${i}`));
    writeFileSync(join(inbox, 'scan.pdf'), '%PDF-1.7');
    symlinkSync(join(inbox, 'inv-0.xml'), join(inbox, 'link.xml'));
    // A hidden folder is left out, as the app's drop leaves it out (a walk: send sent it).
    mkdirSync(join(inbox, '.hidden'));
    writeFileSync(join(inbox, '.hidden', 'c.xml'), makeInvoice('MAN-HIDDEN'));
    const checked = await cli(['validate', inbox, '--json']);
    expect(checked.stderr).toContain('scan.pdf: not an XML file');
    expect(checked.stdout).not.toContain('c.xml');
    // An invalid file: what is wrong and where, not only the rule's code (a walk).
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'total.xml'), makeInvoiceWithWrongTotal('MAN-BAD'));
    const words = await cli(['validate', bad]);
    expect(words.code).toBe(3);
    expect(words.stdout).toMatch(
      /^INVALID total\.xml {2}BR-CO-16\n {2}BR-CO-16: Amount due for payment \(BT-115\) must equal .* \(at \/Invoice\/cac:LegalMonetaryTotal\)\n$/,
    );
    const asJson = JSON.parse((await cli(['validate', bad, '--json'])).stdout) as {
      findings: { rule: string; message: string; location: string }[];
    };
    expect(asJson.findings).toHaveLength(1);
    expect(asJson.findings[0]).toMatchObject({
      rule: 'BR-CO-16',
      message: expect.stringContaining('Amount due for payment (BT-115)'),
      location: '/Invoice/cac:LegalMonetaryTotal',
    });
    const sent = await cli(['send', inbox, '--data-dir', data]);
    expect(sent.stderr).toContain('Skipped 3 file(s), not read:');
    expect(sent.stderr).toContain(`.hidden${sep}: a hidden folder (not looked into)`);
    expect(sent.stderr).toContain('link.xml: a link (links are not followed)');
    expect(sent.stderr).toContain('scan.pdf: not an XML file');

    const list = await cli(['list', '--data-dir', data]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('\tAccepted by access point\t');
    expect(list.stdout).not.toMatch(/\taccepted\t/);

    const bogus = await cli(['list', '--filter', 'bogus', '--data-dir', data]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(
      /Unknown filter "bogus": use one of attention, progress, sent, responded, all/,
    );
    // Every filter tab of the app works at the CLI too, "Buyer responded" included.
    for (const filter of ['attention', 'progress', 'sent', 'responded', 'all']) {
      const res = await cli(['list', '--filter', filter, '--data-dir', data]);
      expect([filter, res.code]).toEqual([filter, 0]);
    }
    for (const cmd of ['retry', 'cancel', 'send-anyway', 'reroute']) {
      const res = await cli([cmd, '999', '--data-dir', data]);
      expect([cmd, res.code]).toEqual([cmd, 2]);
      expect(res.stderr).toContain('No document #999');
    }
    // Known and unknown ids together: the unknown ones are named and nothing is rerouted.
    const mixed = await cli(['reroute', '1', '998', '999', '--data-dir', data]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('No document #998, #999');
    expect(mixed.stderr).not.toContain('Sending');

    // `list | head -1`: the reader goes away early; no EPIPE stack, exit 0.
    const piped = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [distFile('cli.cjs'), 'list', '--data-dir', data]);
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => done({ code, stderr }));
    });
    expect(piped.stderr).not.toMatch(/EPIPE|Error/);
    expect(piped.code).toBe(0);
  }, 240_000);

  it('serve says that PEPPOL_DESK_API_KEY is not used there (the page sends with the key in Settings)', async () => {
    // Walk 10: with the variable set, the page looked as if a key were in use, and none was sent.
    const data = tempDir();
    const said = await new Promise<{ stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(
        process.execPath,
        [distFile('cli.cjs'), 'serve', '--port', '0', '--data-dir', data],
        { env: { ...process.env, PEPPOL_DESK_API_KEY: 'sk_test_from_the_environment' } },
      );
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`serve did not start: ${stdout} ${stderr}`));
      }, 30_000);
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (!stdout.includes('Data folder:')) return;
        clearTimeout(timer);
        child.once('close', () => done({ stdout, stderr }));
        // The note is written right after the data folder's line.
        setTimeout(() => child.kill('SIGTERM'), 200);
      });
    });
    expect(said.stdout).toContain('Peppol Desk is running at http://127.0.0.1:');
    expect(said.stderr).toContain(
      'Note: PEPPOL_DESK_API_KEY is not used here: the app sends with the API key entered in its Settings (kept in the data folder).',
    );
  }, 60_000);

  it('serve says where invoices go at start, and what happens to those in flight when stopped', async () => {
    // Walk 22: after a provider was set the start line said nothing of where invoices go, and
    // Ctrl+C ended without a word while it waited for the invoices in flight.
    const data = tempDir();
    const endpoint = 'http://127.0.0.1:9/peppol-api';
    const said = await new Promise<string>((done, fail) => {
      const child = spawn(process.execPath, [
        distFile('cli.cjs'),
        'serve',
        '--port',
        '0',
        '--data-dir',
        data,
        '--endpoint',
        endpoint,
      ]);
      let stdout = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`serve did not start: ${stdout}`));
      }, 30_000);
      child.stdout.on('data', (c: Buffer) => {
        const first = !stdout.includes('Data folder:');
        stdout += c.toString();
        if (!first || !stdout.includes('Data folder:')) return;
        clearTimeout(timer);
        child.once('close', () => done(stdout));
        child.kill('SIGTERM');
      });
    });
    expect(said).toMatch(
      new RegExp(
        `Peppol Desk is running at http://127\\.0\\.0\\.1:\\d+/\\S* \\(access point ${endpoint}`,
      ),
    );
    // What the key selects, said as that (walk 24: "the provider's test environment" of an
    // address that had answered nothing); here there is no key.
    expect(said).toContain(`(access point ${endpoint}: no API key yet, enter it in Settings)`);
    expect(said).toContain('Stopping: the invoices being sent now are answered first…');
    expect(said).toContain(
      'Stopped. What was still waiting is sent when Peppol Desk starts again.',
    );
  }, 60_000);
});
