import { useConnectionStore } from '../../stores/connection-store';
import { useDocumentsStore } from '../../stores/documents-store';

/**
 * Above the list while this page is not connected to Peppol Desk: the statuses below are the
 * last ones heard (walk 8: after Peppol Desk was started again, an old page kept 13 rows
 * "Sending" that had been sent meanwhile). The header says the same of its figures.
 */
export function StaleListNote() {
  const link = useConnectionStore((s) => s.link);
  // A team desk without its database: the rows are the last ones read from it (walk 17: every
  // row read "Queued" during an outage, some of them sent meanwhile by another desk).
  const teamAway = useConnectionStore((s) => s.status?.team?.reachable === false);
  // Files dropped meanwhile are in no list yet (walk 20: only a toast said so).
  const kept = useConnectionStore((s) => (teamAway ? (s.status?.team?.kept ?? 0) : 0));
  // A page of an ended session that never heard anything has no statuses to call the last ones
  // (walk 22b). A team desk's note stays: it also says what was kept meanwhile.
  const heard = useDocumentsStore((s) => s.countsHeard);
  if (link === 'open' && !teamAway) return null;
  if (link !== 'open' && !heard) return null;
  return (
    <p className="stale-list-note" data-testid="list-stale" role="status">
      {link === 'open'
        ? 'The statuses below are the last ones read from the team database, not live: other desks may have sent some of them since.'
        : 'The statuses below are the last ones this page heard, not live: they may have changed since.'}
      {link === 'open' && kept > 0 && (
        <span data-testid="list-kept">
          {' '}
          {kept === 1
            ? '1 file dropped meanwhile is kept on this computer: it shows here once the team database answers.'
            : `${kept.toLocaleString('en-US')} files dropped meanwhile are kept on this computer: they show here once the team database answers.`}
        </span>
      )}
    </p>
  );
}
