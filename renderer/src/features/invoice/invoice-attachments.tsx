import type { InvoiceView as View } from '../../../../app/contract';
import { getApi } from '../../bridge';
import { formatBytes } from '../../lib/code-words';
import { saveFile } from '../../lib/save-file';
import { useInvoiceViewStore } from '../../stores/invoice-view-store';
import { toastError } from '../../stores/toast-store';
import { InvoiceSection, Term } from './invoice-fields';

function AttachmentButton({ index, name }: { index: number; name: string }) {
  const id = useInvoiceViewStore((s) => s.id);
  return (
    <button
      type="button"
      className="button no-print"
      data-testid={`iv-attachment-open-${index}`}
      aria-label={`Open ${name}`}
      onClick={() => {
        if (id === null) return;
        void getApi()
          .invoke('documents:attachment', { id, index })
          .then((r) => {
            if (r.ok) saveFile(r.value.fileName, r.value.mimeType, r.value.bytes);
            else toastError('Could not open the attachment', r.error);
          });
      }}
    >
      Open
    </button>
  );
}

/** Supporting documents (BG-24), each with a button to open it when the file embeds it. */
export function Attachments({ view }: { view: View }) {
  if (view.attachments.length === 0) return null;
  return (
    <InvoiceSection
      id="att"
      testId="iv-attachments"
      heading={<Term term="BG-24 Additional supporting documents">Attachments</Term>}
    >
      <ul className="iv-attachments">
        {view.attachments.map((a) => (
          <li key={a.index} data-testid="iv-attachment">
            <span className="iv-item-name">
              {a.fileName ?? a.id ?? `Attachment ${a.index + 1}`}
            </span>
            {a.description && <span className="iv-sub">{a.description}</span>}
            <span className="iv-sub">
              {[a.mimeType, a.size !== null ? formatBytes(a.size) : null]
                .filter(Boolean)
                .join(' · ')}
            </span>
            {a.size !== null && (
              <AttachmentButton index={a.index} name={a.fileName ?? a.id ?? 'attachment'} />
            )}
            {a.externalUrl && <span className="iv-sub">Link: {a.externalUrl}</span>}
          </li>
        ))}
      </ul>
    </InvoiceSection>
  );
}
