import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { LookupAnswer } from '../../app/access-point/client';
import { canonicalParticipantId, ParticipantCache } from '../../app/caches/participant-cache';
import { RemoteValidationCache } from '../../app/caches/remote-validation-cache';
import { cachedCheckJson, ValidationCache } from '../../app/caches/validation-cache';
import { openDb } from '../../app/store/db';
import { migrate } from '../../app/store/migrate';
import { MIGRATIONS } from '../../app/store/migrations';
import { RULES_REVISION, RULESET_VERSION, VALIDATION_CACHE_KEY } from '../../app/validation';
import type { DocumentSummary, Verdict } from '../../app/validation/types';

const verdict = (ruleset: string): Verdict => ({ ruleset, valid: true, findings: [] });
const summary: DocumentSummary = {
  docType: 'Invoice',
  invoiceNumber: 'INV-1',
  issueDate: '2026-01-01',
  dueDate: null,
  sellerName: 'Seller',
  sellerEndpoint: { scheme: '0208', value: '0123456749' },
  buyerName: 'Buyer',
  buyerEndpoint: { scheme: '0208', value: '0987654394' },
  currency: 'EUR',
  taxExclusiveAmount: '100.00',
  taxInclusiveAmount: '121.00',
  payableAmount: '121.00',
  lineCount: 1,
  customizationId: null,
  profileId: null,
};
const answer = (found: boolean): LookupAnswer => ({
  found,
  participantId: '0208:abc',
  name: found ? 'Buyer' : null,
  capabilities: null,
  raw: null,
});

describe('validation cache', () => {
  it('hits on the same content and key, and misses after a rule-set or rules-revision change', () => {
    const cache = new ValidationCache(openDb({ dataDir: ':memory:' }));
    expect(cache.get('sha', 'v1 / rules r1')).toBeNull();
    cache.put('sha', 'v1 / rules r1', { verdict: verdict('v1'), summary });
    expect(cache.get('sha', 'v1 / rules r1')).toEqual({ verdict: verdict('v1'), summary });
    expect(cache.get('sha', 'v1 / rules r2')).toBeNull();
    expect(cache.get('sha', 'v2 / rules r1')).toBeNull();
    expect(cache.get('other', 'v1 / rules r1')).toBeNull();
  });

  it('the key names the release and the rules revision', () => {
    expect(VALIDATION_CACHE_KEY).toBe(`${RULESET_VERSION} / rules r${RULES_REVISION}`);
  });

  it('treats an old row holding a bare verdict (no summary) as a miss', () => {
    const db = openDb({ dataDir: ':memory:' });
    db.prepare(
      'INSERT INTO validation_cache (sha256, ruleset, verdict_json, created_at) VALUES (?, ?, ?, ?)',
    ).run('sha', 'k', JSON.stringify(verdict('v1')), 0);
    expect(new ValidationCache(db).get('sha', 'k')).toBeNull();
    // Checked again, its verdict and summary take that row's place (one row per key).
    new ValidationCache(db).put('sha', 'k', { verdict: verdict('v2'), summary });
    expect(new ValidationCache(db).get('sha', 'k')).toEqual({ verdict: verdict('v2'), summary });
    expect(db.prepare('SELECT COUNT(*) FROM validation_cache').pluck().get()).toBe(1);
  });

  it('keeps the verdicts stored before migration 015 (appended table, unique key)', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.id < 15),
    );
    const stored = cachedCheckJson({ verdict: verdict('v1'), summary });
    const put = db.prepare(
      'INSERT INTO validation_cache (sha256, ruleset, verdict_json, created_at) VALUES (?, ?, ?, ?)',
    );
    put.run('b-sha', 'k', stored, 2);
    put.run('a-sha', 'k', stored, 1);
    migrate(db, MIGRATIONS);
    const cache = new ValidationCache(db);
    expect(cache.get('a-sha', 'k')).toEqual({ verdict: verdict('v1'), summary });
    expect(cache.get('b-sha', 'k')).toEqual({ verdict: verdict('v1'), summary });
    expect(() => put.run('a-sha', 'k', stored, 3)).toThrow(/UNIQUE/);
  });
});

