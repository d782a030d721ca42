/**
 * groupBy (app/domain/group-by.ts): the grouping used by Retry's lookups, `retry`'s held list,
 * `send`'s pinned-elsewhere report and the team's enqueue, where `[...list, item]` per item copied
 * a growing list (a quadratic path at month-end: 10,000 failed invoices to one buyer). What it
 * gives is checked here; that it pushes is read in its code (a spy on array iteration would see
 * the test runner's own).
 */
import { describe, expect, it } from 'vitest';
import { groupBy } from '../../app/domain/group-by';

describe('groupBy', () => {
  it('groups in order, leaves out what has no key, maps values', () => {
    const items = [
      { id: 1, to: 'a' },
      { id: 2, to: null },
      { id: 3, to: 'b' },
      { id: 4, to: 'a' },
    ];
    const byTo = groupBy(items, (x) => x.to);
    expect([...byTo.keys()]).toEqual(['a', 'b']);
    expect(byTo.get('a')!.map((x) => x.id)).toEqual([1, 4]);
    const ids = groupBy(
      items,
      (x) => x.to,
      (x) => x.id,
    );
    expect(Object.fromEntries(ids)).toEqual({ a: [1, 4], b: [3] });
  });

  it('keeps every item of a large group, in order', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ id: i, to: i % 2 ? 'a' : 'b' }));
    const groups = groupBy(
      items,
      (x) => x.to,
      (x) => x.id,
    );
    expect(groups.get('a')).toHaveLength(5_000);
    expect(groups.get('b')!.slice(0, 3)).toEqual([0, 2, 4]);
  });
});
