import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../engine';

/** Name of the key file in the data folder. */
export const KEY_FILE_NAME = 'api-key';

/**
 * The API key in a file readable only by the user (mode 0600), for the browser host and the CLI
 * where Electron's safeStorage is not available. Never in SQLite, never in logs. Written to a
 * 0600 temporary file and renamed into place, so the key is never readable by others, not even
 * for a moment when an older file had wider permissions. The team outbox's URL (which holds the
 * database password) is kept the same way.
 */
export function keyFileSecretStore(dataDir: string): SecretStore {
  const file = join(dataDir, KEY_FILE_NAME);
  const earlier = join(dataDir, EARLIER_KEYS_FILE_NAME);
  const team = join(dataDir, TEAM_STORE_FILE_NAME);
  return {
    getTeamStore() {
      if (!existsSync(team)) return null;
      return readFileSync(team, 'utf8').trim() || null;
    },
    setTeamStore(url) {
      if (!url) rmSync(team, { force: true });
      else writeUserOnly(team, url);
    },
    getEarlierKey(accessPoint) {
      return (
        readKeyMap(existsSync(earlier) ? readFileSync(earlier, 'utf8') : null)[accessPoint] ?? null
      );
    },
    setEarlierKey(accessPoint, key) {
      const map = readKeyMap(existsSync(earlier) ? readFileSync(earlier, 'utf8') : null);
      if (key) map[accessPoint] = key;
      else delete map[accessPoint];
      if (Object.keys(map).length === 0) rmSync(earlier, { force: true });
      else writeUserOnly(earlier, JSON.stringify(map));
    },
    getApiKey() {
      if (!existsSync(file)) return null;
      const key = readFileSync(file, 'utf8').trim();
      return key || null;
    },
    setApiKey(key) {
      if (!key) {
        rmSync(file, { force: true });
        return;
      }
      writeUserOnly(file, key);
    },
  };
}

/** Name of the file holding the team outbox's URL (its password inside; mode 0600). */
export const TEAM_STORE_FILE_NAME = 'team-store-url';

/** Name of the file of keys used at earlier access points (a JSON object URL → key, mode 0600). */
export const EARLIER_KEYS_FILE_NAME = 'access-point-keys';

/** The URL → key map of a keys file; an unreadable one counts as empty (nothing to poll with). */
export function readKeyMap(text: string | null): Record<string, string> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** Write `text` to `file` readable only by the user, never readable by others even for a moment. */
function writeUserOnly(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600); // the umask cannot widen it, but make sure
  renameSync(temp, file);
}
