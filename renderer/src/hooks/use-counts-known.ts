import { countsTitle } from '../lib/format';
import { countsKnown, useConnectionStore } from '../stores/connection-store';
import { useDocumentsStore } from '../stores/documents-store';

/**
 * Whether the figures can be shown (`known`): heard from Peppol Desk at least once (walk 22: a
 * page of an ended session showed zeros it never had) and, on a team desk, its database in reach;
 * `heard` the first alone; `title` why they show a dash, if they do. The header and the tabs ask.
 */
export function useCountsKnown(): { known: boolean; heard: boolean; title: string | undefined } {
  const teamKnown = useConnectionStore(countsKnown);
  const heard = useDocumentsStore((s) => s.countsHeard);
  return { known: teamKnown && heard, heard, title: countsTitle(teamKnown, heard) };
}
