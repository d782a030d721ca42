import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openTeamStore } from '../../app/team/open-store';
import { clientConfig } from '../../app/team/postgres/connection';
import {
  CLAIM_DUE_DOCUMENTS,
  READ_FAILED_TO_FIX,
  claimParams,
} from '../../app/team/postgres/statements';
import { CLAIM_DUE_POLLS } from '../../app/team/postgres/polls';
import { DUE_POLLS } from '../../app/team/sqlite/sqlite-polls';
import {
  CLAIM_DUE_DOCUMENTS as CLAIM_DUE_DOCUMENTS_SQLITE,
  FAILED_TO_FIX as FAILED_TO_FIX_SQLITE,
} from '../../app/team/sqlite/sqlite-team-store';
import type { NewTeamDocument } from '../../app/team/store';
import { bareTeamDoc } from '../helpers/team-docs';
import { useTempDirs } from '../helpers/temp';
import { useTeamBackends } from '../helpers/team-backends';

// A claim's cost must not grow with the queue: it reads the due index up to now, in due order,
// and stops after `limit` rows, rather than reading every candidate row and sorting them. Checked on the plans,
// with a queue that just grew (the statistics do not know it yet).

const tempDir = useTempDirs();
// Under CI a missing PostgreSQL fails; elsewhere its half skips, saying why.
const [, POSTGRES] = useTeamBackends('team-store-plans', tempDir, 'plans');

function docs(n: number, tag: string): NewTeamDocument[] {
  return Array.from({ length: n }, (_, i) =>
    bareTeamDoc(
      new TextEncoder().encode(`<Invoice><ID>${tag}-${i}</ID></Invoice>`),
      `${tag}-${i}.xml`,
      `${tag}-${i}`,
    ),
  );
}

describe('claim plans', () => {
  it('SQLite: a range of the due index, no sort', async () => {
    const file = join(tempDir(), 'team.sqlite');
    const store = openTeamStore(`sqlite:${file}`);
    await store.migrate();
    await store.enqueue('desk', docs(2000, 'sq'));
    expect((await store.claim('desk', 3, 30_000)).map((c) => c.id)).toEqual([1, 2, 3]);
    await store.close();
    const db = new Database(file, { readonly: true });
    // The statement claim() runs.
    const source = db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_DUE_DOCUMENTS_SQLITE}`).all(5) as {
      detail: string;
    }[];
    db.close();
    const plan = source.map((r) => r.detail).join('\n');
    expect(plan).toContain('USING INDEX team_documents_due');
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  describe.skipIf(POSTGRES.skip)('PostgreSQL', () => {
    it('a range of the due index under a Limit, no bitmap scan and sort', async () => {
      const address = await POSTGRES.newAddress();
      const store = openTeamStore(address);
      await store.migrate();
      await store.enqueue('desk', docs(2000, 'pg'));
      expect((await store.claim('desk', 3, 30_000)).map((c) => c.id)).toEqual([1, 2, 3]);
      await store.close();
      // The store's own connection settings, and the store's own claim statement.
      const client = new pg.Client(clientConfig(address));
      await client.connect();
      try {
        const r = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN ${CLAIM_DUE_DOCUMENTS}`,
          // The desk's access point (the claim's guard on the team's), and where it sends.
          claimParams('desk', 10, 30_000, 'ap-fingerprint', {
            accessPoint: 'https://ap.example.com',
            environment: 'production',
          }),
        );
        const plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
        const due = plan.slice(plan.indexOf('CTE due'), plan.indexOf('CTE claimed'));
        expect(due).toMatch(/Limit[\s\S]*LockRows[\s\S]*Index Scan using team_documents_due/);
        expect(due).not.toMatch(/Sort|Bitmap|Seq Scan/);
      } finally {
        await client.end();
      }
    });
  });

  // The count the Needs attention button leaves out of "Retry all" is read once a second by every
  // desk: from the few failed files that need a person, not from every failed document.
  it('SQLite: the failed files Retry all leaves are counted from their partial index', async () => {
    const file = join(tempDir(), 'team.sqlite');
    const store = openTeamStore(`sqlite:${file}`);
    await store.migrate();
    expect(await store.failedToFix()).toBe(0);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${FAILED_TO_FIX_SQLITE}`).all() as {
          detail: string;
        }[]
      )
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toMatch(/USING (COVERING )?INDEX team_documents_failed_to_fix\b/);
    } finally {
      db.close();
    }
  });

  describe.skipIf(POSTGRES.skip)('PostgreSQL failed files to fix', () => {
    it('are counted from their partial index, not a scan of the documents', async () => {
      const address = await POSTGRES.newAddress();
      const store = openTeamStore(address);
      await store.migrate();
      await store.enqueue('desk', docs(2000, 'fx'));
      expect(await store.failedToFix()).toBe(0);
      await store.close();
      const client = new pg.Client(clientConfig(address));
      await client.connect();
      try {
        const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${READ_FAILED_TO_FIX}`);
        const plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index (Only )?Scan using team_documents_failed_to_fix/);
        expect(plan).not.toMatch(/Seq Scan/);
      } finally {
        await client.end();
      }
    });
  });

  // Delivery polls are claimed apart from the buyer-response polls, which a poll budget lets pile
  // up due at month-end: their claim reads only the accepted documents' due range.
  it('SQLite: delivery polls read their own index, the others the due index, no sort', async () => {
    const file = join(tempDir(), 'team.sqlite');
    const store = openTeamStore(`sqlite:${file}`);
    await store.migrate();
    await store.close();
    const db = new Database(file, { readonly: true });
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(10) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    try {
      expect(plan(DUE_POLLS.delivery)).toMatch(
        /USING (COVERING )?INDEX team_documents_delivery_poll\b/,
      );
      expect(plan(DUE_POLLS.response)).toMatch(/USING (COVERING )?INDEX team_documents_poll\b/);
      for (const kind of ['delivery', 'response', 'any'] as const)
        expect(plan(DUE_POLLS[kind])).not.toMatch(/TEMP B-TREE/);
    } finally {
      db.close();
    }
  });

  describe.skipIf(POSTGRES.skip)('PostgreSQL polls', () => {
    it('delivery polls: a range of their own partial index under a Limit, no sort', async () => {
      const address = await POSTGRES.newAddress();
      const store = openTeamStore(address);
      await store.migrate();
      await store.close();
      const client = new pg.Client(clientConfig(address));
      await client.connect();
      try {
        const r = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN ${CLAIM_DUE_POLLS.delivery}`,
          ['desk', 10, 30_000, 'ap-fingerprint'],
        );
        const plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
        const due = plan.slice(plan.indexOf('CTE due'), plan.indexOf('CTE claimed'));
        expect(due).toMatch(/Index Scan using team_documents_delivery_poll/);
        expect(due).not.toMatch(/Sort|Seq Scan/);
      } finally {
        await client.end();
      }
    });
  });
});
