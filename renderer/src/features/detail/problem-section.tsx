import type { DocumentDetail, DocumentProblem } from '../../../../app/contract';
import { formatTime } from '../../lib/format';
import { ACTION_LABELS, requestDocumentAction } from '../../stores/document-actions';
import { actionsFor } from './offered-actions';

const ACTION_HINTS: Record<DocumentProblem['action'], string> = {
  'fix-file': 'Fix the file in your invoicing software, then drop the corrected file again.',
  retry: 'You can try again now, or wait for the automatic retry.',
  'check-settings': 'Open Settings and check the provider address and API key.',
  'check-receiver': 'Ask the buyer for their Peppol ID, or send this invoice another way.',
  decide: 'Decide whether to send it anyway or cancel it.',
  wait: 'Nothing to do: Peppol Desk keeps trying.',
  none: '',
};

/**
 * What went wrong, what to do about it, and the buttons that can help (with the reason for any
 * that cannot); nothing when there is no problem and nothing to do.
 */
export function ProblemSection({ d }: { d: DocumentDetail }) {
  const { offered: actions, unavailable } = actionsFor(d);
  if (!d.problem && actions.length === 0 && unavailable.length === 0) return null;
  return (
    <section className="problem" data-testid="detail-problem" aria-label="Problem">
      {d.problem && (
        <>
          <p className="problem-message" data-testid="problem-message">
            {d.problem.message}
          </p>
          {ACTION_HINTS[d.problem.action] && (
            <p className="muted">{ACTION_HINTS[d.problem.action]}</p>
          )}
        </>
      )}
      {d.nextAttemptAt !== null && (
        <p className="muted">Next attempt: {formatTime(d.nextAttemptAt)}</p>
      )}
      <div className="problem-actions">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={`button${a === 'cancel' ? '' : ' button-primary'}`}
            data-testid={`detail-${a}`}
            onClick={() => void requestDocumentAction(a, [d.id])}
          >
            {ACTION_LABELS[a]}
          </button>
        ))}
      </div>
      {unavailable.map((u) => (
        <p
          key={u.action}
          className="action-unavailable muted"
          data-testid={`unavailable-${u.action}`}
        >
          {u.reason}
        </p>
      ))}
    </section>
  );
}
