/**
 * A validation finding's location (an XPath such as
 * `/Invoice/cac:InvoiceLine[3]/cac:Price/cbc:PriceAmount`) in the words of the invoice standard:
 * "Invoice line 3, BT-146 Item net price". The XPath itself stays in the technical details.
 * The table is the domain's (app/domain/business-terms.ts): our structure checks name elements
 * with the same terms.
 */
import { DOCUMENT_TERMS, LINE_TERMS } from '../../../app/domain/business-terms';

// Longest matching path suffix wins (element names without the index), most specific first.
const TERMS = [...LINE_TERMS, ...DOCUMENT_TERMS];

const ROOTS = new Set(['Invoice', 'CreditNote']);

/** A finding's location in business terms and line numbers; null when it says nothing useful. */
export function locationWords(xpath: string): string | null {
  const steps = xpath.split('/').filter((s) => s !== '');
  if (steps.length === 0) return null;
  const names = steps.map((s) => s.replace(/\[\d+\]$/, ''));
  const parts: string[] = [];
  // The line the finding is on ("Invoice line 3"); a single line has no index in the path.
  const lineAt = names.findIndex((n) => n === 'cac:InvoiceLine' || n === 'cac:CreditNoteLine');
  if (lineAt >= 0) {
    const index = /\[(\d+)\]$/.exec(steps[lineAt]!)?.[1] ?? '1';
    parts.push(
      `${names[lineAt] === 'cac:CreditNoteLine' ? 'Credit note' : 'Invoice'} line ${index}`,
    );
  }
  const path = names.join('/');
  // Document-level terms are matched only outside lines, line terms only inside them.
  const scope = lineAt >= 0 ? names.slice(lineAt).join('/') : path;
  const term = TERMS.find(([suffix]) =>
    lineAt >= 0
      ? scope.endsWith(suffix) || scope.includes(`${suffix}/`)
      : !suffix.startsWith('cac:Invoice') && (path.endsWith(suffix) || path.includes(`${suffix}/`)),
  );
  if (term) parts.push(term[1]);
  else if (names.length === 1 && ROOTS.has(names[0]!)) parts.push('The whole document');
  else if (parts.length === 0) return null;
  return parts.join(', ');
}
