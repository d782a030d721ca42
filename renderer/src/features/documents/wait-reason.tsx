import type { ConnectionStatus, DocumentRow } from '../../../../app/contract';
import { formatChange } from '../../lib/format';
import { useConnectionStore } from '../../stores/connection-store';
import { useSettingsStore } from '../../stores/settings-store';

// States that wait for sending (or for the access point to answer the lookup).
const WAITING = new Set<DocumentRow['state']>(['ready', 'resolving', 'queued', 'retry_wait']);

/**
 * Why a waiting document waits, in words: paused (since when), offline (next try at …), the key
 * refused, the access point in trouble (next try at …), retry waiting (attempt n of m, next at
 * …), throttled. Null when it does not wait.
 */
export function waitReason(
  row: Pick<DocumentRow, 'state' | 'attempts' | 'nextAttemptAt'>,
  status: ConnectionStatus | null,
  maxAttempts: number | null,
): string | null {
  if (!WAITING.has(row.state) || !status) return null;
  const at = (ms: number | null | undefined) => (ms ? formatChange(ms) : null);
  if (status.paused) {
    const since = at(status.pausedAt);
    return since ? `Paused by you since ${since}` : 'Paused by you';
  }
  if (status.state === 'offline') {
    const next = at(status.nextTryAt);
    return `Access point offline${next ? `, next try at ${next}` : ''}`;
  }
  // The queue is held: what counts is why, not the attempt (none is counted meanwhile).
  if (status.state === 'refused') return 'API key not accepted; the invoice waits';
  if (status.state === 'trouble') {
    const next = at(status.nextTryAt);
    return `Access point problems${next ? `, next try at ${next}` : ''}`;
  }
  if (row.state === 'retry_wait') {
    const of = maxAttempts ? ` of ${maxAttempts}` : '';
    const next = at(row.nextAttemptAt);
    return `Attempt ${row.attempts}${of} did not go through${next ? `, next at ${next}` : ''}`;
  }
  if (status.state === 'throttled' && row.state === 'queued') {
    const next = at(status.nextTryAt);
    return `The access point asked to slow down${next ? `, next try at ${next}` : ''}`;
  }
  return null;
}

/**
 * The reason a document waits: under its status in the table, and beside the status in the
 * details panel (`testId` there), so opening a waiting document says as much as its row.
 */
export function WaitReason({
  row,
  testId,
}: {
  row: Pick<DocumentRow, 'id' | 'state' | 'attempts' | 'nextAttemptAt'>;
  testId?: string;
}) {
  const status = useConnectionStore((s) => s.status);
  const maxAttempts = useSettingsStore((s) => s.settings?.maxAttempts ?? null);
  const reason = waitReason(row, status, maxAttempts);
  if (!reason) return null;
  return (
    <span
      className="wait-reason muted small"
      title={reason}
      data-testid={testId ?? `wait-reason-${row.id}`}
    >
      {reason}
    </span>
  );
}
