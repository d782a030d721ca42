// A bare `LIMIT ?` makes SQLite prepare the statement again each time the limit is bound (its
// planner reads the value), which better-sqlite3 does on every run: the pipeline's reads of due
// rows were parsed and planned anew on every pump. Every SQLite statement of app/ gives its limits
// as `? + 0` (the single desk's repository and list, the team's SQLite file and the desk's spool);
// PostgreSQL's statements (`$n`) are not concerned.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../app/store/db';
import { LIMIT_PARAM } from '../../app/store/document-record';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { TeamSpool } from '../../app/team/spool';
import { SqliteTeamStore } from '../../app/team/sqlite/sqlite-team-store';
import { teamDocMaker } from '../helpers/team-docs';
import { useTempDirs } from '../helpers/temp';

const app = join(__dirname, '..', '..', 'app');
const store = join(app, 'store');
/** A LIMIT or OFFSET that is a bare parameter (`?`, `@name`, `:name`, `$name`), not an expression. */
const BARE_PARAMETER = /\b(LIMIT|OFFSET)\s+(\?|[@:$]\w+)(?!\w)(?!\s*\+)/g;
/** The statements' sources that give a limit as a parameter (each is checked to still do so). */
const WITH_LIMIT_PARAMETERS = [
  'store/documents-statements.ts',
  'store/document-list.ts',
  'store/poll-reads.ts',
  'team/spool.ts',
  'team/sqlite/sqlite-list.ts',
  'team/sqlite/sqlite-listen.ts',
  'team/sqlite/sqlite-polls.ts',
  'team/sqlite/statements.ts',
];

/** Every .ts file under `dir`, as paths relative to app/. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [relative(app, path)] : [];
  });
}

/** Source text without its comments (a comment may name a bare `LIMIT ?` to explain it). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The code of a file of app/ (see {@link withoutComments}). */
function code(file: string): string {
  return withoutComments(readFileSync(join(app, file), 'utf8'));
}

const tempDir = useTempDirs();
let db: Db | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

describe('limits given as parameters', () => {
  it('are expressions in the documents repository, never a bare parameter', () => {
    const source = readFileSync(join(store, 'documents-statements.ts'), 'utf8');
    // The delivery tracking's reads live beside it (poll-reads.ts).
    const polls = readFileSync(join(store, 'poll-reads.ts'), 'utf8');
    expect(source).toContain('LIMIT_PARAM');
    expect(polls).toContain('LIMIT @limit + 0');
    expect([
      ...(source.match(BARE_PARAMETER) ?? []),
      ...(polls.match(BARE_PARAMETER) ?? []),
    ]).toEqual([]);
    expect(LIMIT_PARAM).toBe('LIMIT ? + 0');
    // The guard itself finds what it is for.
    expect('ORDER BY id LIMIT ?'.match(BARE_PARAMETER)).toHaveLength(1);
    expect('LIMIT @limit OFFSET @offset'.match(BARE_PARAMETER)).toHaveLength(2);
    expect('LIMIT @limit + 0 OFFSET ? + 0'.match(BARE_PARAMETER)).toBeNull();
  });

  it('are expressions in every SQLite statement of app/ (the team file and the spool too)', () => {
    const files = sources(app).filter((f) => !f.startsWith(join('team', 'postgres')));
    expect(files).toEqual(expect.arrayContaining(WITH_LIMIT_PARAMETERS));
    const bare = files.flatMap((f) =>
      (code(f).match(BARE_PARAMETER) ?? []).map((m) => `${f}: ${m}`),
    );
    expect(bare).toEqual([]);
    // Each of these still gives a limit as a parameter, so the scan above is about something.
    for (const f of WITH_LIMIT_PARAMETERS)
      expect(code(f), f).toMatch(/LIMIT_PARAM|LIMIT @\w+ \+ 0/);
    // Only comments are left out: a bare limit in a statement is still found.
    const sample = '/** a bare `LIMIT ?` */\n// or LIMIT ?\nconst sql = `SELECT 1 LIMIT ?`;';
    expect(withoutComments(sample).match(BARE_PARAMETER)).toEqual(['LIMIT ?']);
  });

  it('still bound the rows read, oldest first', () => {
    db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    const ids = repo.insertMany(
      Array.from({ length: 5 }, (_, i) => ({
        fileName: `f${i}.xml`,
        sha256: `sha-${i}`,
        size: 10,
        body: new Uint8Array(10),
        idempotencyKey: `key-${i}`,
      })),
    );
    expect(repo.inState('received', 2).map((d) => d.id)).toEqual(ids.slice(0, 2));
    expect(repo.inState('received', 10).map((d) => d.id)).toEqual(ids);
    repo.tx(() => {
      for (const id of ids) repo.transitionThrough(id, [{ from: 'received', to: 'validating' }]);
    });
    repo.tx(() => {
      for (const id of ids) {
        repo.transitionThrough(id, [
          { from: 'validating', to: 'ready' },
          { from: 'ready', to: 'resolving' },
          { from: 'resolving', to: 'queued' },
        ]);
      }
    });
    expect(repo.claimableQueued(3).map((d) => d.id)).toEqual(ids.slice(0, 3));
    expect(repo.claimableRetries(Date.now(), 3)).toEqual([]);
    expect(repo.duePolls(Date.now(), 3)).toEqual([]);
  });
});

describe('limits as expressions in the team SQLite file and the spool', () => {
  it('still bound what is read, in order', async () => {
    const dir = tempDir();
    const team = new SqliteTeamStore(join(dir, 'team.sqlite'));
    try {
      await team.migrate();
      const make = teamDocMaker('LIM');
      const added = await team.enqueue(
        'desk-a',
        Array.from({ length: 5 }, () => make()),
      );
      const ids = added.map((a) => a.id);
      expect(ids).toHaveLength(5);
      const page = await team.list({ sort: { key: 'id', dir: 'asc' }, limit: 2, offset: 1 });
      expect(page.rows.map((r) => r.id)).toEqual(ids.slice(1, 3));
      const claims = await team.claim('desk-a', 3, 60_000);
      expect(claims.map((c) => c.id)).toEqual(ids.slice(0, 3));
    } finally {
      await team.close();
    }
    const spool = new TeamSpool(dir);
    try {
      const kept = ['a.xml', 'b.xml', 'c.xml'].map((n) => spool.addFile(n, new Uint8Array(1)));
      expect(spool.files(2).map((f) => f.id)).toEqual(kept.slice(0, 2));
    } finally {
      spool.close();
    }
  });
});
