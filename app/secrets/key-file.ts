import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../engine';

/** Name of the key file in the data folder. */
export const KEY_FILE_NAME = 'api-key';

/**
 * The API key in a file readable only by the user (mode 0600), for the browser host and the CLI
 * where Electron's safeStorage is not available. Never in SQLite, never in logs. Written to a
 * 0600 temporary file and renamed into place, so the key is never readable by others, not even
 * for a moment when an older file had wider permissions.
 */
export function keyFileSecretStore(dataDir: string): SecretStore {
  const file = join(dataDir, KEY_FILE_NAME);
  return {
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
      const temp = `${file}.${process.pid}.tmp`;
      rmSync(temp, { force: true });
      writeFileSync(temp, key, { mode: 0o600, flag: 'wx' });
      chmodSync(temp, 0o600); // the umask cannot widen it, but make sure
      renameSync(temp, file);
    },
  };
}
