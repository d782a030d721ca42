/**
 * The queue while the access point is in trouble (app/access-point/reachability.ts): a refused
 * API key (401/403) and a run of 5xx answers hold the queue instead of failing documents or
 * using up their attempts; the header says so; once it answers again, everything goes out by
 * itself, each document under its own key, accepted once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import type { Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { KEY_REFUSED_WAIT_WORDS } from '../../app/domain/problems';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ADDRESS_NOT_FOUND_WORDS,
  FORBIDDEN_WAIT_WORDS,
  KEY_CHECKING_WORDS,
  KEY_REFUSED_WORDS,
  NO_API_KEY_WORDS,
  SENDS_REFUSED_WAIT_WORDS,
  sendsRefusedWords,
} from '../../app/access-point/reachability';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import type { FaultPlan } from '../../app/sandbox/types';
import { useEngines } from '../helpers/engine';
import { makeInvoice, makeInvoices } from '../helpers/invoices';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();

async function setup(
  faults: FaultPlan,
  opts: { batching: boolean; maxAttempts?: number; probeInitialMs?: number },
) {
  const sandbox: SandboxHandle = await startSandbox({ faults, latencyMs: 2 });
  cleanups.push(() => sandbox.close());
  const engine: Engine = await engines({
    endpoint: sandbox.url,
    trackDelivery: false,
    concurrency: 4,
    batching: opts.batching,
    coalesceMs: 20,
    timings: {
      retryBaseMs: 100,
      retryMaxMs: 400,
      probeInitialMs: opts.probeInitialMs ?? 50,
      probeMaxMs: 200,
      troubleAfterMs: 300,
    },
  });
  if (opts.maxAttempts !== undefined)
    await engine.handlers['settings:set']({ maxAttempts: opts.maxAttempts });
  const states: ConnectionStatus['state'][] = [];
  engine.on('connection:changed', (s) => {
    if (states.at(-1) !== s.state) states.push(s.state);
  });
  return { sandbox, engine, states };
}

/** Requests the sandbox answered on the endpoints whose label matches (e.g. the version call). */
function requests(sandbox: SandboxHandle, endpoint: RegExp): number {
  let n = 0;
  for (const [label, e] of Object.entries(sandbox.stats().requests.byEndpoint))
    if (endpoint.test(label)) n += e.total;
  return n;
}

const state = async (engine: Engine) => (await engine.handlers['connection:get'](undefined)).state;

function rows(engine: Engine, ids: number[]) {
  const { repo } = engineInternals(engine);
  return ids.map((id) => repo.get(id)!);
}

/** Every document is back in the queue, none being sent (the queue holds). */
async function waitHeld(engine: Engine, ids: number[], want: ConnectionStatus['state']) {
  await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe(want);
  await expect
    .poll(() => rows(engine, ids).every((d) => d.state === 'queued'), {
      timeout: 10_000,
      interval: 10,
    })
    .toBe(true);
}

async function expectAllAcceptedOnce(engine: Engine, sandbox: SandboxHandle, ids: number[]) {
  await engine.waitUntilSettled(ids, { includeAccepted: true });
  for (const d of rows(engine, ids)) expect(d.state).toBe('accepted');
  const stats = sandbox.stats();
  expect(stats.acceptedDocuments).toBe(ids.length);
  expect(stats.duplicateContentAccepts).toBe(0);
  expect(await state(engine)).toBe('online');
}

