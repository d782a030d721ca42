import type { ConnectionStatus } from '../../../../app/contract';
import { formatCount } from '../../lib/format';

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
