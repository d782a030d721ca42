/**
 * A single desk's delivery and buyer-response polls within their budget (app/sender/poll-budget.ts),
 * against a counting access point on 127.0.0.1 through the real client and its pool: documents
 * due together are asked about at most the budget's rate and number in flight, each once, the
 * rest later; a 429 on a poll stops the next polls for its Retry-After; and a backlog of polls
 * never takes the connections the sends need. Only the buyer-response polls are budgeted: delivery
 * polls (accepted documents) keep up with the sends, whatever the budget.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import type { DocumentState } from '../../app/contract';
import { poolConnections } from '../../app/engine/connection';
import { Pipeline, type PipelineOptions, type Validator } from '../../app/queue/pipeline';
import { pollsInFlightFor } from '../../app/sender/poll-budget';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { until } from '../helpers/wait';
import { docInState } from '../helpers/walk';
import { pipelineDeps } from '../helpers/pipeline-deps';

const MIN = 60_000;
const TO_QUEUED: DocumentState[] = ['validating', 'ready', 'resolving', 'queued'];
const TO_ACCEPTED: DocumentState[] = [...TO_QUEUED, 'sending', 'accepted'];
const TO_DELIVERED: DocumentState[] = [...TO_ACCEPTED, 'delivered'];

type Answer = (res: ServerResponse) => void;

/** An access point that counts what is open by kind and answers as the test says. */
async function countingAccessPoint(answer: {
  poll?: (n: number, url: string) => Answer | null;
  send?: (n: number, url: string) => Answer | null;
}) {
  const open = { poll: 0, send: 0 };
  const most = { poll: 0, send: 0 };
  const seen = { poll: 0, send: 0, list: 0 };
  const held: ServerResponse[] = [];
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    ((res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    }) satisfies Answer;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = req.url ?? '';
    if (url.endsWith('/version')) return json(200, { version: 'test' })(res);
    if (url.includes('/transactions?')) {
      seen.list++;
      return json(200, { transactions: [] })(res);
    }
    const kind = url.includes('/transactions/') ? 'poll' : url.endsWith('/send') ? 'send' : null;
    if (!kind) return json(404, { error: { code: 'NOT_FOUND', message: url } })(res);
    seen[kind]++;
    open[kind]++;
    most[kind] = Math.max(most[kind], open[kind]);
    res.on('close', () => open[kind]--);
    const reply = answer[kind]?.(seen[kind], url);
    if (reply) reply(res);
    else held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    open,
    most,
    seen,
    json,
    close: async () => {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // The access point first: whatever it holds fails, so stopping does not wait for a timeout.
  for (const c of cleanups.splice(0)) await c();
});

function desk(url: string, options: PipelineOptions & { concurrency: number }) {
  const db = openDb({ dataDir: ':memory:' });
  const repo = new DocumentsRepo(db);
  const client = new AccessPointClient({
    baseUrl: url,
    apiKey: null,
    connections: poolConnections(options.concurrency),
  });
  // Every status request as the client makes it (monotonic time), and how many are out.
  const polls: { id: string; at: number }[] = [];
  const answered: { status: number; at: number }[] = [];
  const transaction = client.transaction.bind(client);
  client.transaction = async (id) => {
    polls.push({ id, at: performance.now() });
    const outcome = await transaction(id);
    const status = outcome.kind === 'ok' ? 200 : outcome.kind === 'permanent' ? 0 : outcome.status;
    answered.push({ status: status ?? 0, at: performance.now() });
    return outcome;
  };
  const validator: Validator = { cacheKey: 'test', check: () => new Promise(() => undefined) };
  const pipeline = new Pipeline(pipelineDeps(db, { repo, client, validator }), {
    sender: { batching: false },
    ...options,
  });
  cleanups.push(async () => {
    await pipeline.stop();
    await client.close();
  });
  return { repo, pipeline, polls, answered };
}

/** Delivered half an hour ago, its buyer's response due to be asked about now. */
function awaitingResponse(repo: DocumentsRepo, n: number): number[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) =>
    docInState(repo, TO_DELIVERED, {
      transaction_id: `tx-${i}`,
      accepted_at: now - 31 * MIN,
      delivered_at: now - 30 * MIN,
      next_poll_at: now - 1_000 + i,
    }),
  );
}