describe.each([
  // A web server that has no such address: an HTML 404 page for every path.
  {
    name: 'a 404 page',
    status: 404,
    page: '<html><head><title>404 Not Found</title></head></html>',
  },
  // A web site that answers every path with its home page (it took every invoice as accepted).
  { name: 'a web site', status: 200, page: '<!DOCTYPE html><html><body>Welcome</body></html>' },
  // The provider's API framework answering an address it does not have in the provider's own
  // error words, as the built-in Sandbox does at its port without /peppol-api: every buyer was
  // said to be "not registered on the Peppol network". The version call's 404 tells it apart.
  {
    name: "the API's own 404 words to every address",
    status: 404,
    type: 'application/json',
    page: '{"error":{"code":"NOT_FOUND","message":"There is no endpoint for this path.","details":[]}}',
  },
])('a provider URL that leads to no access point: $name (walk 9)', ({ status, page, type }) => {
  /** A server answering every address with this kind's page (its URL with a wrong path), and a sandbox. */
  async function wrongAddressAndSandbox() {
    const wrong = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { 'content-type': type ?? 'text/html' }).end(page));
    });
    await new Promise<void>((r) => wrong.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => wrong.close(() => r())));
    const sandbox: SandboxHandle = await startSandbox({ latencyMs: 2 });
    cleanups.push(() => sandbox.close());
    return {
      wrongUrl: `http://127.0.0.1:${(wrong.address() as AddressInfo).port}/peppol`,
      sandbox,
    };
  }

  it('says so with nothing waiting, and Online once the URL is right (walk 25b N7)', async () => {
    const { wrongUrl, sandbox } = await wrongAddressAndSandbox();
    const engine = await engines({
      trackDelivery: false,
      timings: { probeInitialMs: 50, probeMaxMs: 200 },
    });
    await engine.handlers['settings:set']({
      endpoint: wrongUrl,
    });
    // No invoice: the header said Online until the first one met the wrong address.
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('refused');
    expect((await engine.handlers['connection:get'](undefined)).message).toBe(
      ADDRESS_NOT_FOUND_WORDS,
    );
    await engine.handlers['settings:set']({ endpoint: sandbox.url });
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('online');
  });

  it('holds the queue in words about the URL, says no buyer is missing from Peppol, and sends all once the URL is right', async () => {
    const { wrongUrl, sandbox } = await wrongAddressAndSandbox();
    const engine = await engines({
      trackDelivery: false,
      batching: false,
      timings: { probeInitialMs: 50, probeMaxMs: 200 },
    });
    // The clerk types the provider URL with a wrong path.
    await engine.handlers['settings:set']({
      endpoint: wrongUrl,
    });
    const nobody = {
      name: 'URL-NOBODY.xml',
      bytes: makeInvoice('URL-NOBODY', { receiver: '9915:not-registered' }),
    };
    const { added } = await engine.handlers['documents:add']({
      files: [...makeInvoices(3, 'URL'), nobody],
    });
    const all = added.map((a) => a.id);
    const ids = all.slice(0, 3);
    const nobodyId = all[3]!;
    await waitHeld(engine, all, 'refused');
    expect((await engine.handlers['connection:get'](undefined)).message).toBe(
      ADDRESS_NOT_FOUND_WORDS,
    );
    for (const d of rows(engine, all)) expect([d.state, d.problem_code]).toEqual(['queued', null]);
    // Still held a while later: the probes meet the same page.
    await new Promise((r) => setTimeout(r, 400));
    expect(await state(engine)).toBe('refused');
    // The clerk corrects the URL: they go by themselves, as their timelines said, each accepted
    // once (walk 24: held for a decision between two access points of the same name, as for a
    // change of provider; but the wrong address never answered as an access point).
    // Each buyer is looked up there first (walk 24b: 12 went to buyers not on Peppol).
    await engine.handlers['settings:set']({ endpoint: sandbox.url });
    await expectAllAcceptedOnce(engine, sandbox, ids);
    for (const d of rows(engine, ids)) expect(d.access_point).toBe(sandbox.url);
    await expect
      .poll(() => rows(engine, [nobodyId])[0]!.state, { timeout: 10_000 })
      .toBe('unreachable');
    // Moved on, never held for a decision nobody was asked (walk 25 B5: "Needs your decision —
    // Waiting: queued for …, which is no longer in use" in the same second as "Moved to …").
    for (const id of all) {
      const { timeline } = await engine.handlers['documents:get']({ id });
      expect(timeline.some((e) => e.detail?.startsWith('Moved to '))).toBe(true);
      expect(timeline.filter((e) => e.to === 'held')).toEqual([]);
    }
    expect(sandbox.stats().acceptedDocuments).toBe(3);
    // Looked up, not sent to find out (the sandbox refuses such a send; a real access point may
    // accept it and fail the delivery).
    expect(requests(sandbox, /\/send|\/batch/)).toBe(3);
  });
});

