import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distFile, runCli as cli } from '../helpers/dist';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

describe('peppol-desk manners', () => {
  it('send names skipped files; list speaks the app words, quietly into a closed pipe; unknown ids (retry, cancel, send-anyway, reroute) and filters exit 2', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    for (let i = 0; i < 150; i++)
      writeFileSync(join(inbox, `inv-${i}.xml`), makeInvoice(`MAN-${i}`));
    writeFileSync(join(inbox, 'scan.pdf'), '%PDF-1.7');
    symlinkSync(join(inbox, 'inv-0.xml'), join(inbox, 'link.xml'));
    const sent = await cli(['send', inbox, '--data-dir', data]);
    expect(sent.stderr).toContain('Skipped 2 file(s) that are not invoices:');
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
