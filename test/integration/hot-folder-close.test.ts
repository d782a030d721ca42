import { watch } from 'chokidar';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeWatcherForGood } from '../../app/hot-folder';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

const tempDir = useTempDirs();

const fsWatches = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;

// `peppol-desk watch` hung after Ctrl+C under load: a file the hot folder had just moved away was
// stat'ed by chokidar after close(), and chokidar's `_remove` then called `add()` on the closed
// watcher ("watch for its return"), which reopened it with an fs.watch nobody closed.
describe('hot folder watcher close', () => {
  it('a closed watcher stays closed when chokidar adds a path to it afterwards', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.xml'), '<x/>');
    const before = fsWatches();
    const watcher = watch(dir, { depth: 0, persistent: true });
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    expect(fsWatches()).toBeGreaterThan(before);

    await closeWatcherForGood(watcher);
    await waitFor('the fs.watch handles closed', () => fsWatches() === before);

    // What chokidar's own `_remove` does after close when the only watched file is gone: without
    // the guard, add() clears `closed` at once and opens a new fs.watch a moment later.
    watcher.add(dir);
    expect(watcher.closed).toBe(true);
  });
});
