/** What the clerk's actions share: counted words, a stopped action's line, the refresh after. */
import type { Stopped } from '../../../app/contract';
import { useDetailStore } from './detail-store';
import { useDocumentsStore } from './documents-store';

/** How long the Undo of a cancel is offered on screen (the engine allows it a little longer). */
export const UNDO_OFFER_MS = 10_000;

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The action stopped part way (a slice could not be written, e.g. the disk is full): what was
 * done stays done and was counted in the title; this line says what was not, and why.
 */
export function stoppedLines(stopped: Stopped | undefined, notDone: string): string[] {
  if (!stopped) return [];
  return [
    `Stopped part way: ${plural(stopped.left, 'document was', 'documents were')} not ${notDone}. ${stopped.message}`,
  ];
}

export function refreshAfterAction(): void {
  useDocumentsStore.getState().clearSelection();
  useDocumentsStore.getState().requestRefresh();
  void useDetailStore.getState().reload();
}
