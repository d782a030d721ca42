import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../app/store/db';
import { checkDocument, RULESET_VERSION } from '../../app/validation';
import { distFile } from '../helpers/dist';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const run = promisify(execFile);
const tempDir = useTempDirs();

describe('peppol-desk validate --json', () => {
  it('prints one line per file with sorted rule ids, and exits 3 when any is invalid', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'good.xml'), makeInvoice('V-1'));
    const noNumber = new TextDecoder()
      .decode(makeInvoice('V-2'))
      .replace('<cbc:ID>V-2</cbc:ID>', '');
    writeFileSync(join(dir, 'sub', 'no-number.xml'), noNumber);
    writeFileSync(join(dir, 'broken.xml'), '<Invoice><oops></Invoice>');
    writeFileSync(
      join(dir, 'order.xml'),
      '<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
    );
    const res = await run(process.execPath, [distFile('cli.cjs'), 'validate', dir, '--json']).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect((res as { code?: number }).code).toBe(3);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byFile = Object.fromEntries(lines.map((l) => [l.file, l]));
    expect(Object.keys(byFile).sort()).toEqual([
      'broken.xml',
      'good.xml',
      'order.xml',
      join('sub', 'no-number.xml'),
    ]);
    expect(byFile['good.xml']).toEqual({
      file: 'good.xml',
      // Where it is (walk 23b: two folders' x.xml were told apart by nothing).
      path: join(dir, 'good.xml'),
      valid: true,
      fatal: [],
      warning: [],
      ruleset: RULESET_VERSION,
    });
    const nn = byFile[join('sub', 'no-number.xml')];
    expect(nn.valid).toBe(false);
    expect(nn.fatal).toContain('BR-02');
    expect([...nn.fatal].sort()).toEqual(nn.fatal);
    expect(byFile['broken.xml']).toMatchObject({ valid: false, fatal: ['XML'] });
    expect(typeof byFile['broken.xml'].message).toBe('string');
    expect(byFile['order.xml']).toMatchObject({ valid: false, fatal: ['UBL'] });
    expect(nn.path).toBe(join(dir, 'sub', 'no-number.xml'));
    // A file named on the command line: its path as given; one that is not there, the same.
    const named = await run(process.execPath, [
      distFile('cli.cjs'),
      'validate',
      join(dir, 'good.xml'),
      join(dir, 'gone.xml'),
      '--json',
    ]).catch((e: { stdout: string }) => e);
    expect(
      named.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).path),
    ).toEqual([join(dir, 'good.xml'), join(dir, 'gone.xml')]);
  });

  // Walk 23: `validate` said only "valid" of a file with a warning (the app shows its words), and
  // `--json` gave the rule without them.
  it('says the warnings of a valid file, in words, apart from what must be fixed', async () => {
    const dir = tempDir();
    const xml = new TextDecoder()
      .decode(makeInvoice('WARN-1'))
      .replace(
        '<cbc:CustomizationID>',
        '<cbc:UBLVersionID>2.0</cbc:UBLVersionID><cbc:CustomizationID>',
      );
    expect(xml).toContain('<cbc:UBLVersionID>2.0</cbc:UBLVersionID>');
    writeFileSync(join(dir, 'warned.xml'), xml);
    const human = await run(process.execPath, [
      distFile('cli.cjs'),
      'validate',
      join(dir, 'warned.xml'),
    ]);
    const said = human.stdout.trim().split('\n');
    expect(said[0]).toMatch(/^valid +.*warned\.xml {2}\(1 warning: UBL-CR-002\)$/);
    expect(said[1]).toMatch(
      /^ {2}warning UBL-CR-002: .*UBL version \(UBLVersionID\) other than 2\.1.* \(at \/Invoice\/cbc:UBLVersionID\)$/,
    );
    const json = await run(process.execPath, [
      distFile('cli.cjs'),
      'validate',
      join(dir, 'warned.xml'),
      '--json',
    ]);
    const line = JSON.parse(json.stdout.trim());
    expect(line).toMatchObject({ valid: true, fatal: [], warning: ['UBL-CR-002'] });
    expect(line.findings).toBeUndefined();
    expect(line.warnings).toEqual([
      expect.objectContaining({
        rule: 'UBL-CR-002',
        location: '/Invoice/cbc:UBLVersionID',
        message: expect.stringContaining('other than 2.1'),
      }),
    ]);
  });

  it('gives a folder the same lines, in the same order, as each file checked alone', async () => {
    const dir = tempDir();
    const names: string[] = [];
    for (let i = 0; i < 24; i++) {
      const name = `f-${String(i).padStart(2, '0')}.xml`;
      names.push(name);
      const xml = new TextDecoder().decode(makeInvoice(`PAR-${i}`));
      writeFileSync(
        join(dir, name),
        i % 5 === 1
          ? xml.replace(`<cbc:ID>PAR-${i}</cbc:ID>`, '')
          : i % 7 === 3
            ? '<Invoice><oops></Invoice>'
            : xml,
      );
    }
    const folder = await run(process.execPath, [
      distFile('cli.cjs'),
      'validate',
      dir,
      '--json',
    ]).catch((e: { code: number; stdout: string }) => e);
    expect((folder as { code?: number }).code).toBe(3);
    const parallel = folder.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parallel.map((l) => l.file)).toEqual(names);
    // The reference: each file checked here, in this thread.
    for (const [i, name] of names.entries()) {
      const res = checkDocument(readFileSync(join(dir, name)));
      const ids = (flag: string) =>
        res.ok
          ? [
              ...new Set(res.verdict.findings.filter((f) => f.flag === flag).map((f) => f.rule)),
            ].sort()
          : [];
      expect(parallel[i]).toMatchObject(
        res.ok
          ? { file: name, valid: res.verdict.valid, fatal: ids('fatal'), warning: ids('warning') }
          : { file: name, valid: false, fatal: ['XML'] },
      );
    }
    expect(parallel.filter((l) => l.valid)).toHaveLength(24 - 5 - 3);
  });

  it('exits 0 when every file is valid', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.xml'), makeInvoice('V-OK'));
    const res = await run(process.execPath, [
      distFile('cli.cjs'),
      'validate',
      join(dir, 'a.xml'),
      '--json',
    ]);
    expect(JSON.parse(res.stdout.trim())).toMatchObject({ file: join(dir, 'a.xml'), valid: true });
  });
});

