import type { DocumentRow } from '../../../../app/contract';
import { STATUS_WORDS } from '../../lib/status-words';
import { fetchAllMatching } from '../../stores/documents-store';
import { toastError, useToastStore } from '../../stores/toast-store';

const HEADER = [
  'Invoice number',
  'Buyer',
  'Amount',
  'Currency',
  'Status',
  'Transaction id',
  'Sent',
  'Delivered',
  'Reason',
  'File',
];

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/**
 * RFC 4180 quoting; text starting with =, +, -, @ is prefixed so spreadsheets never run it as a
 * formula (plain numbers such as credit-note amounts stay numbers).
 */
function cell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text for these rows, header first, CRLF line ends (what Excel expects). */
export function toCsv(rows: DocumentRow[]): string {
  const lines = [HEADER.map(cell).join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.invoiceNumber,
        r.buyerName,
        r.amount,
        r.currency,
        STATUS_WORDS[r.state],
        r.transactionId,
        iso(r.acceptedAt),
        iso(r.deliveredAt),
        r.problem?.message ?? null,
        r.fileName,
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** Exports every row that matches the current filter and search (not only those on screen). */
export async function exportVisibleRows(): Promise<void> {
  const all = await fetchAllMatching();
  if (!all.ok) return toastError('Could not export', all.error.message);
  // A byte order mark so Excel opens UTF-8 names (é, ø, ß) correctly.
  const blob = new Blob(['\ufeff', toCsv(all.rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `peppol-desk-${new Date().toISOString().slice(0, 10)}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: the download reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  useToastStore.getState().push({
    kind: 'success',
    title: `Exported ${all.rows.length} rows`,
    lines: [],
    ttlMs: 6000,
  });
}
