/**
 * The messages shown at once (renderer/src/stores/toast-store.ts): a message that stays until the
 * person closes it (a drop's files that were not added, an error) is not pushed out by later
 * messages that close by themselves (walk 11: the names of files not added went with the next
 * four messages).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useToastStore } from '../../renderer/src/stores/toast-store';

const titles = () => useToastStore.getState().toasts.map((t) => t.title);

beforeEach(() => {
  useToastStore.setState({ toasts: [] });
});

describe('toast store', () => {
  it('keeps a message that stays; the oldest passing one makes room', () => {
    const { push } = useToastStore.getState();
    push({ kind: 'warning', title: 'not added', lines: ['huge.xml: too large'], ttlMs: null });
    for (let i = 1; i <= 6; i++)
      push({ kind: 'success', title: `ok ${i}`, lines: [], ttlMs: 5000 });
    expect(titles()).toEqual(['not added', 'ok 4', 'ok 5', 'ok 6']);
  });

  it('when every one stays, the oldest goes', () => {
    const { push } = useToastStore.getState();
    for (let i = 1; i <= 5; i++) push({ kind: 'error', title: `e ${i}`, lines: [], ttlMs: null });
    expect(titles()).toEqual(['e 2', 'e 3', 'e 4', 'e 5']);
  });
});