/** The most requests made in any one-second window (half-open). */
function busiestSecond(at: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i]! - at[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('delivery polls within their budget (single desk)', () => {
  it('documents due together are asked about at most the rate and in flight, each once, oldest first', async () => {
    const ap = await countingAccessPoint({
      poll: () => (res) => setTimeout(() => res.writeHead(200).end('{"status":"delivered"}'), 20),
    });
    cleanups.push(ap.close);
    const { repo, pipeline, polls } = desk(ap.url, {
      concurrency: 4,
      pollBudget: { perSecond: 10, inFlight: 3 },
    });
    const ids = awaitingResponse(repo, 30);
    pipeline.start();
    await until(() => polls.length >= 30, '30 status requests', 20_000);
    const first = polls.slice(0, 30);
    // Nothing lost, nothing asked twice: each document once, in the order they fell due.
    expect(first.map((p) => p.id)).toEqual(ids.map((_, i) => `tx-${i}`));
    expect(busiestSecond(first.map((p) => p.at))).toBeLessThanOrEqual(10);
    expect(ap.most.poll).toBeLessThanOrEqual(3);
    // A list request was tried once (it answered none of them: older than the newest), not per round.
    expect(ap.seen.list).toBe(1);
    // Each answered one is asked again on the response schedule (10 minutes at half an hour).
    await until(() => ids.every((id) => repo.get(id)!.next_poll_at! > Date.now() + 5 * MIN));
  });

  it('a 429 on a poll stops the next polls for its Retry-After; the refused document is asked again', async () => {
    const ap = await countingAccessPoint({
      poll: (n) =>
        n === 1
          ? (res) => {
              res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
              res.end('{"error":{"code":"RATE_LIMITED","message":"Too many requests"}}');
            }
          : (res) => res.writeHead(200).end('{"status":"delivered"}'),
    });
    cleanups.push(ap.close);
    const { repo, pipeline, polls, answered } = desk(ap.url, {
      concurrency: 2,
      pollBudget: { perSecond: 20, inFlight: 1 },
    });
    const ids = awaitingResponse(repo, 5);
    pipeline.start();
    await until(() => polls.length >= 6, 'the five documents asked about, one twice', 20_000);
    const refusedAt = answered.find((a) => a.status === 429)!.at;
    expect(answered[0]!.status).toBe(429);
    // One in flight: every later request left after the refusal, at least its Retry-After later.
    for (const p of polls.slice(1)) expect(p.at - refusedAt).toBeGreaterThanOrEqual(999);
    // The refused one is still tracked and asked again.
    expect(polls.filter((p) => p.id === 'tx-0')).toHaveLength(2);
    await until(() => ids.every((id) => repo.get(id)!.next_poll_at! > Date.now() + 5 * MIN));
  });

  it('sends get every connection they need while hundreds of polls wait (counted at the access point)', async () => {
    // Nothing is answered: what is open at the access point is what the desk let out at once.
    const ap = await countingAccessPoint({});
    cleanups.push(ap.close);
    const concurrency = 4;
    const { repo, pipeline } = desk(ap.url, { concurrency });
    awaitingResponse(repo, 300);
    pipeline.start();
    await until(() => ap.open.poll === pollsInFlightFor(concurrency), 'the polls open', 10_000);
    // Then invoices come to be sent, with the polls of the round still out and more due.
    for (let i = 0; i < 12; i++) docInState(repo, TO_QUEUED);
    pipeline.kick();
    // Before the budget, the round's 200 polls held every connection of the pool (4): no send
    // reached the access point until they were answered.
    await until(() => ap.open.send === concurrency, `${concurrency} sends open`, 10_000);
    expect(ap.most.poll).toBe(pollsInFlightFor(concurrency));
    expect(ap.most.send).toBe(concurrency);
  });

  it('delivery polls do not wait for the response budget: accepted documents asked twice are all delivered', async () => {
    // An accepted document is "sending" when first asked, delivered when asked again; the
    // documents awaiting the buyer's response are delivered already (no response yet).
    const askedBefore = new Set<string>();
    const ap = await countingAccessPoint({
      poll: (_n, url) => {
        const first = url.includes('/acc-') && !askedBefore.has(url);
        askedBefore.add(url);
        return ap.json(200, { status: first ? 'sending' : 'delivered' });
      },
    });
    cleanups.push(ap.close);
    const { repo, pipeline, polls } = desk(ap.url, {
      concurrency: 4,
      pollInitialMs: 50,
      pollBudget: { perSecond: 1, inFlight: 1 },
    });
    awaitingResponse(repo, 10);
    const now = Date.now();
    const accepted = Array.from({ length: 60 }, (_, i) =>
      docInState(repo, TO_ACCEPTED, {
        transaction_id: `acc-${i}`,
        accepted_at: now,
        next_poll_at: now - 1_000,
      }),
    );
    pipeline.start();
    // 120 delivery polls: within the response budget (one a second) that would take two minutes.
    await until(
      () => accepted.every((id) => repo.get(id)!.state === 'delivered'),
      '60 accepted documents delivered',
      20_000,
    );
    for (let i = 0; i < 60; i++) {
      expect(polls.filter((p) => p.id === `acc-${i}`)).toHaveLength(2);
    }
    // The buyer-response polls stayed within their budget meanwhile.
    const responsePolls = polls.filter((p) => p.id.startsWith('tx-'));
    expect(busiestSecond(responsePolls.map((p) => p.at))).toBeLessThanOrEqual(1);
  });
});
