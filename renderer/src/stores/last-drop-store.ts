import { create } from 'zustand';
import type { UnfinishedDrop } from '../../../app/contract';
import { getApi } from '../bridge';
import { formatCount, shownFileName } from '../lib/format';
import { useToastStore } from './toast-store';

/**
 * A line naming files of a drop that could not be added ("a.xml: The file is empty."), and how
 * many files it names. Files a dropped folder leaves alone on purpose (lock files, hidden files,
 * files not XML) are not among them: the drop's own message names them (walk 21b: "8 files of 2
 * drops … not added", 6 of them the lock, hidden and .txt files that message had called "6
 * skipped").
 */
export interface LeftOutLine {
  files: number;
  line: string;
}

/** The files of one drop that were not added, named as its message named them. */
export interface DropLeftOut {
  /** When the drop ended (ms since the epoch). */
  at: number;
  /** How many files could not be added (not those left alone on purpose). */
  notAdded: number;
  /** The drop's message title without the files left alone ("40 added, 2 not added"). */
  title: string;
  /** Which files were not added, and why (at most {@link LINES_PER_DROP}). */
  lines: string[];
  /** The drop's id in the engine's journal (`drops:begin`), when it has one. */
  journal?: number;
  /**
   * Told by the journal (unfinishedDropLeftOut), not by this page: it follows the journal (gone
   * once the journal no longer holds the drop). This page's own words of its drop stay.
   */
  fromJournal?: true;
  /**
   * This page's own words, kept by the journal too (a drop that ended with files not added):
   * they follow the journal as `fromJournal` ones do (forgotten on another page, gone here).
   */
  inJournal?: true;
}

/** Drops older than the {@link DROPS_KEPT} last ones: their files counted, no longer named. */
export interface OlderDrops {
  drops: number;
  notAdded: number;
  /** When the first of them ended. */
  since: number;
  /** Their ids in the engine's journal, if any (see DropLeftOut.journal). */
  journals?: number[];
}

/** Every drop that left files out, until the clerk chooses Forget. */
export interface DropsLeftOut {
  drops: DropLeftOut[];
  older: OlderDrops | null;
}

/** Drops named one by one; older ones are counted (kept small however many drops a day has). */
export const DROPS_KEPT = 20;
/**
 * Lines kept per drop. Each line names at most ten files per reason, the rest counted, so only a
 * drop with many different reasons (sizes differ per file) reaches it.
 */
export const LINES_PER_DROP = 30;

/** The key of a drop's own message, and of "Show which"'s (toast-store: one of each on screen). */
export const dropMessageKey = (at: number): string => `drop-left-out:${at}`;
export const SHOW_WHICH_KEY = 'drops-left-out';

/**
 * "12:27 AM", as the drop zone says when a drop ended: the clerk's locale's short time, as the
 * list writes its times (walk 21b: "01:04 AM" here, "1:04:53 AM" there).
 */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { timeStyle: 'short' });
}

/** One drop's record: its lines bounded, and the files of the lines left out still counted. */
export function dropLeftOut(at: number, title: string, leftOut: LeftOutLine[]): DropLeftOut {
  const notAdded = leftOut.reduce((n, g) => n + g.files, 0);
  const shown = leftOut.slice(0, LINES_PER_DROP);
  const lines = shown.map((g) => g.line);
  const rest = leftOut.length - shown.length;
  if (rest > 0) {
    const files = leftOut.slice(LINES_PER_DROP).reduce((n, g) => n + g.files, 0);
    lines.push(
      `${formatCount(files)} more ${files === 1 ? 'file' : 'files'} not added, for ${formatCount(rest)} other ${rest === 1 ? 'reason' : 'reasons'} (not listed here, to keep this short).`,
    );
  }
  return { at, notAdded, title, lines };
}

/**
 * The drops with one more: a later drop adds to the list, it never replaces it (walk 21: 14
 * empty month-end files vanished from the app when one more file was dropped). Beyond
 * {@link DROPS_KEPT}, the oldest are folded into a count.
 */
