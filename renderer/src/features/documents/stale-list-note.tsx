import { useConnectionStore } from '../../stores/connection-store';

/**
 * Above the list while this page is not connected to Peppol Desk: the statuses below are the
 * last ones heard (walk 8: after Peppol Desk was started again, an old page kept 13 rows
 * "Sending" that had been sent meanwhile). The header says the same of its figures.
 */
export function StaleListNote() {
  const link = useConnectionStore((s) => s.link);
  if (link === 'open') return null;
  return (
    <p className="stale-list-note" data-testid="list-stale" role="status">
      The statuses below are the last ones this page heard, not live: they may have changed since.
    </p>
  );
}
