import { create } from 'zustand';
import {
  emptyCounts,
  type DocumentFilter,
  type DocumentRow,
  type ErrorValue,
  type StateCounts,
} from '../../../app/contract';
import { getApi } from '../bridge';

/** Rows fetched per `documents:list` call. */
export const PAGE_SIZE = 200;
/**
 * The contract's `documents:list` has no sort argument, so sorting happens here, which is only
 * honest when every matching row is loaded. Above this many rows the table keeps the engine's order.
 */
export const CLIENT_SORT_LIMIT = 2000;
/** At most four refetches a second, however fast `documents:changed` arrives. */
const REFRESH_INTERVAL_MS = 250;

export type SortKey =
  'state' | 'fileName' | 'invoiceNumber' | 'buyerName' | 'amount' | 'issueDate' | 'updatedAt';
export interface SortSpec {
  key: SortKey;
  dir: 'asc' | 'desc';
}

interface DocumentsState {
  filter: DocumentFilter;
  search: string;
  sort: SortSpec | null;
  /** Rows matching filter and search, as the engine last reported. */
  total: number;
  counts: StateCounts;
  /** Loaded pages, by page index. Pages outside the visible range are dropped on refresh. */
  pages: Record<number, DocumentRow[]>;
  /** Bumped when filter or search change, so late answers for the old query are ignored. */
  generation: number;
  /** Filter and search of the rows currently shown (lags `filter`/`search` until their answer arrives). */
  shownFilter: DocumentFilter;
  shownSearch: string;
  /** First load finished (for the empty state). */
  loaded: boolean;
  loadError: ErrorValue | null;
  visibleStart: number;
  visibleEnd: number;
  selected: ReadonlySet<number>;

  setFilter(filter: DocumentFilter): void;
  setSearch(search: string): void;
  setSort(sort: SortSpec | null): void;
  setVisibleRange(start: number, end: number): void;
  setCounts(counts: StateCounts): void;
  toggleSelected(id: number, on?: boolean): void;
  setSelection(ids: Iterable<number>): void;
  clearSelection(): void;
  /** Refetch what is visible (throttled). */
  requestRefresh(): void;
}

export const useDocumentsStore = create<DocumentsState>()((set, get) => ({
  filter: 'all',
  search: '',
  sort: null,
  total: 0,
  counts: emptyCounts(),
  pages: {},
  generation: 0,
  shownFilter: 'all',
  shownSearch: '',
  loaded: false,
  loadError: null,
  visibleStart: 0,
  visibleEnd: 50,
  selected: new Set(),

  setFilter(filter) {
    if (filter === get().filter) return;
    set((s) => ({ filter, pages: {}, generation: s.generation + 1, selected: new Set() }));
    void refreshNow();
  },
  setSearch(search) {
    if (search === get().search) return;
    set((s) => ({ search, pages: {}, generation: s.generation + 1, selected: new Set() }));
    void refreshNow();
  },
  setSort(sort) {
    set({ sort });
    if (sort) void refreshNow();
  },
  setVisibleRange(start, end) {
    const s = get();
    if (start === s.visibleStart && end === s.visibleEnd) return;
    set({ visibleStart: start, visibleEnd: end });
    void loadMissingPages();
  },
  setCounts(counts) {
    set({ counts });
  },
  toggleSelected(id, on) {
    const next = new Set(get().selected);
    const want = on ?? !next.has(id);
    if (want) next.add(id);
    else next.delete(id);
    set({ selected: next });
  },
  setSelection(ids) {
    set({ selected: new Set(ids) });
  },
  clearSelection() {
    set({ selected: new Set() });
  },
  requestRefresh() {
    scheduleRefresh();
  },
}));

/** True when every matching row is loaded, so a client-side sort shows the real order. */
export function canSortLocally(total: number): boolean {
  return total <= CLIENT_SORT_LIMIT;
}

