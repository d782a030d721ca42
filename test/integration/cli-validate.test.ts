import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RULESET_VERSION } from '../../app/validation';
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
