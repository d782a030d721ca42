/**
 * What a file's name says, the same wherever a file is read: a dropped folder, `send` and
 * `validate` on a folder, the hot folder and `documents:add` (walk 21: an office lock file was
 * left alone by one and taken, as a broken invoice, by another).
 */

/** A file name's last part (`march/a.xml` → `a.xml`), whichever separator its folder used. */
export function lastPart(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

/** An office lock file: Word, Excel or LibreOffice keeps one (`~$a.xml`) beside a file it has open. */
export function isOfficeLockFile(name: string): boolean {
  return lastPart(name).startsWith('~$');
}