function neededPages(): number[] {
  const s = get();
  if (s.sort && canSortLocally(s.total)) {
    const count = Math.max(1, Math.ceil(s.total / PAGE_SIZE));
    return Array.from({ length: count }, (_, i) => i);
  }
  const first = Math.floor(s.visibleStart / PAGE_SIZE);
  const last = Math.floor(Math.max(s.visibleEnd, s.visibleStart) / PAGE_SIZE);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

function get(): DocumentsState {
  return useDocumentsStore.getState();
}

const inFlight = new Set<string>();

/** `force` refetches even when the same page is already on its way (its answer may predate a change). */
async function fetchPage(page: number, generation: number, force = false): Promise<boolean> {
  const key = `${generation}:${page}`;
  if (inFlight.has(key) && !force) return true;
  inFlight.add(key);
  try {
    const s = get();
    const result = await getApi().invoke('documents:list', {
      filter: s.filter,
      search: s.search.trim() || undefined,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    if (get().generation !== generation) return false;
    if (!result.ok) {
      useDocumentsStore.setState({ loadError: result.error, loaded: true });
      return false;
    }
    const { rows, total, counts } = result.value;
    useDocumentsStore.setState((prev) => ({
      pages: { ...prev.pages, [page]: rows },
      total,
      counts,
      shownFilter: s.filter,
      shownSearch: s.search,
      loaded: true,
      loadError: null,
    }));
    return true;
  } finally {
    inFlight.delete(key);
  }
}

async function loadMissingPages(): Promise<void> {
  const s = get();
  const missing = neededPages().filter((p) => !s.pages[p]);
  await Promise.all(missing.map((p) => fetchPage(p, s.generation)));
}

let refreshing = false;
let dirty = false;
let lastRefreshAt = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

/** Refetch the visible pages and drop every other cached page (it may be stale now). */
async function refreshNow(): Promise<void> {
  if (refreshing) {
    dirty = true;
    return;
  }
  refreshing = true;
  lastRefreshAt = Date.now();
  try {
    const generation = get().generation;
    const pages = neededPages();
    await Promise.all(pages.map((p) => fetchPage(p, generation, true)));
    // The answers may reveal more rows than we knew of (sorting needs them all).
    const after = neededPages().filter((p) => !pages.includes(p));
    await Promise.all(after.map((p) => fetchPage(p, generation)));
    if (get().generation === generation) {
      const keep = neededPages();
      useDocumentsStore.setState((prev) => {
        const kept: Record<number, DocumentRow[]> = {};
        for (const p of keep) {
          const rows = prev.pages[p];
          if (rows) kept[p] = rows;
        }
        return { pages: kept };
      });
    }
  } finally {
    refreshing = false;
  }
  if (dirty) {
    dirty = false;
    scheduleRefresh();
  }
}

function scheduleRefresh(): void {
  if (timer) return;
  const wait = Math.max(0, lastRefreshAt + REFRESH_INTERVAL_MS - Date.now());
  timer = setTimeout(() => {
    timer = null;
    void refreshNow();
  }, wait);
}

/** Loads the first page; used once at start-up. */
export function loadDocuments(): Promise<void> {
  return refreshNow();
}

/** Every matching row, page by page (for CSV export). */
export async function fetchAllMatching(
  onProgress?: (loaded: number, total: number) => void,
): Promise<{ ok: true; rows: DocumentRow[] } | { ok: false; error: ErrorValue }> {
  const s = get();
  const rows: DocumentRow[] = [];
  const limit = 1000;
  for (let offset = 0; ; offset += limit) {
    const result = await getApi().invoke('documents:list', {
      filter: s.filter,
      search: s.search.trim() || undefined,
      offset,
      limit,
    });
    if (!result.ok) return result;
    rows.push(...result.value.rows);
    onProgress?.(rows.length, result.value.total);
    if (result.value.rows.length < limit || rows.length >= result.value.total) break;
  }
  return { ok: true, rows };
}
