import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, defaultDeskName } from '../../app/data-dir';

// A walk: two desks of one user on one computer (a terminal server, two windows) were both
// "root@vm" on every timeline and in the team's chart.
describe("a desk's default name on a team outbox", () => {
  const who = `${userInfo().username}@${hostname()}`;
  const env = { PEPPOL_DESK_DATA_DIR: join(tmpdir(), 'peppol-desk-default') };

  it('is user@host on the default data folder', () => {
    expect(defaultDeskName(defaultDataDir({}), env)).toBe(who);
  });

  it('names a folder set in PEPPOL_DESK_DATA_DIR too (walk 12: two such desks were both user@host)', () => {
    expect(defaultDeskName(defaultDataDir(env), env)).toBe(`${who} (peppol-desk-default)`);
  });

  it('names the data folder otherwise, so two desks of one user on one computer differ', () => {
    const a = defaultDeskName(join(tmpdir(), 'desk-a'), env);
    const b = defaultDeskName(join(tmpdir(), 'desk-b'), env);
    expect(a).toBe(`${who} (desk-a)`);
    expect(b).toBe(`${who} (desk-b)`);
  });
});
