/**
 * Expanding the folders named on the command line (app/cli/files.ts): a folder that cannot be
 * read is named with why, and the rest is still taken (walk 11: one locked subfolder stopped
 * `send` and `validate` before a single file was looked at; "EACCES … scandir" and exit 2).
 * The permission error is made by the test (a root user reads every folder).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTempDirs } from '../helpers/temp';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readdirSync = ((path: string, ...rest: unknown[]) => {
    if (String(path).endsWith(`${sep}locked`))
      throw Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), {
        code: 'EACCES',
        path,
      });
    return (fs.readdirSync as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readdirSync;
  return { ...fs, default: { ...fs, readdirSync }, readdirSync };
});

const { collectFiles } = await import('../../app/cli/files');
const tempDir = useTempDirs();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('collectFiles', () => {
  it('names a folder it cannot read, with why, and takes the rest', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'in', 'locked'), { recursive: true });
    mkdirSync(join(dir, 'in', 'more'));
    writeFileSync(join(dir, 'in', 'a.xml'), '<x/>');
    writeFileSync(join(dir, 'in', 'locked', 'b.xml'), '<x/>');
    writeFileSync(join(dir, 'in', 'more', 'c.xml'), '<x/>');
    const got = collectFiles([join(dir, 'in')]);
    expect(got.files.map((f) => f.name)).toEqual(['a.xml', `more${sep}c.xml`]);
    expect(got.unreadable).toEqual([
      {
        name: `locked${sep}`,
        why: expect.stringMatching(
          /^This folder's files were not looked at: you do not have permission to open it\. Nothing in it was sent/,
        ),
      },
    ]);
    // In the order given, for `validate`'s lines.
    expect(got.ordered.map((o) => o.name)).toEqual(['a.xml', `locked${sep}`, `more${sep}c.xml`]);
  });

  it('leaves office lock files alone, as the hot folder and a dropped folder do (walk 21)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'INV-1.xml'), '<x/>');
    writeFileSync(join(dir, 'in', '~$INV-1.xml'), 'lock');
    const got = collectFiles([join(dir, 'in')]);
    expect(got.files.map((f) => f.name)).toEqual(['INV-1.xml']);
    expect(got.skipped).toEqual([
      { name: '~$INV-1.xml', why: 'an office lock file (not an invoice)' },
    ]);
  });

  it('a folder named on its own that cannot be read is named as given', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'ok.xml'), '<x/>');
    const got = collectFiles([join(dir, 'locked'), join(dir, 'ok.xml')]);
    expect(got.unreadable.map((u) => u.name)).toEqual([join(dir, 'locked')]);
    expect(got.files.map((f) => f.path)).toEqual([join(dir, 'ok.xml')]);
  });
});

// Walk 21 (B4): `send` said "unreadable.xml: could not be read (EACCES: permission denied, open
// '…')" where a folder's own words said what to do.
describe('a file send could not read, in words', () => {
  it('says why and what to do, without the system error text', async () => {
    const { fileUnreadableWords } = await import('../../app/cli/files');
    const denied = Object.assign(new Error("EACCES: permission denied, open '/x/a.xml'"), {
      code: 'EACCES',
    });
    expect(fileUnreadableWords(denied)).toBe(
      'Not sent: you do not have permission to open it. Give yourself access to it, then run the same command again: what was sent is not sent twice.',
    );
    // validate's words (walk 21b: it still printed "could not be read (EACCES)").
    expect(fileUnreadableWords(denied, 'Not checked')).toBe(
      'Not checked: you do not have permission to open it. Give yourself access to it, then run the same command again.',
    );
    // Walk 25 B7: not "Give yourself access to it" of a file moved away.
    expect(fileUnreadableWords(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(
      'Not sent: it was moved or deleted before it was read. Put it back, then run the same command again: what was sent is not sent twice.',
    );
  });
});

// Walk 25 B7: a folder moved away mid-`send` gave 2,712 identical lines, each saying "Give
// yourself access to it", and never named the folder.
describe('files send could not read, many of them', () => {
  it('names the first ten, counts the rest by reason, and names the folder that is gone', async () => {
    const { UnreadFiles } = await import('../../app/cli/files');
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const gone = join(tmpdir(), `pd-gone-${process.pid}`, 'valid');
      const unread = new UnreadFiles();
      const moved = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      for (let i = 0; i < 2712; i++)
        unread.say({ name: `valid/inv-${i}.xml`, path: join(gone, `inv-${i}.xml`) }, moved);
      unread.end();
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(11);
    expect(written[0]).toBe(
      `valid/inv-0.xml: Not sent: it was moved or deleted before it was read. Put it back, then run the same command again: what was sent is not sent twice. The folder ${join(tmpdir(), `pd-gone-${process.pid}`, 'valid')} is no longer there.\n`,
    );
    expect(written[10]).toBe(
      `2,702 more file(s), the same: Not sent: it was moved or deleted before it was read. Put it back, then run the same command again: what was sent is not sent twice. The folder ${join(tmpdir(), `pd-gone-${process.pid}`, 'valid')} is no longer there.\n`,
    );
  });
});
