import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchFolder, type EntryKind, type FolderWatcher } from '../../app/folder-watcher';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

const tempDir = useTempDirs();

const fsWatches = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The hot folder's own rule: .xml files only, never its sent/ folder. */
const xmlOnly = (folder: string) => (path: string, kind: EntryKind) =>
  path.startsWith(join(folder, 'sent')) || (kind === 'file' && !path.endsWith('.xml'));

describe('folder watcher (the hot folder)', () => {
  it('reports each complete file once, the ones there at start and the ones moved in, and a file saved again', async () => {
    const handles = fsWatches();
    const folder = tempDir();
    writeFileSync(join(folder, 'before.xml'), 'a');
    writeFileSync(join(folder, 'notes.txt'), 'not an invoice');
    const reported: string[] = [];
    const w = watchFolder(
      { folder, stabilityMs: 100, ignored: xmlOnly(folder) },
      { file: (p) => reported.push(p) },
    );
    await w.ready;
    const outside = tempDir();
    writeFileSync(join(outside, 'moved.xml'), 'b');
    renameSync(join(outside, 'moved.xml'), join(folder, 'moved.xml'));
    await waitFor('both reported', () => reported.length === 2);
    expect([...reported].sort()).toEqual([join(folder, 'before.xml'), join(folder, 'moved.xml')]);
    // Saved again with other content: reported again, once.
    writeFileSync(join(folder, 'before.xml'), 'a, corrected');
    await waitFor('the new version reported', () => reported.length === 3);
    expect(reported[2]).toBe(join(folder, 'before.xml'));
    await delay(300);
    expect(reported).toHaveLength(3);
    await w.close();
    await waitFor('the fs.watch handles closed', () => fsWatches() === handles);
  });

  it('a closed watcher stays closed: no fs.watch left, nothing reported after close', async () => {
    const folder = tempDir();
    const before = fsWatches();
    const reported: string[] = [];
    const w = watchFolder(
      { folder, stabilityMs: 50, ignored: xmlOnly(folder) },
      { file: (p) => reported.push(p) },
    );
    expect(fsWatches()).toBeGreaterThan(before);
    writeFileSync(join(folder, 'late.xml'), 'x');
    await w.close();
    await waitFor('the fs.watch handles closed', () => fsWatches() === before);
    await delay(200);
    expect(reported).toEqual([]);
    expect(fsWatches()).toBe(before);
  });

  // Issue 9: chokidar listed and stat'ed the whole folder again after changes in it (at most once a
  // second), so a month-end drop of N files moved in while the sent ones are moved out cost work
  // in proportion to N for every second of the run. Counted here, not timed.
  it('a drop of N files moved in while the reported ones are moved out costs O(N) stats and no listing of the folder', async () => {
    const N = 2000;
    const handles = fsWatches();
    const folder = tempDir();
    const staged = tempDir();
    mkdirSync(join(folder, 'sent'));
    for (let i = 0; i < N; i++) writeFileSync(join(staged, `inv-${i}.xml`), `<x>${i}</x>`);
    let reported = 0;
    let w: FolderWatcher | null = null;
    w = watchFolder(
      // No backstop listing during the test: only what events cost is counted.
      { folder, stabilityMs: 50, ignored: xmlOnly(folder), rescanMinMs: 600_000 },
      {
        file: (p) => {
          reported++;
          // What the hot folder does once the document is sent: the file leaves the folder.
          renameSync(p, join(folder, 'sent', p.slice(folder.length + 1)));
        },
      },
    );
    await w.ready;
    const listedAtStart = w.work.entriesListed;
    // Moved in in groups, while earlier ones are reported and moved out.
    for (let i = 0; i < N; i += 100) {
      for (let k = i; k < i + 100; k++)
        renameSync(join(staged, `inv-${k}.xml`), join(folder, `inv-${k}.xml`));
      await delay(5);
    }
    await waitFor('every file reported', () => reported === N);
    const work = { ...w.work };
    await w.close();
    await waitFor('the fs.watch handles closed', () => fsWatches() === handles);
    expect(listedAtStart).toBe(1); // sent/
    expect(work.entriesListed).toBe(listedAtStart);
    // A stat when a file arrives, when its window ends, and when it leaves (a few more for
    // events that come twice): a bound in N, whatever the folder holds meanwhile.
    expect(work.stats).toBeGreaterThanOrEqual(2 * N);
    expect(work.stats).toBeLessThanOrEqual(4 * N);
  });

  // A walk: with the hot folder missing at start (a network share not mounted yet), or moved away
  // and made again, only the backstop listing saw its files, and it skipped names it knew: an
  // invoice saved again under a known name was never added.
  it('a folder missing at start is watched once it is there, says so, and sees a file saved again', async () => {
    const parent = tempDir();
    const folder = join(parent, 'share');
    const reported: string[] = [];
    const states: string[] = [];
    const errors: string[] = [];
    const w = watchFolder(
      { folder, stabilityMs: 50, rescanMinMs: 100, ignored: xmlOnly(folder) },
      {
        file: (p) => reported.push(p),
        folder: (s) => states.push(s),
        error: (e) => errors.push(e.message),
      },
    );
    await w.ready;
    expect(states).toEqual(['missing']);
    mkdirSync(folder);
    await waitFor('watched again', () => states.length === 2);
    writeFileSync(join(folder, 'a.xml'), 'first');
    await waitFor('a.xml reported', () => reported.length === 1);
    writeFileSync(join(folder, 'a.xml'), 'first, corrected');
    await waitFor('a.xml saved again, reported again', () => reported.length === 2);
    expect(reported).toEqual([join(folder, 'a.xml'), join(folder, 'a.xml')]);
    expect(states).toEqual(['missing', 'watching']);
    expect(errors).toEqual([]);
    await w.close();
  });

  it('a folder moved away and made again is watched anew: a known name saved again there is reported', async () => {
    const parent = tempDir();
    const folder = join(parent, 'hot');
    mkdirSync(folder);
    writeFileSync(join(folder, 'dup.xml'), 'one');
    const reported: string[] = [];
    const states: string[] = [];
    const w = watchFolder(
      { folder, stabilityMs: 50, rescanMinMs: 100, ignored: xmlOnly(folder) },
      { file: (p) => reported.push(p), folder: (s) => states.push(s) },
    );
    await waitFor('dup.xml reported', () => reported.length === 1);
    renameSync(folder, join(parent, 'hot-old'));
    mkdirSync(folder);
    writeFileSync(join(folder, 'dup.xml'), 'one');
    await delay(400);
    // Saved again under the known name, in the folder made again.
    writeFileSync(join(folder, 'dup.xml'), 'two, other content');
    await waitFor('the new content reported', () => reported.length >= 2);
    expect(reported.every((p) => p === join(folder, 'dup.xml'))).toBe(true);
    // And it keeps watching by events: one more save, reported once more.
    writeFileSync(join(folder, 'dup.xml'), 'three');
    const before = reported.length;
    await waitFor('the third content reported', () => reported.length === before + 1);
    rmSync(join(parent, 'hot-old'), { recursive: true });
    await w.close();
  });
});
