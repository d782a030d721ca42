import type { AddResult } from '../../../../app/contract';

/** Names listed per group before "and N more". */
const NAMES_PER_GROUP = 10;

function nameList(names: string[]): string {
  const shown = names.slice(0, NAMES_PER_GROUP).join(', ');
  const more = names.length - NAMES_PER_GROUP;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/** The files of dropped folders left out because they are not XML, named ("a.pdf, b.txt: …"). */
export function skippedLines(skipped: string[]): string[] {
  if (skipped.length === 0) return [];
  const what =
    skipped.length === 1
      ? 'Not an XML file, so it was not added'
      : 'Not XML files, so they were not added';
  return [`${nameList(skipped)}: ${what}. Peppol Desk sends invoices saved as XML.`];
}

/**
 * "3 added, 2 already known, 1 rejected" and, under it, which files: the known ones in one line
 * ("2 already known: a.xml, b.xml"), the rejected ones grouped by reason ("c.xml: The file is
 * empty. …"), the skipped ones (not XML). Nothing the clerk dropped goes unnamed unless it was
 * added.
 */
export function summarize(
  result: AddResult,
  skipped: string[],
): { title: string; lines: string[] } {
  const parts = [`${result.added.length} added`];
  if (result.known.length > 0) parts.push(`${result.known.length} already known`);
  if (result.rejected.length > 0) parts.push(`${result.rejected.length} rejected`);
  if (skipped.length > 0) parts.push(`${skipped.length} skipped (not XML)`);
  const lines: string[] = [];
  if (result.known.length > 0) {
    lines.push(
      `${result.known.length} already known: ${nameList(result.known.map((k) => k.fileName))}`,
    );
  }
  const byReason = new Map<string, string[]>();
  for (const r of result.rejected) {
    const names = byReason.get(r.message) ?? [];
    names.push(r.fileName);
    byReason.set(r.message, names);
  }
  for (const [message, names] of byReason) {
    lines.push(
      names.length === 1
        ? `${names[0]}: ${message}`
        : `${names.length} files, ${nameList(names)}: ${message}`,
    );
  }
  lines.push(...skippedLines(skipped));
  return { title: parts.join(', '), lines };
}
