import { useEffect, useState } from 'react';
import { addFiles, startReading } from './add-files';
import { collectDropped } from './collect-files';

/** Only drags that carry files (not text or links dragged inside the page) show the overlay. */
function carriesFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** How many items are dragged: a folder counts as one until it is dropped and read. */
function itemCount(e: DragEvent): number {
  const items = e.dataTransfer?.items;
  if (!items) return 0;
  return Array.from(items).filter((i) => i.kind === 'file').length;
}

/**
 * The whole window takes files and folders: one overlay while dragging, one add per drop.
 * A drop anywhere is handled here (never by the browser, which would open the file).
 */
export function WindowDrop() {
  const [dragging, setDragging] = useState<number | null>(null);

  useEffect(() => {
    const over = (e: DragEvent) => {
      // Always: a stray drop must never navigate the window to the file.
      e.preventDefault();
      if (!carriesFiles(e)) return;
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      const n = itemCount(e);
      setDragging((prev) => (prev === n ? prev : n));
    };
    const leave = (e: DragEvent) => {
      // relatedTarget is null only when the pointer leaves the window itself.
      if (e.relatedTarget === null) setDragging(null);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(null);
      if (!e.dataTransfer || !carriesFiles(e)) return;
      // collectDropped reads the entries synchronously, before the DataTransfer is emptied.
      const reading = startReading();
      void collectDropped(e.dataTransfer, reading.found).then(
        (collected) => addFiles(collected, reading),
        (err: unknown) => reading.failed(err),
      );
    };
    const end = () => setDragging(null);
    window.addEventListener('dragenter', over);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    window.addEventListener('dragend', end);
    return () => {
      window.removeEventListener('dragenter', over);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      window.removeEventListener('dragend', end);
    };
  }, []);

  if (dragging === null) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" role="status" aria-live="polite">
      <div className="drop-overlay-box">
        <p className="drop-overlay-title">
          {dragging > 0
            ? `Drop to add ${dragging} ${dragging === 1 ? 'file' : 'files'}`
            : 'Drop to add the files'}
        </p>
        <p className="drop-overlay-hint">
          UBL XML invoices and credit notes; folders are searched for XML files.
        </p>
      </div>
    </div>
  );
}