describe('a refused API key holds the queue instead of failing its documents', () => {
  it('every request answered 401 from the start: nothing is sent while it is, none fails, all go once the key is accepted', async () => {
    const { sandbox, engine, states } = await setup(
      { endpoints: 'all', status: { every: 1, status: 401 } },
      { batching: false },
    );
    const { added } = await engine.handlers['documents:add']({ files: makeInvoices(12, 'KEYA') });
    const ids = added.map((a) => a.id);
    await waitHeld(engine, ids, 'refused');
    // Held: the probe backs off, and no send goes while the key is refused (the lookups'
    // 401s did not fail anything either: the documents are queued, no problem).
    const sendsAtHold = requests(sandbox, /\/send|\/batch/);
    const probesAtHold = requests(sandbox, /\/version/);
    await expect
      .poll(() => requests(sandbox, /\/version/), { timeout: 5_000, interval: 10 })
      .toBeGreaterThan(probesAtHold + 1);
    expect(requests(sandbox, /\/send|\/batch/)).toBe(sendsAtHold);
    for (const d of rows(engine, ids)) {
      expect(d.state).toBe('queued');
      expect(d.attempts).toBe(0);
      expect(d.problem_code).toBeNull();
    }
    // The provider accepts the key again: the next probe ends the hold.
    sandbox.setFaults({});
    await expectAllAcceptedOnce(engine, sandbox, ids);
    for (const d of rows(engine, ids)) expect(d.attempts).toBe(1);
    expect(states).toContain('refused');
  });

  // Walk 4: a provider address with no key said "The access point did not accept the API key",
  // though none was ever entered; the first key entered then decides where the waiting go.
  it('no API key at all: the header says one is missing; the first key entered sends what waits, in its environment', async () => {
    const { sandbox, engine } = await setup(
      { endpoints: 'all', status: { every: 1, status: 401 } },
      { batching: false },
    );
    const { added } = await engine.handlers['documents:add']({ files: makeInvoices(3, 'NOKEY') });
    const ids = added.map((a) => a.id);
    await waitHeld(engine, ids, 'refused');
    const status = await engine.handlers['connection:get'](undefined);
    expect(status.apiKeySet).toBe(false);
    expect(status.message).toBe(NO_API_KEY_WORDS);
    sandbox.setFaults({});
    await engine.handlers['settings:set']({ apiKey: 'pk_goroute_production_key_0001' });
    expect(engine.environment).toBe('production');
    await expectAllAcceptedOnce(engine, sandbox, ids);
    for (const d of rows(engine, ids)) expect(d.environment).toBe('production');
    expect((await engine.handlers['connection:get'](undefined)).apiKeySet).toBeUndefined();
  });

  it('a provider address with no key: said while the access point answers, before any refusal (walk 18 B4)', async () => {
    const { engine } = await setup({}, { batching: false });
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('online');
    const status = await engine.handlers['connection:get'](undefined);
    expect(status.apiKeySet).toBe(false);
    // Nothing was refused: no refusal's words.
    expect(status.message ?? null).not.toBe(NO_API_KEY_WORDS);
    await engine.handlers['settings:set']({ apiKey: 'sk_test_some_key_0001' });
    expect((await engine.handlers['connection:get'](undefined)).apiKeySet).toBeUndefined();
  });

  it('a key that is set but refused says so ("not accepted"), not that one is missing', async () => {
    const { engine } = await setup(
      { endpoints: 'all', status: { every: 1, status: 401 } },
      { batching: false },
    );
    await engine.handlers['settings:set']({ apiKey: 'sk_test_refused_key_0001' });
    await engine.handlers['documents:add']({ files: makeInvoices(1, 'BADKEY') });
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('refused');
    const status = await engine.handlers['connection:get'](undefined);
    expect(status.apiKeySet).toBeUndefined();
    expect(status.message).toBe(KEY_REFUSED_WORDS);
  });

  for (const batching of [false, true]) {
    it(`sends answered 401 (${batching ? 'batches' : 'single sends'}): each goes back to wait, same key, no attempt counted; all go once the key is accepted`, async () => {
      // Only sends refuse the key: the version call (the probe) answers, so each probe lets
      // sends go again, and their 401 holds the queue again at once, the probe backing off.
      const { sandbox, engine, states } = await setup(
        { status: { every: 1, status: 401 } },
        { batching },
      );
      const { added } = await engine.handlers['documents:add']({
        files: makeInvoices(12, batching ? 'KEYB' : 'KEYS'),
      });
      const ids = added.map((a) => a.id);
      const keys = rows(engine, ids).map((d) => d.idempotency_key);
      await waitHeld(engine, ids, 'refused');
      for (const d of rows(engine, ids)) {
        expect(d.state).toBe('queued');
        expect(d.attempts).toBe(0);
        expect(d.problem_code).toBeNull();
      }
      // The documents that met the 401 say why they wait; none failed.
      const timelines = ids.map((id) => engineInternals(engine).repo.timeline(id));
      expect(timelines.some((t) => t.some((e) => e.detail === KEY_REFUSED_WAIT_WORDS))).toBe(true);
      expect(timelines.some((t) => t.some((e) => e.to === 'failed'))).toBe(false);

      sandbox.setFaults({});
      await expectAllAcceptedOnce(engine, sandbox, ids);
      for (const d of rows(engine, ids)) expect(d.attempts).toBe(1);
      expect(rows(engine, ids).map((d) => d.idempotency_key)).toEqual(keys);
      expect(states).toContain('refused');
    });
  }
});

