/**
 * The access point's own check at a team desk's intake (app/team/desk-remote-check.ts): the
 * decision between the two verdicts is the single desk's, and the answers are asked only while
 * the setting is on, cached per content, and never cached when the access point cannot answer.
 */
import { describe, expect, it } from 'vitest';
import type { AccessPointClient, ApOutcome, RemoteVerdict } from '../../app/access-point/client';
import { RemoteValidationCache } from '../../app/caches/remote-validation-cache';
import { openDb } from '../../app/store/db';
import {
  DeskRemoteCheck,
  decideWithAccessPoint,
  withAccessPoint,
} from '../../app/team/desk-remote-check';
import type { Finding } from '../../app/validation/types';

const OUR_ERROR: Finding = {
  rule: 'BR-CO-16',
  flag: 'fatal',
  message: 'Amount due for payment (BT-115) is not the total with VAT minus the amount paid.',
  location: '/Invoice',
};
const WARNING: Finding = { rule: 'PEPPOL-W', flag: 'warning', message: 'A hint.', location: '' };
const VALID: RemoteVerdict = { valid: true, errors: [], warnings: [] };
const REJECTS: RemoteVerdict = {
  valid: false,
  errors: [{ rule: 'AP-42', location: '/Invoice', message: 'Seller unknown to us.' }],
  warnings: [],
};
const ours = (valid: boolean) => ({ valid, findings: valid ? [WARNING] : [OUR_ERROR, WARNING] });

describe('the decision between our check and the access point’s', () => {
  it('leaves our verdict when the access point did not answer, whatever ours is', () => {
    expect(decideWithAccessPoint(ours(true), null, true, 'Invoice')).toEqual({ kind: 'ours' });
    expect(decideWithAccessPoint(ours(false), null, true, 'Invoice')).toEqual({ kind: 'ours' });
  });

  it('leaves our verdict when both say valid', () => {
    expect(decideWithAccessPoint(ours(true), VALID, true, 'Invoice')).toEqual({ kind: 'ours' });
  });

  it('both invalid: invalid, the access point’s reasons among ours, in its own words', () => {
    const d = decideWithAccessPoint(ours(false), REJECTS, true, 'Invoice');
    expect(d.kind).toBe('invalid');
    if (d.kind !== 'invalid') throw new Error('not invalid');
    expect(d.problem.code).toBe('VALIDATION');
    expect(d.problem.action).toBe('fix-file');
    expect(d.problem.message).toMatch(/^2 problems found, first: Amount due for payment/);
  });

  it('ours invalid, the access point’s valid: held, both verdicts named', () => {
    const d = decideWithAccessPoint(ours(false), VALID, true, 'Invoice');
    expect(d).toMatchObject({
      kind: 'held',
      problem: { code: 'CHECKS_DISAGREE', action: 'decide' },
    });
    expect(d.kind === 'held' && d.problem.message).toMatch(
      /^Our check found 1 error \(BR-CO-16\) in this invoice.*The access point's own check accepts it/,
    );
  });

  it('ours valid, the access point’s invalid: held with its message', () => {
    const d = decideWithAccessPoint(ours(true), REJECTS, true, 'CreditNote');
    expect(d).toMatchObject({
      kind: 'held',
      problem: { code: 'CHECKS_DISAGREE', action: 'decide' },
    });
    expect(d.kind === 'held' && d.problem.message).toMatch(
      /^The access point's own check rejects this credit note: Seller unknown to us\. \(AP-42\)\. Our check found no error/,
    );
  });

  it('a disagreement on a file with no buyer Peppol ID leaves our verdict (nothing to send to)', () => {
    expect(decideWithAccessPoint(ours(false), VALID, false, 'Invoice')).toEqual({ kind: 'ours' });
    expect(decideWithAccessPoint(ours(true), REJECTS, false, 'Invoice')).toEqual({ kind: 'ours' });
  });
});

describe('the detail’s validation with the access point’s answer', () => {
  const base = (valid: boolean) => ({ ruleset: 'Peppol BIS', findings: ours(valid).findings });

  it('is our check alone without an answer', () => {
    expect(withAccessPoint(base(true), null)).toEqual(base(true));
  });

  it('says whether the two disagree, with the access point’s verdict', () => {
    expect(withAccessPoint(base(true), REJECTS)).toEqual({
      ...base(true),
      accessPoint: REJECTS,
      checksDisagree: true,
    });
    expect(withAccessPoint(base(true), VALID)).toMatchObject({ checksDisagree: false });
  });

  it('both invalid: its reasons join ours', () => {
    const v = withAccessPoint(base(false), REJECTS);
    expect(v.checksDisagree).toBe(false);
    expect(v.findings.map((f) => f.rule)).toEqual(['BR-CO-16', 'PEPPOL-W', 'AP-42']);
    expect(v.findings[2]!.message).toBe("The access point's own check says: Seller unknown to us.");
  });
});

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
