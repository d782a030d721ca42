import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { DocumentFilter, DocumentRow, DocumentSortKey } from '../../../../app/contract';
import { SANDBOX_WORDS, formatAmount, formatChange, shownFileName } from '../../lib/format';
import { FILTER_LABELS, statusWordsOf } from '../../lib/status-words';
import { useConnectionStore } from '../../stores/connection-store';
import { useDetailStore } from '../../stores/detail-store';
import { PAGE_SIZE, useDocumentsStore } from '../../stores/documents-store';
import { selectBox } from './select-all';
import { AccessPointTag, StatusLabel } from './status-cell';
import { WaitReason } from './wait-reason';

const ROW_HEIGHT = 40;

const COLUMNS: { key: DocumentSortKey; label: string; className: string }[] = [
  { key: 'state', label: 'Status', className: 'col-status' },
  { key: 'fileName', label: 'File', className: 'col-file' },
  { key: 'invoiceNumber', label: 'Invoice number', className: 'col-number' },
  { key: 'buyerName', label: 'Buyer', className: 'col-buyer' },
  // The amount due (BT-115), as a clerk pays and is paid: not the total with VAT (a walk).
  { key: 'amount', label: 'Amount due', className: 'col-amount' },
  { key: 'issueDate', label: 'Issue date', className: 'col-date' },
  { key: 'updatedAt', label: 'Last change', className: 'col-change' },
];

/** Rows come in pages, already filtered, searched and sorted by the engine. */
function useRowAccessor(): { count: number; rowAt: (index: number) => DocumentRow | undefined } {
  const pages = useDocumentsStore((s) => s.pages);
  const total = useDocumentsStore((s) => s.total);
  return useMemo(
    () => ({
      count: total,
      rowAt: (index: number) => pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE],
    }),
    [pages, total],
  );
}

