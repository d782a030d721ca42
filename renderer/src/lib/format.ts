import {
  accessPointLabel,
  type ConnectionStatus,
  type Environment,
  type StateCounts,
} from '../../../app/contract';
import { visibleText } from '../../../app/domain/visible-text';
import { FILTER_STATES, type DocumentFilter } from '../../../app/contract';
import { formatDateTime } from '../../../app/domain/time-words';

const numberFormat = new Intl.NumberFormat();
const shortTimeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/**
 * A queue figure, or a dash while it is not known: a team desk cut off from its team database
 * cannot count the team's documents (walk 12: a window opened then said "Sent 0", "All 0").
 */
export function countOrDash(n: number, known: boolean): string {
  return known ? formatCount(n) : '—';
}

/** Why the figures show a dash (see countOrDash). */
export const COUNTS_NOT_KNOWN_WORDS =
  'Not known while the team database cannot be reached: the team’s documents cannot be counted.';

/** Why the figures show a dash before this page has heard them from Peppol Desk. */
export const COUNTS_NOT_HEARD_WORDS =
  'Not known: this page has not had the figures from Peppol Desk yet.';

/** Why the figures show a dash, if they do: a team database out of reach, or unheard yet. */
export function countsTitle(teamKnown: boolean, heard: boolean): string | undefined {
  if (!teamKnown) return COUNTS_NOT_KNOWN_WORDS;
  return heard ? undefined : COUNTS_NOT_HEARD_WORDS;
}

const amountFormats = new Map<string, Intl.NumberFormat>();

/** The user's number format for this currency, showing at least `decimals` fraction digits. */
function amountFormat(currency: string | null, decimals: number): Intl.NumberFormat {
  const key = `${currency ?? ''}:${decimals}`;
  let format = amountFormats.get(key);
  if (!format) {
    const base: Intl.NumberFormatOptions = currency ? { style: 'currency', currency } : {};
    const usual = new Intl.NumberFormat(undefined, base).resolvedOptions();
    format = new Intl.NumberFormat(undefined, {
      ...base,
      minimumFractionDigits: currency ? usual.minimumFractionDigits : decimals,
      maximumFractionDigits: Math.max(decimals, usual.maximumFractionDigits ?? 0),
    });
    amountFormats.set(key, format);
  }
  return format;
}

/**
 * Amounts arrive as exact decimal strings from the engine: shown in the user's locale with the
 * currency and thousands separators ("€1,234,567.50"), never rounded (extra decimals are kept).
 * A currency code Intl does not know, or a value that is not a number, is shown as it is.
 */
export function formatAmount(amount: string | null, currency: string | null): string {
  if (amount === null || amount === '') return '';
  const plain = currency ? `${amount} ${currency}` : amount;
  if (!/^[-+]?\d+(\.\d+)?$/.test(amount.trim())) return plain;
  const decimals = /\.(\d+)$/.exec(amount.trim())?.[1]?.length ?? 0;
  try {
    // A string argument keeps every digit (Intl.NumberFormat v3): no float rounding.
    return amountFormat(currency, decimals).format(amount.trim() as unknown as number);
  } catch {
    return plain;
  }
}

/** A quantity or unit price as an exact decimal in the user's locale ("1,234.5"). */
export function formatDecimal(value: string | null): string {
  return formatAmount(value, null);
}

/** A date and time as the engine's messages write it too (app/domain/time-words). */
export function formatTime(ms: number | null): string {
  if (ms === null) return '';
  return formatDateTime(ms);
}

/** Today's changes show only the time; older ones the full date. */
export function formatChange(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return shortTimeFormat.format(d);
  return formatDateTime(ms);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** What the built-in Sandbox is (the header's tooltip, the empty list): practice, nothing sent. */
export const SANDBOX_WORDS =
  'The built-in Sandbox: invoices are checked and go through every step, but nothing leaves this computer and no buyer receives anything. To send for real, enter your provider in Settings.';

export const ENVIRONMENT_WORDS: Record<Environment, string> = {
  sandbox: 'Sandbox',
  test: 'Test',
  production: 'Production',
};

/** How many documents each filter shows, from the per-state counts. */
export function filterCount(counts: StateCounts, filter: DocumentFilter): number {
  if (filter === 'all') return Object.values(counts).reduce((a, b) => a + b, 0);
  return FILTER_STATES[filter].reduce((sum, state) => sum + counts[state], 0);
}

/** How long ago, in words a person reads at a glance: "just now", "3 min ago", "2 h ago", "4 days ago". */
export function formatAge(ms: number, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A Peppol document type id in words ("Invoice (BIS Billing 3.0)"); unknown ids as they are. */
export function documentTypeWords(documentType: string): string {
  const root = /::(Invoice|CreditNote)##/.exec(documentType)?.[1];
  const kind = root === 'CreditNote' ? 'Credit note' : root;
  if (!kind) return documentType;
  return documentType.includes('poacc:billing:3.0') ? `${kind} (BIS Billing 3.0)` : kind;
}

/**
 * This desk's access point in words ("the built-in Sandbox", "app.goroute.ai (Production)"), its
 * path too beside another address of the same host (`other`: see accessPointLabel).
 */
export function ownAccessPointWords(
  status: Pick<ConnectionStatus, 'accessPoint' | 'endpoint' | 'environment'>,
  other?: { accessPoint: string | null; environment: Environment | null },
): string {
  return accessPointLabel(status.accessPoint ?? status.endpoint, status.environment, other);
}

/**
 * A file name as shown: characters that reorder the text around them (Unicode direction
 * controls, as in `invoice\u202Elmx.exe.xml`, which reads "invoicelmx.exe…" backwards) or show
 * nothing are written out as invoice numbers are (`[U+202E]`, visible-text), so the name on
 * screen is never another than the file's (a walk), and says which character it holds (walk 21b:
 * `�` lost it). The engine keeps the real name (a file added again is matched by it).
 */
export function shownFileName(name: string): string {
  return visibleText(name);
}
