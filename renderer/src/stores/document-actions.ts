import { getApi } from '../bridge';
import { useDetailStore } from './detail-store';
import { useDocumentsStore } from './documents-store';
import { toastError, useToastStore } from './toast-store';

export type DocumentAction = 'retry' | 'cancel' | 'sendAnyway';

export const ACTION_LABELS: Record<DocumentAction, string> = {
  retry: 'Retry',
  cancel: 'Cancel',
  sendAnyway: 'Send anyway',
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Runs an action on documents, tells the person what happened, and refreshes what they see. */
export async function runDocumentAction(action: DocumentAction, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const api = getApi();
  let message: string;
  let lines: string[] = [];
  if (action === 'retry') {
    const r = await api.invoke('documents:retry', { ids });
    if (!r.ok) return toastError('Could not retry', r.error.message);
    message = `${plural(r.value.retried, 'document', 'documents')} will be tried again.`;
  } else if (action === 'cancel') {
    const r = await api.invoke('documents:cancel', { ids });
    if (!r.ok) return toastError('Could not cancel', r.error.message);
    message = `${plural(r.value.cancelled, 'document', 'documents')} cancelled.`;
    const refused = r.value.refused ?? [];
    if (refused.length > 0) {
      // Kept, not cancelled: their last attempt may have reached the access point.
      lines = [
        `${plural(refused.length, 'document was', 'documents were')} kept: ${refused[0]!.message}`,
      ];
    }
  } else {
    const r = await api.invoke('documents:sendAnyway', { ids });
    if (!r.ok) return toastError('Could not release for sending', r.error.message);
    message = `${plural(r.value.released, 'document', 'documents')} released for sending.`;
    const stillHeld = r.value.stillHeld ?? [];
    if (stillHeld.length > 0) {
      // Released as a duplicate, but the two checks disagree: a second decision is needed.
      lines = [
        `${plural(stillHeld.length, 'document is', 'documents are')} still held: ${stillHeld[0]!.message}`,
      ];
    }
  }
  useToastStore.getState().push({ kind: 'success', title: message, lines, ttlMs: 6000 });
  useDocumentsStore.getState().clearSelection();
  useDocumentsStore.getState().requestRefresh();
  void useDetailStore.getState().reload();
}

/** Retries every failed or unreachable document (the engine picks them, not the loaded rows). */
export async function retryAllFailed(): Promise<void> {
  const r = await getApi().invoke('documents:retry', { allFailed: true });
  if (!r.ok) return toastError('Could not retry', r.error.message);
  useToastStore.getState().push({
    kind: 'success',
    title: `${plural(r.value.retried, 'document', 'documents')} will be tried again.`,
    lines: [],
    ttlMs: 6000,
  });
  useDocumentsStore.getState().requestRefresh();
  void useDetailStore.getState().reload();
}
