import { useEffect, useState } from 'react';
import { countOrDash, filterCount, formatCount } from '../../lib/format';
import { useCountsKnown } from '../../hooks/use-counts-known';
import { retryAllCount, retryAllLeavesWords, retryAllWords } from '../../lib/retry-all-words';
import { FILTER_LABELS, FILTER_ORDER } from '../../lib/status-words';
import {
  ACTION_LABELS,
  requestDocumentAction,
  retryAllFailed,
  type DocumentAction,
} from '../../stores/document-actions';
import { useDocumentsStore } from '../../stores/documents-store';
import { usePractice } from '../../hooks/use-practice';
import { exportVisibleRows } from './export-csv';
import { selectAllMatching } from './select-all';

const SEARCH_DEBOUNCE_MS = 250;
const BULK_ACTIONS: DocumentAction[] = ['retry', 'cancel', 'sendAnyway', 'markHandled'];

/** Filters with counts, search, bulk actions on the selection, export. */
export function DocumentToolbar() {
  const filter = useDocumentsStore((s) => s.filter);
  const counts = useDocumentsStore((s) => s.counts);
  const { known, title: countsWhy } = useCountsKnown();
  const shownSearch = useDocumentsStore((s) => s.shownSearch);
  // Said only of a list that was read (not while its last read failed: a team database away).
  const loaded = useDocumentsStore((s) => s.loaded && s.loadError === null);
  const { apart: practiceApart, attentionApart } = usePractice();
  const selected = useDocumentsStore((s) => s.selected);
  const total = useDocumentsStore((s) => s.total);
  const setFilter = useDocumentsStore((s) => s.setFilter);
  const setSearch = useDocumentsStore((s) => s.setSearch);
  const clearSelection = useDocumentsStore((s) => s.clearSelection);
  const [query, setQuery] = useState('');
  const [exporting, setExporting] = useState(false);
  const [retryingAll, setRetryingAll] = useState(false);
  // What "Retry all failed" acts on: sending failed, or the receiver was not found.
  const failedToFix = useDocumentsStore((s) => s.failedToFix);
  const retryable = retryAllCount(counts, failedToFix);
  const failedCount = retryable.failed + retryable.unreachable;

  // "Clear search" in the empty table clears the store's search: the box follows.
  const storeSearch = useDocumentsStore((s) => s.search);
  const [seenSearch, setSeenSearch] = useState(storeSearch);
  if (storeSearch !== seenSearch) {
    setSeenSearch(storeSearch);
    if (storeSearch === '') setQuery('');
  }

  useEffect(() => {
    const timer = setTimeout(() => setSearch(query), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, setSearch]);

  return (
    <div className="toolbar">
      <div className="filters" role="tablist" aria-label="Show documents">
        {FILTER_ORDER.map((f) => (
          <button
            key={f}
            type="button"
            role="tab"
            aria-selected={filter === f}
            aria-controls="document-table"
            // Tabs: one tab stop (the chosen filter); arrow keys, Home and End move and choose.
            tabIndex={filter === f ? 0 : -1}
            onKeyDown={(e) => {
              const i = FILTER_ORDER.indexOf(f);
              const n = FILTER_ORDER.length;
              const to: Record<string, number> = {
                ArrowRight: (i + 1) % n,
                ArrowLeft: (i - 1 + n) % n,
                Home: 0,
                End: n - 1,
              };
              if (!Object.hasOwn(to, e.key)) return;
              e.preventDefault();
              const next = FILTER_ORDER[to[e.key]!]!;
              setFilter(next);
              document.querySelector<HTMLElement>(`[data-testid="filter-${next}"]`)?.focus();
            }}
            className={`filter${filter === f ? ' is-active' : ''}${f === 'attention' && known && filterCount(counts, f) > attentionApart ? ' has-attention' : ''}`}
            data-testid={`filter-${f}`}
            onClick={() => setFilter(f)}
          >
            {FILTER_LABELS[f]}{' '}
            <span className="filter-count" data-testid={`filter-count-${f}`} title={countsWhy}>
              {countOrDash(filterCount(counts, f), known)}
            </span>
            {f === 'sent' && practiceApart > 0 && known && (
              <span className="filter-practice" data-testid="filter-practice-sent">
                {' '}
                ({formatCount(practiceApart)} of them in practice)
              </span>
            )}
            {f === 'attention' && attentionApart > 0 && known && (
              <span className="filter-practice" data-testid="filter-practice-attention">
                {' '}
                ({formatCount(attentionApart)} of them in practice)
              </span>
            )}
          </button>
        ))}
      </div>
      <input
        type="search"
        className="search"
        placeholder="Search invoice number or buyer"
        aria-label="Search invoice number or buyer"
        data-testid="search"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
      />
      {shownSearch.trim() !== '' && loaded && (
        // Walk 22: a search showed 11 rows under the chips' "All 356", read as its result.
        <span className="search-count" data-testid="search-count" role="status">
          {formatCount(total)} {total === 1 ? 'matches' : 'match'} the search
        </span>
      )}
      {selected.size > 0 && (
        <div className="bulk-actions" role="group" aria-label="Actions on selected documents">
          <span data-testid="selection-count">{formatCount(selected.size)} selected</span>
          {selected.size < total && (
            // The header box selects the rows on screen only (walk 16: 14 of the 100 that
            // matched): the whole list is one click away, as Ctrl+A does.
            <button
              type="button"
              className="button button-quiet"
              data-testid="select-all-matching"
              title="Every document in this list (this filter and search), not only the rows on screen"
              onClick={() => void selectAllMatching()}
            >
              Select all {formatCount(total)}
            </button>
          )}
          {BULK_ACTIONS.map((action) => (
            <button
              key={action}
              type="button"
              className="button"
              data-testid={`bulk-${action}`}
              // Not while the team database is out of reach: each would only fail (walk 17b).
              disabled={!known}
              title={
                known
                  ? undefined
                  : 'Not while the team database cannot be reached: try again once it answers.'
              }
              onClick={() => void requestDocumentAction(action, [...selected])}
            >
              {ACTION_LABELS[action]}
            </button>
          ))}
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              clearSelection();
              // The bar (and this button) goes away: focus goes back to the rows, not the page.
              const table = document.getElementById('document-table');
              (table?.querySelector<HTMLElement>('[role="row"][tabindex="0"]') ?? table)?.focus();
            }}
          >
            Clear selection
          </button>
        </div>
      )}
      {/* Not while the figures are unknown (a team desk without its database: walk 17). */}
      {filter === 'attention' && known && failedCount > 0 && (
        <button
          type="button"
          className="button"
          data-testid="retry-all-failed"
          title={retryAllLeavesWords(failedToFix) ?? undefined}
          disabled={retryingAll}
          onClick={() => {
            setRetryingAll(true);
            void retryAllFailed().finally(() => setRetryingAll(false));
          }}
        >
          {retryAllWords(counts, failedToFix)}
        </button>
      )}
      <button
        type="button"
        className="button export-button"
        data-testid="export-csv"
        disabled={exporting}
        onClick={() => {
          setExporting(true);
          void exportVisibleRows().finally(() => setExporting(false));
        }}
      >
        {exporting ? 'Exporting…' : 'Export CSV'}
      </button>
    </div>
  );
}