function SortHeader() {
  const sort = useDocumentsStore((s) => s.sort);
  const setSort = useDocumentsStore((s) => s.setSort);
  return (
    <>
      {COLUMNS.map((c) => {
        const active = sort?.key === c.key;
        const ariaSort = active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
        return (
          <div
            key={c.key}
            role="columnheader"
            aria-sort={ariaSort}
            className={`cell ${c.className}`}
          >
            <button
              type="button"
              className="sort-button"
              data-testid={`sort-${c.key}`}
              title={`Sort by ${c.label.toLowerCase()}`}
              onClick={() => {
                if (!active) setSort({ key: c.key, dir: 'asc' });
                else if (sort.dir === 'asc') setSort({ key: c.key, dir: 'desc' });
                else setSort(null);
              }}
            >
              {c.label}
              <span className="sort-mark" aria-hidden="true">
                {active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
              </span>
            </button>
          </div>
        );
      })}
    </>
  );
}

/**
 * What an empty table says: nothing added yet, or nothing matching the search or filter (with the
 * way back). A row of its own, so the table's row group is never empty for screen readers.
 */
function EmptyState({
  message,
  filter,
  search,
}: {
  message: string | null;
  filter: DocumentFilter;
  search: string;
}) {
  const setSearch = useDocumentsStore((s) => s.setSearch);
  const setFilter = useDocumentsStore((s) => s.setFilter);
  const sandbox = useConnectionStore((s) => s.status?.environment === 'sandbox');
  const query = search.trim();
  let text: string;
  let action: { label: string; testId: string; run: () => void } | null = null;
  if (message) text = message;
  else if (query) {
    text =
      filter === 'all'
        ? `No documents match “${query}”.`
        : `No documents in “${FILTER_LABELS[filter]}” match “${query}”.`;
    action = {
      label: 'Clear search',
      testId: 'clear-search',
      run: () => {
        setSearch('');
        // The button goes away with the empty state: the search box is the sensible next stop.
        document.querySelector<HTMLElement>('[data-testid="search"]')?.focus();
      },
    };
  } else if (filter !== 'all') {
    text = `No documents in “${FILTER_LABELS[filter]}” right now.`;
    action = { label: 'Show all documents', testId: 'show-all', run: () => setFilter('all') };
  } else
    text =
      'No documents yet. Drop invoice files or folders anywhere in this window, or choose them above.';
  return (
    <div role="row" className="empty-row">
      <div role="cell" className="empty-state" data-testid="empty-state">
        <p>{text}</p>
        {!message && !query && filter === 'all' && sandbox && (
          <p className="muted" data-testid="empty-sandbox">
            {SANDBOX_WORDS}
          </p>
        )}
        {action && (
          <button type="button" className="button" data-testid={action.testId} onClick={action.run}>
            {action.label}
          </button>
        )}
      </div>
    </div>
  );
}

/** The end of a file name kept whatever the width (where files of a folder differ), in characters. */
const NAME_END = { least: 8, most: 14 };

/**
 * Where a name's kept end starts: after a separator ("INV-2026-11-|CERT-1.xml"), so the end is
 * whole words, else its last `least` characters; the whole name when it is short.
 */
function nameEndAt(base: string): number {
  if (base.length <= NAME_END.most) return base.length;
  for (let i = base.length - NAME_END.least; i >= base.length - NAME_END.most; i--) {
    if (/[-_ .]/.test(base[i - 1]!)) return i;
  }
  return base.length - NAME_END.least;
}

/**
 * A file's path that keeps what tells files apart when the column is narrow: the folder gives way
 * first, then the middle of the name ("INV-20…0007.xml"), never its end; the cell's title has it
 * all. Every file of a dropped month-end folder starts with the same "drop/INV-2026-".
 */
function FileName({ name: real }: { name: string }) {
  const name = shownFileName(real);
  const cut = name.lastIndexOf('/') + 1;
  const base = name.slice(cut);
  const split = nameEndAt(base);
  return (
    <>
      {cut > 0 && <span className="file-dir">{name.slice(0, cut)}</span>}
      <span className="file-start">{base.slice(0, split)}</span>
      {split < base.length && <span className="file-end">{base.slice(split)}</span>}
    </>
  );
}

/** The virtualized document list: only the rows on screen are rendered and fetched. */
export function DocumentTable() {
  const { count, rowAt } = useRowAccessor();
  const loaded = useDocumentsStore((s) => s.loaded);
  const loadError = useDocumentsStore((s) => s.loadError);
  const selected = useDocumentsStore((s) => s.selected);
  const toggleSelected = useDocumentsStore((s) => s.toggleSelected);
  const setSelection = useDocumentsStore((s) => s.setSelection);
  const setVisibleRange = useDocumentsStore((s) => s.setVisibleRange);
  const shownFilter = useDocumentsStore((s) => s.shownFilter);
  const shownSearch = useDocumentsStore((s) => s.shownSearch);
  const shownSort = useDocumentsStore((s) => s.shownSort);
  const openId = useDetailStore((s) => s.id);
  const currentAccessPoint = useConnectionStore((s) => s.status?.accessPoint);
  const show = useDetailStore((s) => s.show);
  const scrollRef = useRef<HTMLDivElement>(null);

  // The app does not use the React Compiler, so TanStack's unmemoizable API is fine here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  // A new filter, search or sort starts at the top; the old scroll position means nothing now.
  const generation = useDocumentsStore((s) => s.generation);
  // Roving tabindex: the table is one tab stop (the active row); arrow keys move inside it.
  const [active, setActive] = useState(0);
  const focusPending = useRef<number | null>(null);
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    setActive(0);
  }, [generation]);
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  // When the active row scrolled out of view, the first row on screen takes the tab stop.
  const tabStop = items.some((i) => i.index === active) ? active : first;
  // Focus a row the keyboard moved to once the virtualizer has rendered it. A row not read yet
  // is a "Loading…" placeholder, replaced by the row once read: that one is focused too (walk 26
  // F4: End in a list of 2,000 focused the placeholder, which then went, and focus fell to the
  // page: Home, arrows and Space did nothing). Not once focus has gone elsewhere meanwhile.
  useEffect(() => {
    const index = focusPending.current;
    if (index === null) return;
    const el = scrollRef.current?.querySelector(`[data-row-index="${index}"]`);
    if (!(el instanceof HTMLElement)) return;
    const focused = document.activeElement;
    if (focused && focused !== document.body && !scrollRef.current?.contains(focused)) {
      focusPending.current = null;
      return;
    }
    el.focus();
    if (!el.classList.contains('is-loading')) focusPending.current = null;
  });
  const moveTo = (index: number) => {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    setActive(next);
    focusPending.current = next;
    virtualizer.scrollToIndex(next);
  };
  const pageRows = Math.max(1, items.length - 2);
  useEffect(() => setVisibleRange(first, last), [first, last, setVisibleRange]);

  // The rows on screen: the virtualizer's range without the rows it renders ahead (overscan).
  const screenFirst = virtualizer.range?.startIndex ?? first;
  const screenLast = virtualizer.range?.endIndex ?? last;
  const onScreenIds = useMemo(() => {
    const ids: number[] = [];
    for (let i = screenFirst; i <= screenLast; i++) {
      const r = rowAt(i);
      if (r) ids.push(r.id);
    }
    return ids;
  }, [screenFirst, screenLast, rowAt]);
  const box = selectBox(onScreenIds, selected, count);

  const onRowKey = (e: KeyboardEvent<HTMLDivElement>, index: number, row: DocumentRow | null) => {
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + pageRows,
      PageUp: index - pageRows,
      Home: 0,
      End: count - 1,
    };
    if (Object.hasOwn(moves, e.key)) {
      e.preventDefault();
      moveTo(moves[e.key]!);
    } else if (row && e.key === 'Enter') {
      e.preventDefault();
      show(row.id);
    } else if (row && e.key === ' ') {
      e.preventDefault();
      toggleSelected(row.id);
    }
  };

  return (
    <div
      className="document-table"
      id="document-table"
      tabIndex={-1}
      data-testid="document-table"
      data-filter={shownFilter}
      data-search={shownSearch}
      data-sort={shownSort}
      role="table"
      aria-rowcount={count + 1}
      aria-label="Documents"
    >
      <div className="table-head" role="rowgroup">
        <div className="table-row" role="row">
          <div role="columnheader" className="cell col-select">
            <input
              type="checkbox"
              aria-label="Select the rows on screen"
              data-testid="select-visible"
              checked={box.shown === 'all'}
              // Mixed (aria-checked="mixed") while only part of the list is selected.
              ref={(el) => {
                if (el) el.indeterminate = box.shown === 'some';
              }}
              onChange={() =>
                setSelection(box.click === 'clear' ? [] : new Set([...selected, ...onScreenIds]))
              }
            />
          </div>
          <SortHeader />
        </div>
      </div>
      <div className="table-body" ref={scrollRef} role="rowgroup" tabIndex={-1}>
        {loaded && count === 0 && (
          <EmptyState
            message={loadError?.message ?? null}
            filter={shownFilter}
            search={shownSearch}
          />
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item, i) => {
            const row = rowAt(item.index);
            const style = { transform: `translateY(${item.start}px)`, height: item.size };
            if (!row) {
              return (
                <div
                  key={`loading-${item.index}`}
                  className="table-row is-loading"
                  role="row"
                  aria-rowindex={item.index + 2}
                  data-row-index={item.index}
                  tabIndex={item.index === tabStop ? 0 : -1}
                  style={style}
                  onFocus={() => setActive(item.index)}
                  onKeyDown={(e) => onRowKey(e, item.index, null)}
                >
                  <div role="cell" className="cell">
                    {/* Not read (walk 20: "Loading…" for a minute while the team database was
                        down): said once, on the first row shown. */}
                    {!loadError ? (
                      'Loading…'
                    ) : i === 0 || rowAt(items[i - 1]!.index) ? (
                      <span className="problem-message" data-testid="list-error">
                        The list could not be read: {loadError.message}
                      </span>
                    ) : null}
                  </div>
                </div>
              );
            }
            const isSelected = selected.has(row.id);
            return (
              <div
                key={row.id}
                className={`table-row${isSelected ? ' is-selected' : ''}${openId === row.id ? ' is-open' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                data-row-index={item.index}
                tabIndex={item.index === tabStop ? 0 : -1}
                data-testid={`row-${row.id}`}
                data-invoice={row.invoiceNumber ?? ''}
                data-file={row.fileName}
                style={style}
                onClick={() => show(row.id)}
                onFocus={(e) => {
                  if (e.target === e.currentTarget) setActive(item.index);
                }}
                onKeyDown={(e) => {
                  if (e.target === e.currentTarget) onRowKey(e, item.index, row);
                }}
              >
                <div role="cell" className="cell col-select" onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    aria-label={`Select ${row.invoiceNumber ?? row.fileName}`}
                    // Not a tab stop of its own: Space on the row selects it.
                    tabIndex={-1}
                    data-testid={`select-${row.id}`}
                    checked={isSelected}
                    onChange={(e) => toggleSelected(row.id, e.currentTarget.checked)}
                  />
                </div>
                <div
                  role="cell"
                  className="cell col-status"
                  title={statusWordsOf(row.state, row.problem?.code)}
                >
                  <StatusLabel id={row.id} state={row.state} problemCode={row.problem?.code} />
                  <AccessPointTag row={row} current={currentAccessPoint} />
                  <WaitReason row={row} />
                </div>
                <div role="cell" className="cell col-file" title={shownFileName(row.fileName)}>
                  <FileName name={row.fileName} />
                </div>
                <div role="cell" className="cell col-number">
                  {row.invoiceNumber ?? '—'}
                  {row.docType === 'CreditNote' && (
                    // Not an invoice: its amount is a credit (the CSV has a Type column).
                    <span className="doc-type-tag" data-testid="credit-note-tag">
                      {' '}
                      Credit note
                    </span>
                  )}
                </div>
                <div role="cell" className="cell col-buyer" title={row.buyerName ?? undefined}>
                  {row.buyerName ?? '—'}
                </div>
                <div role="cell" className="cell col-amount">
                  {formatAmount(row.amount, row.currency)}
                </div>
                <div role="cell" className="cell col-date">
                  {row.issueDate ?? ''}
                </div>
                <div role="cell" className="cell col-change">
                  {formatChange(row.updatedAt)}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
