import {
  BUSINESS_RESPONSE_STATES,
  type DocumentFilter,
  type DocumentRow,
} from '../../../../app/contract';
import { FILTER_LABELS, STATUS_WORDS, statusWordsOf } from '../../lib/status-words';
import { fetchAllMatching, useDocumentsStore } from '../../stores/documents-store';
import { toastError, useToastStore } from '../../stores/toast-store';
import { formatCount, shownFileName } from '../../lib/format';

const HEADER = [
  'Document id',
  'File',
  'Type',
  'Invoice number',
  'Issue date',
  'Seller',
  'Buyer',
  'Amount',
  'Currency',
  'Status',
  'Business response',
  'Access point',
  'Environment',
  'Transaction id',
  'Sent',
  'Delivered',
  'Reason',
];

const ENVIRONMENT_WORDS: Record<string, string> = {
  sandbox: 'Sandbox',
  test: 'Test',
  production: 'Production',
};

/**
 * A time in the user's time zone with its offset, as the screen shows it: 2026-12-01 22:05:03
 * +01:00 (a spreadsheet reads it, and the offset keeps it unambiguous).
 */
export function localTime(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** A business response code in words ("Rejected by buyer"), an unknown code as given. */
function responseWords(code: string | null): string | null {
  if (code === null) return null;
  return Object.hasOwn(BUSINESS_RESPONSE_STATES, code)
    ? STATUS_WORDS[BUSINESS_RESPONSE_STATES[code as keyof typeof BUSINESS_RESPONSE_STATES]]
    : code;
}

/**
 * RFC 4180 quoting; text starting with =, +, -, @ is prefixed so spreadsheets never run it as a
 * formula (plain numbers such as credit-note amounts stay numbers).
 */
function cell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text for these rows, header first, CRLF line ends (what Excel expects). */
export function toCsv(rows: DocumentRow[]): string {
  const lines = [HEADER.map(cell).join(',')];
  // Walk 22: 8 practice rows said "Delivered" beside real ones, and a sum of the column counted
  // them: when both are exported, each practice row's status says it was practice.
  const practice = (r: DocumentRow) => r.environment === 'sandbox';
  const mixed = rows.some(practice) && rows.some((r) => r.environment !== null && !practice(r));
  for (const r of rows) {
    lines.push(
      [
        r.id,
        // Written out as invoice numbers are (walk 21b: a spreadsheet read it reversed).
        shownFileName(r.fileName),
        r.docType === 'CreditNote' ? 'Credit note' : r.docType === 'Invoice' ? 'Invoice' : null,
        r.invoiceNumber,
        r.issueDate,
        r.sellerName,
        r.buyerName,
        r.amount,
        r.currency,
        mixed && practice(r)
          ? `${statusWordsOf(r.state, r.problem?.code)} (practice in the Sandbox: nothing was really sent)`
          : statusWordsOf(r.state, r.problem?.code),
        responseWords(r.businessResponse),
        r.accessPoint === 'sandbox' ? 'Built-in Sandbox' : r.accessPoint,
        r.environment ? (ENVIRONMENT_WORDS[r.environment] ?? r.environment) : null,
        r.transactionId,
        localTime(r.acceptedAt),
        localTime(r.deliveredAt),
        r.problem?.message ?? null,
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** Lower-case letters and digits, the rest one dash: a part of a file name on every system. */
function slug(words: string, max: number): string {
  return words
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/**
 * The export's file name: what it holds and the clerk's date (walk 26 F10: every filter's export
 * was `peppol-desk-<date>.csv`), e.g. `peppol-desk-needs-attention-2026-12-07.csv`, or
 * `peppol-desk-all-w1-0199-2026-12-07.csv` for a search.
 */
export function exportFileName(filter: DocumentFilter, search: string, now: Date): string {
  const searched = slug(search, 40);
  const day = [now.getFullYear(), now.getMonth() + 1, now.getDate()]
    .map((n) => String(n).padStart(2, '0'))
    .join('-');
  return `peppol-desk-${slug(FILTER_LABELS[filter], 40)}${searched ? `-${searched}` : ''}-${day}.csv`;
}

/** Exports every row that matches the current filter and search (not only those on screen). */
export async function exportVisibleRows(): Promise<void> {
  const all = await fetchAllMatching();
  if (!all.ok) return toastError('Could not export', all.error);
  // A byte order mark so Excel opens UTF-8 names (é, ø, ß) correctly.
  const blob = new Blob(['\ufeff', toCsv(all.rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  const { filter, search } = useDocumentsStore.getState();
  link.download = exportFileName(filter, search.trim(), new Date());
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: the download reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  useToastStore.getState().push({
    kind: 'success',
    title: exportedWords(all.rows.length),
    lines: [],
    ttlMs: 6000,
  });
}

/** The export's message (walk 18: "Exported 1 rows"). */
export function exportedWords(rows: number): string {
  return `Exported ${formatCount(rows)} ${rows === 1 ? 'row' : 'rows'}`;
}
