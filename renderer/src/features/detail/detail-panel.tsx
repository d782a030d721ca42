import { useEffect, useRef } from 'react';
import type { DocumentDetail, DocumentProblem, ParticipantId } from '../../../../app/contract';
import { formatAmount, formatDuration, formatTime } from '../../lib/format';
import { STATUS_WORDS } from '../../lib/status-words';
import {
  ACTION_LABELS,
  runDocumentAction,
  type DocumentAction,
} from '../../stores/document-actions';
import { useDetailStore } from '../../stores/detail-store';
import { StatusLabel } from '../documents/status-cell';
import { ChecksDisagree } from './checks-disagree';
import { ReceiverLookup } from './receiver-lookup';

/** Which buttons a problem offers, beyond reading it. */
function actionsFor(
  problem: DocumentProblem | null,
  state: DocumentDetail['state'],
): DocumentAction[] {
  if (state === 'held') return ['sendAnyway', 'cancel'];
  if (state === 'failed' || state === 'unreachable' || problem?.action === 'retry')
    return ['retry', 'cancel'];
  if (state === 'retry_wait') return ['retry', 'cancel'];
  if (state === 'invalid') return ['cancel'];
  return [];
}

const ACTION_HINTS: Record<DocumentProblem['action'], string> = {
  'fix-file': 'Fix the file in your invoicing software, then drop the corrected file again.',
  retry: 'You can try again now, or wait for the automatic retry.',
  'check-settings': 'Open Settings and check the provider address and API key.',
  'check-receiver': 'Ask the buyer for their Peppol ID, or send this invoice another way.',
  decide: 'Decide whether to send it anyway or cancel it.',
  wait: 'Nothing to do: Peppol Desk keeps trying.',
  none: '',
};

function participant(p: ParticipantId | null): string {
  return p ? `${p.scheme}:${p.value}` : '—';
}

function Field({
  label,
  value,
  testId,
}: {
  label: string;
  value: string | number | null;
  testId?: string;
}) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value === null || value === '' ? '—' : value}</dd>
    </div>
  );
}

