/**
 * On a team desk, under each setting the team shares: that a change applies to every desk, and
 * who changed it last and when. Nothing on a single desk.
 */
import type { Settings, TeamSettingKey } from '../../../../app/contract';
import { formatChange } from '../../lib/format';

/** The note's id for the field's `aria-describedby` (undefined on a single desk). */
export function sharedNoteId(settings: Settings, name: TeamSettingKey): string | undefined {
  return settings.sharedByTeam ? `settings-shared-${name}` : undefined;
}

/** The note under a shared setting (see the file comment). */
export function SharedByTeam({ settings, name }: { settings: Settings; name: TeamSettingKey }) {
  const shared = settings.sharedByTeam;
  if (!shared) return null;
  const change = shared[name];
  return (
    <p
      className="muted small shared-by-team"
      id={sharedNoteId(settings, name)}
      data-testid={`settings-shared-${name}`}
    >
      Shared by the team: a change applies to every desk.
      {change &&
        (change.seeded
          ? ` The value ${change.changedBy ?? 'a desk that is no longer on the team'} had when it joined first, ${formatChange(change.changedAt)}.`
          : ` Changed by ${change.changedBy ?? 'a desk that is no longer on the team'}, ${formatChange(change.changedAt)}.`)}
    </p>
  );
}
