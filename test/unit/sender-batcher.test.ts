import { describe, expect, it } from 'vitest';
import { BATCH_LIMITS, Batcher, batchKeyFor } from '../../app/sender/batcher';

const items = (sizes: number[]) => sizes.map((bytes, i) => ({ id: i, bytes }));

describe('Batcher', () => {
  it('sends a single document after the window, not before', () => {
    const b = new Batcher({ windowMs: 20 });
    expect(b.waitMs(1, 1000)).toBe(20);
    expect(b.waitMs(1, 1015)).toBe(5);
    expect(b.waitMs(3, 1020)).toBe(0);
    b.reset();
    expect(b.waitMs(1, 2000)).toBe(20);
  });

  it('sends at once when a full batch is waiting', () => {
    const b = new Batcher({ windowMs: 50 });
    expect(b.waitMs(100, 0)).toBe(0);
    expect(b.waitMs(250, 0)).toBe(0);
  });

  it('forgets the window when nothing waits', () => {
    const b = new Batcher({ windowMs: 20 });
    b.waitMs(2, 0);
    expect(b.waitMs(0, 10)).toBe(Number.POSITIVE_INFINITY);
    expect(b.waitMs(1, 100)).toBe(20);
  });

  it('splits at 100 documents and at the byte limit, keeping order', () => {
    const b = new Batcher();
    const split = b.split(items(new Array(250).fill(1000)));
    expect(split.map((s) => s.length)).toEqual([100, 100, 50]);
    expect(split.flat().map((i) => i.id)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const mb = 1024 * 1024;
    const bySize = new Batcher({ maxBytes: 50 * mb }).split(
      items([14 * mb, 14 * mb, 14 * mb, 14 * mb, 1]),
    );
    expect(bySize.map((s) => s.length)).toEqual([3, 2]);
  });

  it('puts an item larger than the limit in a batch of its own', () => {
    const b = new Batcher({ maxBytes: 100 });
    expect(b.split(items([10, 500, 10])).map((s) => s.length)).toEqual([1, 1, 1]);
  });

  it('clamps the document limit to the provider maximum', () => {
    expect(new Batcher({ maxDocuments: 500 }).maxDocuments).toBe(BATCH_LIMITS.documents);
    expect(new Batcher({ maxDocuments: 0 }).maxDocuments).toBe(1);
  });
});

describe('batchKeyFor', () => {
  it('is the same for the same set of items, whatever the order, and differs otherwise', () => {
    expect(batchKeyFor(['a', 'b', 'c'])).toBe(batchKeyFor(['c', 'a', 'b']));
    expect(batchKeyFor(['a', 'b'])).not.toBe(batchKeyFor(['a', 'b', 'c']));
    expect(batchKeyFor(['ab'])).not.toBe(batchKeyFor(['a', 'b']));
    expect(batchKeyFor(['a'])).toMatch(/^batch-[0-9a-f]{40}$/);
  });
});
