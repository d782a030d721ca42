import { useRef, useState, type DragEvent } from 'react';
import { addFiles } from './add-files';
import { collectChosen, collectDropped } from './collect-files';

/** Drop files or whole folders here, or choose them. */
export function DropZone() {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const onDrop = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setOver(false);
    // collectDropped reads the entries synchronously, before the DataTransfer is emptied.
    void collectDropped(e.dataTransfer).then(addFiles);
  };
  const onDragOver = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    if (!over) setOver(true);
  };
  const choose = () => input.current?.click();

  // A labelled region, not a button: dropping is for the mouse; the one control inside it,
  // "Choose files", is the keyboard's way in (a button nested in a button confuses screen readers).
  return (
    <section
      className={`drop-zone${over ? ' is-over' : ''}`}
      data-testid="drop-zone"
      aria-label="Add invoices"
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={onDrop}
    >
      <span className="drop-zone-text" id="drop-zone-text">
        Drop invoice files or folders here
        <span className="drop-zone-hint">UBL XML, Peppol BIS Billing 3.0</span>
      </span>
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
