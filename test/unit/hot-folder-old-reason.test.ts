import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moveFinal, reasonText } from '../../app/hot-folder-outcome';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function setup() {
  const folder = mkdtempSync(join(tmpdir(), 'pd-hot-reason-'));
  folders.push(folder);
  const m = {
    folder,
    move: true,
    log: () => undefined,
    notices: { add: () => undefined },
  } as unknown as Parameters<typeof moveFinal>[0];
  return { folder, m };
}

describe('a file moved back from failed/ and then sent', () => {
  it('leaves no reason file in failed/ for a file that is not there', () => {
    const { folder, m } = setup();
    mkdirSync(join(folder, 'sub'));
    writeFileSync(join(folder, 'sub', 'a.xml'), '<x/>');
    const file = { path: join(folder, 'sub', 'a.xml'), name: 'sub/a.xml' };
    expect(moveFinal(m, file, 'failed', 'Wrong total.\n')).toBe(join(folder, 'failed/sub/a.xml'));
    expect(readFileSync(join(folder, 'failed/sub/a.xml.reason.txt'), 'utf8')).toBe(
      'Wrong total.\n',
    );
    // The clerk corrects it and saves it into the hot folder again; this time it goes.
    rmSync(join(folder, 'failed/sub/a.xml'));
    writeFileSync(join(folder, 'sub', 'a.xml'), '<y/>');
    expect(moveFinal(m, file, 'sent', null)).toBe(join(folder, 'sent/sub/a.xml'));
    expect(existsSync(join(folder, 'failed/sub/a.xml.reason.txt'))).toBe(false);
  });

  it('keeps the reason of a file still in failed/ (another file of that name was sent)', () => {
    const { folder, m } = setup();
    mkdirSync(join(folder, 'failed'));
    writeFileSync(join(folder, 'failed/b.xml'), '<old/>');
    writeFileSync(join(folder, 'failed/b.xml.reason.txt'), 'Buyer not on Peppol.\n');
    writeFileSync(join(folder, 'b.xml'), '<new/>');
    expect(moveFinal(m, { path: join(folder, 'b.xml'), name: 'b.xml' }, 'sent', null)).toBe(
      join(folder, 'sent/b.xml'),
    );
    expect(readFileSync(join(folder, 'failed/b.xml.reason.txt'), 'utf8')).toBe(
      'Buyer not on Peppol.\n',
    );
  });
});

// Walk 24: a team desk's files taken while the team's database was away ended in failed/ with a
// reason naming "Peppol Desk document #-1" (their spool number); `retry -1` could not work, and
// a restart could not find the document by it (the line is read back as a whole number).
describe("a reason file's document line", () => {
  it("names the team's id of a file kept on this computer meanwhile, and never a spool number", () => {
    const base = { state: 'failed' as const, reason: 'Delivery failed.', details: [] };
    expect(reasonText({ ...base, shownId: 5692 }, -1)).toBe(
      'Delivery failed.\n\nPeppol Desk document #5692\n',
    );
    expect(reasonText(base, 12)).toBe('Delivery failed.\n\nPeppol Desk document #12\n');
    expect(reasonText(base, -1)).toBe('Delivery failed.\n');
  });
});
