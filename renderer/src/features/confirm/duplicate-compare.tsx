import type { DocumentDetail, DuplicateOfRow } from '../../../../app/contract';
import { formatAmount, formatTime } from '../../lib/format';
import { kindWord } from '../../lib/send-anyway-words';
import { STATUS_WORDS } from '../../lib/status-words';

const ROWS: { label: string; value: (d: DuplicateOfRow) => string }[] = [
  { label: 'Invoice number', value: (d) => d.invoiceNumber ?? '—' },
  { label: 'Buyer', value: (d) => d.buyerName ?? '—' },
  { label: 'Amount due', value: (d) => formatAmount(d.amount, d.currency) || '—' },
  { label: 'Issue date', value: (d) => d.issueDate ?? '—' },
  // Walk 24 B9: a second version with a new due date looked the same as the first.
  { label: 'Due date', value: (d) => d.dueDate ?? '—' },
  { label: 'File', value: (d) => d.fileName },
  { label: 'File size', value: (d) => `${d.size.toLocaleString('en-US')} bytes` },
  { label: 'Added', value: (d) => formatTime(d.createdAt) || '—' },
  { label: 'Status', value: (d) => STATUS_WORDS[d.state] },
];

/** A held duplicate beside the document it duplicates, so the person sees what would go twice. */
export function DuplicateCompare({
  first,
  held: detail,
}: {
  first: DuplicateOfRow;
  held: DocumentDetail;
}) {
  const held: DuplicateOfRow = { ...detail, dueDate: detail.summary?.dueDate ?? null };
  // A walk: every field shown was the same, so there was nothing to compare. Say where the
  // difference is then, and how to see it.
  const sameInvoice = ROWS.slice(0, 5).every((r) => r.value(first) === r.value(held));
  // The same bytes: there is no difference to look for (walk 18: a copy of a file was said to
  // "differ in other details").
  const sameFile = first.sha256 === held.sha256;
  return (
    <>
      {sameFile && (
        <p data-testid="duplicate-same-file">
          The two files are identical, byte for byte: it is the same {kindWord(held.docType)} twice.
        </p>
      )}
      {sameInvoice && !sameFile && (
        <p data-testid="duplicate-same-fields">
          The number, buyer, amount and dates are the same: the files differ in other details (a
          note, a line, a reference). Open each with View whole invoice to see what changed.
        </p>
      )}
      <DuplicateTable first={first} held={held} />
    </>
  );
}

function DuplicateTable({ first, held }: { first: DuplicateOfRow; held: DuplicateOfRow }) {
  return (
    <table className="duplicate-compare" data-testid="duplicate-compare">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Field</span>
          </th>
          <th scope="col">Already added (document #{first.id})</th>
          <th scope="col">Held now (document #{held.id})</th>
        </tr>
      </thead>
      <tbody>
        {ROWS.map((r) => {
          const a = r.value(first);
          const b = r.value(held);
          return (
            <tr key={r.label} className={a === b ? 'is-same' : 'is-different'}>
              <th scope="row">{r.label}</th>
              <td data-testid={`compare-first-${r.label}`}>{a}</td>
              <td data-testid={`compare-held-${r.label}`}>{b}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
