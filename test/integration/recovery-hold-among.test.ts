import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentState } from '../../app/contract';
import { Metrics } from '../../app/metrics/metrics';
import type { AccessPointClient } from '../../app/access-point/client';
import { Lifecycle } from '../../app/queue/lifecycle';
import { Recovery } from '../../app/queue/stages/recovery';
import { openDb, type Db } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { useTempDirs } from '../helpers/temp';
import { docInState } from '../helpers/walk';

// Recovery holds what waits to be sent pinned to another access point than the one in use; a
// retry holds the documents of each slice it moved by the same rule (holdPinnedElsewhereAmong),
// and only those, inside its own transaction.

const NOW = 1_800_000_000_000;
const OLD = 'https://old.example';
const NEW = 'https://new.example';
const QUEUED: DocumentState[] = ['validating', 'ready', 'resolving', 'queued'];
const FAILED: DocumentState[] = [...QUEUED, 'sending', 'failed'];

const tempDir = useTempDirs();
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function setup(accessPoint: string | undefined, ledNowhereFrom: string | null = null) {
  const db = openDb({ dataDir: tempDir() });
  dbs.push(db);
  const repo = new DocumentsRepo(db, () => NOW);
  const lifecycle = new Lifecycle({ repo, now: () => NOW, onChanged: () => {}, wake: () => {} });
  const recovery = new Recovery({
    repo,
    lifecycle,
    client: {} as AccessPointClient,
    metrics: new Metrics(),
    now: () => NOW,
    random: () => 0.5,
    track: () => {},
    kick: () => {},
    noteOutcome: () => {},
    accessPoint,
    environment: 'production',
    trackDelivery: false,
    pollInitialMs: 60_000,
    ledNowhereFrom: () => ledNowhereFrom,
  });
  const pinned = (path: DocumentState[], ap: string | null) =>
    docInState(repo, path, ap === null ? {} : { access_point: ap, environment: 'production' });
  const state = (id: number) => repo.get(id)!.state;
  return { repo, recovery, pinned, state };
}

describe('recovery holds documents queued for another access point', () => {
  it('among given ids: only those, and only the ones waiting pinned elsewhere', () => {
    const { repo, recovery, pinned, state } = setup(NEW);
    const elsewhere = pinned(QUEUED, OLD);
    const elsewhereReady = pinned(['validating', 'ready'], OLD);
    const notAmong = pinned(QUEUED, OLD);
    const here = pinned(QUEUED, NEW);
    const unpinned = pinned(QUEUED, null);
    const failedElsewhere = pinned(FAILED, OLD);

    const among = [elsewhere, elsewhereReady, here, unpinned, failedElsewhere];
    expect(repo.tx(() => recovery.holdPinnedElsewhereAmong(among))).toEqual([
      elsewhere,
      elsewhereReady,
    ]);
    expect(state(elsewhere)).toBe('held');
    expect(repo.get(elsewhere)!.problem_code).toBe('ACCESS_POINT_CHANGED');
    expect(state(elsewhereReady)).toBe('held');
    expect([notAmong, here, unpinned].map(state)).toEqual(['queued', 'queued', 'queued']);
    expect(state(failedElsewhere)).toBe('failed');
    expect(recovery.holdPinnedElsewhereAmong([])).toEqual([]);

    // The same rule over every document: what was left out above.
    expect(recovery.holdPinnedElsewhere()).toEqual([notAmong]);
    expect(state(notAmong)).toBe('held');
    expect([here, unpinned].map(state)).toEqual(['queued', 'queued']);
  });

  // Walk 25 B5: on the way to a corrected provider URL every invoice's timeline said "Needs your
  // decision — Waiting: queued for …, which is no longer in use" in the same second as its "Moved
  // to …", though nobody was asked anything.
  it('what waited for a provider URL that led nowhere goes on through the one in use, unheld', () => {
    const { repo, recovery, pinned, state } = setup(NEW, OLD);
    const queued = pinned(QUEUED, OLD);
    const waiting = pinned([...QUEUED, 'sending', 'retry_wait'], OLD);
    const ready = pinned(['validating', 'ready'], OLD);
    const received = pinned([], OLD);
    // Its last attempt may have reached an access point there: held for the clerk, as before.
    const doubt = pinned([...QUEUED, 'sending', 'retry_wait'], OLD);
    repo.patch(doubt, { send_outcome_unknown: 1 });
    const other = pinned(QUEUED, 'https://other.example');

    expect(recovery.holdPinnedElsewhere()).toEqual([doubt, other]);
    // Looked up again at the one in use: back to ready, pinned there, no problem.
    for (const id of [queued, waiting]) {
      expect(repo.get(id)).toMatchObject({
        state: 'ready',
        access_point: NEW,
        problem_code: null,
        next_attempt_at: null,
        send_anyway: 0,
      });
    }
    expect([ready, received].map(state)).toEqual(['ready', 'received']);
    expect([ready, received].map((id) => repo.get(id)!.access_point)).toEqual([NEW, NEW]);
    const moved = `Moved to new.example (Production), once the provider URL was corrected (was queued for old.example (Production))`;
    for (const id of [queued, waiting, ready, received]) {
      const lines = repo.timeline(id).map((e) => e.detail);
      expect(lines.at(-1)).toBe(moved);
      expect(lines.join('\n')).not.toContain('no longer in use');
    }
    expect([doubt, other].map(state)).toEqual(['held', 'held']);
    expect(repo.get(doubt)!.access_point).toBe(OLD);
  });

  it('holds nothing before an access point is in use', () => {
    const { recovery, pinned, state } = setup(undefined);
    const id = pinned(QUEUED, OLD);
    expect(recovery.holdPinnedElsewhereAmong([id])).toEqual([]);
    expect(recovery.holdPinnedElsewhere()).toEqual([]);
    expect(state(id)).toBe('queued');
  });
});
