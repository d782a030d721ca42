import { describe, expect, it } from 'vitest';
import {
  HotFolderNotices,
  MAX_HOT_FOLDER_NOTICES,
  fileErrorWords,
} from '../../app/hot-folder-notices';

describe('the hot folder notices the window shows', () => {
  it('says a repeated problem once, keeps the newest, and tells of each change', () => {
    let now = 1000;
    let changes = 0;
    const notices = new HotFolderNotices(
      '/in',
      () => now,
      () => changes++,
    );
    notices.add(
      '',
      'The hot folder could not be read: Peppol Desk is not allowed to change that folder.',
    );
    now = 3000;
    notices.add(
      '',
      'The hot folder could not be read: Peppol Desk is not allowed to change that folder.',
    );
    expect(notices.status().notices).toHaveLength(1);
    expect(notices.status().notices[0]!.at).toBe(3000);
    expect(changes).toBe(1);
    for (let i = 0; i < MAX_HOT_FOLDER_NOTICES + 5; i++)
      notices.add(`f${i}.xml`, 'Not taken: empty.');
    // A file's notice is news each time: the file was saved again.
    notices.add(`f0.xml`, 'Not taken: empty.');
    const kept = notices.status().notices;
    expect(kept).toHaveLength(MAX_HOT_FOLDER_NOTICES);
    expect(kept.at(-1)!.name).toBe('f0.xml');
    notices.setMissing(true);
    notices.setMissing(true);
    expect(notices.status().missing).toBe(true);
    expect(changes).toBe(1 + MAX_HOT_FOLDER_NOTICES + 6 + 1);
    // Back (a folder made again): the files named were in the one that went away.
    notices.setMissing(false);
    expect(notices.status()).toEqual({ folder: '/in', missing: false, notices: [] });
  });

  it('puts file system errors in words, never an error code', () => {
    for (const code of [
      'ENOENT',
      'EACCES',
      'EPERM',
      'ENAMETOOLONG',
      'ENOSPC',
      'EROFS',
      'EBUSY',
      'EWHATEVER',
    ]) {
      const words = fileErrorWords(Object.assign(new Error(`${code}: boom`), { code }));
      expect(words).not.toMatch(/\bE[A-Z]{3,}\b/);
      expect(words.length).toBeGreaterThan(10);
    }
    // Reading a file: the file is named, not the folder.
    const denied = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    expect(fileErrorWords(denied, true)).toBe('Peppol Desk is not allowed to read it');
    expect(fileErrorWords(denied)).toBe('Peppol Desk is not allowed to change that folder');
  });
});