export function withDrop(list: DropsLeftOut, drop: DropLeftOut): DropsLeftOut {
  // One record per drop of the journal: this page's own words of it replace the journal's.
  const others =
    drop.journal === undefined ? list.drops : list.drops.filter((d) => d.journal !== drop.journal);
  const drops = [...others, drop];
  let older = list.older;
  while (drops.length > DROPS_KEPT) {
    const gone = drops.shift()!;
    const journals = [
      ...(older?.journals ?? []),
      ...(gone.journal !== undefined ? [gone.journal] : []),
    ];
    older = older
      ? { drops: older.drops + 1, notAdded: older.notAdded + gone.notAdded, since: older.since }
      : { drops: 1, notAdded: gone.notAdded, since: gone.at };
    if (journals.length > 0) older.journals = journals;
  }
  return { drops, older };
}

const files = (n: number) => (n === 1 ? '1 file' : `${formatCount(n)} files`);

/** The drop zone's words: "14 files of the drop at 12:27 AM not added", or of several drops. */
export function barWords({ drops, older }: DropsLeftOut): string | null {
  const count = drops.length + (older?.drops ?? 0);
  if (count === 0) return null;
  const notAdded = drops.reduce((n, d) => n + d.notAdded, older?.notAdded ?? 0);
  if (count === 1) return `${files(notAdded)} of the drop at ${clockTime(drops[0]!.at)} not added`;
  const since = older?.since ?? drops[0]!.at;
  return `${files(notAdded)} of ${formatCount(count)} drops since ${clockTime(since)} not added`;
}

/** "Show which": one drop's message as it was, or every drop's files under its time. */
export function notAddedMessage(list: DropsLeftOut): { title: string; lines: string[] } | null {
  const { drops, older } = list;
  if (drops.length === 1 && !older) return { title: drops[0]!.title, lines: drops[0]!.lines };
  const title = barWords(list);
  if (title === null) return null;
  const lines: string[] = [];
  if (older)
    lines.push(
      `${files(older.notAdded)} of ${older.drops === 1 ? 'the drop' : `${formatCount(older.drops)} drops`} from ${clockTime(older.since)} on: no longer named here (the last ${DROPS_KEPT} drops are).`,
    );
  for (const d of drops)
    for (const line of d.lines) lines.push(`Drop at ${clockTime(d.at)}: ${line}`);
  return { title, lines };
}

/** Files named per reason on a line (the rest counted). */
export const NAMES_PER_GROUP = 10;

/**
 * The first NAMES_PER_GROUP of `names` and how many more of `total` ("a.xml, b.xml and 1,990
 * more"): every list of file names of a drop.
 */
export function nameList(names: readonly string[], total = names.length): string {
  const shown = names.slice(0, NAMES_PER_GROUP).map(shownFileName).join(', ');
  const more = total - Math.min(names.length, NAMES_PER_GROUP);
  return more > 0 ? `${shown} and ${formatCount(more)} more` : shown;
}

/**
 * A drop the engine's journal says stopped part way (Peppol Desk stopped, or its page closed):
 * kept as any drop's files not added are, for any page to show (walk 23b: a new page, as the app
 * advises after a restart, knew nothing of 2,000 files not added).
 */
export function unfinishedDropLeftOut(d: UnfinishedDrop): DropLeftOut {
  // A drop that ended with files not added: its page's own words (walk 25 B1).
  if (d.leftOut) {
    const { title, lines, notAdded } = d.leftOut;
    return { at: d.startedAt, notAdded, title, lines, journal: d.id, fromJournal: true };
  }
  const later = d.inLaterDrop ?? 0;
  const taken = d.total - d.notAdded - later;
  // Those dropped again since are that drop's now (walk 25 A4: still "not added" once added).
  const again =
    later > 0
      ? [
          `${later === 1 ? '1 other file was' : `${formatCount(later)} other files were`} dropped again later, and ${later === 1 ? 'is' : 'are'} counted with that drop.`,
        ]
      : [];
  return {
    at: d.startedAt,
    notAdded: d.notAdded,
    title: `Stopped after ${formatCount(taken)} of ${formatCount(d.total)} files`,
    lines: [
      `${nameList(d.names, d.notAdded)}: not added. The drop stopped before they were handed over (Peppol Desk stopped, or its page was closed). Drop the same files again: those already added are recognised and not added twice.`,
      ...again,
    ],
    journal: d.id,
    fromJournal: true,
  };
}