describe('a 403 may be about the invoice: the header checks the key before saying it is wrong', () => {
  it('sends answered 403: "checking", the timelines do not blame the key; the probe refused too: "refused"; all go once it is accepted', async () => {
    // The first probe 2 s after the sends' 403: time to see "checking" and refuse the probe too.
    const { sandbox, engine, states } = await setup({}, { batching: false, probeInitialMs: 2_000 });
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('online');
    sandbox.setFaults({ status: { every: 1, status: 403 } });
    // Two invoices: a 403 may still be about them (three in a row are the account's, below).
    const { added } = await engine.handlers['documents:add']({ files: makeInvoices(2, 'K403') });
    const ids = added.map((a) => a.id);
    await waitHeld(engine, ids, 'checking');
    const checking = await engine.handlers['connection:get'](undefined);
    expect(checking.message).toBe(KEY_CHECKING_WORDS);
    const details = () =>
      ids.flatMap((id) => engineInternals(engine).repo.timeline(id)).map((e) => e.detail);
    expect(details()).toContain(FORBIDDEN_WAIT_WORDS);
    expect(details()).not.toContain(KEY_REFUSED_WAIT_WORDS);
    // The probe (it carries no invoice) is refused too: now the key is said to be wrong.
    sandbox.setFaults({ endpoints: 'all', status: { every: 1, status: 403 } });
    await waitHeld(engine, ids, 'refused');
    expect(states.indexOf('checking')).toBeLessThan(states.indexOf('refused'));
    for (const d of rows(engine, ids)) expect([d.state, d.attempts]).toEqual(['queued', 0]);
    sandbox.setFaults({});
    await expectAllAcceptedOnce(engine, sandbox, ids);
  });
});

describe('403s to the sends of many invoices: the account may not send (walk 20)', () => {
  it('holds the queue in words about the account, fails no invoice, and sends all once it sends again', async () => {
    const { sandbox, engine } = await setup({}, { batching: false });
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('online');
    // Every send refused for the account; the version call (the probe) and lookups answered.
    const said = 'This API key may not send documents';
    sandbox.setFaults({ status: { every: 1, status: 403, code: 'FORBIDDEN', message: said } });
    // To ten buyers (one buyer's 403s are that buyer's: walk 20b).
    const files = Array.from({ length: 10 }, (_, i) => ({
      name: `A403-${i}.xml`,
      bytes: makeInvoice(`A403-${i}`, { receiver: `9915:buyer-a403-${i}` }),
    }));
    const { added } = await engine.handlers['documents:add']({ files });
    const ids = added.map((a) => a.id);
    const message = async () => (await engine.handlers['connection:get'](undefined)).message;
    await expect.poll(message, { timeout: 10_000, interval: 10 }).toBe(sendsRefusedWords(said));
    expect(await state(engine)).toBe('refused');
    // Probes answered, sends tried again and refused again, round after round: none fails (an
    // invoice used to fail on its second 403, the whole drop within seconds).
    const sends = requests(sandbox, /send/);
    const probes = requests(sandbox, /version/);
    await expect
      .poll(() => requests(sandbox, /version/), { timeout: 10_000, interval: 10 })
      .toBeGreaterThan(probes + 2);
    expect(requests(sandbox, /send/)).toBeGreaterThan(sends);
    expect(rows(engine, ids).filter((d) => d.state === 'failed')).toEqual([]);
    const details = ids
      .flatMap((id) => engineInternals(engine).repo.timeline(id))
      .map((e) => e.detail);
    expect(details).toContain(SENDS_REFUSED_WAIT_WORDS);
    sandbox.setFaults({});
    await expectAllAcceptedOnce(engine, sandbox, ids);
  });
});

