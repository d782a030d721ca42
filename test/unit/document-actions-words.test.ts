import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentRow, DocumentState } from '../../app/contract';
import {
  requestDocumentAction,
  retryAllFailed,
  runDocumentAction,
} from '../../renderer/src/stores/document-actions';
import { useConfirmStore } from '../../renderer/src/stores/confirm-store';
import { useDocumentsStore } from '../../renderer/src/stores/documents-store';
import { useToastStore } from '../../renderer/src/stores/toast-store';

const DISK_FULL = 'The disk is full: free space, then Resume.';

/**
 * The engine's answers, per channel, through the bridge the renderer reads (`window.api`). Left in
 * place after the tests: the list's refresh after an action runs on a timer.
 */
let answers: Record<string, unknown> = {};
/** The ids of the last request that named some. */
let sentIds: number[] = [];
(globalThis as { window?: unknown }).window = {
  api: {
    invoke: async (channel: string, arg?: { ids?: number[] }) => {
      if (arg?.ids) sentIds = arg.ids;
      return channel in answers
        ? { ok: true, value: answers[channel] }
        : { ok: false, error: { code: 'TEST', message: 'not answered in this test' } };
    },
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
      'documents:ids': { ids: [] },
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
    answering({ 'documents:ids': { ids: [] }, 'documents:retry': { retried: 3 } });
    await retryAllFailed();
    expect(useToastStore.getState().toasts[0]).toMatchObject({
      kind: 'success',
      title: '3 documents will be tried again.',
      lines: [],
      ttlMs: 6000,
    });

    // Nothing left to retry (another desk or window was first): said why (walk 17).
    useToastStore.setState({ toasts: [] });
    answering({ 'documents:ids': { ids: [] }, 'documents:retry': { retried: 0 } });
    await retryAllFailed();
    expect(useToastStore.getState().toasts[0]).toMatchObject({
      title: '0 documents will be tried again.',
      lines: [
        'None was failed any more: they were retried or decided meanwhile, perhaps on another desk or in another window.',
      ],
    });
  });
});

describe('Retry of files that needed fixing', () => {
  it('says they are checked again, not tried again (walk 12: "9 documents will be tried again")', async () => {
    answering({ 'documents:retry': { retried: 9, rechecked: 9 } });
    await runDocumentAction('retry', [1, 2, 3, 4, 5, 6, 7, 8, 9], 9);
    expect(useToastStore.getState().toasts.at(-1)).toMatchObject({
      title: '9 files will be checked again.',
      lines: [
        'A file is checked as it was added: if it still needs fixing, fix it and drop the corrected file.',
      ],
    });
    useToastStore.setState({ toasts: [] });
    answering({ 'documents:retry': { retried: 5, rechecked: 2 } });
    await runDocumentAction('retry', [1, 2, 3, 4, 5], 5);
    expect(useToastStore.getState().toasts.at(-1)).toMatchObject({
      title: '3 documents will be tried again.',
      lines: [
        '2 files that needed fixing will be checked again.',
        'A file is checked as it was added: if it still needs fixing, fix it and drop the corrected file.',
      ],
    });
  });

  // Walk 23b: a selection's Retry sent again, without a word, a file the access point refused
  // itself, whose details say "Retry is not offered": the toast says so and what will happen;
  // one whose copy is gone is left, and said so.
  it('says which it sends again though the access point refused them, and which it left', async () => {
    answering({
      'documents:retry': {
        retried: 2,
        resentToFixIds: [1],
        leftToFix: 1,
        leftToFixIds: [3],
        leftCopyGoneIds: [3],
      },
    });
    await runDocumentAction('retry', [1, 2, 3], 3);
    expect(useToastStore.getState().toasts.at(-1)).toMatchObject({
      title: '2 documents will be tried again.',
      lines: [
        '1 of them the access point had refused itself: it is sent again as you asked. Unless the reason is gone it will refuse it again: then fix it in your accounting system and add the corrected file.',
        '1 file was left as it is: Peppol Desk no longer has a whole copy of it. Add the invoice file again.',
      ],
    });
  });

  // Walk 24: "7 files were left as they are: the access point refused the file itself (or its
  // copy is gone)", where the answer says which applies.
  it('says why each file Retry all left was left, not one hedged reason', async () => {
    answering({
      'documents:ids': { ids: [] },
      'documents:retry': { retried: 0, leftToFix: 3, leftCopyGoneIds: [9] },
    });
    await retryAllFailed();
    expect(useToastStore.getState().toasts.at(-1)?.lines).toEqual([
      '2 files were left as they are: the access point refused the file itself. Fix each in your accounting system and add the corrected file.',
      '1 file was left as it is: Peppol Desk no longer has a whole copy of it. Add the invoice file again.',
    ]);
  });
});

