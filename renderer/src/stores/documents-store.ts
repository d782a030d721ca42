import { create } from 'zustand';
import {
  emptyCounts,
  type DocumentFilter,
  type DocumentRow,
  type DocumentSort,
  type ErrorValue,
  type StateCounts,
} from '../../../app/contract';
import { getApi } from '../bridge';

/** Rows fetched per `documents:list` call. */
export const PAGE_SIZE = 200;
/** At most four refetches a second, however fast `documents:changed` arrives. */
const REFRESH_INTERVAL_MS = 250;

/** What a list result and a change event carry beside the counts (a single desk's only). */
type CountExtras = Partial<
  Pick<DocumentsState, 'practiceSent' | 'practiceAttention' | 'failedToFix'>
>;

/** Those figures, none said being none. */
function countExtras(x: CountExtras): Required<CountExtras> {
  return {
    practiceSent: x.practiceSent ?? 0,
    practiceAttention: x.practiceAttention ?? 0,
    failedToFix: x.failedToFix ?? 0,
  };
}

interface DocumentsState {
  filter: DocumentFilter;
  search: string;
  /** Sorted by the engine (any number of rows); null is its default, newest first. */
  sort: DocumentSort | null;
  /** Rows matching filter and search, as the engine last reported. */
  total: number;
  counts: StateCounts;
  /**
   * The counts came from Peppol Desk at least once (walk 22: a page whose session had ended
   * before it heard anything showed "Sent 0 · Needs attention 0 · Last known").
   */
  countsHeard: boolean;
  /** Of the Sent filter's documents, those sent in practice to the built-in Sandbox. */
  practiceSent: number;
  /** Of the Needs attention filter's documents, those of practice in the built-in Sandbox. */
  practiceAttention: number;
  /** Of the failed documents, those "Retry all" leaves as they are (a single desk says). */
  failedToFix: number;
  /** Loaded pages, by page index. Pages outside the visible range are dropped on refresh. */
  pages: Record<number, DocumentRow[]>;
  /** Bumped when filter, search or sort change, so late answers for the old query are ignored. */
  generation: number;
  /** Filter and search of the rows currently shown (lags `filter`/`search` until their answer arrives). */
  shownFilter: DocumentFilter;
  shownSearch: string;
  /** Sort of the rows currently shown, as `key:dir` ('' for the engine's default order). */
  shownSort: string;
  /** First load finished (for the empty state). */
  loaded: boolean;
  loadError: ErrorValue | null;
  visibleStart: number;
  visibleEnd: number;
  selected: ReadonlySet<number>;

  setFilter(filter: DocumentFilter): void;
  setSearch(search: string): void;
  setSort(sort: DocumentSort | null): void;
  setVisibleRange(start: number, end: number): void;
  /** The counts of a change event, with the practice figures it carries. */
  setCounts(counts: StateCounts, extra?: CountExtras): void;
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
  countsHeard: false,
  practiceSent: 0,
  practiceAttention: 0,
  failedToFix: 0,
  pages: {},
  generation: 0,
  shownFilter: 'all',
  shownSearch: '',
  shownSort: '',
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
    const prev = get().sort;
    if (prev?.key === sort?.key && prev?.dir === sort?.dir) return;
    // Rows already loaded are in the old order: drop them and start again from the top.
    set((s) => ({ sort, pages: {}, generation: s.generation + 1 }));
    void refreshNow();
  },
  setVisibleRange(start, end) {
    const s = get();
    if (start === s.visibleStart && end === s.visibleEnd) return;
    set({ visibleStart: start, visibleEnd: end });
    void loadMissingPages();
  },
  setCounts(counts, extra = {}) {
    set({ counts, ...countExtras(extra), countsHeard: true });
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

function neededPages(): number[] {
  const s = get();
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
      sort: s.sort ?? undefined,
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
      countsHeard: true,
      ...countExtras(result.value),
      shownFilter: s.filter,
      shownSearch: s.search,
      shownSort: s.sort ? `${s.sort.key}:${s.sort.dir}` : '',
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

/** Loads what is visible now; at start-up and after the event stream reconnects. */
export function loadDocuments(): Promise<void> {
  return refreshNow();
}

/**
 * Every matching row (for CSV export), read by the engine in one go: paging here while documents
 * change state would skip or repeat rows.
 */
export async function fetchAllMatching(): Promise<
  { ok: true; rows: DocumentRow[] } | { ok: false; error: ErrorValue }
> {
  const s = get();
  const result = await getApi().invoke('documents:export', {
    filter: s.filter,
    search: s.search.trim() || undefined,
    sort: s.sort ?? undefined,
  });
  return result.ok ? { ok: true, rows: result.value.rows } : result;
}
