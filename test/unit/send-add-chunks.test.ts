import { describe, expect, it } from 'vitest';
import {
  CHUNK_TARGET_MS,
  ChunkSizer,
  FIRST_CHUNK,
  MAX_CHUNK,
  MIN_CHUNK,
} from '../../app/cli/add-chunks';

// `send` adds the files of a folder in chunks; adding one holds the engine's thread, so a chunk
// of hundreds of files held back the first verdicts, the lookup and the first requests.

describe('chunks of `send`', () => {
  it('start small, then take as many files as fit the time target, within bounds', () => {
    const sizer = new ChunkSizer();
    expect(sizer.next()).toBe(FIRST_CHUNK);
    expect(FIRST_CHUNK).toBeLessThan(MIN_CHUNK);
    // 0.1 ms per file: about 250 files fit the target.
    sizer.took(FIRST_CHUNK, FIRST_CHUNK * 0.1);
    expect(sizer.next()).toBe(Math.floor(CHUNK_TARGET_MS / 0.1));
    // Slow (a busy disk): never below the floor, each chunk being a synced commit.
    sizer.took(100, 500);
    expect(sizer.next()).toBe(MIN_CHUNK);
    // Fast: never above the ceiling.
    sizer.took(500, 1);
    expect(sizer.next()).toBe(MAX_CHUNK);
  });

  it('keep the last measure when a chunk added nothing', () => {
    const sizer = new ChunkSizer();
    sizer.next();
    sizer.took(50, 10);
    const size = sizer.next();
    sizer.took(0, 0);
    expect(sizer.next()).toBe(size);
  });
});
