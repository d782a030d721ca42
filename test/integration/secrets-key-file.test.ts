import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../app/engine';
import { KEY_FILE_NAME, keyFileSecretStore } from '../../app/secrets/key-file';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const KEY = 'sk_test_0123456789abcdef';

describe('API key file (browser host and CLI)', () => {
  it('is readable by the user only (0600), whatever the umask', () => {
    const dir = tempDir();
    const before = process.umask(0);
    try {
      keyFileSecretStore(dir).setApiKey(KEY);
    } finally {
      process.umask(before);
    }
    const file = join(dir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(KEY);
    expect(keyFileSecretStore(dir).getApiKey()).toBe(KEY);
  });

  it('tightens an existing file left with wider permissions when the key is replaced', () => {
    const dir = tempDir();
    const file = join(dir, KEY_FILE_NAME);
    writeFileSync(file, 'sk_old');
    chmodSync(file, 0o644);
    keyFileSecretStore(dir).setApiKey(KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(KEY);
    expect(readdirSync(dir)).toEqual([KEY_FILE_NAME]); // no temporary file left behind
  });

  it('is removed when the key is removed, and an empty file counts as no key', () => {
    const dir = tempDir();
    const store = keyFileSecretStore(dir);
    store.setApiKey(KEY);
    store.setApiKey(null);
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false);
    expect(store.getApiKey()).toBeNull();
    store.setApiKey(null); // removing twice is fine
    writeFileSync(join(dir, KEY_FILE_NAME), '\n');
    expect(store.getApiKey()).toBeNull();
  });

  it('is never written to the database', async () => {
    const dir = tempDir();
    const engine = await createEngine({
      dataDir: dir,
      secrets: keyFileSecretStore(dir),
      host: 'browser',
      autoStart: false,
    });
    try {
      const settings = await engine.handlers['settings:set']({ apiKey: KEY });
      expect(settings.apiKeySet).toBe(true);
      expect(JSON.stringify(settings)).not.toContain(KEY);
      const rows = engine.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all() as { name: string }[];
      for (const { name } of rows) {
        const dump = JSON.stringify(engine.db.prepare(`SELECT * FROM "${name}"`).all());
        expect(dump, name).not.toContain(KEY);
      }
    } finally {
      await engine.stop();
    }
    const holders = readdirSync(dir).filter((f) =>
      readFileSync(join(dir, f)).includes(Buffer.from(KEY)),
    );
    expect(holders).toEqual([KEY_FILE_NAME]);
  });
});
