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
 * 0 · Sent in practice 103" above a tab saying "Sent 103"). `attentionApart`: the same of Needs
 * attention.
 */
export function usePractice(): { practising: boolean; apart: number; attentionApart: number } {
  const status = useConnectionStore((s) => s.status);
  const counts = useDocumentsStore((s) => s.counts);
  const practiceSent = useDocumentsStore((s) => s.practiceSent);
  const practiceAttention = useDocumentsStore((s) => s.practiceAttention);
  const teamAccessPoint = status?.team?.accessPoint ?? null;
  const practising =
    teamAccessPoint !== null
      ? isBuiltInSandboxLabel(teamAccessPoint)
      : status?.environment === 'sandbox';
  const apart = practising ? 0 : Math.min(practiceSent, filterCount(counts, 'sent'));
  // The same of Needs attention (walk 22: "Needs attention 4" right after connecting the real
  // provider, all four practice rows).
  const attentionApart = practising
    ? 0
    : Math.min(practiceAttention, filterCount(counts, 'attention'));
  return { practising, apart, attentionApart };
}
