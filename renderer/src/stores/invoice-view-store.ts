import { create } from 'zustand';
import type { ErrorValue, InvoiceView } from '../../../app/contract';
import { getApi } from '../bridge';

interface InvoiceViewState {
  /** The document whose invoice is open in the document view, or null. */
  id: number | null;
  view: InvoiceView | null;
  error: ErrorValue | null;
  open(id: number): void;
  close(): void;
}

/** The document view: the whole invoice, read from the stored file when opened. */
export const useInvoiceViewStore = create<InvoiceViewState>()((set, get) => ({
  id: null,
  view: null,
  error: null,
  open(id) {
    set({ id, view: null, error: null });
    void getApi()
      .invoke('documents:view', { id })
      .then((result) => {
        if (get().id !== id) return;
        if (result.ok) set({ view: result.value });
        else set({ error: result.error });
      });
  },
  close() {
    set({ id: null, view: null, error: null });
  },
}));
