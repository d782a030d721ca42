/**
 * What an access point sees of a single desk's delivery polls (app/sender/poll-budget.ts): N
 * delivered documents whose buyer's response is due now (delivered 30 minutes ago), polled for
 * 10 s through the real client against a counting server on 127.0.0.1 that answers each status
 * request in 20 ms. Prints one JSON line: status requests in the 10 s, list requests, the busiest
 * second, the most in flight at once, and the process's CPU time. Run by ./poll-budget.mjs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessPointClient } from '../../app/access-point/client';
import type { DocumentState } from '../../app/contract';
import { poolConnections } from '../../app/engine/connection';
import { Pipeline, type Validator } from '../../app/queue/pipeline';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { pipelineDeps } from '../helpers/pipeline-deps';

const N = Number(process.argv[2] ?? 10_000);
const RUN_MS = 10_000;
const PATH: DocumentState[] = [
  'validating',
  'ready',
  'resolving',
  'queued',
  'sending',
  'accepted',
  'delivered',
];

async function main(): Promise<void> {
  const starts: number[] = [];
  let open = 0;
  let most = 0;
  let lists = 0;
  const server = createServer((req, res) => {
    req.resume();
    const url = req.url ?? '';
    if (url.includes('/transactions?')) {
      lists++;
      res.writeHead(200).end('{"transactions":[]}');
    } else if (url.includes('/transactions/')) {
      starts.push(performance.now());
      open++;
      most = Math.max(most, open);
      res.on('close', () => open--);
      setTimeout(() => res.writeHead(200).end('{"status":"delivered"}'), 20);
    } else res.writeHead(200).end('{"version":"bench"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const db = openDb({ dataDir: ':memory:' });
  const repo = new DocumentsRepo(db);
  const now = Date.now();
  repo.tx(() => {
    for (let i = 0; i < N; i++) {
      const id = repo.insert({
        fileName: `d${i}.xml`,
        sha256: `sha-${i}`,
        size: 1,
        body: new Uint8Array([60]),
        idempotencyKey: `key-${i}`,
      });
      let from: DocumentState = 'received';
      for (const to of PATH) {
        repo.transition(id, from, to);
        from = to;
      }
      repo.patch(id, {
        transaction_id: `tx-${i}`,
        accepted_at: now - 31 * 60_000,
        delivered_at: now - 30 * 60_000,
        next_poll_at: now - 1_000,
      });
    }
  });
  const { port } = server.address() as AddressInfo;
  const client = new AccessPointClient({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: null,
    connections: poolConnections('auto'),
  });
  const validator: Validator = { cacheKey: 'bench', check: () => new Promise(() => undefined) };
  const pipeline = new Pipeline(pipelineDeps(db, { repo, client, validator }));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  pipeline.start();
  await new Promise((r) => setTimeout(r, RUN_MS));
  const cpu = process.cpuUsage(cpu0);
  const inRun = starts.filter((t) => t - t0 < RUN_MS);
  let busiest = 0;
  for (let i = 0, j = 0; i < inRun.length; i++) {
    while (inRun[i]! - inRun[j]! >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  console.log(
    JSON.stringify({
      documents: N,
      statusRequests10s: inRun.length,
      lists,
      busiestSecond: busiest,
      mostInFlight: most,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    }),
  );
  await pipeline.stop();
  await client.close();
  server.closeAllConnections();
  server.close();
}

void main();
