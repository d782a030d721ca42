import { isOfficeLockFile } from '../../../../app/domain/file-names';
import type { AddResult } from '../../../../app/contract';
import { formatCount, shownFileName } from '../../lib/format';
import { nameList, type LeftOutLine } from '../../stores/last-drop-store';

/** Why a file of a dropped folder was left out (collect-files.ts), from its name. */
type SkipKind = 'notXml' | 'lock' | 'hidden' | 'hiddenFolder';

function skipKind(name: string): SkipKind {
  if (name.endsWith('/')) return 'hiddenFolder';
  // The name, or one of its folders' (a hidden folder's files were named each, before).
  if (name.split('/').some((part) => part.startsWith('.'))) return 'hidden';
  if (isOfficeLockFile(name)) return 'lock';
  return 'notXml';
}

/** Per kind, in the order the lines come: what it is, for one name and for several. */
const SKIP_WORDS: Record<SkipKind, [one: string, many: string]> = {
  notXml: [
    'Not an XML file, so it was not added. Peppol Desk sends invoices saved as XML.',
    'Not XML files, so they were not added. Peppol Desk sends invoices saved as XML.',
  ],
  lock: [
    'An office lock file (Word, Excel or LibreOffice keeps one beside a file it has open; it is not an invoice), so it was left alone.',
    'Office lock files (Word, Excel or LibreOffice keeps one beside a file it has open; they are not invoices), so they were left alone.',
  ],
  hidden: [
    'A hidden file (its name or its folder’s starts with a dot), so it was not added. Drop it on its own to add it.',
    'Hidden files (their names or their folders’ start with a dot), so they were not added. Drop them on their own to add them.',
  ],
  hiddenFolder: [
    'A hidden folder (its name starts with a dot), so its files were not looked at. Drop it on its own to add them.',
    'Hidden folders (their names start with a dot), so their files were not looked at. Drop them on their own to add them.',
  ],
};

function byKind(skipped: string[]): Map<SkipKind, string[]> {
  const groups = new Map<SkipKind, string[]>(
    (Object.keys(SKIP_WORDS) as SkipKind[]).map((k) => [k, []]),
  );
  for (const name of skipped) groups.get(skipKind(name))!.push(name);
  return groups;
}

/**
 * What dropped folders held that was left alone, named with why ("a.pdf, b.txt: Not XML files …";
 * a walk: hidden XML files were called "Not XML files").
 */
export function skippedLines(skipped: string[]): string[] {
  const lines: string[] = [];
  for (const [kind, names] of byKind(skipped)) {
    if (names.length === 0) continue;
    const [one, many] = SKIP_WORDS[kind];
    lines.push(`${nameList(names)}: ${names.length === 1 ? one : many}`);
  }
  return lines;
}

const KIND_TITLES: Record<SkipKind, string> = {
  notXml: ' (not XML)',
  lock: ' (office lock files)',
  hidden: ' (hidden)',
  hiddenFolder: ' (hidden)',
};

/** "3 skipped (not XML)", "2 skipped (hidden)", "1 skipped (office lock files)" or "5 skipped". */
export function skippedTitle(skipped: string[]): string {
  const kinds = new Set(skipped.map((n) => KIND_TITLES[skipKind(n)]));
  const kind = kinds.size === 1 ? [...kinds][0]! : '';
  // "1 skipped (office lock file)"
  const said = skipped.length === 1 ? kind.replace('files)', 'file)') : kind;
  return `${formatCount(skipped.length)} skipped${said}`;
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
): { title: string; lines: string[]; leftOut: LeftOutLine[]; leftOutTitle: string } {
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
        : `${formatCount(held)} of them ${held === 1 ? 'waits' : 'wait'} for your decision (Needs attention)`,
    );
  if (kept > 0)
    parts.push(`${formatCount(kept)} kept on this computer until the team database answers`);
  if (result.known.length > 0) parts.push(`${formatCount(result.known.length)} already known`);
  // "Not added", not "rejected": that is the buyer's word in this app (walk 9).
  if (result.rejected.length > 0) parts.push(`${formatCount(result.rejected.length)} not added`);
  // The drop zone keeps the files not added, not those left alone (walk 21b): its title without them.
  const leftOutTitle = parts.join(', ');
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
  lines.push(...leftOut.map((g) => g.line), ...skippedLines(skipped));
  // `leftOut`: the files that could not be added, which the drop zone keeps (last-drop-store); the
  // files left alone on purpose are named by this message only.
  return { title: parts.join(', '), lines, leftOut, leftOutTitle };
}
