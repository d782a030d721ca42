import { refusalOf, type ConnectionStatus, type DocumentRow } from '../../../../app/contract';
import { useNow } from '../../hooks/use-now';
import { formatChange } from '../../lib/format';
import { DELIVERY_LATE_MS } from '../detail/delivery-section';
import { useConnectionStore } from '../../stores/connection-store';
import { useSettingsStore } from '../../stores/settings-store';

// States that wait for sending (or for the access point to answer the lookup).
const WAITING = new Set<DocumentRow['state']>(['ready', 'resolving', 'queued', 'retry_wait']);

/**
 * A time still ahead, in words; null for none, or one already past (walk 8: a row read "next try
 * at 9:04:14 AM" at 9:04:20; a past time reads as stuck).
 */
function ahead(ms: number | null | undefined, now = Date.now()): string | null {
  return ms && ms > now ? formatChange(ms) : null;
}

/**
 * What every waiting invoice waits for while the queue is held: paused by the clerk (since when),
 * the access point offline (the next connection check), the API key being checked (after a 403)
 * or refused, the access point failing. Nothing leaves at an invoice's own next attempt time
 * meanwhile, so that time is not shown (it comes back once the hold ends). Null when not held.
 */
export function holdWords(status: ConnectionStatus | null): string | null {
  if (!status) return null;
  // A team desk: the team's database first (a walk: rows said the access point was offline while
  // the database was the one away); paused here while other desks send holds nothing.
  if (status.team?.reachable === false) return 'Waits for the team database — sent once it answers';
  if (status.paused && status.team && (status.team.sendersOnline ?? 0) > 0) return null;
  if (status.paused) {
    const since = status.pausedAt ? formatChange(status.pausedAt) : null;
    return since ? `Paused by you since ${since}` : 'Paused by you';
  }
  switch (status.state) {
    case 'offline': {
      const next = ahead(status.nextTryAt);
      return `Access point offline${next ? `, next try at ${next}` : ''}`;
    }
    case 'checking':
      return 'Waits for the API key check';
    case 'refused':
      return {
        'no-key': 'Waits for an API key — enter it in Settings',
        sends: 'Waits for the access point to take invoices again — ask your provider',
        address: 'Waits for the provider URL to be corrected — check it in Settings',
        key: 'Waits for the API key to be accepted — check it in Settings',
      }[refusalOf(status)];
    case 'trouble':
      return 'Waits for the access point to work again — then sent automatically';
    default:
      return null;
  }
}

/** {@link holdWords} for a document that waits to be sent (null for any other). */
export function heldReason(
  row: Pick<DocumentRow, 'state'>,
  status: ConnectionStatus | null,
): string | null {
  return WAITING.has(row.state) ? holdWords(status) : null;
}

/**
 * Why a waiting document waits, in words: the queue held ({@link holdWords}), retry waiting
 * (attempt n of m, next at …), throttled. Null when it does not wait.
 */
export function waitReason(
  row: Pick<DocumentRow, 'state' | 'attempts' | 'nextAttemptAt'>,
  status: ConnectionStatus | null,
  maxAttempts: number | null,
): string | null {
  if (!WAITING.has(row.state) || !status) return null;
  const held = holdWords(status);
  if (held) return held;
  if (row.state === 'retry_wait') {
    const next = ahead(row.nextAttemptAt);
    const when = next ? `, next at ${next}` : '';
    // No attempt counted yet: only answers that say nothing of the invoice (429, 503) came.
    if (row.attempts < 1) return next ? `Next try at ${next}` : 'Waits for its next try';
    const of = maxAttempts ? ` of ${maxAttempts}` : '';
    return `Attempt ${row.attempts}${of} did not go through${when}`;
  }
  if (status.state === 'throttled' && row.state === 'queued') {
    const next = ahead(status.nextTryAt);
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
  row: Pick<DocumentRow, 'id' | 'state' | 'attempts' | 'nextAttemptAt'> &
    Partial<Pick<DocumentRow, 'acceptedAt' | 'deliveredAt' | 'problem'>>;
  testId?: string;
}) {
  const status = useConnectionStore((s) => s.status);
  const maxAttempts = useSettingsStore((s) => s.settings?.maxAttempts ?? null);
  if (row.state === 'accepted') return <DeliveryLate row={row} testId={testId} />;
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

/**
 * Under an accepted invoice's status once its delivery is late (walk 19b, B2: a row read a green
 * "Accepted by access point" an hour after the acceptance, with no word that delivery had not
 * been confirmed; the details said so). Null while a delivery is usual, once delivered, or when a
 * problem on the row says more (delivery no longer followed).
 */
export function deliveryLateWords(
  row: Partial<Pick<DocumentRow, 'state' | 'acceptedAt' | 'deliveredAt' | 'problem'>>,
  now: number,
): string | null {
  if (row.state !== 'accepted' || row.problem || row.deliveredAt || !row.acceptedAt) return null;
  return now - row.acceptedAt >= DELIVERY_LATE_MS ? 'Delivery not confirmed yet' : null;
}

/** {@link deliveryLateWords} of an accepted row, read again every minute. */
function DeliveryLate({
  row,
  testId,
}: {
  row: Pick<DocumentRow, 'id' | 'state'> &
    Partial<Pick<DocumentRow, 'acceptedAt' | 'deliveredAt' | 'problem'>>;
  testId?: string;
}) {
  const now = useNow(60_000);
  const words = deliveryLateWords(row, now);
  if (!words) return null;
  return (
    <span
      className="wait-reason muted small"
      title="Deliveries usually take less than a minute. If it lasts, ask your provider about the transaction."
      data-testid={testId ?? `wait-reason-${row.id}`}
    >
      {words}
    </span>
  );
}
