/**
 * The access point's own check at a team desk's intake (app/team/desk-remote-check.ts): the
 * answers are asked only while the setting is on, cached per content, never cached when the
 * access point cannot answer, and each answer asked for is told to the connection. (The decision
 * between the two verdicts is the single desk's: test/unit/two-checks.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { AccessPointClient, ApOutcome, RemoteVerdict } from '../../app/access-point/client';
import { RemoteValidationCache } from '../../app/caches/remote-validation-cache';
import { openDb } from '../../app/store/db';
import { DeskRemoteCheck } from '../../app/team/desk-remote-check';

const VALID: RemoteVerdict = { valid: true, errors: [], warnings: [] };
const REJECTS: RemoteVerdict = {
  valid: false,
  errors: [{ rule: 'AP-42', location: '/Invoice', message: 'Seller unknown to us.' }],
  warnings: [],
};
describe('asking the access point', () => {
  /** A client whose `validate` answers `outcome`, counting the calls. */
  function fakeClient(outcome: () => ApOutcome<RemoteVerdict>) {
    const calls = { n: 0 };
    const client = {
      validate: () => {
        calls.n++;
        return Promise.resolve(outcome());
      },
    } as unknown as AccessPointClient;
    return { client, calls };
  }
  const body = new TextEncoder().encode('<Invoice/>');

  it('asks nothing while the setting is off', async () => {
    const { client, calls } = fakeClient(() => ({ kind: 'ok', value: VALID, status: 200 }));
    const cache = new RemoteValidationCache(openDb({ dataDir: ':memory:' }), 'ap');
    const check = new DeskRemoteCheck({
      enabled: () => false,
      client: () => client,
      cache: () => cache,
    });
    expect(await check.verdict('sha-1', body)).toBeNull();
    expect(calls.n).toBe(0);
  });

  it('asks once per content: the answer is cached', async () => {
    const { client, calls } = fakeClient(() => ({ kind: 'ok', value: REJECTS, status: 200 }));
    const cache = new RemoteValidationCache(openDb({ dataDir: ':memory:' }), 'ap');
    const check = new DeskRemoteCheck({
      enabled: () => true,
      client: () => client,
      cache: () => cache,
    });
    expect(await check.verdict('sha-1', body)).toEqual(REJECTS);
    expect(await check.verdict('sha-1', body)).toEqual(REJECTS);
    expect(calls.n).toBe(1);
    expect(check.cached('sha-1')).toEqual(REJECTS);
    expect(check.cached('sha-2')).toBeNull();
  });

  it('no answer (unreachable): null and nothing cached, so the next file asks again', async () => {
    const { client, calls } = fakeClient(() => ({
      kind: 'transient',
      status: null,
      retryAfterMs: null,
      message: 'connection refused',
      offline: true,
    }));
    const cache = new RemoteValidationCache(openDb({ dataDir: ':memory:' }), 'ap');
    const check = new DeskRemoteCheck({
      enabled: () => true,
      client: () => client,
      cache: () => cache,
    });
    expect(await check.verdict('sha-1', body)).toBeNull();
    expect(await check.verdict('sha-1', body)).toBeNull();
    expect(calls.n).toBe(2);
    expect(check.cached('sha-1')).toBeNull();
  });

  it('tells the connection of each answer asked for (not of a cached one), as a single desk does', async () => {
    let answer: ApOutcome<RemoteVerdict> = {
      kind: 'transient',
      status: null,
      retryAfterMs: null,
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      offline: true,
    };
    const { client } = fakeClient(() => answer);
    const cache = new RemoteValidationCache(openDb({ dataDir: ':memory:' }), 'ap');
    const told: ApOutcome<RemoteVerdict>[] = [];
    const check = new DeskRemoteCheck({
      enabled: () => true,
      client: () => client,
      cache: () => cache,
      noteOutcome: (o) => told.push(o),
    });
    expect(await check.verdict('sha-1', body)).toBeNull();
    answer = { kind: 'ok', value: VALID, status: 200 };
    expect(await check.verdict('sha-1', body)).toEqual(VALID);
    expect(await check.verdict('sha-1', body)).toEqual(VALID);
    expect(told.map((o) => o.kind)).toEqual(['transient', 'ok']);
  });
});