describe('403s to the first two invoices of a drop, then to the rest: the account may not send', () => {
  it('the two refused first are sent again after the others, and none fails', async () => {
    const { sandbox, engine } = await setup({}, { batching: false });
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('online');
    const said = 'This API key may not send documents';
    sandbox.setFaults({ status: { every: 1, status: 403, code: 'FORBIDDEN', message: said } });
    const files = Array.from({ length: 10 }, (_, i) => ({
      name: `F403-${i}.xml`,
      bytes: makeInvoice(`F403-${i}`, { receiver: `9915:buyer-f403-${i}` }),
    }));
    // Two go out alone (a drop still being checked, a paced start), then the rest are ready.
    const first = await engine.handlers['documents:add']({ files: files.slice(0, 2) });
    await expect
      .poll(() => requests(sandbox, /send/), { timeout: 10_000, interval: 5 })
      .toBeGreaterThanOrEqual(2);
    const rest = await engine.handlers['documents:add']({ files: files.slice(2) });
    const ids = [...first.added, ...rest.added].map((a) => a.id);
    const message = async () => (await engine.handlers['connection:get'](undefined)).message;
    await expect.poll(message, { timeout: 10_000, interval: 10 }).toBe(sendsRefusedWords(said));
    // Round after round of probes and sends: the first two used to fail on their second 403,
    // sent again before the invoices to other buyers that tell the account may not send.
    const probes = requests(sandbox, /version/);
    await expect
      .poll(() => requests(sandbox, /version/), { timeout: 10_000, interval: 10 })
      .toBeGreaterThan(probes + 2);
    expect(rows(engine, ids).filter((d) => d.state === 'failed')).toEqual([]);
    sandbox.setFaults({});
    await expectAllAcceptedOnce(engine, sandbox, ids);
  });
});

describe('a change of the API key in Settings ends the hold at once', () => {
  for (const batching of [false, true])
    it(`the key refused, then another key saved (${batching ? 'batches' : 'single sends'}): everything waiting goes without waiting for a probe`, async () => {
      const sandbox = await startSandbox({ latencyMs: 2 });
      cleanups.push(() => sandbox.close());
      // The access point set in Settings (an endpoint given as an option would win over a change);
      // probes a minute apart: within this test only the key change can end the hold.
      const engine = await engines({
        trackDelivery: false,
        batching,
        timings: { probeInitialMs: 60_000, probeMaxMs: 60_000 },
      });
      await engine.handlers['settings:set']({
        endpoint: sandbox.url,
        apiKey: 'sk_test_wrong_key_01',
      });
      await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('online');
      sandbox.setFaults({ status: { every: 1, status: 401 } });
      const { added } = await engine.handlers['documents:add']({ files: makeInvoices(5, 'KEYC') });
      const ids = added.map((a) => a.id);
      await waitHeld(engine, ids, 'refused');
      // Each was refused with the key (in a batch when batching), so nothing of it was taken: it
      // may be cancelled, and it is not "in doubt" once another key is saved (walk 18b N6: held
      // for a decision, and no Cancel, after a batch's 401).
      const timelines = ids.map((id) => engineInternals(engine).repo.timeline(id));
      const attempts = timelines.flat().filter((e) => e.to === 'sending');
      expect(attempts.some((e) => e.detail?.includes('(batch of'))).toBe(batching);
      expect(timelines.some((t) => t.some((e) => e.detail === KEY_REFUSED_WAIT_WORDS))).toBe(true);
      for (const id of ids)
        expect((await engine.handlers['documents:get']({ id })).mayHaveReachedAccessPoint).toBe(
          false,
        );
      // The provider now knows the key the clerk is about to type.
      sandbox.setFaults({});
      await engine.handlers['settings:set']({ apiKey: 'sk_test_right_key_02' });
      await expectAllAcceptedOnce(engine, sandbox, ids);
      for (const d of rows(engine, ids)) expect(d.attempts).toBe(1);
    });
});

