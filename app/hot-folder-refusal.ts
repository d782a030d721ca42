/**
 * Where a hot folder may not be, apart from the hot folder itself: the settings and `watch` check
 * a folder without loading the file watcher (app/folder-watcher.ts), which `send` never uses.
 */
import { realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, parse, relative, sep } from 'node:path';

/** Folders of the operating system a hot folder may never be, nor be inside. */
const SYSTEM_FOLDERS =
  process.platform === 'win32'
    ? ['C:\\Windows', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData']
    : [
        '/etc',
        '/bin',
        '/sbin',
        '/usr',
        '/lib',
        '/lib32',
        '/lib64',
        '/boot',
        '/dev',
        '/proc',
        '/sys',
        '/run',
        '/var',
        '/snap',
        '/System',
        '/Library',
        '/Applications',
        '/private',
      ];

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Why `folder` may not be a hot folder (files in it are read, then moved away), or null when it
 * may: it must be written in full and may not be a system folder (or inside one), the home
 * folder itself, a folder holding the home or the data folder, nor inside the data folder.
 * Links are resolved first, so a link to /etc is /etc.
 */
export function hotFolderRefusal(
  folder: string,
  dataDir: string | null,
  home: string = homedir(),
): string | null {
  if (!isAbsolute(folder)) {
    return 'The hot folder must be written in full (for example /home/you/invoices-out or C:\\Invoices\\Out).';
  }
  const real = realOrSelf(folder);
  const realHome = realOrSelf(home);
  const temp = realOrSelf(tmpdir());
  const why = (what: string) =>
    `${folder} cannot be the hot folder: it is ${what}, and Peppol Desk moves the files it takes. Choose a folder of its own, such as one inside your documents.`;
  if (real === parse(real).root) return why('the top of a disk');
  if (!isInside(real, temp) && SYSTEM_FOLDERS.some((d) => isInside(real, realOrSelf(d))))
    return why('a folder of the operating system');
  if (real === realHome) return why('your home folder itself');
  if (isInside(realHome, real)) return why('a folder holding your home folder');
  if (dataDir !== null) {
    const data = realOrSelf(dataDir);
    if (isInside(data, real)) return why("a folder holding Peppol Desk's data folder");
    if (isInside(real, data)) return why("inside Peppol Desk's data folder");
  }
  return null;
}

/** Whether `child` is `parent` or inside it. */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}
