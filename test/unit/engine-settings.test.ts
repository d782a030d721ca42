import { describe, expect, it } from 'vitest';
import { AppError } from '../../app/errors';
import { EngineSettings, PATCH_KEYS, SETTINGS_SCHEMA } from '../../app/engine/settings';
import type { SettingsRepo } from '../../app/store/settings-repo';

/** The settings table as a map (the JSON round trip included), so no database is needed. */
function memoryRepo() {
  const stored = new Map<string, string>();
  const repo = {
    get: <T>(key: string, fallback: T): T =>
      stored.has(key) ? (JSON.parse(stored.get(key)!) as T) : fallback,
    set: (key: string, value: unknown) => {
      if (value === undefined) stored.delete(key);
      else stored.set(key, JSON.stringify(value));
    },
  };
  return { stored, repo: repo as unknown as SettingsRepo };
}

function badSetting(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_SETTING');
    return (err as AppError).message;
  }
  throw new Error('expected BAD_SETTING');
}

describe('the engine settings schema', () => {
  it('names every stored key of a settings patch, in the order a patch is applied', () => {
    expect(PATCH_KEYS).toEqual([
      'endpoint',
      'concurrency',
      'batching',
      'metricsPort',
      'gzip',
      'maxAttempts',
      'remoteValidation',
      'hotFolder',
      'hotFolderMove',
      'hotFolderSubfolders',
      'maxDocumentBytes',
      'lookupFoundTtlMs',
      'lookupNotFoundTtlMs',
    ]);
    expect(Object.keys(SETTINGS_SCHEMA)).toContain('paused');
  });

  it('reads the defaults until a value is stored, and a stored null reads as the default', () => {
    const { stored, repo } = memoryRepo();
    const s = new EngineSettings(repo, { dataDir: '/nowhere' });
    expect(s.get('concurrency')).toBe('auto');
    expect(s.get('maxDocumentBytes')).toBe(15 * 1024 * 1024);
    expect(s.get('hotFolderMove')).toBe(true);
    expect(s.get('metricsPort')).toBeNull();
    expect(s.set('metricsPort', 9464)).toBe(9464);
    expect(s.get('metricsPort')).toBe(9464);
    expect(s.set('metricsPort', null)).toBeNull();
    expect(stored.has('metricsPort')).toBe(false);
    expect(s.set('batching', 0)).toBe(false);
    expect(s.get('batching')).toBe(false);
  });

  it('refuses values out of bounds with the words the settings dialog shows, storing nothing', () => {
    const { stored, repo } = memoryRepo();
    const s = new EngineSettings(repo, { dataDir: '/nowhere' });
    expect(badSetting(() => s.set('concurrency', 0))).toMatch(/from 1 to 256/);
    expect(badSetting(() => s.set('maxAttempts', 101))).toMatch(/from 1 to 100/);
    expect(badSetting(() => s.set('metricsPort', 70000))).toMatch(/from 1 to 65535/);
    expect(badSetting(() => s.set('maxDocumentBytes', 10))).toMatch(/1 KB to 100 MB/);
    expect(badSetting(() => s.set('lookupFoundTtlMs', -1))).toMatch(/"found"/);
    expect(badSetting(() => s.set('endpoint', 'http://example.com'))).toMatch(/https:\/\//);
    expect(badSetting(() => s.set('endpoint', 'not a url'))).toMatch(/not a web address/);
    expect(badSetting(() => s.set('hotFolder', 'relative/folder'))).toMatch(/written in full/);
    expect(stored.size).toBe(0);
    expect(s.set('endpoint', 'http://127.0.0.1:8080/api')).toBe('http://127.0.0.1:8080/api');
  });
});
