import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import type { CDPSession } from '@playwright/test';
import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice } from './support/invoices';
import { invokeHost } from './support/host';

/**
 * 10,000 documents through the shared host while the table is watched and scrolled: long tasks,
 * frame times and JS heap per phase. Figures go to test-results/e2e/performance.json; with
 * PEPPOL_DESK_PERF_DOC=1 they also replace the "## UI (issue 6)" section of docs/performance.md
 * (at 100,000 documents: "## UI at 100,000 documents (issue 9)").
 * The heap goal (under 300 MB) is asserted in every run. The timing goal (no long task over
 * 100 ms after the initial page load) depends on the machine and what else runs on it, so it is a
 * benchmark: asserted with PEPPOL_DESK_PERF_ASSERT=1 or PEPPOL_DESK_PERF_DOC=1 (on a quiet
 * machine), recorded otherwise. Beside each long task's wall time, a Chromium trace gives the
 * CPU time the page's main thread spent in each task (thread time): on a loaded machine a task
 * of 20 ms of work can take 300 ms of wall time while the thread waits for a core, and only
 * the CPU figure says whether the page itself did too much at once. It also times the list and
 * its filters as the page asks them (`documents:list`, round trip through the host).
 *
 * 100,000 documents (issue 9): `PEPPOL_DESK_PERF_DOCS=100000` (time limits scale with the count).
 */
const LONG_TASK_LIMIT_MS = 100;
const HEAP_LIMIT_MB = 300;
/** The list and its filters answer within this (issue 9). */
const LIST_LIMIT_MS = 50;
const DOCUMENTS = Number(process.env.PEPPOL_DESK_PERF_DOCS ?? 10_000);
/** As a real drop does (renderer/src/features/drop/add-files.ts). */
const CHUNK = 200;
const SCROLL_STEPS = 80;
/** The section of docs/performance.md a run with PEPPOL_DESK_PERF_DOC=1 replaces. */
const SECTION = DOCUMENTS >= 100_000 ? '## UI at 100,000 documents (issue 9)' : '## UI (issue 6)';

interface PhaseFigures {
  phase: string;
  seconds: number;
  frames: number;
  frameP50: number;
  frameP95: number;
  frameP99: number;
  frameMax: number;
  framesOver50: number;
  longTasks: number;
  longTaskMax: number;
  longTasksOver100: number;
  /** Main-thread tasks (trace RunTask) and their CPU (thread) time. */
  tasks: number;
  cpuTaskMax: number;
  cpuTasksOver50: number;
  cpuTasksOver100: number;
  heapMaxMB: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Per phase: CPU (thread) time of every task on the page's main thread, from the trace. */
function cpuTasksByPhase(path: string): Map<string, number[]> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as
    { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const threads = new Map<string, string>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args!.name!);
  }
  const onMain = (e: TraceEvent) => threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain';
  // Phase marks (performance.mark('phase:<name>')) in the trace's own clock.
  const marks = events
    .filter((e) => onMain(e) && e.name.startsWith('phase:') && e.ph !== 'M')
    .map((e) => ({ phase: e.name.slice('phase:'.length), ts: e.ts }))
    .sort((a, b) => a.ts - b.ts);
  const out = new Map<string, number[]>();
  for (const e of events) {
    if (e.name !== 'RunTask' || e.ph !== 'X' || !onMain(e)) continue;
    let phase: string | null = null;
    for (const m of marks) if (m.ts <= e.ts) phase = m.phase;
    if (phase === null) continue;
    const list = out.get(phase) ?? [];
    list.push((e.tdur ?? 0) / 1000);
    out.set(phase, list);
  }
  return out;
}

