import { isOfficeLockFile } from '../../../../app/domain/file-names';
/** A file picked or dropped, with the name the engine should see (relative path for folders). */
export interface PickedFile {
  name: string;
  file: File;
}

export interface Collected {
  files: PickedFile[];
  /**
   * What dropped folders held that is not taken (named in the drop's summary, drop-summary.ts):
   * files that are not XML, hidden or office lock files; a hidden folder ends with "/".
   */
  skipped: string[];
}

const isXmlName = (name: string): boolean => /\.xml$/i.test(name);
/**
 * Left alone inside a folder, as the hot folder and `send` do (walk 21: a dropped folder's
 * `~$x.xml`, the lock file Word or Excel keeps beside an open file, became a "Needs fixing" row
 * that asked to export the invoice again): hidden files and folders, and office lock files.
 */
const isLeftAlone = (name: string): boolean => name.startsWith('.') || isOfficeLockFile(name);

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** `readEntries` answers in batches (100 in Chromium): call until it returns none. */
async function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** A file entry found in a drop, in drop order, with the name the engine should see. */
interface Found {
  name: string;
  entry: FileSystemFileEntry;
}

async function walk(
  entry: FileSystemEntry,
  found: Found[],
  skipped: string[],
  inFolder: boolean,
  onFound: (files: number) => void,
): Promise<void> {
  const relative = entry.fullPath.replace(/^\//, '') || entry.name;
  // What was dropped itself is taken whatever its name; inside folders, as `send` takes them.
  if (entry.isFile) {
    // Inside folders only XML counts: folders often hold PDFs and spreadsheets next to invoices.
    if (inFolder && (isLeftAlone(entry.name) || !isXmlName(entry.name))) {
      skipped.push(relative);
      return;
    }
    found.push({ name: relative, entry: entry as FileSystemFileEntry });
  } else if (entry.isDirectory) {
    if (inFolder && entry.name.startsWith('.')) {
      skipped.push(`${relative}/`);
      return;
    }
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) {
      await walk(child, found, skipped, true, onFound);
    }
    onFound(found.length);
  }
}

/** Files asked for at once: one at a time, a folder of 10,000 took 10 s before anything showed. */
const FILES_AT_ONCE = 500;

/**
 * Collects files and whole folders from a drop. Entries must be taken synchronously during the
 * drop event (the DataTransfer is emptied afterwards), so call this before any `await`.
 * `onFound` hears how many files were found so far, as folders are read.
 */
export function collectDropped(
  data: DataTransfer,
  onFound: (files: number) => void = () => undefined,
): Promise<Collected> {
  const entries: FileSystemEntry[] = [];
  const plain: File[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) plain.push(file);
    }
  }
  if (entries.length === 0 && plain.length === 0) plain.push(...Array.from(data.files));
  return (async () => {
    const out: Collected = { files: plain.map((file) => ({ name: file.name, file })), skipped: [] };
    const found: Found[] = [];
    for (const entry of entries) await walk(entry, found, out.skipped, false, onFound);
    for (let i = 0; i < found.length; i += FILES_AT_ONCE) {
      const part = found.slice(i, i + FILES_AT_ONCE);
      const files = await Promise.all(part.map((f) => fileOf(f.entry)));
      part.forEach((f, k) => out.files.push({ name: f.name, file: files[k]! }));
    }
    return out;
  })();
}

/** Files from the "Choose files" input. */
export function collectChosen(list: FileList): Collected {
  return {
    files: Array.from(list).map((file) => ({
      name: file.webkitRelativePath || file.name,
      file,
    })),
    skipped: [],
  };
}
