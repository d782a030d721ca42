import type { AddResult } from '../../../../app/contract';

/** Names listed per group before "and N more". */
const NAMES_PER_GROUP = 10;

function nameList(names: string[]): string {
  const shown = names.slice(0, NAMES_PER_GROUP).join(', ');
  const more = names.length - NAMES_PER_GROUP;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/**
 * "3 added, 2 already known, 1 rejected" and, under it, which files: the known ones in one line
 * ("2 already known: a.xml, b.xml"), the rejected ones grouped by reason ("c.xml: The file is
 * empty. …"). Nothing the clerk dropped goes unnamed unless it was added.
 */
export function summarize(result: AddResult, skipped: number): { title: string; lines: string[] } {
  const parts = [`${result.added.length} added`];
  if (result.known.length > 0) parts.push(`${result.known.length} already known`);
  if (result.rejected.length > 0) parts.push(`${result.rejected.length} rejected`);
  if (skipped > 0) parts.push(`${skipped} skipped (not XML)`);
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
  return { title: parts.join(', '), lines };
}
