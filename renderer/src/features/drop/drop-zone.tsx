import { useRef } from 'react';
import {
  SHOW_WHICH_KEY,
  barWords,
  dropMessageKey,
  notAddedMessage,
  useLastDropStore,
} from '../../stores/last-drop-store';
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
  const drops = useLastDropStore((s) => s.drops);
  const older = useLastDropStore((s) => s.older);
  const forget = useLastDropStore((s) => s.forget);
  const words = barWords({ drops, older });
  const show = () => {
    const message = notAddedMessage({ drops, older });
    if (!message) return;
    // In place of the drops' own messages still open, not a second copy under them (walk 21).
    const toasts = useToastStore.getState();
    toasts.dismissKeys(drops.map((d) => dropMessageKey(d.at)));
    toasts.push({ kind: 'warning', ...message, ttlMs: null, key: SHOW_WHICH_KEY });
  };

  // A labelled region, not a button: dropping is for the mouse; the one control inside it,
  // "Choose files", is the keyboard's way in (a button nested in a button confuses screen readers).
  return (
    <section className="drop-zone" data-testid="drop-zone" aria-label="Add invoices">
      <span className="drop-zone-text" id="drop-zone-text">
        Drop invoice files or folders anywhere in this window
        <span className="drop-zone-hint">UBL XML, Peppol BIS Billing 3.0</span>
      </span>
      {words && (
        <span className="drop-zone-last" data-testid="last-drop">
          {words}
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
