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
 * What a reroute leaves held: documents whose last attempt may have reached the access point they
 * were queued for (walk 10: one click re-sent five of them, and the access point took each twice).
 */
function inDoubtWords(inDoubt: number, of: number, where: string): string {
  const one = inDoubt === 1;
  const which =
    inDoubt < of
      ? `${inDoubt} of them may already have reached ${where}`
      : `${one ? 'It' : 'They'} may already have reached ${where}`;
  return `${which}, so ${one ? 'it stays' : 'they stay'} held: ask that provider whether ${one ? 'it' : 'they'} arrived, then open ${one ? 'it' : 'each'} and choose Send anyway (it did not arrive) or Cancel (it did).`;
}

/** "Send these", or "Send the other 3" when some stay held for a decision on each. */
function rerouteLabel(count: number, inDoubt: number): string {
  if (inDoubt === 0) return count === 1 ? 'Send it' : 'Send these';
  const rest = count - inDoubt;
  return rest === 1 ? 'Send the other one' : `Send the other ${rest}`;
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

  async function reroute(from: string, count: number, where: string) {
    setBusy(true);
    const r = await getApi().invoke('documents:reroute', { from });
    setBusy(false);
    if (!r.ok) return toastError('Could not send them', r.error);
    const stopped = stoppedLines(r.value.stopped, 'moved');
    const doubt = r.value.inDoubt?.length ?? 0;
    const lines = stopped.length
      ? stopped
      : r.value.rerouted + doubt < count
        ? ['Some had changed meanwhile and were left as they are.']
        : [];
    if (doubt > 0) lines.unshift(inDoubtWords(doubt, count, where));
    useToastStore.getState().push({
      kind: stopped.length || doubt > 0 ? 'warning' : 'success',
      title: `${plural(r.value.rerouted, 'document', 'documents')} will be sent through ${here}.`,
      lines,
      ttlMs: stopped.length || doubt > 0 ? null : 6000,
    });
    useDocumentsStore.getState().requestRefresh();
  }

  async function cancel(from: string) {
    const waiting = await getApi().invoke('documents:waitingFor', { accessPoint: from });
    if (!waiting.ok) return toastError('Could not cancel them', waiting.error);
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
      {groups.map((g) => {
        // Named apart from this desk's own when only the path tells them apart (walk 24b).
        const where = accessPointLabel(g.accessPoint, g.environment, {
          accessPoint: status.accessPoint ?? status.endpoint,
          environment: status.environment,
        });
        const through = ownAccessPointWords(status, g);
        return (
          <div
            key={g.accessPoint}
            className="waiting-elsewhere-group"
            data-testid="waiting-elsewhere-group"
          >
            <p data-testid="waiting-elsewhere-text">
              <strong>
                {plural(g.count, 'document waits', 'documents wait')} for {where}
              </strong>
              , the access point {g.count === 1 ? 'it was' : 'they were'} queued for. Nothing is
              sent until you decide.
              {(g.inDoubt ?? 0) > 0 && (
                <span data-testid="waiting-elsewhere-doubt">
                  {' '}
                  {inDoubtWords(g.inDoubt!, g.count, where)}
                </span>
              )}
            </p>
            <div className="waiting-elsewhere-actions">
              {(g.inDoubt ?? 0) < g.count && (
                <button
                  type="button"
                  className="button"
                  data-testid="reroute"
                  disabled={busy}
                  onClick={() => void reroute(g.accessPoint, g.count, where)}
                >
                  {rerouteLabel(g.count, g.inDoubt ?? 0)} through {through}
                </button>
              )}
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
        );
      })}
    </div>
  );
}
