import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distFile, runCli as cli } from '../helpers/dist';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

describe('peppol-desk manners', () => {
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
    expect((await cli(['cancel', held!, '--data-dir', data])).code).toBe(0);
    const anyway = await cli(['send-anyway', held!, '--data-dir', data]);
    expect(anyway.code).toBe(1);
    expect(anyway.stderr).toContain('1 of 1 were not held as possible duplicates');
    expect(anyway.stdout).not.toMatch(/failed/);
    // Nothing left to list: the line ends with the count (a walk read "0 document(s): ").
    const none = await cli(['list', '--filter', 'attention', '--data-dir', data]);
    expect(none.stdout.trim().split('\n').at(-1)).toBe('0 document(s)');
  });

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
    expect(sent.stderr).toMatch(/^nobody\.xml: .+/m);
    const retried = await cli(['retry', '--all-failed', '--data-dir', data]);
    expect(retried.code).toBe(1);
    expect(retried.stdout.trim()).toBe('0 sent, 1 failed');
    expect(retried.stderr).toMatch(/^nobody\.xml: .*Peppol.*/m);
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
    const sent = await cli(['send', inbox, '--data-dir', data]);
    expect(sent.stderr).toContain('Skipped 3 file(s) that are not invoices:');
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
});
