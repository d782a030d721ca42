import { afterEach, describe, expect, it } from 'vitest';
import { runDocumentAction, retryAllFailed } from '../../renderer/src/stores/document-actions';
import { useToastStore } from '../../renderer/src/stores/toast-store';

const DISK_FULL = 'The disk is full: free space, then Resume.';

/**
 * The engine's answers, per channel, through the bridge the renderer reads (`window.api`). Left in
 * place after the tests: the list's refresh after an action runs on a timer.
 */
let answers: Record<string, unknown> = {};
(globalThis as { window?: unknown }).window = {
  api: {
    invoke: async (channel: string) =>
      channel in answers
        ? { ok: true, value: answers[channel] }
        : { ok: false, error: { code: 'TEST', message: 'not answered in this test' } },
  },
};
function answering(next: Record<string, unknown>): void {
  answers = next;
}

afterEach(() => {
  useToastStore.setState({ toasts: [] });
});

// An action on many documents that stopped part way (a slice could not be written): the toast
// counts what was done, says what was not and why, and stays until the clerk has read it.
describe('the message after an action that stopped part way', () => {
  it('cancel: the count, what was not cancelled and why, kept on screen, with the Undo of the part done', async () => {
    answering({
      'documents:cancel': {
        cancelled: 200,
        undoToken: 'u1',
        stopped: { left: 250, code: 'DISK_FULL', message: DISK_FULL },
      },
    });
    await runDocumentAction('cancel', [1, 2, 3]);
    const [toast] = useToastStore.getState().toasts;
    expect(toast).toMatchObject({
      kind: 'warning',
      title: '200 documents cancelled.',
      lines: [`Stopped part way: 250 documents were not cancelled. ${DISK_FULL}`],
      ttlMs: null,
      action: { label: 'Undo' },
    });
  });

  it('retry all: the same, in its own words; without a stop it is the usual short success', async () => {
    answering({
      'documents:retry': {
        retried: 500,
        stopped: { left: 1, code: 'DISK_FULL', message: DISK_FULL },
      },
    });
    await retryAllFailed();
    expect(useToastStore.getState().toasts[0]).toMatchObject({
      kind: 'warning',
      lines: [`Stopped part way: 1 document was not tried again. ${DISK_FULL}`],
      ttlMs: null,
    });

    useToastStore.setState({ toasts: [] });
    answering({ 'documents:retry': { retried: 3 } });
    await retryAllFailed();
    expect(useToastStore.getState().toasts[0]).toMatchObject({
      kind: 'success',
      title: '3 documents will be tried again.',
      lines: [],
      ttlMs: 6000,
    });
  });
});
