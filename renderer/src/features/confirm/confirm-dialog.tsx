import { useEffect, useRef } from 'react';
import { useConfirmStore } from '../../stores/confirm-store';

/**
 * The question before an action that is hard to take back (Send anyway, Cancel of several). A
 * modal <dialog>: focus starts on the button that changes nothing, so Enter never acts by
 * accident; Escape answers "keep".
 */
export function ConfirmDialog() {
  const request = useConfirmStore((s) => s.request);
  const answer = useConfirmStore((s) => s.answer);
  const dialog = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (request && !el.open) {
      const active = document.activeElement;
      returnFocus.current = active instanceof HTMLElement ? active : null;
      el.showModal();
      keep.current?.focus();
    } else if (!request && el.open) {
      el.close();
      const target = returnFocus.current;
      returnFocus.current = null;
      if (target?.isConnected) target.focus();
    }
  }, [request]);

  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      data-testid={request?.testId ?? 'confirm-dialog'}
      aria-labelledby="confirm-heading"
      onClose={() => {
        if (useConfirmStore.getState().request) answer(false);
      }}
    >
      {request && (
        <>
          <h2 id="confirm-heading">{request.title}</h2>
          <div className="confirm-body">{request.body}</div>
          <div className="dialog-actions">
            <button
              ref={keep}
              type="button"
              className="button button-primary"
              data-testid="confirm-keep"
              onClick={() => answer(false)}
            >
              {request.keepLabel}
            </button>
            <button
              type="button"
              className="button"
              data-testid="confirm-act"
              onClick={() => answer(true)}
            >
              {request.confirmLabel}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
