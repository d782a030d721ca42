import type { StateCounts } from '../../../app/contract';
import { formatCount } from './format';

/**
 * The words of Needs attention's "retry all" button, named after what its rows say (walk 13:
 * "Retry all failed (20)" beside twenty rows reading "Receiver not on Peppol" and none "Failed").
 * It acts on documents whose sending failed and on those whose receiver was not found.
 */
export function retryAllWords(counts: Pick<StateCounts, 'failed' | 'unreachable'>): string {
  const n = counts.failed + counts.unreachable;
  const words =
    counts.unreachable === 0
      ? 'Retry all failed'
      : counts.failed === 0
        ? 'Look up all receivers not found again'
        : 'Retry all failed or not found';
  return `${words} (${formatCount(n)})`;
}
