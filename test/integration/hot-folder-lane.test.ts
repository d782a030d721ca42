import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles } from '../../app/cli';
import { hotFolderRefusal } from '../../app/hot-folder';
import { makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { until } from '../helpers/wait';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines();
const tempDir = engines.tempDir;

describe('which folders may be the hot folder', () => {
  it('refuses system folders, the top of the disk, the home folder and folders holding the data', () => {
    const dataDir = join(tempDir(), 'a', 'data');
    mkdirSync(dataDir, { recursive: true });
    for (const folder of ['/etc', '/usr/share', '/', homedir(), dirname(homedir())]) {
      expect(hotFolderRefusal(folder, dataDir), folder).toMatch(/cannot be the hot folder/);
    }
    expect(hotFolderRefusal(dirname(dataDir), dataDir)).toMatch(/holding Peppol Desk's data/);
    expect(hotFolderRefusal(join(dataDir, 'in'), dataDir)).toMatch(/inside Peppol Desk's data/);
    expect(hotFolderRefusal('invoices', dataDir)).toMatch(/written in full/);
    // A link to a system folder is that folder.
    const link = join(tempDir(), 'innocent');
    symlinkSync('/etc', link);
    expect(hotFolderRefusal(link, dataDir)).toMatch(/operating system/);
    expect(hotFolderRefusal(tempDir(), dataDir)).toBeNull();
  });

  it('settings:set refuses /etc with the reason, and keeps the old value', async () => {
    const engine = await engines();
    await expect(
      Promise.resolve().then(() => engine.handlers['settings:set']({ hotFolder: '/etc' })),
    ).rejects.toThrow(/\/etc cannot be the hot folder: it is a folder of the operating system/);
    expect((await engine.handlers['settings:get'](undefined)).hotFolder).toBeNull();
  });
});

describe('the hot folder stays in its lane', () => {
  it('takes only its own files: no links followed, no subfolders unless asked', async () => {
    const outside = tempDir();
    const secret = join(outside, 'outside.xml');
    writeFileSync(secret, makeInvoice('OUTSIDE-1'));
    const folder = tempDir();
    writeFileSync(join(folder, 'own.xml'), makeInvoice('OWN-1'));
    symlinkSync(secret, join(folder, 'link.xml'));
    symlinkSync(outside, join(folder, 'linked-folder'));
    mkdirSync(join(folder, 'march'));
    writeFileSync(join(folder, 'march', 'sub.xml'), makeInvoice('SUB-1'));
    const logs: string[] = [];
    const engine = await engines({
      trackDelivery: false,
      hotFolder: folder,
      hotFolderStabilityMs: 100,
      log: (l) => logs.push(l),
    });
    await until(() => existsSync(join(folder, 'sent', 'own.xml')), 'own.xml sent');
    await until(() => logs.some((l) => l.includes('link.xml skipped')), 'the link reported');
    const names = engineInternals(engine)
      .repo.list({ filter: 'all', limit: 100 })
      .rows.map((r) => r.file_name);
    expect(names).toEqual(['own.xml']);
    expect(readFileSync(secret)).toEqual(Buffer.from(makeInvoice('OUTSIDE-1')));
    expect(readdirSync(outside)).toEqual(['outside.xml']);
    expect(existsSync(join(folder, 'link.xml'))).toBe(true);
    expect(existsSync(join(folder, 'march', 'sub.xml'))).toBe(true);
  });

  it('takes subfolders when the setting asks for it', async () => {
    const folder = tempDir();
    mkdirSync(join(folder, 'march'));
    writeFileSync(join(folder, 'march', 'sub.xml'), makeInvoice('SUB-2'));
    await engines({
      trackDelivery: false,
      hotFolder: folder,
      hotFolderSubfolders: true,
      hotFolderStabilityMs: 100,
    });
    await until(() => existsSync(join(folder, 'sent', 'march', 'sub.xml')), 'sub.xml sent');
  });
});

describe('send <folder>', () => {
  it('names what it skipped and why: links, PDFs', () => {
    const folder = tempDir();
    writeFileSync(join(folder, 'a.xml'), makeInvoice('A-1'));
    writeFileSync(join(folder, 'scan.pdf'), '%PDF-1.4');
    symlinkSync(join(folder, 'a.xml'), join(folder, 'again.xml'));
    const { files, skipped } = collectFiles([folder]);
    expect(files.map((f) => f.name)).toEqual(['a.xml']);
    expect(skipped).toEqual([
      { name: 'again.xml', why: 'a link (links are not followed)' },
      { name: 'scan.pdf', why: 'not an XML file (only .xml files are invoices)' },
    ]);
  });
});