/** The journal ids of the drops kept, named or folded into the older ones. */
function journalsOf({ drops, older }: DropsLeftOut): number[] {
  const named = drops.map((d) => d.journal).filter((id): id is number => id !== undefined);
  return [...(older?.journals ?? []), ...named];
}

interface LastDropState extends DropsLeftOut {
  remember(drop: DropLeftOut): void;
  forget(): void;
  /** Add the drops the engine's journal says stopped part way, each once (see above). */
  loadUnfinished(): Promise<void>;
}

// Kept for the tab's life, so a reload still shows it (walk 11: once its message was closed, or
// the page reloaded, nothing said which files of a drop had not been added).
const KEY = 'peppol-desk:drops-not-added';
/** Where one drop was kept before (a tab open across the update keeps it). */
const OLD_KEY = 'peppol-desk:last-drop-not-added';
const NONE: DropsLeftOut = { drops: [], older: null };

function read(): DropsLeftOut {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (raw) return JSON.parse(raw) as DropsLeftOut;
    const old = window.sessionStorage.getItem(OLD_KEY);
    return old ? { drops: [JSON.parse(old) as DropLeftOut], older: null } : NONE;
  } catch {
    return NONE;
  }
}

function write(list: DropsLeftOut): void {
  try {
    window.sessionStorage.removeItem(OLD_KEY);
    if (list.drops.length > 0) window.sessionStorage.setItem(KEY, JSON.stringify(list));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage full or refused: it is still kept in memory until the page closes.
  }
}

/** The drops that left files out, until the clerk forgets them or the window closes. */
export const useLastDropStore = create<LastDropState>()((set, get) => ({
  ...(typeof window === 'undefined' ? NONE : read()),
  remember(drop) {
    const list = withDrop(get(), drop);
    write(list);
    set(list);
  },
  forget() {
    // The engine's journal forgets them too: another page would show them again.
    const before = get();
    const dropIds = journalsOf(before);
    if (dropIds.length > 0) void getApi().invoke('drops:forget', { dropIds });
    write(NONE);
    set(NONE);
    closeMessagesOf(before.drops);
  },
  async loadUnfinished() {
    const answer = await getApi().invoke('drops:unfinished', undefined);
    if (!answer.ok) return;
    const journal = new Map(answer.value.drops.map((d) => [d.id, d]));
    const before = get();
    // A drop the journal told of and no longer holds (its files dropped again and added, or
    // forgotten on another page) goes; one whose files were partly dropped again is told again
    // (walk 25 A4). This page's own words of a drop it saw stop stay as they are (they name the
    // files it refused too, and the journal holds a drop of this run only once it is quiet);
    // those the journal keeps too (`inJournal`) go once it no longer does (walk 25 B1).
    const drops = before.drops
      .filter((d) => !(d.fromJournal || d.inJournal) || journal.has(d.journal!))
      .map((d) => {
        const now = d.fromJournal ? journal.get(d.journal!) : undefined;
        return now && now.notAdded !== d.notAdded ? unfinishedDropLeftOut(now) : d;
      });
    let list: DropsLeftOut = { drops, older: before.older };
    const known = journalsOf(list);
    for (const d of answer.value.drops)
      if (!known.includes(d.id)) list = withDrop(list, unfinishedDropLeftOut(d));
    const changed =
      list.drops.length !== before.drops.length || list.drops.some((d, i) => d !== before.drops[i]);
    if (!changed) return;
    const shown = list.drops.length > 0 || list.older ? list : NONE;
    write(shown);
    set(shown);
    closeMessagesOf(before.drops.filter((d) => !shown.drops.includes(d)));
  },
}));

/**
 * Close "Show which" (it told the list as it was) and the messages of these drops, gone from the
 * list or told anew (walk 26 F5: "Stopped after 200 of 1,500 files … not added" stayed open
 * beside "1,300 added, 200 already known" once the clerk had dropped them again).
 */
function closeMessagesOf(gone: readonly DropLeftOut[]): void {
  useToastStore.getState().dismissKeys([SHOW_WHICH_KEY, ...gone.map((d) => dropMessageKey(d.at))]);
}
