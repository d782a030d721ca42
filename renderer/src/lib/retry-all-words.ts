import type { StateCounts } from '../../../app/contract';
import { formatCount } from './format';

/**
 * The documents Needs attention's "retry all" button acts on: failed ones, but those it leaves as
 * they are (`toFix`: the access point refused the file itself, or its copy is gone), and those
 * whose receiver was not found.
 */
export function retryAllCount(
  counts: Pick<StateCounts, 'failed' | 'unreachable'>,
  toFix = 0,
): { failed: number; unreachable: number } {
  return { failed: Math.max(0, counts.failed - toFix), unreachable: counts.unreachable };
}

/**
 * The words of Needs attention's "retry all" button, named after what its rows say (walk 13:
 * "Retry all failed (20)" beside twenty rows reading "Receiver not on Peppol" and none "Failed"),
 * and counting what it retries (walk 23: "(56)" of which 7 were left as they are, every time).
 */
export function retryAllWords(
  counts: Pick<StateCounts, 'failed' | 'unreachable'>,
  toFix = 0,
): string {
  const { failed, unreachable } = retryAllCount(counts, toFix);
  const words =
    unreachable === 0
      ? 'Retry all failed'
      : failed === 0
        ? 'Look up all receivers not found again'
        : 'Retry all failed or not found';
  return `${words} (${formatCount(failed + unreachable)})`;
}

/** Why Retry all leaves a failed file as it is (the button's hover, and its toast after). */
export const LEFT_AS_IS_WHY = 'the access point refused the file itself (or its copy is gone)';
/** Why, for the files the access point refused (Retry's answer says which ones were). */
export const LEFT_REFUSED_WHY = 'the access point refused the file itself';
/** What to do with such a file instead. */
export const FIX_EACH = 'Fix each in your accounting system and add the corrected file.';
/** The same for one file. */
export const FIX_IT = 'Fix it in your accounting system and add the corrected file.';

/** The button's hover words when it leaves failed files as they are, or null. */
export function retryAllLeavesWords(toFix: number): string | null {
  if (toFix <= 0) return null;
  return `${toFix === 1 ? '1 failed file is' : `${formatCount(toFix)} failed files are`} not counted: ${LEFT_AS_IS_WHY}, so Retry does not send ${toFix === 1 ? 'it' : 'them'} again. ${toFix === 1 ? FIX_IT : FIX_EACH}`;
}