// A clerk's walk: "Send 21 held documents anyway?" when 1 of the 21 selected was held, and
// "Cancel 9 documents?" then "8 documents cancelled.": the confirmation counted the selection, not
// what the action applies to.
describe('the confirmation of an action on a selection', () => {
  const row = (id: number, state: DocumentState) => ({ id, state }) as DocumentRow;
  let asked: { title: string; confirmLabel: string }[] = [];
  const select = (rows: DocumentRow[]) => useDocumentsStore.setState({ pages: { 0: rows } });

  afterEach(() => {
    asked = [];
    sentIds = [];
  });
  useConfirmStore.setState({
    ask: async (q: { title: string; confirmLabel: string }) => {
      asked.push(q);
      return true;
    },
  } as never);

  it('counts the documents it applies to and sends only those', async () => {
    select([row(1, 'held'), row(2, 'queued'), row(3, 'delivered'), row(4, 'held')]);
    answering({
      'documents:sendAnyway': { released: 2 },
      'documents:cancel': { cancelled: 2 },
    });
    await requestDocumentAction('sendAnyway', [1, 2, 3, 4]);
    expect(asked.map((a) => a.title)).toEqual(['Send 2 held documents anyway?']);
    expect(sentIds).toEqual([1, 4]);

    asked = [];
    await requestDocumentAction('cancel', [1, 2, 3]);
    expect(asked.map((a) => a.title)).toEqual(['Cancel 2 documents?']);
    expect(sentIds).toEqual([1, 2]);
    expect(useToastStore.getState().toasts.at(-1)).toMatchObject({
      title: '2 documents cancelled.',
      lines: ['1 document was being sent, already sent or finished, and left as it is.'],
    });
  });

  it('asks nothing and says so when nothing applies; counts nothing when the rows are not loaded', async () => {
    select([row(2, 'queued'), row(3, 'delivered')]);
    await requestDocumentAction('sendAnyway', [2, 3]);
    expect(asked).toEqual([]);
    expect(useToastStore.getState().toasts.at(-1)?.title).toBe(
      'Nothing to send anyway: none of the selected documents is held for a decision.',
    );
    answering({ 'documents:cancel': { cancelled: 0 } });
    await requestDocumentAction('cancel', [2, 99]);
    expect(asked.map((a) => a.title)).toEqual(['Cancel the selected documents?']);
  });

  it('says that documents being sent cannot be cancelled, not that they were sent (walk 9)', async () => {
    const brief = (id: number, state: DocumentState) => ({ id, state, problemCode: null });
    select([]);
    answering({ 'documents:briefs': { rows: [brief(1, 'sending'), brief(2, 'sending')] } });
    await requestDocumentAction('cancel', [1, 2]);
    answering({ 'documents:briefs': { rows: [brief(3, 'sending'), brief(4, 'delivered')] } });
    await requestDocumentAction('cancel', [3, 4]);
    answering({ 'documents:briefs': { rows: [brief(5, 'delivered')] } });
    await requestDocumentAction('cancel', [5]);
    expect(asked).toEqual([]);
    expect(useToastStore.getState().toasts.map((t) => t.title)).toEqual([
      'Nothing to cancel: the selected documents are being sent right now and may already have reached the access point.',
      'Nothing to cancel: 1 of the selected documents is being sent right now and may already have reached the access point; the others are already sent or finished.',
      'Nothing to cancel: the selected documents are already sent or finished.',
    ]);
  });

  it('does not count for Send anyway one whose buyer does not take its type of document (walk 9)', async () => {
    const brief = (id: number, code: string) => ({ id, state: 'held', problemCode: code });
    select([]);
    answering({
      'documents:briefs': {
        rows: [brief(1, 'RECEIVER_DOES_NOT_ACCEPT'), brief(2, 'DUPLICATE'), brief(3, 'DUPLICATE')],
      },
      'documents:sendAnyway': { released: 2 },
    });
    await requestDocumentAction('sendAnyway', [1, 2, 3]);
    expect(asked.map((a) => a.title)).toEqual(['Send 2 held documents anyway?']);
    expect(sentIds).toEqual([2, 3]);
  });

  it('asks before a Retry sends again invoices whose delivery failed (a new submission), and only then', async () => {
    const failed = (id: number, code: string) =>
      ({ id, state: 'failed', problem: { code, message: '', action: 'retry' } }) as DocumentRow;
    select([failed(1, 'DELIVERY_FAILED'), failed(2, 'ATTEMPTS_EXHAUSTED')]);
    answering({ 'documents:retry': { retried: 2 } });
    await requestDocumentAction('retry', [1, 2]);
    expect(asked.map((a) => a.title)).toEqual(['Send 1 invoice again whose delivery failed?']);
    expect(sentIds).toEqual([1, 2]);

    asked = [];
    await requestDocumentAction('retry', [2]);
    expect(asked).toEqual([]);
    expect(sentIds).toEqual([2]);
  });

  it('counts what the engine has now, not the table’s last load (walk 8: "Cancel 86 documents?", then 0 cancelled)', async () => {
    // The table last loaded four queued rows; three were sent since.
    select([row(1, 'queued'), row(2, 'queued'), row(3, 'queued'), row(4, 'queued')]);
    const brief = (id: number, state: DocumentState) => ({ id, state, problemCode: null });
    answering({
      'documents:briefs': {
        rows: [
          brief(1, 'accepted'),
          brief(2, 'delivered'),
          brief(3, 'queued'),
          brief(4, 'received'),
        ],
      },
      'documents:cancel': { cancelled: 1 },
    });
    await requestDocumentAction('cancel', [1, 2, 3, 4]);
    expect(asked.map((a) => a.title)).toEqual(['Cancel 2 documents?']);
    expect(sentIds).toEqual([3, 4]);

    // Every document selected, most not loaded: counted all the same.
    asked = [];
    select([]);
    answering({
      'documents:briefs': { rows: [brief(7, 'queued'), brief(8, 'accepted'), brief(9, 'failed')] },
      'documents:cancel': { cancelled: 2 },
    });
    await requestDocumentAction('cancel', [7, 8, 9]);
    expect(asked.map((a) => a.title)).toEqual(['Cancel 2 documents?']);
    expect(sentIds).toEqual([7, 9]);
  });

  it('"Retry all failed" asks the same when invoices whose delivery failed are among all the failed ones (walk 8)', async () => {
    const brief = (id: number, problemCode: string) => ({ id, state: 'failed', problemCode });
    answering({
      'documents:ids': { ids: [1, 2, 3] },
      'documents:briefs': {
        rows: [
          brief(1, 'DELIVERY_FAILED'),
          brief(2, 'ATTEMPTS_EXHAUSTED'),
          brief(3, 'DELIVERY_FAILED'),
        ],
      },
      'documents:retry': { retried: 3 },
    });
    await retryAllFailed();
    expect(asked.map((a) => a.title)).toEqual(['Send 2 invoices again whose delivery failed?']);
    expect(useToastStore.getState().toasts.at(-1)?.title).toBe('3 documents will be tried again.');

    // Not now: nothing is retried.
    asked = [];
    useToastStore.setState({ toasts: [] });
    useConfirmStore.setState({
      ask: async (q: { title: string; confirmLabel: string }) => {
        asked.push(q);
        return false;
      },
    } as never);
    answering({
      'documents:ids': { ids: [1] },
      'documents:briefs': { rows: [brief(1, 'DELIVERY_FAILED')] },
    });
    await retryAllFailed();
    expect(asked.map((a) => a.title)).toEqual(['Send 1 invoice again whose delivery failed?']);
    expect(useToastStore.getState().toasts).toEqual([]);
    useConfirmStore.setState({
      ask: async (q: { title: string; confirmLabel: string }) => {
        asked.push(q);
        return true;
      },
    } as never);
  });
});

