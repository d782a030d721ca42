/**
 * Preloaded into the browser host (`node --require`) by the end-to-end global setup: how long
 * the host's thread (the engine, the sandbox and the HTTP server all share it) was blocked.
 * Every 250 ms it appends one line to PEPPOL_DESK_LOOP_PROBE: the window's longest event-loop
 * delay (a turn that ran X ms delays everything that became due meanwhile by up to X ms: a
 * `documents:list` request waits that long before it is even read), its 99th percentile, the
 * event loop's utilisation and the process's CPU time. Native histogram, nothing per turn in
 * JavaScript: it costs the host nothing measurable. test/e2e/performance.spec.ts reads it.
 */
'use strict';
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { appendFileSync, writeFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const out = process.env.PEPPOL_DESK_LOOP_PROBE;
// `--require` runs in every worker thread too (validation, checkpoints): only the host's thread.
if (out && isMainThread) {
  const WINDOW_MS = 250;
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  writeFileSync(out, '');
  const timer = setInterval(() => {
    const nowElu = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(nowElu, elu);
    elu = nowElu;
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const line = {
      t: Date.now(),
      maxMs: histogram.max / 1e6,
      p99Ms: histogram.percentile(99) / 1e6,
      elu: window.utilization,
      cpuMs: (used.user + used.system) / 1000,
    };
    histogram.reset();
    try {
      appendFileSync(out, `${JSON.stringify(line)}\n`);
    } catch {
      clearInterval(timer);
    }
  }, WINDOW_MS);
  timer.unref();
}
