import type { DocumentDetail } from '../../../../app/contract';
import { formatTime } from '../../lib/format';
import { usePractice } from '../../hooks/use-practice';
import { useConnectionStore } from '../../stores/connection-store';
import { ACTION_LABELS, requestDocumentAction } from '../../stores/document-actions';
import { heldReason } from '../documents/wait-reason';
import { LinkedText } from './linked-text';
import { actionHint, actionsFor } from './offered-actions';

/**
 * What went wrong, what to do about it, and the buttons that can help (with the reason for any
 * that cannot); nothing when there is no problem and nothing to do.
 */
export function ProblemSection({ d }: { d: DocumentDetail }) {
  const onTeam = useConnectionStore((s) => Boolean(s.status?.team));
  const { practising } = usePractice();
  const { offered: actions, unavailable } = actionsFor(d, onTeam);
  const hint = actionHint(d);
  // While the queue is held, what the invoice waits for instead of its own next attempt, which
  // nothing leaves at then (without a problem, its status line says it: detail-panel.tsx).
  const held = useConnectionStore((s) => (d.problem ? heldReason(d, s.status) : null));
  if (!d.problem && actions.length === 0 && unavailable.length === 0) return null;
  // Once invoices go for real, a practice copy's answer came from the built-in Sandbox's test
  // receiver, not from a buyer (walk 22b: "agree the correction with the buyer, then send a
  // credit note"). While practising, the usual advice is what is practised.
  const practiceAnswer =
    d.problem !== null && d.accessPoint === 'sandbox' && d.businessResponse !== null && !practising;
  return (
    // Without a problem (an invoice waiting to go, say) it is only the buttons: not a warning.
    <section
      className={d.problem ? 'problem' : 'detail-actions'}
      data-testid="detail-problem"
      aria-label={d.problem ? 'Problem' : 'Actions'}
    >
      {d.problem && (
        <>
          <p className="problem-message" data-testid="problem-message">
            <LinkedText text={d.problem.message} testId="problem-link" />
          </p>
          {hint && !held && <p className="muted">{hint}</p>}
        </>
      )}
      {held ? (
        <p className="muted" data-testid="detail-held">
          {held}
        </p>
      ) : (
        // An invoice only waiting its turn has its status line say when (detail-panel.tsx).
        d.nextAttemptAt !== null &&
        (d.problem || d.state === 'retry_wait') && (
          <p className="muted" data-testid="detail-next-attempt">
            Next attempt: {formatTime(d.nextAttemptAt)}
          </p>
        )
      )}
      {d.state === 'cancelled' && actions.includes('retry') && (
        <p className="muted" data-testid="detail-cancelled-hint">
          {onTeam
            ? 'Cancelled: it will not be sent. To send it after all, choose Retry: it goes back to the team’s queue (held for your decision if another version of its number is on its way).'
            : 'Cancelled: it will not be sent. To send it after all, choose Retry: it is checked again, then sent.'}
        </p>
      )}
      {practiceAnswer && (
        <p className="muted" data-testid="detail-practice-answer">
          Practice: this answer came from the built-in Sandbox’s test receiver, not from a buyer,
          and nothing reached Peppol. There is nothing to agree or send; mark it as handled to clear
          it.
        </p>
      )}
      {actions.includes('markHandled') && !practiceAnswer && (
        <p className="muted" data-testid="detail-handled-hint">
          Once you have dealt with it (
          {d.docType === 'CreditNote'
            ? 'sent a corrected credit note'
            : 'sent the credit note or the corrected invoice'}
          , or answered the buyer), mark it as handled: it leaves Needs attention and stays under
          Buyer responded.
        </p>
      )}
      {d.state === 'handled' && (
        <p className="muted" data-testid="detail-handled">
          <HandledHow d={d} />
          {d.businessResponse === 'RE'
            ? ''
            : ' If the buyer answers again, the answer is shown here and the invoice moves on.'}
        </p>
      )}
      <div className="problem-actions">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={`button${a === 'cancel' || a === 'markNotHandled' ? '' : ' button-primary'}`}
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

/**
 * How a handled document left Needs attention: marked by the clerk, or dealt with by a credit
 * note or corrected invoice that went out for it (its timeline entry, with the link).
 */
function HandledHow({ d }: { d: DocumentDetail }) {
  const how = d.timeline.findLast((t) => t.to === 'handled')?.detail;
  if (!how || how.startsWith('Marked as handled'))
    return <>Marked as handled: out of Needs attention.</>;
  return (
    <>
      <LinkedText text={how} testId="handled-link" />.
    </>
  );
}
