import { useRef } from 'react';
import { formatCount } from '../../lib/format';
import { useLastDropStore } from '../../stores/last-drop-store';
import { useToastStore } from '../../stores/toast-store';
import { addFiles } from './add-files';
import { collectChosen } from './collect-files';

/**
 * Says where invoices go in, and offers "Choose files". Drops anywhere in the window are taken
 * by WindowDrop (this strip is only the most visible place to drop).
 */
export function DropZone() {
  const input = useRef<HTMLInputElement>(null);
  const choose = () => input.current?.click();
  const lastDrop = useLastDropStore((s) => s.lastDrop);
  const forget = useLastDropStore((s) => s.forget);
  const show = () => {
    if (!lastDrop) return;
    useToastStore.getState().push({
      kind: 'warning',
      title: lastDrop.title,
      lines: lastDrop.lines,
      ttlMs: null,
    });
  };

  // A labelled region, not a button: dropping is for the mouse; the one control inside it,
  // "Choose files", is the keyboard's way in (a button nested in a button confuses screen readers).
  return (
    <section className="drop-zone" data-testid="drop-zone" aria-label="Add invoices">
      <span className="drop-zone-text" id="drop-zone-text">
        Drop invoice files or folders anywhere in this window
        <span className="drop-zone-hint">UBL XML, Peppol BIS Billing 3.0</span>
      </span>
      {lastDrop && (
        <span className="drop-zone-last" data-testid="last-drop">
          {lastDrop.notAdded === 1 ? '1 file' : `${formatCount(lastDrop.notAdded)} files`} of the
          drop at{' '}
          {new Date(lastDrop.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} not
          added
          <button type="button" className="link-button" data-testid="last-drop-show" onClick={show}>
            Show which
          </button>
          <button
            type="button"
            className="link-button"
            data-testid="last-drop-forget"
            aria-label="Forget the files not added"
            onClick={forget}
          >
            Forget
          </button>
        </span>
      )}
      <button
        type="button"
        className="button"
        data-testid="choose-files"
        aria-describedby="drop-zone-text"
        onClick={choose}
      >
        Choose files
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept=".xml,application/xml,text/xml"
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const files = e.currentTarget.files;
          if (files && files.length > 0) void addFiles(collectChosen(files));
          e.currentTarget.value = '';
        }}
      />
    </section>
  );
}
