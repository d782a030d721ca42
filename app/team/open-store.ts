// TEMPORARY placeholder until team-store lands (replaced by the merge).
import type { TeamStore } from './store';
export function openTeamStore(_url: string): Promise<TeamStore> {
  throw new Error('not yet');
}