// Walk 17: "Retry all failed" on a team desk whose database was down said "Peppol Desk did not
// answer"; Peppol Desk had answered, with the reason.
describe('"Retry all failed" when the failed documents cannot be read', () => {
  it('says the engine’s own reason', async () => {
    const down = 'The team database at team@db.example:5432/peppol cannot be reached.';
    const engine = (window as unknown as { api: { invoke: unknown } }).api;
    const invoke = engine.invoke;
    engine.invoke = async () => ({
      ok: false,
      error: { code: 'TEAM_STORE_UNAVAILABLE', message: down },
    });
    try {
      await retryAllFailed();
    } finally {
      engine.invoke = invoke;
    }
    expect(useToastStore.getState().toasts.at(-1)).toMatchObject({
      kind: 'error',
      title: 'Could not retry',
      lines: [down],
    });
  });
});

// Walk 4: tab B cancelled a held duplicate while tab A had "Send anyway" open; A's click said only
// "0 documents released for sending".
describe('Send anyway on a document no longer held', () => {
  it('says it was decided or cancelled meanwhile, not only "0 released"', async () => {
    answering({ 'documents:sendAnyway': { released: 0 } });
    await runDocumentAction('sendAnyway', [7]);
    const [toast] = useToastStore.getState().toasts;
    expect(toast).toMatchObject({
      title: '0 documents released for sending.',
      lines: [
        '1 document was no longer held (decided or cancelled meanwhile, perhaps in another window) and left as it is.',
      ],
    });
  });
});
