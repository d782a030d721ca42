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

const WIDTH_KEY = 'peppol-desk.detail-width';
/** Default width of the details panel, px; the layout keeps the table's key columns beside it. */
export const DETAIL_WIDTH_DEFAULT = 380;
export const DETAIL_WIDTH_MIN = 300;
export const DETAIL_WIDTH_MAX = 900;

function storedWidth(): number {
  try {
    const n = Number(localStorage.getItem(WIDTH_KEY));
    return Number.isFinite(n) && n >= DETAIL_WIDTH_MIN && n <= DETAIL_WIDTH_MAX
      ? n
      : DETAIL_WIDTH_DEFAULT;
  } catch {
    return DETAIL_WIDTH_DEFAULT;
  }
}

interface DetailWidthState {
  width: number;
  setWidth(width: number): void;
}

/** The width the person gave the details panel, remembered across restarts. */
export const useDetailWidth = create<DetailWidthState>()((set) => ({
  width: storedWidth(),
  setWidth(width) {
    const w = Math.round(Math.max(DETAIL_WIDTH_MIN, Math.min(DETAIL_WIDTH_MAX, width)));
    set({ width: w });
    try {
      localStorage.setItem(WIDTH_KEY, String(w));
    } catch {
      // Storage unavailable: the width lasts for this session.
    }
  },
}));
