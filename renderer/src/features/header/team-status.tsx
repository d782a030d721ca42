import type { ConnectionStatus } from '../../../../app/contract';
import { useState } from 'react';
import { getApi } from '../../bridge';
import { formatCount, ownAccessPointWords } from '../../lib/format';
import { useConfirmStore } from '../../stores/confirm-store';
import { useConnectionStore } from '../../stores/connection-store';
import { toastError, useToastStore } from '../../stores/toast-store';

type Team = NonNullable<ConnectionStatus['team']>;

/** "1 desk online" / "3 desks online". */
export function desksOnlineWords(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'desk' : 'desks'} online`;
}

/** On a team outbox: which team, and how many desks work on it now. */
export function TeamBadge({ team }: { team: Team }) {
  return (
    <span
      className={`team-badge${team.reachable ? '' : ' is-unreachable'}`}
      data-testid="team-badge"
      title={`Team outbox ${team.label} (this desk: ${team.deskName})`}
    >
      Team outbox <strong data-testid="team-label">{team.label}</strong>
      {team.reachable && (
        <span data-testid="team-desks-online"> · {desksOnlineWords(team.desksOnline)}</span>
      )}
    </span>
  );
}

/** The team database does not answer: what that means for the clerk's files, calmly. */
export function TeamUnreachableBanner() {
  return (
    <p className="team-banner" data-testid="team-unreachable" role="status">
      The team database cannot be reached. Documents you drop are kept on this computer and handed
      over when it is back.
    </p>
  );
}

/**
 * The team sends through another access point than this desk's: this desk adds invoices but
 * does not send them. Says so, and offers to make this desk's access point the team's (refused
 * with the reason while invoices may still be at the team's one).
 */
export function TeamOtherAccessPointBanner({ message }: { message: string }) {
  const [busy, setBusy] = useState(false);
  async function adoptThis() {
    // Every desk's sending moves with it: asked first (a walk changed a team's access point with
    // one click).
    const status = useConnectionStore.getState().status;
    const address = status ? ownAccessPointWords(status) : 'this desk’s access point';
    const teamAddress = status?.team?.accessPoint ?? 'the team’s access point';
    // The same address: only the API key differs (walk 17b: "through X instead of X").
    const sameAddress = address === teamAddress;
    const mine = sameAddress ? `${address} with this desk’s API key` : address;
    const team = sameAddress ? `${teamAddress} with the team’s API key` : teamAddress;
    const ok = await useConfirmStore.getState().ask({
      title: `Send every desk’s invoices through ${mine}?`,
      body: (
        <p>
          The whole team then sends through {mine} instead of {team}. Desks still set to {team} add
          invoices but send none until they use {mine} too, and invoices accepted by {team} are no
          longer followed here: their delivery and the buyer&apos;s answers, a rejection too, will
          not show here. Check those with {team}.
          {status?.environment === 'sandbox' && (
            // Walk 17: one confirmation moved a team to practice without saying so.
            <>
              {' '}
              The built-in Sandbox is practice: nothing reaches Peppol or a buyer, and each desk has
              a Sandbox of its own inside Peppol Desk.
            </>
          )}
        </p>
      ),
      confirmLabel: 'Change the team’s access point',
      keepLabel: `Keep ${team}`,
      testId: 'confirm-team-access-point',
    });
    if (!ok) return;
    setBusy(true);
    const r = await getApi().invoke('team:useThisAccessPoint', undefined);
    setBusy(false);
    if (!r.ok) return toastError('The team’s access point was not changed', r.error);
    useConnectionStore.getState().setStatus(r.value.status);
    if (r.value.changed) {
      useToastStore
        .getState()
        .push({ kind: 'success', title: r.value.message, lines: [], ttlMs: 8000 });
    } else toastError('The team’s access point was not changed', r.value.message);
  }
  return (
    <div className="team-banner" data-testid="team-other-access-point" role="status">
      <p>{message}</p>
      <button
        type="button"
        className="button"
        data-testid="team-use-this-access-point"
        disabled={busy}
        onClick={() => void adoptThis()}
      >
        Send the team’s invoices through this desk’s access point instead
      </button>
    </div>
  );
}
