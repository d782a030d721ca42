import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { addFiles } from './add-files';
import { collectChosen, collectDropped } from './collect-files';

/** Drop files or whole folders here, or choose them. */
export function DropZone() {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    // collectDropped reads the entries synchronously, before the DataTransfer is emptied.
    void collectDropped(e.dataTransfer).then(addFiles);
  };
  const onDragOver = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    if (!over) setOver(true);
  };
  const choose = () => input.current?.click();
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      choose();
    }
  };

  return (
    <div
      className={`drop-zone${over ? ' is-over' : ''}`}
      data-testid="drop-zone"
      role="button"
      tabIndex={0}
      aria-label="Add invoices: drop XML files or folders here, or press Enter to choose files"
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={onDrop}
      onKeyDown={onKeyDown}
    >
      <span className="drop-zone-text">
        Drop invoice files or folders here
        <span className="drop-zone-hint">UBL XML, Peppol BIS Billing 3.0</span>
      </span>
      <button
        type="button"
        className="button"
        onClick={(e) => {
          e.stopPropagation();
          choose();
        }}
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
    </div>
  );
}
