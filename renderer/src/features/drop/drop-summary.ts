import type { AddResult } from '../../../../app/contract';
import { formatCount, shownFileName } from '../../lib/format';
import type { LeftOutLine } from '../../stores/last-drop-store';

/** Names listed per group before "and N more". */
const NAMES_PER_GROUP = 10;

function nameList(names: string[]): string {
  const shown = names.slice(0, NAMES_PER_GROUP).map(shownFileName).join(', ');
  const more = names.length - NAMES_PER_GROUP;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/** Hidden: the file's name, or one of its folders', starts with a dot. */
const isHiddenPath = (name: string): boolean =>
  name.split('/').some((part) => part.startsWith('.'));

/**
 * The files of dropped folders left out, named with why ("a.pdf, b.txt: Not XML files …"; a
 * walk: hidden XML files were called "Not XML files").
 */
function skippedGroups(skipped: string[]): LeftOutLine[] {
  const hidden = skipped.filter(isHiddenPath);
  const other = skipped.filter((n) => !isHiddenPath(n));
  const lines: LeftOutLine[] = [];
  if (other.length > 0) {
    const what =
      other.length === 1
        ? 'Not an XML file, so it was not added'
        : 'Not XML files, so they were not added';
    lines.push({
      files: other.length,
      line: `${nameList(other)}: ${what}. Peppol Desk sends invoices saved as XML.`,
    });
  }
  if (hidden.length > 0) {
    const what =
      hidden.length === 1
        ? 'A hidden file (its name or its folder’s starts with a dot), so it was not added. Drop it on its own to add it.'
        : 'Hidden files (their names or their folders’ start with a dot), so they were not added. Drop them on their own to add them.';
    lines.push({ files: hidden.length, line: `${nameList(hidden)}: ${what}` });
  }
  return lines;
}

/** The lines of {@link skippedGroups}, for a message. */
export function skippedLines(skipped: string[]): string[] {
  return skippedGroups(skipped).map((g) => g.line);
}

/** "3 skipped (not XML)", "2 skipped (hidden)" or, for both kinds, "5 skipped". */
export function skippedTitle(skipped: string[]): string {
  const hidden = skipped.filter(isHiddenPath).length;
  const kind = hidden === 0 ? ' (not XML)' : hidden === skipped.length ? ' (hidden)' : '';
  return `${formatCount(skipped.length)} skipped${kind}`;
}

/**
 * "3 added, 2 already known, 1 not added" and, under it, which files: the known ones in one line
 * ("2 already known: a.xml, b.xml"), the rejected ones grouped by reason ("c.xml: The file is
 * empty. …"), the skipped ones (not XML, hidden). Nothing the clerk dropped goes unnamed unless it was
 * added.
 */
export function summarize(
  result: AddResult,
  skipped: string[],
): { title: string; lines: string[]; leftOut: LeftOutLine[] } {
  // A team desk keeps what is dropped while the team database cannot be reached, under negative
  // ids, and hands it over when it answers (app/team/desk.ts): "added" would send the clerk
  // looking for rows that are not in the team's list yet (walk 14).
  const kept = result.added.filter((a) => a.id < 0).length;
  const added = result.added.length - kept;
  const parts = added > 0 || kept === 0 ? [`${formatCount(added)} added`] : [];
  // Held as they were added (a team desk knows then): not on their way (walk 17: "20 added"
  // when all 20 waited for a decision).
  const held = result.heldForDecision ?? 0;
  if (held > 0)
    parts.push(
      held === added
        ? `${held === 1 ? 'it waits' : 'all wait'} for your decision (Needs attention)`
        : `${formatCount(held)} of them wait for your decision (Needs attention)`,
    );
  if (kept > 0)
    parts.push(`${formatCount(kept)} kept on this computer until the team database answers`);
  if (result.known.length > 0) parts.push(`${formatCount(result.known.length)} already known`);
  // "Not added", not "rejected": that is the buyer's word in this app (walk 9).
  if (result.rejected.length > 0) parts.push(`${formatCount(result.rejected.length)} not added`);
  if (skipped.length > 0) parts.push(skippedTitle(skipped));
  const lines: string[] = [];
  if (result.known.length > 0) {
    lines.push(
      `${formatCount(result.known.length)} already known: ${nameList(result.known.map((k) => k.fileName))}`,
    );
    // Known as cancelled: not sent again by a drop (walk 18 read "already known" as taken care
    // of, and a re-dropped folder must not send what the clerk cancelled).
    const cancelled = result.known.filter((k) => k.cancelled);
    if (cancelled.length > 0)
      lines.push(
        `${cancelled.length === 1 ? '1 of them was' : `${formatCount(cancelled.length)} of them were`} cancelled, so not sent: ${nameList(cancelled.map((k) => k.fileName))}. To send one after all, open it and choose Retry.`,
      );
  }
  const leftOut: LeftOutLine[] = [];
  const byReason = new Map<string, string[]>();
  for (const r of result.rejected) {
    const names = byReason.get(r.message) ?? [];
    names.push(r.fileName);
    byReason.set(r.message, names);
  }
  for (const [message, names] of byReason) {
    leftOut.push({
      files: names.length,
      line:
        names.length === 1
          ? `${shownFileName(names[0]!)}: ${message}`
          : `${formatCount(names.length)} files, ${nameList(names)}: ${message}`,
    });
  }
  leftOut.push(...skippedGroups(skipped));
  lines.push(...leftOut.map((g) => g.line));
  // `leftOut`: the lines on the files not added alone, which the drop zone keeps (last-drop-store).
  return { title: parts.join(', '), lines, leftOut };
}
