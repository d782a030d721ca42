/**
 * One engine run for the sender benchmark (bundled to dist/bench-sender.cjs, spawned by
 * test/bench/run.mjs so the engine has a process of its own). Argument: JSON
 * `{endpoint, dataDir, docsDir, count, concurrency?, batch?, mode}`; prints one JSON line.
 *
 * mode 'send': validate and look up everything with sending paused, then resume and measure the
 * send stage alone (what C/L bounds). mode 'pipeline': measure from reading the files to the last
 * acceptance (read, hash, parse, validate, queue transitions, send, record).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, memorySecretStore } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';

interface BenchArgs {
  endpoint: string;
  dataDir: string;
  docsDir: string;
  count: number;
  concurrency?: number;
  batch?: number | false;
  rate?: number;
  mode: 'send' | 'pipeline';
  /** Which host the engine is for (default 'cli'); 'browser' tracks delivery like the app. */
  host?: 'cli' | 'browser';
  /** Read the sandbox's counters this long after sending starts (steady-state figures). */
  statsAfterMs?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as BenchArgs;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const names = readdirSync(args.docsDir)
    .filter((n) => n.endsWith('.xml'))
    .sort()
    .slice(0, args.count);
  const t0 = performance.now();
  const cpu0 = cpuSeconds();
  const engine = await createEngine({
    dataDir: args.dataDir,
    secrets: memorySecretStore(),
    host: args.host ?? 'cli',
    endpoint: args.endpoint,
    validationWorker: join(__dirname, 'validation-worker.cjs'),
    trackDelivery: args.host === 'browser',
    ...(args.concurrency ? { concurrency: args.concurrency } : {}),
    ...(args.batch !== undefined ? { batching: args.batch } : {}),
    ...(args.rate ? { requestsPerSecond: args.rate } : {}),
  });
  if (args.mode === 'send') engine.handlers['queue:pause'](undefined);
  const ids: number[] = [];
  for (let i = 0; i < names.length; i += 500) {
    const files = names
      .slice(i, i + 500)
      .map((name) => ({ name, bytes: readFileSync(join(args.docsDir, name)) }));
    const res = await engine.handlers['documents:add']({ files });
    for (const a of res.added) ids.push(a.id);
  }
  let t1 = t0;
  let cpu1 = cpu0;
  if (args.mode === 'send') {
    // Bounded wait: every document validated and looked up, waiting to be sent.
    const until = Date.now() + 300_000;
    while (engineInternals(engine).repo.counts().queued < ids.length) {
      if (Date.now() > until) throw new Error('Documents did not reach the queue in time.');
      await new Promise((r) => setTimeout(r, 10));
    }
    t1 = performance.now();
    cpu1 = cpuSeconds();
    engine.handlers['queue:resume'](undefined);
  }
  let midStats: Promise<{ at: number; stats: unknown } | null> = Promise.resolve(null);
  if (args.statsAfterMs) {
    const after = args.statsAfterMs;
    midStats = new Promise((resolve) =>
      setTimeout(() => {
        const at = performance.now();
        fetch(`${args.endpoint}/_sandbox/stats`)
          .then((r) => r.json())
          .then((stats: unknown) => resolve({ at: (at - t1) / 1000, stats }))
          .catch(() => resolve(null));
      }, after),
    );
  }
  // Poll the counts (one GROUP BY) rather than engine.waitUntilSettled, which reads every
  // listed document on each change event: a harness cost, not the sender's.
  // Generous on a shared machine: 300 s, or 20 ms per document for large runs.
  const until = Date.now() + Math.max(300_000, ids.length * 20);
  for (;;) {
    const c = engineInternals(engine).repo.counts();
    // Delivered too: with delivery tracked (host 'browser') accepted documents move on.
    const done = c.accepted + c.delivered + c.failed + c.invalid + c.unreachable + c.held;
    if (done >= ids.length) break;
    if (Date.now() > until) throw new Error('Documents were not sent in time.');
    await new Promise((r) => setTimeout(r, 5));
  }
  const t2 = performance.now();
  const cpu2 = cpuSeconds();
  const counts = engineInternals(engine).repo.counts();
  const snap = await engine.handlers['metrics:snapshot'](undefined);
  await engine.stop();
  process.stdout.write(
    JSON.stringify({
      documents: ids.length,
      accepted: counts.accepted + counts.delivered,
      failed: counts.failed,
      prepSeconds: (t1 - t0) / 1000,
      seconds: (t2 - t1) / 1000,
      cpuSeconds: cpu2 - cpu1,
      prepCpuSeconds: cpu1 - cpu0,
      send: snap.latency.send,
      mid: await midStats,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
