/**
 * A team outbox in a SQLite file holds the team's invoices: made readable by its owner and group
 * only, as the desk's own data folder is by its owner (walk 19b: 0644, readable by every account).
 */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTeamStore } from '../../app/team/open-store';
import type { TeamStore } from '../../app/team/store';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const stores: TeamStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('a new SQLite team file', () => {
  it('is made readable and writable by its owner and group only (its WAL too)', async () => {
    const file = join(tempDir(), 'team.sqlite');
    const store = openTeamStore(`sqlite:${file}`);
    stores.push(store);
    await store.migrate();
    expect(modeOf(file)).toBe(0o660);
    expect(modeOf(`${file}-wal`) & 0o007).toBe(0);
  });

  it('leaves the permissions of a file that is already there as they are', async () => {
    const file = join(tempDir(), 'shared.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o664);
    const store = openTeamStore(`sqlite:${file}`);
    stores.push(store);
    await store.migrate();
    expect(modeOf(file)).toBe(0o664);
  });
});