/** The invoice lines from the summary (the first ones only, for very long invoices). */
function InvoiceLines({ summary }: { summary: NonNullable<DocumentDetail['summary']> }) {
  const lines = summary.lines ?? [];
  return (
    <table className="invoice-lines" data-testid="invoice-lines">
      <caption className="muted small">
        {lines.length < summary.lineCount
          ? `First ${lines.length} of ${summary.lineCount} lines`
          : `${lines.length} ${lines.length === 1 ? 'line' : 'lines'}`}
      </caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Item</th>
          <th scope="col" className="num">
            Quantity
          </th>
          <th scope="col" className="num">
            Net amount
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l, i) => (
          <tr key={`${l.id ?? ''}-${i}`} data-testid="invoice-line">
            <td>{l.id ?? '—'}</td>
            <td>{l.name ?? '—'}</td>
            <td className="num">
              {l.quantity ?? '—'}
              {l.unitCode ? ` ${unitWord(l.unitCode)}` : ''}
            </td>
            <td className="num">{formatAmount(l.netAmount, summary.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Common UN/ECE unit codes in words; others as the code. */
function unitWord(code: string): string {
  const words: Record<string, string> = {
    C62: 'pcs',
    EA: 'each',
    H87: 'pcs',
    HUR: 'h',
    DAY: 'days',
    MON: 'months',
    KGM: 'kg',
    LTR: 'l',
    MTR: 'm',
  };
  return words[code] ?? code;
}

function Body({ d }: { d: DocumentDetail }) {
  const s = d.summary;
  const sentToDelivered =
    d.acceptedAt !== null && d.deliveredAt !== null ? d.deliveredAt - d.acceptedAt : null;
  const actions = actionsFor(d.problem, d.state);
  return (
    <>
      <div className="detail-status">
        <StatusLabel state={d.state} />
        {d.attempts > 1 && <span className="muted"> · attempt {d.attempts}</span>}
      </div>

      {(d.problem || actions.length > 0) && (
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
                onClick={() => void runDocumentAction(a, [d.id])}
              >
                {ACTION_LABELS[a]}
              </button>
            ))}
          </div>
        </section>
      )}

      <ChecksDisagree d={d} />

      {d.validation && d.validation.findings.length > 0 && (
        <section aria-label="Validation findings">
          <h3>What needs fixing</h3>
          <ul className="findings" data-testid="findings">
            {d.validation.findings.map((f, i) => (
              <li
                key={`${f.rule}-${i}`}
                className={`finding finding-${f.flag}`}
                data-testid="finding"
                data-rule={f.rule}
              >
                <span className="finding-flag">{f.flag === 'fatal' ? 'Error' : 'Warning'}</span>
                <span className="finding-message">{f.message}</span>
                {f.hint && <span className="finding-hint">{f.hint}</span>}
                {f.location && (
                  <span className="finding-location" data-testid="finding-location">
                    Where in the file: <code>{f.location}</code>
                  </span>
                )}
                <code className="finding-rule" aria-label={`Rule ${f.rule}`}>
                  {f.rule}
                </code>
              </li>
            ))}
          </ul>
          <p className="muted small">Checked with {d.validation.ruleset}</p>
        </section>
      )}

      <section aria-label="Invoice">
        <h3>Invoice</h3>
        <dl className="fields">
          <Field
            label="Type"
            value={s?.docType === 'CreditNote' ? 'Credit note' : (s?.docType ?? d.docType)}
          />
          <Field label="Invoice number" value={d.invoiceNumber} testId="detail-invoice-number" />
          <Field label="Seller" value={s?.sellerName ?? null} />
          <Field label="Seller Peppol ID" value={participant(s?.sellerEndpoint ?? null)} />
          <Field label="Buyer" value={d.buyerName} />
          <Field
            label="Buyer Peppol ID"
            value={d.receiverId ?? participant(s?.buyerEndpoint ?? null)}
          />
          <Field label="Issue date" value={d.issueDate} />
          <Field label="Due date" value={s?.dueDate ?? null} />
          <Field
            label="Total without VAT"
            value={formatAmount(s?.taxExclusiveAmount ?? null, s?.currency ?? null)}
          />
          <Field
            label="Total with VAT"
            value={formatAmount(s?.taxInclusiveAmount ?? null, s?.currency ?? null)}
          />
          <Field label="Amount due" value={formatAmount(d.amount, d.currency)} />
          <Field label="Lines" value={s?.lineCount ?? null} />
        </dl>
        {s?.lines && s.lines.length > 0 && <InvoiceLines summary={s} />}
      </section>

      <ReceiverLookup d={d} />

      <section aria-label="Delivery">
        <h3>Delivery</h3>
        <dl className="fields">
          <Field label="Transaction id" value={d.transactionId} testId="detail-transaction-id" />
          <Field label="Accepted by access point" value={formatTime(d.acceptedAt)} />
          <Field label="Delivered" value={formatTime(d.deliveredAt)} />
          <Field
            label="Delivery time"
            value={sentToDelivered === null ? null : formatDuration(sentToDelivered)}
          />
          <Field
            label="Business response"
            value={d.businessResponse}
            testId="detail-business-response"
          />
          <Field label="File" value={d.fileName} />
        </dl>
      </section>

      <section aria-label="Timeline">
        <h3>Timeline</h3>
        <ol className="timeline" data-testid="timeline">
          {d.timeline.map((t, i) => (
            <li key={i}>
              <time dateTime={new Date(t.at).toISOString()}>{formatTime(t.at)}</time>
              <span>{STATUS_WORDS[t.to]}</span>
              {t.detail && <span className="muted"> — {t.detail}</span>}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** Everything about one document, beside the table. Escape closes it. */
export function DetailPanel() {
  const id = useDetailStore((s) => s.id);
  const detail = useDetailStore((s) => s.detail);
  const error = useDetailStore((s) => s.error);
  const show = useDetailStore((s) => s.show);
  const heading = useRef<HTMLHeadingElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  // Focus moves into the panel when it opens and back to where it came from when it closes.
  useEffect(() => {
    if (id === null) {
      const target = returnFocus.current;
      returnFocus.current = null;
      if (target?.isConnected) target.focus();
      return;
    }
    const active = document.activeElement;
    if (active instanceof HTMLElement && !active.closest('.detail-panel'))
      returnFocus.current = active;
    heading.current?.focus();
  }, [id]);

  if (id === null) return null;
  return (
    <aside
      className="detail-panel"
      data-testid="detail-panel"
      aria-labelledby="detail-heading"
      onKeyDown={(e) => {
        if (e.key === 'Escape') show(null);
      }}
    >
      <div className="detail-head">
        <h2 id="detail-heading" tabIndex={-1} ref={heading}>
          {detail?.invoiceNumber ?? detail?.fileName ?? 'Document'}
        </h2>
        <button
          type="button"
          className="icon-button"
          aria-label="Close details"
          data-testid="detail-close"
          onClick={() => show(null)}
        >
          ×
        </button>
      </div>
      {error && (
        <p className="problem-message" role="alert">
          {error.message}
        </p>
      )}
      {!detail && !error && <p className="muted">Loading…</p>}
      {detail && <Body d={detail} />}
    </aside>
  );
}
