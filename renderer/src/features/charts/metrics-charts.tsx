import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { Stage } from '../../../../app/contract';
import { formatDuration } from '../../lib/format';
import { useMetricsStore } from '../../stores/metrics-store';
import { seriesColor, themedAxes, useUplot } from './use-uplot';

const STAGES: { stage: Stage; label: string }[] = [
  { stage: 'validate', label: 'Checking' },
  { stage: 'lookup', label: 'Finding receiver' },
  { stage: 'send', label: 'Sending' },
  { stage: 'delivery', label: 'Delivery' },
];

/** Engine timestamps are milliseconds; uPlot wants seconds. Tolerate either. */
const toSeconds = (t: number): number => (t > 1e11 ? t / 1000 : t);

const WINDOW_SECONDS = 600;
/** Always show the last ten minutes, even with one point (uPlot would otherwise zoom out to years). */
const lastTenMinutes: uPlot.Range.Function = (_u, _min, max) => {
  const end = max ?? Date.now() / 1000;
  return [end - WINDOW_SECONDS, end];
};

function ThroughputChart() {
  const snapshot = useMetricsStore((s) => s.snapshot);
  const data = useMemo<uPlot.AlignedData>(() => {
    const buckets = snapshot?.throughput ?? [];
    return [
      buckets.map((b) => toSeconds(b.t)),
      buckets.map((b) => b.accepted),
      buckets.map((b) => b.failed),
    ];
  }, [snapshot]);
  const ref = useUplot(
    () => ({
      scales: {
        x: { time: true, range: lastTenMinutes },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: themedAxes(),
      // The caption says what the lines are; the hover legend only adds clutter here.
      legend: { show: false },
      series: [
        {},
        {
          label: 'Accepted / s',
          stroke: seriesColor('--ok', '#2e7d32'),
          width: 2,
          fill: seriesColor('--ok-fill', 'rgba(46,125,50,0.12)'),
        },
        { label: 'Failed / s', stroke: seriesColor('--danger', '#c62828'), width: 1.5 },
      ],
    }),
    data,
  );
  const last = snapshot?.throughput.slice(-10) ?? [];
  const rate = last.length ? last.reduce((a, b) => a + b.accepted, 0) / last.length : 0;
  return (
    <figure className="chart" data-testid="throughput-chart">
      <figcaption>
        Throughput, last 10 minutes{' '}
        <span className="muted">· now {rate.toFixed(1)} documents/s</span>
        <span className="legend-ok">Accepted</span>
        <span className="legend-failed">Failed</span>
      </figcaption>
      <div ref={ref} className="chart-canvas" aria-hidden="true" />
    </figure>
  );
}

function LatencyChart() {
  const history = useMetricsStore((s) => s.latencyHistory);
  const stage = useMetricsStore((s) => s.stage);
  const setStage = useMetricsStore((s) => s.setStage);
  const snapshot = useMetricsStore((s) => s.snapshot);
  const data = useMemo<uPlot.AlignedData>(
    () => [
      history.map((p) => toSeconds(p.at)),
      history.map((p) => p.latency[stage].p50),
      history.map((p) => p.latency[stage].p95),
      history.map((p) => p.latency[stage].p99),
    ],
    [history, stage],
  );
  const ref = useUplot(
    () => ({
      scales: {
        x: { time: true, range: lastTenMinutes },
        y: { range: (_u, _min, max) => [0, Math.max(10, max)] },
      },
      axes: themedAxes(),
      // The caption carries the legend; uPlot's hover legend only adds a row of dashes here.
      legend: { show: false },
      series: [
        {},
        { label: 'p50 ms', stroke: seriesColor('--accent', '#1565c0'), width: 2 },
        { label: 'p95 ms', stroke: seriesColor('--warn', '#ef6c00'), width: 1.5 },
        { label: 'p99 ms', stroke: seriesColor('--danger', '#c62828'), width: 1.5, dash: [4, 4] },
      ],
    }),
    data,
  );
  return (
    <figure className="chart" data-testid="latency-chart">
      <figcaption>
        Time per step, last 10 minutes
        <span className="stage-picker" role="group" aria-label="Step">
          {STAGES.map((s) => (
            <button
              key={s.stage}
              type="button"
              className={`chip${stage === s.stage ? ' is-active' : ''}`}
              aria-pressed={stage === s.stage}
              onClick={() => setStage(s.stage)}
            >
              {s.label}
            </button>
          ))}
        </span>
        <span className="legend-p50">Median</span>
        <span className="legend-p95">95%</span>
        <span className="legend-p99">99%</span>
      </figcaption>
      <div className="latency-body">
        <div ref={ref} className="chart-canvas" aria-hidden="true" />
        {snapshot && (
          <table className="latency-table">
            <caption className="visually-hidden">Time per step, last 10 minutes</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Median</th>
                <th scope="col">95%</th>
                <th scope="col">99%</th>
                <th scope="col">Count</th>
              </tr>
            </thead>
            <tbody>
              {STAGES.map(({ stage: st, label }) => {
                const l = snapshot.latency[st];
                return (
                  <tr key={st}>
                    <th scope="row">{label}</th>
                    <td>{l.count ? formatDuration(l.p50) : '—'}</td>
                    <td>{l.count ? formatDuration(l.p95) : '—'}</td>
                    <td>{l.count ? formatDuration(l.p99) : '—'}</td>
                    <td>{l.count.toLocaleString()}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </figure>
  );
}

const OPEN_KEY = 'peppol-desk.performance-open';

/** Whether the Performance panel was left open; the first time, open unless the window is short. */
function wasOpen(): boolean {
  try {
    const stored = localStorage.getItem(OPEN_KEY);
    if (stored !== null) return stored === 'true';
  } catch {
    // Storage unavailable: decide by the window.
  }
  return window.innerHeight >= 800;
}

/** Throughput and latency, fed by `metrics:tick`; collapsible, and remembered across restarts. */
export function MetricsCharts() {
  const [open, setOpen] = useState(wasOpen);
  return (
    <details
      className="charts-region"
      data-testid="performance"
      open={open}
      onToggle={(e) => {
        const now = e.currentTarget.open;
        setOpen(now);
        try {
          localStorage.setItem(OPEN_KEY, String(now));
        } catch {
          // Storage unavailable (private mode): the panel simply opens next time.
        }
      }}
    >
      <summary data-testid="performance-toggle">Performance</summary>
      <section className="charts" aria-label="Performance">
        <ThroughputChart />
        <LatencyChart />
      </section>
    </details>
  );
}