describe('peppol-desk validate: order, intake lines, size and pipes', () => {
  it('keeps the order of the arguments, missing files included, and gives every line a ruleset', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.xml'), makeInvoice('ORD-A'));
    writeFileSync(join(dir, 'broken.xml'), '<Invoice><oops></Invoice>');
    const args = [join(dir, 'a.xml'), join(dir, 'missing.xml'), join(dir, 'broken.xml')];
    const res = await run(process.execPath, [
      distFile('cli.cjs'),
      'validate',
      ...args,
      '--json',
    ]).catch((e: { code: number; stdout: string }) => e);
    expect((res as { code?: number }).code).toBe(3);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.file)).toEqual(args);
    for (const l of lines) expect(l.ruleset).toBe(RULESET_VERSION);
    expect(lines[1]).toMatchObject({ valid: false, fatal: ['FILE'] });
    expect(lines[1].message).toMatch(/not found/i);
    expect(lines[2]).toMatchObject({ valid: false, fatal: ['XML'] });
  });

  it('refuses a 100 MB file from its size, naming the size and the limit', async () => {
    const dir = tempDir();
    const huge = join(dir, 'huge.xml');
    writeFileSync(huge, '');
    truncateSync(huge, 100 * 1024 * 1024); // sparse: reading it would cost 100 MB
    const res = await run(process.execPath, [
      distFile('cli.cjs'),
      'validate',
      huge,
      '--json',
    ]).catch((e: { code: number; stdout: string }) => e);
    expect((res as { code?: number }).code).toBe(3);
    const line = JSON.parse(res.stdout.trim());
    expect(line).toMatchObject({ file: huge, valid: false, fatal: ['FILE'] });
    expect(line.message).toMatch(/100\.0 MB; the limit is 15\.0 MB/);
  });

  it('send refuses an oversized file from its size, counts it as invalid and stores nothing', async () => {
    const dir = tempDir();
    const huge = join(dir, 'huge.xml');
    writeFileSync(huge, '');
    truncateSync(huge, 100 * 1024 * 1024);
    const res = await run(process.execPath, [
      distFile('cli.cjs'),
      'send',
      huge,
      '--data-dir',
      join(dir, 'data'),
      '--json',
    ]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((res as { code?: number }).code).toBe(1);
    expect(res.stderr).toMatch(
      /huge\.xml: This file is too large \(100\.0 MB; the limit is 15\.0 MB\)/,
    );
    // A file to fix, not a send that failed (walk 23).
    expect(JSON.parse(res.stdout.trim())).toMatchObject({
      total: 1,
      sent: 0,
      failed: 0,
      invalid: 1,
    });
    const db = openDb({ dataDir: join(dir, 'data') });
    try {
      expect(db.prepare('SELECT COUNT(*) FROM documents').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('exits quietly when the reader of its output goes away (| head -n 1)', async () => {
    const dir = tempDir();
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `f${i}.xml`), makeInvoice(`PIPE-${i}`));
    const cli = distFile('cli.cjs');
    const res = await run('/bin/sh', [
      '-c',
      `"${process.execPath}" "${cli}" validate "${dir}" --json | head -n 1`,
    ]);
    expect(res.stdout.split('\n')[0]).toContain('"valid":true');
    expect(res.stderr).not.toMatch(/EPIPE|Error/);
  });
});

// Walk 25 B6: a newline in a file's name split `validate`'s line in two, and a right-to-left
// override reversed it on screen; `list` and the app write them out.
describe('peppol-desk validate, file names', () => {
  it('writes out the characters of a name that would break or reorder its line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'new\nline.xml'), makeInvoice('V-NL'));
    writeFileSync(join(dir, 'rtl-\u202Egmx.pdf.xml'), makeInvoice('V-RTL'));
    const res = await run(process.execPath, [distFile('cli.cjs'), 'validate', dir]);
    expect(res.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'valid   new[U+000A]line.xml',
      'valid   rtl-[U+202E]gmx.pdf.xml',
    ]);
  });
});
