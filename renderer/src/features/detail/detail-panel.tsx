import { useEffect, useRef } from 'react';
import {
  accessPointLabel,
  BUSINESS_RESPONSE_STATES,
  type DocumentDetail,
  type DocumentProblem,
  type ParticipantId,
} from '../../../../app/contract';
import { formatAmount, formatDuration, formatTime } from '../../lib/format';
import { STATUS_WORDS } from '../../lib/status-words';
import {
  ACTION_LABELS,
  runDocumentAction,
  type DocumentAction,
} from '../../stores/document-actions';
import { useInvoiceViewStore } from '../../stores/invoice-view-store';
import {
  DETAIL_WIDTH_MAX,
  DETAIL_WIDTH_MIN,
  useDetailStore,
  useDetailWidth,
} from '../../stores/detail-store';
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

/** Text in which "document #12" opens that document's details. */
function LinkedText({ text }: { text: string }) {
  const show = useDetailStore((st) => st.show);
  const parts = text.split(/(document #\d+)/);
  return (
    <>
      {parts.map((part, i) => {
        const m = /^document #(\d+)$/.exec(part);
        return m ? (
          <button
            key={i}
            type="button"
            className="link-button"
            data-testid={`timeline-link-${m[1]}`}
            onClick={() => show(Number(m[1]))}
          >
            {part}
          </button>
        ) : (
          part
        );
      })}
    </>
  );
}

/** A business response code in words (an unknown code as given). */
function responseWords(code: string | null): string | null {
  if (code === null) return null;
  const state = Object.hasOwn(BUSINESS_RESPONSE_STATES, code)
    ? BUSINESS_RESPONSE_STATES[code as keyof typeof BUSINESS_RESPONSE_STATES]
    : null;
  return state ? STATUS_WORDS[state] : `Response "${code}"`;
}

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
        <div className="section-head">
          <h3>Invoice</h3>
          <button
            type="button"
            className="button"
            data-testid="open-invoice-view"
            onClick={() => useInvoiceViewStore.getState().open(d.id)}
          >
            View whole invoice
          </button>
        </div>
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
          <Field
            label="Access point"
            value={d.environment ? accessPointLabel(d.accessPoint, d.environment) : null}
            testId="detail-access-point"
          />
          <Field label="Transaction id" value={d.transactionId} testId="detail-transaction-id" />
          <Field label="Accepted by access point" value={formatTime(d.acceptedAt)} />
          <Field label="Delivered" value={formatTime(d.deliveredAt)} />
          <Field
            label="Delivery time"
            value={sentToDelivered === null ? null : formatDuration(sentToDelivered)}
          />
          <Field
            label="Buyer's response"
            value={responseWords(d.businessResponse)}
            testId="detail-business-response"
          />
          {d.businessResponse && (
            <>
              <Field label="Response received" value={formatTime(d.businessResponseAt)} />
              <Field
                label="Buyer's note"
                value={d.businessResponseNote}
                testId="detail-business-response-note"
              />
            </>
          )}
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
              {t.detail && (
                <span className="muted">
                  {' '}
                  — <LinkedText text={t.detail} />
                </span>
              )}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/**
 * The panel's left edge: drag it, or focus it and use the arrow keys, to give the panel more or
 * less room. The table hides its less important columns, never File, Issue date, Amount or Status.
 */
function ResizeHandle() {
  const width = useDetailWidth((s) => s.width);
  const setWidth = useDetailWidth((s) => s.setWidth);
  const STEP = 24;
  return (
    <div
      className="detail-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize details"
      aria-valuemin={DETAIL_WIDTH_MIN}
      aria-valuemax={DETAIL_WIDTH_MAX}
      aria-valuenow={width}
      tabIndex={0}
      data-testid="detail-resize"
      onKeyDown={(e) => {
        const delta: Record<string, number> = { ArrowLeft: STEP, ArrowRight: -STEP };
        if (Object.hasOwn(delta, e.key)) {
          e.preventDefault();
          setWidth(width + delta[e.key]!);
        } else if (e.key === 'Home') {
          e.preventDefault();
          setWidth(DETAIL_WIDTH_MIN);
        } else if (e.key === 'End') {
          e.preventDefault();
          setWidth(DETAIL_WIDTH_MAX);
        }
      }}
      onPointerDown={(e) => {
        e.preventDefault();
        const handle = e.currentTarget;
        handle.setPointerCapture(e.pointerId);
        const startX = e.clientX;
        const startWidth = width;
        const move = (ev: PointerEvent) => setWidth(startWidth + (startX - ev.clientX));
        const up = () => {
          handle.removeEventListener('pointermove', move);
          handle.removeEventListener('pointerup', up);
        };
        handle.addEventListener('pointermove', move);
        handle.addEventListener('pointerup', up);
      }}
    />
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

  // After an action (Retry, Cancel…) its button goes away with the state it belonged to: focus
  // would fall to the page, where Escape no longer closes the panel. Keep it in the panel.
  const panel = useRef<HTMLElement>(null);
  const hadFocus = useRef(false);
  useEffect(() => {
    const el = panel.current;
    if (!el) return;
    const onIn = () => (hadFocus.current = true);
    const onOut = (e: FocusEvent) => {
      if (e.relatedTarget instanceof Node && !el.contains(e.relatedTarget))
        hadFocus.current = false;
    };
    const observer = new MutationObserver(() => {
      const active = document.activeElement;
      if (hadFocus.current && (active === null || active === document.body))
        heading.current?.focus();
    });
    // A click elsewhere (even on something that takes no focus) means the person moved on.
    const onPointer = (e: PointerEvent) => {
      if (!(e.target instanceof Node && el.contains(e.target))) hadFocus.current = false;
    };
    el.addEventListener('focusin', onIn);
    el.addEventListener('focusout', onOut);
    document.addEventListener('pointerdown', onPointer);
    observer.observe(el, { childList: true, subtree: true });
    return () => {
      el.removeEventListener('focusin', onIn);
      el.removeEventListener('focusout', onOut);
      document.removeEventListener('pointerdown', onPointer);
      observer.disconnect();
    };
  }, [id]);

  if (id === null) return null;
  return (
    <aside
      ref={panel}
      className="detail-panel"
      data-testid="detail-panel"
      aria-labelledby="detail-heading"
      onKeyDown={(e) => {
        if (e.key === 'Escape') show(null);
      }}
    >
      <ResizeHandle />
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
