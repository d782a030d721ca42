import { describe, expect, it } from 'vitest';
import { CoalescedReader } from '../../app/team/shared-caches';

describe('CoalescedReader', () => {
  it('keeps one read in flight: keys asked for meanwhile go together in the next read', async () => {
    const reads: string[][] = [];
    let release: (() => void) | null = null;
    const reader = new CoalescedReader<number>(async (keys) => {
      reads.push([...keys].sort());
      if (reads.length === 1) await new Promise<void>((r) => (release = r));
      return new Map(keys.filter((k) => k !== 'none').map((k) => [k, k.length]));
    });
    const first = reader.get(['a']);
    // Three single-key asks while the first read is out: one read for all three.
    const later = [reader.get(['bb']), reader.get(['ccc', 'none']), reader.get(['bb'])];
    expect(reads).toEqual([['a']]);
    release!();
    expect([...(await first)]).toEqual([['a', 1]]);
    const [b, c, b2] = await Promise.all(later);
    expect(reads).toEqual([['a'], ['bb', 'ccc', 'none']]);
    expect([...b!]).toEqual([['bb', 2]]);
    expect([...c!]).toEqual([['ccc', 3]]);
    expect([...b2!]).toEqual([['bb', 2]]);
  });

  it('a failed read fails the asks it carried, and the next asks read again', async () => {
    let fail = true;
    const reader = new CoalescedReader<number>(async (keys) => {
      if (fail) throw new Error('connection refused');
      return new Map(keys.map((k) => [k, 1]));
    });
    await expect(reader.get(['a', 'b'])).rejects.toThrow('connection refused');
    fail = false;
    expect([...(await reader.get(['a']))]).toEqual([['a', 1]]);
    expect([...(await reader.get([]))]).toEqual([]);
  });
});
