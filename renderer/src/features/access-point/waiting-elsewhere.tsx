import { useState } from 'react';
import { accessPointLabel } from '../../../../app/contract';
import { ownAccessPointWords } from '../../lib/format';
import { getApi } from '../../bridge';
import { useConnectionStore } from '../../stores/connection-store';
import { useDocumentsStore } from '../../stores/documents-store';
import { requestDocumentAction, stoppedLines } from '../../stores/document-actions';
import { toastError, useToastStore } from '../../stores/toast-store';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "N documents wait for <previous access point>": documents queued for an access point that is
 * no longer in use stay with it until the clerk sends them through the new one or cancels them.
 */
export function WaitingElsewhere() {
  const status = useConnectionStore((s) => s.status);
  const [busy, setBusy] = useState(false);
  const groups = status?.waitingElsewhere ?? [];
  if (!status || groups.length === 0) return null;
  const here = ownAccessPointWords(status);

  async function reroute(from: string, count: number) {
    setBusy(true);
    const r = await getApi().invoke('documents:reroute', { from });
    setBusy(false);
    if (!r.ok) return toastError('Could not send them', r.error.message);
    const stopped = stoppedLines(r.value.stopped, 'moved');
    useToastStore.getState().push({
      kind: stopped.length ? 'warning' : 'success',
      title: `${plural(r.value.rerouted, 'document', 'documents')} will be sent through ${here}.`,
      lines: stopped.length
        ? stopped
        : r.value.rerouted < count
          ? ['Some had changed meanwhile and were left as they are.']
          : [],
      ttlMs: stopped.length ? null : 6000,
    });
    useDocumentsStore.getState().requestRefresh();
  }

  async function cancel(from: string) {
    const waiting = await getApi().invoke('documents:waitingFor', { accessPoint: from });
    if (!waiting.ok) return toastError('Could not cancel them', waiting.error.message);
    // The same decision as Cancel anywhere else: confirmed for more than one, then Undo.
    setBusy(true);
    try {
      await requestDocumentAction('cancel', waiting.value.ids);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      className="waiting-elsewhere"
      data-testid="waiting-elsewhere"
      role="region"
      aria-label="Documents waiting for another access point"
    >
      {groups.map((g) => (
        <div
          key={g.accessPoint}
          className="waiting-elsewhere-group"
          data-testid="waiting-elsewhere-group"
        >
          <p data-testid="waiting-elsewhere-text">
            <strong>
              {plural(g.count, 'document waits', 'documents wait')} for{' '}
              {accessPointLabel(g.accessPoint, g.environment)}
            </strong>
            , the access point {g.count === 1 ? 'it was' : 'they were'} queued for. Nothing is sent
            until you decide.
          </p>
          <div className="waiting-elsewhere-actions">
            <button
              type="button"
              className="button"
              data-testid="reroute"
              disabled={busy}
              onClick={() => void reroute(g.accessPoint, g.count)}
            >
              Send {g.count === 1 ? 'it' : 'these'} through {here}
            </button>
            <button
              type="button"
              className="button"
              data-testid="cancel-waiting"
              disabled={busy}
              onClick={() => void cancel(g.accessPoint)}
            >
              Cancel {g.count === 1 ? 'it' : 'them'}
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
