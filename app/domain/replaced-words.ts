/**
 * The timeline words of a corrected file replacing an earlier document of its number, one pair
 * for the single desk (queue/lifecycle/checking) and the team (team/number-guard).
 */
import type { DocumentState } from '../contract';

/** The replaced document's timeline words. */
export function replacedByWords(fileName: string, id: number): string {
  return `Replaced by the corrected file ${fileName} (document #${id})`;
}

/**
 * Why a replaced document did not go: its state (and the buyer's response, for `handled`). A
 * first version still waiting (a correction saved under the same file name) "was waiting to be
 * sent"; a failure says what failed.
 */
export function failureWhich(state: DocumentState, businessResponse: string | null): string {
  if (state === 'queued' || state === 'retry_wait') return 'was waiting to be sent';
  if (state === 'invalid') return 'needed fixing';
  if (state === 'rejected' || (state === 'handled' && businessResponse === 'RE'))
    return 'the buyer rejected';
  return 'could not be sent';
}

/** The new document's timeline words for one document it replaced (`which`: why it did not go). */
export function replacesWords(old: { id: number; fileName: string }, which: string): string {
  return `Replaces ${old.fileName} (document #${old.id}), which ${which}`;
}