/** Milliseconds of `n` calls of the list as the page asks it, sorted. */
async function listTimes(
  page: import('@playwright/test').Page,
  arg: import('../../app/contract').RequestArg<'documents:list'>,
  n: number,
): Promise<number[]> {
  const times = await page.evaluate(
    async ({ arg, n }) => {
      const api = (window as unknown as { api: import('../../app/contract').Api }).api;
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await api.invoke('documents:list', arg);
        if (!r.ok) throw new Error(r.error.message);
        out.push(performance.now() - t);
      }
      return out;
    },
    { arg, n },
  );
  return times.sort((a, b) => a - b);
}

type PerfWindow = {
  __perf: {
    phase: string;
    frames: { phase: string; dt: number }[];
    long: { phase: string; ms: number }[];
  };
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function heapMB(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  return used / 1024 / 1024;
}

test('10,000 documents streaming: frame times, long tasks and heap while watching and scrolling', async ({
  desk,
  page,
}, testInfo) => {
  // 5 min for 10,000 on a loaded 2-core machine (tracing included); adding, cancelling and
  // scrolling grow with the count.
  test.setTimeout(300_000 + Math.max(0, DOCUMENTS - 10_000) * 8);
  const perDoc = (ms: number) => Math.max(ms, (ms * DOCUMENTS) / 10_000);
  const tracePath = join(testInfo.project.outputDir, 'performance-trace.json');
  await page
    .context()
    .browser()!
    .startTracing(page, {
      path: tracePath,
      categories: ['disabled-by-default-devtools.timeline', 'blink.user_timing'],
    });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heapByPhase = new Map<string, number>();
  let phase = 'load';
  const sampler = setInterval(() => {
    const current = phase;
    void heapMB(cdp)
      .then((mb) => heapByPhase.set(current, Math.max(heapByPhase.get(current) ?? 0, mb)))
      .catch(() => undefined);
  }, 250);
  const phaseStart = new Map<string, number>();
  const setPhase = async (name: string) => {
    // One sample at every boundary, so even a short phase has a heap figure.
    const mb = await heapMB(cdp);
    heapByPhase.set(phase, Math.max(heapByPhase.get(phase) ?? 0, mb));
    heapByPhase.set(name, Math.max(heapByPhase.get(name) ?? 0, mb));
    phase = name;
    phaseStart.set(name, Date.now());
    await page.evaluate((n) => {
      (window as unknown as PerfWindow).__perf.phase = n;
      performance.mark(`phase:${n}`);
    }, name);
  };

  // Observers first: every frame's duration and every long task, tagged with the phase.
  await page.evaluate(() => {
    const perf: PerfWindow['__perf'] = { phase: 'load', frames: [], long: [] };
    (window as unknown as PerfWindow).__perf = perf;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) perf.long.push({ phase: perf.phase, ms: e.duration });
    }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    const tick = (t: number) => {
      perf.frames.push({ phase: perf.phase, dt: t - last });
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

  const prefix = uniquePrefix('PERF');
  const template = validInvoice('__NUMBER__');
  const lists: [string, number[]][] = [];
  try {
    // 1. Add 10,000 documents from the page in chunks, as a folder drop would.
    const sentCount = async () =>
      Number(((await desk.filterCount('sent').textContent()) ?? '').replace(/\D/g, ''));
    await setPhase('add');
    await desk.searchFor(prefix);
    const added = await page.evaluate(
      async ({ template, prefix, total, chunk }) => {
        const api = (window as unknown as { api: import('../../app/contract').Api }).api;
        const encoder = new TextEncoder();
        let count = 0;
        for (let start = 0; start < total; start += chunk) {
          const files = [];
          for (let i = start; i < Math.min(total, start + chunk); i++) {
            const n = `${prefix}-${String(i).padStart(5, '0')}`;
            files.push({
              name: `${n}.xml`,
              bytes: encoder.encode(template.replace('__NUMBER__', n)),
            });
          }
          // Building the files is the test's work, not the app's: let the page breathe before
          // handing them over, so a long task measures the app (a real drop reads files
          // asynchronously, one by one).
          await new Promise((resolve) => setTimeout(resolve, 0));
          const r = await api.invoke('documents:add', { files });
          if (!r.ok) throw new Error(r.error.message);
          count += r.value.added.length;
        }
        return count;
      },
      { template, prefix, total: DOCUMENTS, chunk: CHUNK },
    );
    expect(added).toBe(DOCUMENTS);
    await desk.expectRowTotal(DOCUMENTS, perDoc(30_000));

    // 2. Watch while statuses stream in (validation, sending, delivery), until 500 more are sent.
    await setPhase('stream');
    const sentAtStreamStart = await sentCount();
    await expect
      .poll(async () => (await sentCount()) - sentAtStreamStart, { timeout: perDoc(60_000) })
      .toBeGreaterThanOrEqual(Math.min(500, DOCUMENTS / 2));

    // 3. Scroll the whole table while statuses still stream.
    await setPhase('scroll+stream');
    const body = desk.table.locator('.table-body');
    await body.hover();
    for (let i = 0; i < SCROLL_STEPS; i++) {
      await page.mouse.wheel(0, (DOCUMENTS * 40) / SCROLL_STEPS);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
    await expect(desk.table.locator('.table-row.is-loading')).toHaveCount(0, {
      timeout: perDoc(15_000),
    });
    await expect(desk.rows().last()).toHaveAttribute('aria-rowindex', String(DOCUMENTS + 1));

    // 4. Still responsive while streaming: a search finds one document among 10,000.
    await setPhase('search');
    const one = `${prefix}-04321`;
    await desk.searchFor(one);
    await expect(desk.rowByFile(`${one}.xml`)).toBeVisible(); // found by file name even before it is read
    await desk.expectRowTotal(1);
    // The list and its filters as the page asks them, with every document still there.
    lists.push(
      ['all, first page', await listTimes(page, { search: prefix, limit: 200 }, 7)],
      ['Needs attention', await listTimes(page, { filter: 'attention', limit: 200 }, 7)],
      ['In progress', await listTimes(page, { filter: 'progress', limit: 200 }, 7)],
      ['Sent', await listTimes(page, { filter: 'sent', limit: 200 }, 7)],
      ['search one invoice', await listTimes(page, { search: one, limit: 200 }, 7)],
      [
        'sorted by amount, last page',
        await listTimes(
          page,
          {
            search: prefix,
            sort: { key: 'amount', dir: 'desc' },
            offset: Math.max(0, DOCUMENTS - 200),
            limit: 200,
          },
          7,
        ),
      ],
    );

    // 5. Cancel what is still waiting (one big change for the page to absorb), so later tests
    // share a quiet host and this test stays bounded.
    await setPhase('cancel');
    await desk.searchFor(prefix);
    await desk.showFilter('progress');
    // The engine answers at most a page per call: cancel page by page until none is left. From
    // the test process, as another window would: parsing 1,000-row answers is the test's work,
    // not the page's; the page only absorbs the change.
    for (let round = 0; round < DOCUMENTS / 1000 + 50; round++) {
      const waiting = await invokeHost('documents:list', {
        filter: 'progress',
        search: prefix,
        limit: 1000,
      });
      const ids = waiting.rows.filter((r) => r.state !== 'sending').map((r) => r.id);
      if (waiting.total === 0) break;
      if (ids.length > 0) await invokeHost('documents:cancel', { ids });
    }
    await desk.expectRowTotal(0, perDoc(30_000));
    await desk.showFilter('all');

    // 6. Scroll back up through the settled table.
    await setPhase('scroll idle');
    await body.hover();
    for (let i = 0; i < SCROLL_STEPS; i++) {
      await page.mouse.wheel(0, -(DOCUMENTS * 40) / SCROLL_STEPS);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
    await expect(desk.rows().first()).toHaveAttribute('aria-rowindex', '2');
    await setPhase('end');
  } finally {
    clearInterval(sampler);
    await page.context().browser()!.stopTracing();
  }
  const cpuTasks = cpuTasksByPhase(tracePath);
  rmSync(tracePath, { force: true });

  const raw = await page.evaluate(() => (window as unknown as PerfWindow).__perf);
  const phases = ['add', 'stream', 'scroll+stream', 'search', 'cancel', 'scroll idle'];
  const order = [...phases, 'end'];
  const figures: PhaseFigures[] = phases.map((p) => {
    const frames = raw.frames
      .filter((f) => f.phase === p)
      .map((f) => f.dt)
      .sort((a, b) => a - b);
    const long = raw.long.filter((l) => l.phase === p).map((l) => l.ms);
    const next = order[order.indexOf(p) + 1]!;
    return {
      phase: p,
      seconds: ((phaseStart.get(next) ?? Date.now()) - (phaseStart.get(p) ?? 0)) / 1000,
      frames: frames.length,
      frameP50: percentile(frames, 50),
      frameP95: percentile(frames, 95),
      frameP99: percentile(frames, 99),
      frameMax: frames.at(-1) ?? 0,
      framesOver50: frames.filter((d) => d > 50).length,
      longTasks: long.length,
      longTaskMax: Math.max(0, ...long),
      longTasksOver100: long.filter((ms) => ms > 100).length,
      tasks: cpuTasks.get(p)?.length ?? 0,
      cpuTaskMax: Math.max(0, ...(cpuTasks.get(p) ?? [])),
      cpuTasksOver50: (cpuTasks.get(p) ?? []).filter((ms) => ms > 50).length,
      cpuTasksOver100: (cpuTasks.get(p) ?? []).filter((ms) => ms > 100).length,
      heapMaxMB: heapByPhase.get(p) ?? 0,
    };
  });
  const heapEndMB = await heapMB(cdp);
  await cdp.detach();

  // Measured: every phase saw frames and a heap figure.
  for (const f of figures) {
    expect(f.frames, `frames in ${f.phase}`).toBeGreaterThan(0);
    expect(f.heapMaxMB, `heap in ${f.phase}`).toBeGreaterThan(0);
    expect(f.tasks, `traced tasks in ${f.phase}`).toBeGreaterThan(0);
  }
  const list = lists.map(([query, ms]) => ({
    query,
    p50: percentile(ms, 50),
    max: ms.at(-1) ?? 0,
  }));
  const report = {
    documents: DOCUMENTS,
    measuredAt: new Date().toISOString(),
    load: loadavg(),
    heapEndMB,
    figures,
    list,
  };
  const jsonPath = join(testInfo.project.outputDir, 'performance.json');
  writeFileSync(jsonPath, JSON.stringify(report, null, 2));
  await testInfo.attach('performance', { path: jsonPath, contentType: 'application/json' });
  const markdown = toMarkdown(report);
  console.log(markdown);
  if (process.env.PEPPOL_DESK_PERF_DOC === '1') writeDocSection(markdown);

  // The goals, per phase so a failure says where.
  const timingGoals =
    process.env.PEPPOL_DESK_PERF_ASSERT === '1' || process.env.PEPPOL_DESK_PERF_DOC === '1';
  for (const f of figures) {
    expect(f.heapMaxMB, `JS heap in ${f.phase}`).toBeLessThan(HEAP_LIMIT_MB);
    if (!timingGoals) continue;
    expect(f.longTasksOver100, `long tasks over ${LONG_TASK_LIMIT_MS} ms in ${f.phase}`).toBe(0);
    expect(f.longTaskMax, `longest task in ${f.phase}`).toBeLessThanOrEqual(LONG_TASK_LIMIT_MS);
    expect(f.cpuTasksOver100, `tasks over ${LONG_TASK_LIMIT_MS} ms of CPU in ${f.phase}`).toBe(0);
  }
  if (timingGoals) {
    for (const l of list) expect(l.max, `documents:list, ${l.query}`).toBeLessThan(LIST_LIMIT_MS);
  }
  expect(heapEndMB, 'JS heap at the end').toBeLessThan(HEAP_LIMIT_MB);
});

function toMarkdown(r: {
  documents: number;
  measuredAt: string;
  load: number[];
  heapEndMB: number;
  figures: PhaseFigures[];
  list: { query: string; p50: number; max: number }[];
}): string {
  const ms = (n: number) => `${Math.round(n)} ms`;
  const cpu = cpus();
  const lines = [
    SECTION,
    '',
    `Command: \`node scripts/build.mjs && PEPPOL_DESK_PERF_DOC=1${r.documents === 10_000 ? '' : ` PEPPOL_DESK_PERF_DOCS=${r.documents}`} npx playwright test performance\` (\`test/e2e/performance.spec.ts\`; \`PEPPOL_DESK_PERF_DOCS\` changes the count). Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, headless Chromium (${'software rendering, --disable-gpu'}), viewport 1400 × 900, the browser host and its engine on the same machine. Measured ${r.measuredAt.slice(0, 10)}.`,
    '',
    `${r.documents.toLocaleString('en')} documents are added from the page in chunks of ${CHUNK} (\`documents:add\`) and go through validation, sending to the built-in sandbox and delivery. Phases: *add*; *stream*, watching until 500 more are sent; *scroll+stream*, the table scrolled from top to bottom (${SCROLL_STEPS} wheel steps) as statuses stream; *search* for one invoice number; *cancel*, every document still waiting cancelled at once (one large change); *scroll idle*, back to the top. Long tasks come from a \`PerformanceObserver('longtask')\`, frame times from \`requestAnimationFrame\` deltas, the heap from CDP \`Performance.getMetrics\` (\`JSHeapUsedSize\`, sampled every 250 ms).`,
    '',
    `Load average (1, 5, 15 min) at the end: ${r.load.map((l) => l.toFixed(1)).join(', ')} on ${cpu.length} cores: wall times include waiting for a core; *CPU* columns are the main thread's own time per task (Chromium trace, \`RunTask\` thread time).`,
    '',
    '| phase | s | frames | frame p50 / p95 / p99 / max | frames > 50 ms | long tasks (wall) | longest task (wall) | long tasks > 100 ms (wall) | tasks | longest task (CPU) | tasks > 50 / > 100 ms CPU | JS heap max |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.figures.map(
      (f) =>
        `| ${f.phase} | ${f.seconds.toFixed(1)} | ${f.frames} | ${ms(f.frameP50)} / ${ms(f.frameP95)} / ${ms(f.frameP99)} / ${ms(f.frameMax)} | ${f.framesOver50} | ${f.longTasks} | ${f.longTasks ? ms(f.longTaskMax) : '—'} | ${f.longTasksOver100} | ${f.tasks} | ${ms(f.cpuTaskMax)} | ${f.cpuTasksOver50} / ${f.cpuTasksOver100} | ${f.heapMaxMB.toFixed(1)} MB |`,
    ),
    '',
    `The list and its filters with all ${r.documents.toLocaleString('en')} documents present (\`documents:list\`, 200 rows, from the page through the host and back; 7 calls each; goal under ${LIST_LIMIT_MS} ms):`,
    '',
    '| query | median | max |',
    '|---|---|---|',
    ...r.list.map((l) => `| ${l.query} | ${ms(l.p50)} | ${ms(l.max)} |`),
    '',
    `JS heap at the end: ${r.heapEndMB.toFixed(1)} MB. Goal: no long task over 100 ms after the initial load, under 300 MB heap.`,
    '',
  ];
  return lines.join('\n');
}

/** Replaces (or appends) this run's section (SECTION), up to the next "## " heading. */
function writeDocSection(markdown: string): void {
  const path = resolve(__dirname, '../../docs/performance.md');
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Performance\n\n';
  }
  const start = text.indexOf(SECTION);
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${markdown}`);
    return;
  }
  const nextHeading = text.indexOf('\n## ', start + 1);
  const rest = nextHeading < 0 ? '' : text.slice(nextHeading + 1);
  writeFileSync(path, `${text.slice(0, start)}${markdown}${rest ? `\n${rest}` : ''}`);
}
