/** Files and folders named on the command line, expanded into the files to take. */
import { isOfficeLockFile } from '../domain/file-names';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { visibleText } from '../domain/visible-text';

/** A file found on disk: its display name (as given, or relative to the folder) and path. */
export interface FoundFile {
  name: string;
  path: string;
}

/** A file in a folder that was not taken, and why (in words). */
export interface SkippedFile {
  name: string;
  why: string;
}

/** Tell on stderr what the folders held that was not taken, and why (`send`, `validate`). */
export function reportSkipped(skipped: readonly SkippedFile[]): void {
  if (skipped.length === 0) return;
  // Each with its own reason: a hidden file or a link may well be an invoice (a walk read the
  // heading "that are not invoices" over two valid ones).
  process.stderr.write(`Skipped ${skipped.length} file(s), not read:\n`);
  for (const k of skipped) process.stderr.write(`  ${visibleText(k.name)}: ${k.why}\n`);
}

/**
 * Expand files and folders into files. Folders are walked recursively for `.xml` files (any
 * case); links are not followed; files named explicitly are taken whatever their name. What a
 * folder holds that is not taken is listed in `skipped`. Sorted for a stable order.
 */
export function collectFiles(inputs: string[]): {
  files: FoundFile[];
  missing: string[];
  skipped: SkippedFile[];
  /**
   * Folders that could not be read (no permission, say): their files were not looked at. The
   * rest is taken (walk 11: one locked subfolder stopped `send` before anything was sent).
   */
  unreadable: SkippedFile[];
  /** Files, missing inputs and unreadable folders, in the order the arguments were given. */
  ordered: (FoundFile | { name: string; path: null; why?: string })[];
} {
  const files: FoundFile[] = [];
  const missing: string[] = [];
  const skipped: SkippedFile[] = [];
  const unreadable: SkippedFile[] = [];
  const ordered: (FoundFile | { name: string; path: null; why?: string })[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) {
      missing.push(input);
      ordered.push({ name: input, path: null });
      continue;
    }
    if (statSync(input).isDirectory()) {
      // `rel` is the folder's path relative to `input` with a trailing separator ('' at the top).
      // Paths and names are made once per folder, not per file: path.join and path.relative on
      // each of thousands of files were a noticeable part of `send`'s start (issue 9 point 2).
      const walk = (dir: string, rel: string) => {
        const prefix = join(dir, 'x').slice(0, -1);
        // localeCompare, not a shared Intl.Collator: V8's fast path for plain names makes it
        // about twice as quick (100,000 names: 73-159 ms against 173-281 ms), same order.
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
            a.name.localeCompare(b.name),
          );
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          const gone = { name: rel === '' ? input : rel, why: folderUnreadableWords(e) };
          unreadable.push(gone);
          ordered.push({ name: gone.name, path: null, why: gone.why });
          return;
        }
        for (const entry of entries) {
          const p = prefix + entry.name;
          const name = rel + entry.name;
          // A hidden folder is not looked into, as the app's drop leaves its files out.
          if (entry.isDirectory() && entry.name.startsWith('.'))
            skipped.push({ name: name + sep, why: 'a hidden folder (not looked into)' });
          else if (entry.isDirectory()) walk(p, name + sep);
          else if (entry.isSymbolicLink())
            skipped.push({ name, why: 'a link (links are not followed)' });
          else if (!entry.isFile()) skipped.push({ name, why: 'not a regular file' });
          else if (entry.name.startsWith('.')) skipped.push({ name, why: 'a hidden file' });
          // Walk 21: counted as an invalid invoice (a month-end run exited 1 for it), while the
          // hot folder and a dropped folder leave it alone.
          else if (isOfficeLockFile(entry.name))
            skipped.push({ name, why: 'an office lock file (not an invoice)' });
          else if (!/\.xml$/i.test(entry.name))
            skipped.push({ name, why: 'not an XML file (only .xml files are invoices)' });
          else {
            const found = { name, path: p };
            files.push(found);
            ordered.push(found);
          }
        }
      };
      walk(input, '');
    } else {
      const found = { name: input, path: input };
      files.push(found);
      ordered.push(found);
    }
  }
  return { files, missing, skipped, unreadable, ordered };
}

/**
 * Why a file could not be read by `send`, in words, and what to do (walk 21: "could not be read
 * (EACCES: permission denied, open '…')", where a folder's own words said what to do).
 */
export function fileUnreadableWords(err: unknown, what = 'Not sent'): string {
  const e = err as NodeJS.ErrnoException;
  const again =
    what === 'Not sent'
      ? 'run the same command again: what was sent is not sent twice'
      : 'run the same command again';
  // Each cause its own advice (walk 25 B7: "Give yourself access to it" of a moved file).
  if (e.code === 'EACCES' || e.code === 'EPERM')
    return `${what}: you do not have permission to open it. Give yourself access to it, then ${again}.`;
  if (e.code === 'ENOENT')
    return `${what}: it was moved or deleted before it was read. Put it back, then ${again}.`;
  return `${what}: it could not be read (${e.code ?? e.message}). Check the file and its disk, then ${again}.`;
}

/**
 * Files `send` or `validate` could not read, told on stderr: the first few each with its
 * reason, the rest counted per reason at the end, with the folders that are no longer there
 * (walk 25 B7: a folder moved away mid-`send` gave 2,712 identical lines and never named it).
 */
export class UnreadFiles {
  private shownCount = 0;
  private readonly more = new Map<string, { n: number; folders: Set<string> }>();

  constructor(
    private readonly what = 'Not sent',
    private readonly shown = 10,
  ) {}

  /** File `f` could not be read (`err`). */
  say(f: FoundFile, err: unknown): void {
    const words = fileUnreadableWords(err, this.what);
    if (this.shownCount < this.shown) {
      this.shownCount++;
      process.stderr.write(`${visibleText(f.name)}: ${words}${goneFolderWords([f.path])}\n`);
      return;
    }
    const m = this.more.get(words) ?? { n: 0, folders: new Set<string>() };
    m.n++;
    if (m.folders.size < 3) m.folders.add(dirname(f.path));
    this.more.set(words, m);
  }

  /** The files not told one by one, counted per reason. */
  end(): void {
    for (const [words, m] of this.more)
      process.stderr.write(
        `${m.n.toLocaleString('en-US')} more file(s), the same: ${words}${goneFolderWords([...m.folders], true)}\n`,
      );
    this.more.clear();
  }
}

/** " Its folder … is no longer there." for those of these paths' folders that are gone. */
function goneFolderWords(paths: readonly string[], folders = false): string {
  const gone = [...new Set(folders ? paths : paths.map((p) => dirname(p)))].filter(
    (d) => !existsSync(d),
  );
  if (gone.length === 0) return '';
  const names = gone.map((d) => visibleText(d)).join(', ');
  return gone.length === 1
    ? ` The folder ${names} is no longer there.`
    : ` The folders ${names} are no longer there.`;
}

/** Why a folder's files were not looked at, in words (the error code for the technical). */
function folderUnreadableWords(e: NodeJS.ErrnoException): string {
  const why =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'you do not have permission to open it'
      : `it could not be read (${e.code ?? e.message})`;
  return `This folder's files were not looked at: ${why}. Nothing in it was sent; give yourself access to it, or move its invoices to a folder you can open, and run the same command again.`;
}
