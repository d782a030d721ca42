import { isBuiltInSandboxLabel } from '../../../app/contract';
import { filterCount } from '../lib/format';
import { useConnectionStore } from '../stores/connection-store';
import { useDocumentsStore } from '../stores/documents-store';

/**
 * Practice as the screen says it: `practising`, this desk's built-in Sandbox, or on a team the
 * team's access point (what this desk adds is sent there; a walk read "nothing is really sent" on
 * a desk whose invoices went out); `apart`, of the documents Sent, those sent in practice before
 * a desk began to send for real (walks 9 and 12: "Sent" added Sandbox tries to real invoices).
 * The header counts them apart; the Sent tab says how many of its rows they are (walk 18: "Sent
 * 0 · Sent in practice 103" above a tab saying "Sent 103").
 */
export function usePractice(): { practising: boolean; apart: number } {
  const status = useConnectionStore((s) => s.status);
  const counts = useDocumentsStore((s) => s.counts);
  const practiceSent = useDocumentsStore((s) => s.practiceSent);
  const teamAccessPoint = status?.team?.accessPoint ?? null;
  const practising =
    teamAccessPoint !== null
      ? isBuiltInSandboxLabel(teamAccessPoint)
      : status?.environment === 'sandbox';
  const apart = practising ? 0 : Math.min(practiceSent, filterCount(counts, 'sent'));
  return { practising, apart };
}