describe('participant cache', () => {
  it('keeps found answers 1 h and not-found answers 5 min', async () => {
    let t = 0;
    const db = openDb({ dataDir: ':memory:' });
    const cache = new ParticipantCache(db, 'ap', undefined, () => t);
    let calls = 0;
    const fetchFound = async () => (calls++, answer(true));
    const fetchMissing = async () => (calls++, answer(false));
    await cache.get('0208:found', fetchFound);
    await cache.get('0208:missing', fetchMissing);
    t = 4 * 60_000;
    await cache.get('0208:found', fetchFound);
    await cache.get('0208:missing', fetchMissing);
    expect(calls).toBe(2);
    t = 6 * 60_000;
    await cache.get('0208:missing', fetchMissing);
    expect(calls).toBe(3);
    t = 59 * 60_000;
    await cache.get('0208:found', fetchFound);
    expect(calls).toBe(3);
    t = 61 * 60_000;
    await cache.get('0208:found', fetchFound);
    expect(calls).toBe(4);
  });

  it('shares one request among concurrent lookups of one participant', async () => {
    const cache = new ParticipantCache(openDb({ dataDir: ':memory:' }), 'ap');
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fetch = async () => {
      calls++;
      await gate;
      return answer(true);
    };
    const all = Promise.all(Array.from({ length: 50 }, () => cache.get('0208:x', fetch)));
    release();
    const results = await all;
    expect(calls).toBe(1);
    expect(new Set(results.map((r) => r?.fetchedAt)).size).toBe(1);
  });

  it('survives a restart through SQLite, and refresh bypasses the cache', async () => {
    const db = openDb({ dataDir: ':memory:' });
    let calls = 0;
    const fetch = async () => (calls++, answer(true));
    await new ParticipantCache(db, 'ap').get('0208:x', fetch);
    const again = new ParticipantCache(db, 'ap');
    expect(again.peek('0208:x')?.answer.found).toBe(true);
    await again.get('0208:x', fetch);
    expect(calls).toBe(1);
    await again.get('0208:x', fetch, { refresh: true });
    expect(calls).toBe(2);
    // Another access point has its own answers.
    expect(new ParticipantCache(db, 'other-ap').peek('0208:x')).toBeNull();
  });

  it('does not cache when the access point could not answer', async () => {
    const cache = new ParticipantCache(openDb({ dataDir: ':memory:' }), 'ap');
    expect(await cache.get('0208:x', async () => null)).toBeNull();
    expect(cache.peek('0208:x')).toBeNull();
  });

  it('compares values case-insensitively and schemes case-sensitively', () => {
    expect(canonicalParticipantId('0208', 'AbC')).toBe(canonicalParticipantId('0208', 'abc'));
    expect(canonicalParticipantId('iso6523-actorid-upis', 'x')).not.toBe(
      canonicalParticipantId('ISO6523-ACTORID-UPIS', 'x'),
    );
  });
});

describe('remote validation cache', () => {
  it('keeps the access point’s answers 24 h, per access point', () => {
    let t = 0;
    const db = openDb({ dataDir: ':memory:' });
    const cache = new RemoteValidationCache(db, 'ap-1', () => t);
    const answer = {
      valid: false,
      errors: [{ rule: 'X', location: '/', message: 'm' }],
      warnings: [],
    };
    cache.put('sha', answer);
    expect(cache.get('sha')).toEqual(answer);
    expect(new RemoteValidationCache(db, 'ap-2', () => t).get('sha')).toBeNull();
    t = 23 * 3600_000;
    expect(cache.get('sha')).toEqual(answer);
    t = 24 * 3600_000;
    expect(cache.get('sha')).toBeNull();
  });
});
