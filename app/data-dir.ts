import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The default data folder, the same one Electron's `userData` uses for this app, so the desktop
 * app, the browser host and the CLI share one queue.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.PEPPOL_DESK_DATA_DIR) return env.PEPPOL_DESK_DATA_DIR;
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Peppol Desk');
  if (platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Peppol Desk');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Peppol Desk');
}