describe('a run of 5xx answers: the header says trouble and no document runs out of attempts', () => {
  for (const batching of [false, true]) {
    it(`every request answered 503 (${batching ? 'batches' : 'single sends'}) for longer than the attempts would last: none fails, all go once it recovers`, async () => {
      // 4 attempts at 100 ms doubling: without the hold, every document would have failed
      // (attempts exhausted) well within the second the storm lasts here after "trouble".
      const { sandbox, engine, states } = await setup(
        { endpoints: 'all', status503: { every: 1 } },
        { batching, maxAttempts: 4 },
      );
      const { added } = await engine.handlers['documents:add']({
        files: makeInvoices(12, batching ? 'SRVB' : 'SRVS'),
      });
      const ids = added.map((a) => a.id);
      const keys = rows(engine, ids).map((d) => d.idempotency_key);
      await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('trouble');
      const probes = requests(sandbox, /\/version/);
      // The storm goes on: probes back off (no flood), documents wait.
      await expect
        .poll(() => requests(sandbox, /\/version/), {
          timeout: 5_000,
          interval: 10,
        })
        .toBeGreaterThan(probes + 3);
      expect(await state(engine)).toBe('trouble');
      for (const d of rows(engine, ids)) {
        expect(d.state).not.toBe('failed');
        expect(d.attempts).toBeLessThan(4);
      }
      // A document sent in the storm may have been accepted: its outcome is unknown.
      expect(rows(engine, ids).some((d) => d.send_outcome_unknown === 1)).toBe(true);

      sandbox.setFaults({});
      await expectAllAcceptedOnce(engine, sandbox, ids);
      expect(rows(engine, ids).map((d) => d.idempotency_key)).toEqual(keys);
      expect(states).toEqual(expect.arrayContaining(['trouble', 'online']));
    });
  }

  // A clerk's walk: only the send service failing (503), delivery polls of earlier invoices
  // answering meanwhile. Each poll's answer broke the run of 503s, so trouble was never said and
  // every 503 counted as an attempt: the invoices failed under a header that said Online.
  it('only sends answered 503 while delivery polls answer: trouble all the same, none fails, all go once it recovers', async () => {
    // Transactions stay pending: the first invoices keep being polled through the outage.
    const sandbox = await startSandbox({ latencyMs: 2, transactionStepMs: 600_000 });
    cleanups.push(() => sandbox.close());
    const engine: Engine = await engines({
      endpoint: sandbox.url,
      trackDelivery: true,
      concurrency: 4,
      batching: false,
      coalesceMs: 20,
      timings: {
        retryBaseMs: 100,
        retryMaxMs: 400,
        probeInitialMs: 50,
        probeMaxMs: 200,
        troubleAfterMs: 300,
        pollInitialMs: 20,
        pollMaxMs: 40,
      },
    });
    await engine.handlers['settings:set']({ maxAttempts: 4 });
    const earlier = (
      await engine.handlers['documents:add']({ files: makeInvoices(4, 'POLLED') })
    ).added.map((a) => a.id);
    await expect
      .poll(() => rows(engine, earlier).every((d) => d.state === 'accepted'), { timeout: 10_000 })
      .toBe(true);

    sandbox.setFaults({ endpoints: 'send', status503: { every: 1 } });
    const polls = requests(sandbox, /status|transactions/i);
    const ids = (
      await engine.handlers['documents:add']({ files: makeInvoices(6, 'SENDONLY') })
    ).added.map((a) => a.id);
    await expect.poll(() => state(engine), { timeout: 10_000, interval: 10 }).toBe('trouble');
    // Polls went on being answered through it, and more sends were refused than the attempts.
    await expect
      .poll(() => sandbox.stats().faults.status503, { timeout: 10_000, interval: 20 })
      .toBeGreaterThan(6 * 4);
    expect(requests(sandbox, /status|transactions/i)).toBeGreaterThan(polls);
    // Attempts made before the run said trouble count (one in flight may be the last one), but
    // none fails: in trouble no attempt counts.
    for (const d of rows(engine, ids)) {
      expect(d.state).not.toBe('failed');
      expect(d.attempts).toBeLessThanOrEqual(4);
    }

    sandbox.setFaults({});
    await expectAllAcceptedOnce(engine, sandbox, [...earlier, ...ids]);
  });

  it('a few 503s in a busy drop do not change the header', async () => {
    const { sandbox, engine, states } = await setup(
      { seed: 7, status503: { every: 3, max: 4 } },
      { batching: false },
    );
    const { added } = await engine.handlers['documents:add']({ files: makeInvoices(20, 'STRAY') });
    const ids = added.map((a) => a.id);
    await expectAllAcceptedOnce(engine, sandbox, ids);
    expect(sandbox.stats().faults.status503).toBe(4);
    expect(states).not.toContain('trouble');
  });
});

