import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../app/engine';
import {
  EARLIER_KEYS_FILE_NAME,
  KEY_FILE_NAME,
  keyFileSecretStore,
} from '../../app/secrets/key-file';
import { useTempDirs } from '../helpers/temp';
import { engineInternals } from '../../app/engine/internals';

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

  it('keeps keys used at earlier access points in a user-only file, one per access point', () => {
    const dir = tempDir();
    const store = keyFileSecretStore(dir);
    store.setEarlierKey!('https://ap-one.example/api', KEY);
    store.setEarlierKey!('https://ap-two.example/api', 'sk_test_two');
    const file = join(dir, EARLIER_KEYS_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keyFileSecretStore(dir).getEarlierKey!('https://ap-one.example/api')).toBe(KEY);
    store.setEarlierKey!('https://ap-one.example/api', null);
    expect(store.getEarlierKey!('https://ap-one.example/api')).toBeNull();
    expect(store.getEarlierKey!('https://ap-two.example/api')).toBe('sk_test_two');
    store.setEarlierKey!('https://ap-two.example/api', null);
    expect(existsSync(file)).toBe(false);
    // A damaged file counts as no key kept (nothing to poll with), never a crash.
    writeFileSync(file, 'not json');
    expect(store.getEarlierKey!('https://ap-one.example/api')).toBeNull();
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
      const rows = engineInternals(engine)
        .db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all() as { name: string }[];
      for (const { name } of rows) {
        const dump = JSON.stringify(
          engineInternals(engine).db.prepare(`SELECT * FROM "${name}"`).all(),
        );
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
