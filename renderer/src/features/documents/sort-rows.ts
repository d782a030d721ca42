import { DOCUMENT_STATES, type DocumentRow } from '../../../../app/contract';
import type { SortSpec } from '../../stores/documents-store';

const stateOrder = new Map(DOCUMENT_STATES.map((s, i) => [s, i]));
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(a: DocumentRow, b: DocumentRow, key: SortSpec['key']): number {
  switch (key) {
    case 'state':
      return (stateOrder.get(a.state) ?? 0) - (stateOrder.get(b.state) ?? 0);
    case 'amount':
      return Number(a.amount ?? NaN) - Number(b.amount ?? NaN);
    case 'updatedAt':
      return a.updatedAt - b.updatedAt;
    default:
      return collator.compare(a[key] ?? '', b[key] ?? '');
  }
}

/** Rows in the requested order; empty values always last, ties keep the engine's order. */
export function sortRows(rows: DocumentRow[], sort: SortSpec): DocumentRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const isEmpty = (r: DocumentRow): boolean =>
    sort.key === 'amount'
      ? r.amount === null || Number.isNaN(Number(r.amount))
      : r[sort.key] === null;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => {
      const ex = isEmpty(x.row);
      const ey = isEmpty(y.row);
      if (ex !== ey) return ex ? 1 : -1;
      return sign * compare(x.row, y.row, sort.key) || x.i - y.i;
    })
    .map((x) => x.row);
}
