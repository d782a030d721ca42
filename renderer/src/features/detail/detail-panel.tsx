import { useEffect, useRef } from 'react';
import type { DocumentDetail } from '../../../../app/contract';
import { useDetailStore } from '../../stores/detail-store';
import { StatusLabel } from '../documents/status-cell';
import { WaitReason } from '../documents/wait-reason';
import { ChecksDisagree } from './checks-disagree';
import { DeliverySection } from './delivery-section';
import { DocumentTimeline } from './document-timeline';
import { InvoiceSummary } from './invoice-summary';
import { ProblemSection } from './problem-section';
import { ReceiverLookup } from './receiver-lookup';
import { ResizeHandle } from './resize-handle';
import { TechnicalDetails } from './technical-details';
import { ValidationFindings } from './validation-findings';

function Body({ d }: { d: DocumentDetail }) {
  return (
    <>
      <div className="detail-status">
        <StatusLabel state={d.state} problemCode={d.problem?.code} />
        {d.attempts > 1 && <span className="muted"> · attempt {d.attempts}</span>}
        {/* A problem says it already (with the next attempt); otherwise say why it waits. */}
        {!d.problem && <WaitReason row={d} testId="detail-wait-reason" />}
      </div>
      <ProblemSection d={d} />
      <ChecksDisagree d={d} />
      <ValidationFindings d={d} />
      {(d.problem || (d.validation?.findings.length ?? 0) > 0) && <TechnicalDetails d={d} />}
      <InvoiceSummary d={d} />
      <ReceiverLookup d={d} />
      <DeliverySection d={d} />
      <DocumentTimeline d={d} />
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
