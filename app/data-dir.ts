import { homedir, hostname, userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';

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

/**
 * A desk's name on a team outbox when none is given (`PEPPOL_DESK_NAME`): `user@host`, and the
 * data folder's name when it is not the platform's usual one (PEPPOL_DESK_DATA_DIR included).
 * Two desks of one user on one computer (a terminal server, two windows) have two data folders;
 * a walk found them both called `root@vm` on every timeline and in the team's chart.
 */
export function defaultDeskName(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const who = `${userInfo().username}@${hostname()}`;
  // The platform's folder, not one set in PEPPOL_DESK_DATA_DIR (walk 12: two desks started with
  // it were both "root@vm").
  const usual = defaultDataDir({ ...env, PEPPOL_DESK_DATA_DIR: undefined });
  return resolve(dataDir) === resolve(usual) ? who : `${who} (${basename(resolve(dataDir))})`;
}
