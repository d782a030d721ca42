import { create } from 'zustand';

/** The files of a drop that were not added, named as its message named them. */
export interface LastDrop {
  /** When the drop ended (ms since the epoch). */
  at: number;
  /** How many files were not added (rejected or skipped). */
  notAdded: number;
  title: string;
  lines: string[];
}

interface LastDropState {
  lastDrop: LastDrop | null;
  remember(drop: LastDrop): void;
  forget(): void;
}

// Kept for the tab's life, so a reload still shows it (walk 11: once its message was closed, or
// the page reloaded, nothing said which files of a drop had not been added).
const KEY = 'peppol-desk:last-drop-not-added';

function read(): LastDrop | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as LastDrop) : null;
  } catch {
    return null;
  }
}

function write(drop: LastDrop | null): void {
  try {
    if (drop) window.sessionStorage.setItem(KEY, JSON.stringify(drop));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage full or refused: it is still kept in memory until the page closes.
  }
}

/** The last drop that left files out, until the clerk forgets it or the window closes. */
export const useLastDropStore = create<LastDropState>()((set) => ({
  lastDrop: typeof window === 'undefined' ? null : read(),
  remember(drop) {
    write(drop);
    set({ lastDrop: drop });
  },
  forget() {
    write(null);
    set({ lastDrop: null });
  },
}));
