import { useEffect } from 'react';
import { useToastStore, type Toast } from '../../stores/toast-store';

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToastStore((s) => s.dismiss);
  useEffect(() => {
    if (toast.ttlMs === null) return;
    const timer = setTimeout(() => dismiss(toast.id), toast.ttlMs);
    return () => clearTimeout(timer);
  }, [toast.id, toast.ttlMs, dismiss]);
  return (
    <div
      className={`toast toast-${toast.kind}`}
      data-testid="toast"
      data-kind={toast.kind}
      role={toast.kind === 'error' ? 'alert' : 'status'}
    >
      <div className="toast-body">
        <strong className="toast-title" data-testid="toast-title">
          {toast.title}
        </strong>
        {toast.lines.length > 0 && (
          <ul className="toast-lines">
            {toast.lines.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        )}
      </div>
      {toast.action && (
        <button
          type="button"
          className="button toast-action"
          data-testid={toast.action.testId}
          onClick={() => {
            dismiss(toast.id);
            toast.action?.run();
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button
        type="button"
        className="icon-button"
        aria-label="Close message"
        onClick={() => dismiss(toast.id)}
      >
        ×
      </button>
    </div>
  );
}

/** Messages in the corner; status messages are announced politely, errors assertively. */
export function ToastList() {
  const toasts = useToastStore((s) => s.toasts);
  return (
    <div className="toast-list" aria-live="polite">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
