import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { getApi } from '../../bridge';
import { saveFile } from '../../lib/save-file';
import { useInvoiceViewStore } from '../../stores/invoice-view-store';
import { toastError } from '../../stores/toast-store';
import { InvoiceDocument } from './invoice-document';

/**
 * The whole invoice as a clerk checks it against their ERP, in a modal window over the desk:
 * Escape or Close returns to where it was opened. Prints on its own (a print stylesheet hides the
 * desk), every line included.
 */
export function InvoiceViewDialog() {
  const id = useInvoiceViewStore((s) => s.id);
  const view = useInvoiceViewStore((s) => s.view);
  const error = useInvoiceViewStore((s) => s.error);
  const close = useInvoiceViewStore((s) => s.close);
  const dialog = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const [printing, setPrinting] = useState(false);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (id !== null && !el.open) {
      returnFocus.current =
        document.activeElement instanceof HTMLElement ? document.activeElement : null;
      el.showModal();
    } else if (id === null && el.open) {
      el.close();
    }
    if (id === null) {
      const target = returnFocus.current;
      returnFocus.current = null;
      if (target?.isConnected) target.focus();
    }
  }, [id]);

  // Ctrl+P as well as the button: render every line before the page is laid out for print.
  useEffect(() => {
    const before = () => flushSync(() => setPrinting(true));
    const after = () => setPrinting(false);
    window.addEventListener('beforeprint', before);
    window.addEventListener('afterprint', after);
    return () => {
      window.removeEventListener('beforeprint', before);
      window.removeEventListener('afterprint', after);
    };
  }, []);

  const openOriginal = () => {
    if (id === null) return;
    void getApi()
      .invoke('documents:original', { id })
      .then((r) => {
        if (r.ok) saveFile(r.value.fileName, 'application/xml', r.value.bytes);
        else toastError('Could not open the original file', r.error);
      });
  };

  const title = view
    ? `${view.docType === 'CreditNote' ? 'Credit note' : 'Invoice'} ${view.number ?? ''}`
    : 'Invoice';
  return (
    <dialog
      ref={dialog}
      className="invoice-view"
      data-testid="invoice-view"
      aria-labelledby="iv-title"
      onClose={() => {
        if (useInvoiceViewStore.getState().id !== null) close();
      }}
    >
      {id !== null && (
        <>
          <header className="iv-toolbar">
            <h2 id="iv-title">{title}</h2>
            <div className="iv-actions no-print">
              <button
                type="button"
                className="button"
                data-testid="iv-original"
                onClick={openOriginal}
              >
                Open original file
              </button>
              <button
                type="button"
                className="button"
                data-testid="iv-print"
                disabled={!view}
                onClick={() => {
                  flushSync(() => setPrinting(true));
                  window.print();
                  setPrinting(false);
                }}
              >
                Print / Save as PDF
              </button>
              <button
                type="button"
                className="button button-primary"
                data-testid="iv-close"
                onClick={close}
              >
                Close
              </button>
            </div>
          </header>
          {error && (
            <p className="problem-message" role="alert">
              {error.message}
            </p>
          )}
          {!view && !error && <p className="muted">Reading the invoice…</p>}
          {view && <InvoiceDocument view={view} printing={printing} />}
        </>
      )}
    </dialog>
  );
}
