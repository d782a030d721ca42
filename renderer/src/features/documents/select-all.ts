import { useEffect } from 'react';
import { getApi } from '../../bridge';
import { useDocumentsStore } from '../../stores/documents-store';

/** True when the key goes to a text field (Ctrl+A keeps selecting its text there). */
function inTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return true;
  return (
    target instanceof HTMLInputElement && !['checkbox', 'radio', 'button'].includes(target.type)
  );
}

/**
 * Select every document of the current filter and search, not only the rows on screen (the
 * table renders only those): what Ctrl+A and the selection bar's "Select all N" do.
 */
export async function selectAllMatching(): Promise<void> {
  const { filter, search, setSelection } = useDocumentsStore.getState();
  const r = await getApi().invoke('documents:export', {
    filter,
    search: search.trim() || undefined,
  });
  const now = useDocumentsStore.getState();
  // The list changed meanwhile: this answer is for another filter or search.
  if (!r.ok || now.filter !== filter || now.search !== search) return;
  setSelection(r.value.rows.map((row) => row.id));
}

/**
 * Ctrl+A (Cmd+A on a Mac) selects every document of the current filter and search, not the page
 * text. Ignored in text fields and while a dialog is open.
 */
export function useSelectAllShortcut(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.key.toLowerCase() !== 'a') return;
      if (inTextField(e.target) || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      void selectAllMatching();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** What the "select the rows on screen" box shows, and what a click on it does. */
export interface SelectBox {
  /** Ticked only when every row of the list is selected; mixed when some are. */
  shown: 'none' | 'some' | 'all';
  /** A click selects the rows on screen, or clears the selection when they all are already. */
  click: 'select-screen' | 'clear';
}

/**
 * The header box of the table, from the ids of the rows on screen, the selection and how many
 * rows the list holds. A box that looked ticked while rows off screen were not selected told the
 * clerk "all of them" (22 of 25): it shows mixed instead.
 */
export function selectBox(
  onScreen: readonly number[],
  selected: ReadonlySet<number>,
  total: number,
): SelectBox {
  const screenSelected = onScreen.length > 0 && onScreen.every((id) => selected.has(id));
  const shown =
    selected.size === 0 ? 'none' : screenSelected && selected.size >= total ? 'all' : 'some';
  return { shown, click: screenSelected ? 'clear' : 'select-screen' };
}
