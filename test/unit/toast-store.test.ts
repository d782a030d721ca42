/**
 * The messages shown at once (renderer/src/stores/toast-store.ts): a message that stays until the
 * person closes it (a drop's files that were not added, an error) is not pushed out by later
 * messages that close by themselves (walk 11: the names of files not added went with the next
 * four messages).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearTeamDatabaseErrors,
  toastError,
  useToastStore,
} from '../../renderer/src/stores/toast-store';

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

  it('a message pushed with the key of one on screen replaces it (walk 21: shown twice)', () => {
    const { push } = useToastStore.getState();
    push({ kind: 'warning', title: '40 added, 2 not added', lines: [], ttlMs: null, key: 'd1' });
    push({ kind: 'info', title: 'other', lines: [], ttlMs: null });
    push({ kind: 'warning', title: '40 added, 2 not added', lines: [], ttlMs: null, key: 'd1' });
    expect(titles()).toEqual(['other', '40 added, 2 not added']);
    useToastStore.getState().dismissKeys(['d1']);
    expect(titles()).toEqual(['other']);
  });

  it('when every one stays, the oldest goes', () => {
    const { push } = useToastStore.getState();
    for (let i = 1; i <= 5; i++) push({ kind: 'error', title: `e ${i}`, lines: [], ttlMs: null });
    expect(titles()).toEqual(['e 2', 'e 3', 'e 4', 'e 5']);
  });
});

// Walk 17b: "Could not retry … the team database cannot be reached" stayed on screen beside
// "Online" for minutes after the database answered again.
describe('errors caused by the team database out of reach', () => {
  it('go once it answers again; other errors stay', () => {
    useToastStore.setState({ toasts: [] });
    toastError('Could not retry', {
      code: 'TEAM_STORE_UNAVAILABLE',
      message: 'The team database at team@db:5432/peppol cannot be reached (connection refused).',
    });
    toastError('Could not export', { code: 'DISK_FULL', message: 'The disk is full.' });
    toastError('Could not open the original file', 'Gone.');
    expect(useToastStore.getState().toasts).toHaveLength(3);
    clearTeamDatabaseErrors();
    expect(useToastStore.getState().toasts.map((t) => t.title)).toEqual([
      'Could not export',
      'Could not open the original file',
    ]);
  });
});