// Walk 8: in the first seconds of a 503 streak (before the header says "having problems"), and at
// a provider answering 503 to some requests only, each 503 used up one of an invoice's attempts
// until good invoices failed ("Sending failed 8 times"). A 503 says the access point cannot serve
// now, nothing of the invoice: like a 429 it is not counted; unlike a 429 its outcome is unknown.
describe('a 503 is never counted as an attempt', () => {
  it('three 503s in a row with 2 attempts allowed, trouble never said: accepted at its first attempt, not failed', async () => {
    const sandbox = await startSandbox({
      faults: { endpoints: 'send', status503: { every: 1, max: 3 } },
      latencyMs: 2,
    });
    cleanups.push(() => sandbox.close());
    const engine: Engine = await engines({
      endpoint: sandbox.url,
      trackDelivery: false,
      batching: false,
      // The run of 503s never lasts long enough to say trouble: the rule itself is what holds.
      timings: { retryBaseMs: 50, retryMaxMs: 100, troubleAfterMs: 60_000 },
    });
    await engine.handlers['settings:set']({ maxAttempts: 2 });
    const states: ConnectionStatus['state'][] = [];
    engine.on('connection:changed', (s) => states.push(s.state));
    const ids = (
      await engine.handlers['documents:add']({ files: makeInvoices(1, 'U503') })
    ).added.map((a) => a.id);
    await expectAllAcceptedOnce(engine, sandbox, ids);
    expect(sandbox.stats().faults.status503).toBe(3);
    expect(rows(engine, ids)[0]).toMatchObject({ attempts: 1, problem_code: null });
    const d = await engine.handlers['documents:get']({ id: ids[0]! });
    const waits = d.timeline.filter((t) => t.to === 'retry_wait');
    expect(waits.map((t) => t.technical?.slice(0, 4))).toEqual(['503:', '503:', '503:']);
    expect(states).not.toContain('trouble');
  });
});

// Walk 8: an access point that took the requests and answered none: the header said "Online" and
// the rows "Queued" with no reason for 30 s (until the requests timed out) while nothing moved.
// Requests out with no answer for as long as a run of failures must last say trouble too.
describe('an access point that answers nothing', () => {
  it('sends out and unanswered for as long as a run must last: trouble, then online once they are answered; each accepted once', async () => {
    const { sandbox, engine, states } = await setup(
      { endpoints: 'send', stallMs: { every: 1, max: 4, ms: 2_000 } },
      { batching: false },
    );
    const ids = (
      await engine.handlers['documents:add']({ files: makeInvoices(4, 'SILENT') })
    ).added.map((a) => a.id);
    await expect.poll(() => state(engine), { timeout: 5_000, interval: 10 }).toBe('trouble');
    // Not a document failed meanwhile.
    for (const d of rows(engine, ids)) expect(d.state).not.toBe('failed');
    await expectAllAcceptedOnce(engine, sandbox, ids);
    expect(states).toEqual(expect.arrayContaining(['trouble', 'online']));
    expect(states.indexOf('trouble')).toBeLessThan(states.lastIndexOf('online'));
  });

  it('one batch of 6 out and unanswered says trouble too: a batch counts by the invoices it carries', async () => {
    // Walk 9: one batch hanging for 30 s a try left the header "Online" (one request out).
    const { sandbox, engine, states } = await setup(
      { stallMs: { every: 1, max: 1, ms: 2_000 } },
      { batching: true },
    );
    const ids = (
      await engine.handlers['documents:add']({ files: makeInvoices(6, 'SILENT-BATCH') })
    ).added.map((a) => a.id);
    await expect.poll(() => state(engine), { timeout: 5_000, interval: 10 }).toBe('trouble');
    for (const d of rows(engine, ids)) expect(d.state).not.toBe('failed');
    await expectAllAcceptedOnce(engine, sandbox, ids);
    expect(states.indexOf('trouble')).toBeLessThan(states.lastIndexOf('online'));
  });
});
