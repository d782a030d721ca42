import { create } from 'zustand';
import type { DocumentDetail, ErrorValue, ReceiverLookup, Result } from '../../../app/contract';
import { getApi } from '../bridge';

interface DetailState {
  id: number | null;
  detail: DocumentDetail | null;
  error: ErrorValue | null;
  show(id: number | null): void;
  /** Refetch the open document (after a change event or an action). */
  reload(): Promise<void>;
}

export const useDetailStore = create<DetailState>()((set, get) => ({
  id: null,
  detail: null,
  error: null,
  show(id) {
    if (id === get().id) return;
    set({ id, detail: null, error: null });
    if (id !== null) void get().reload();
  },
  async reload() {
    const id = get().id;
    if (id === null) return;
    const result = await getApi().invoke('documents:get', { id });
    if (get().id !== id) return;
    if (result.ok) set({ detail: result.value, error: null });
    else set({ error: result.error });
  },
}));

/** Ask the access point again about the open document's receiver; the panel shows the new answer. */
export async function refreshLookup(id: number): Promise<Result<ReceiverLookup>> {
  const result = await getApi().invoke('lookup:refresh', { id });
  if (result.ok) {
    useDetailStore.setState((s) =>
      s.id === id && s.detail ? { detail: { ...s.detail, lookup: result.value } } : {},
    );
  }
  return result;
}
