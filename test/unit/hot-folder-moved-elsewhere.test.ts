import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Walk 7 finding 7: two desks watch one folder; the other desk moved a file to sent/ between this
// desk's check and its rename. The screen said it "could not be moved … It stays in the hot
// folder" for a file that was in sent/.

// The rename finds the file gone once (the other desk was first), or fails for another reason.
const plan = vi.hoisted(() => ({ mode: 'gone' as 'gone' | 'denied' }));
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return {
    ...fs,
    renameSync: (from: string, to: string) => {
      const err = Object.assign(new Error(`${plan.mode}: ${from} -> ${to}`), {
        code: plan.mode === 'gone' ? 'ENOENT' : 'EACCES',
      });
      if (plan.mode === 'gone') fs.rmSync(from);
      throw err;
    },
  };
});

const { moveFinal } = await import('../../app/hot-folder-outcome');

function mover(folder: string) {
  const notices: string[] = [];
  const logged: string[] = [];
  return {
    notices,
    logged,
    m: {
      folder,
      move: true,
      log: (line: string) => logged.push(line),
      notices: { add: (_name: string, message: string) => notices.push(message) },
    } as unknown as Parameters<typeof moveFinal>[0],
  };
}

describe('a file another desk moved first', () => {
  it('is not reported as staying in the hot folder', () => {
    const folder = mkdtempSync(join(tmpdir(), 'pd-hot-'));
    try {
      writeFileSync(join(folder, 'a.xml'), '<x/>');
      plan.mode = 'gone';
      const { m, notices, logged } = mover(folder);
      expect(moveFinal(m, { path: join(folder, 'a.xml'), name: 'a.xml' }, 'sent', null)).toBeNull();
      expect(notices).toEqual([]);
      // Nor logged as an error (walk 17: ten "could not be moved … ENOENT" lines in the log).
      expect(logged).toEqual([
        'Hot folder: a.xml was moved meanwhile (by another desk watching this folder)',
      ]);
      // Any other failure still says so.
      writeFileSync(join(folder, 'b.xml'), '<x/>');
      plan.mode = 'denied';
      const other = mover(folder);
      moveFinal(other.m, { path: join(folder, 'b.xml'), name: 'b.xml' }, 'sent', null);
      expect(other.notices).toHaveLength(1);
      expect(other.notices[0]).toMatch(
        /^Sent, but it could not be moved to the sent subfolder: .*It stays in the hot folder/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
