import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { Stage } from '../../../../app/contract';
import { formatChange, formatDuration } from '../../lib/format';
import { CHART_WINDOWS, useMetricsStore, type ChartWindow } from '../../stores/metrics-store';
import { useConnectionStore } from '../../stores/connection-store';
import { TeamThroughputChart } from './team-chart';
import { TeamLatencyChart } from './team-latency-chart';
import { bucketRates, recentRate, toSeconds } from './rates';
import { clockWithSeconds, seriesColor, themedAxes, useUplot, windowRange } from './use-uplot';

const STAGES: { stage: Stage; label: string }[] = [
  { stage: 'validate', label: 'Checking' },
  { stage: 'lookup', label: 'Finding receiver' },
  { stage: 'send', label: 'Sending' },
  { stage: 'delivery', label: 'Delivery' },
];

const WINDOW_WORDS: Record<ChartWindow, string> = {
  60: 'last minute',
  600: 'last 10 minutes',
  3600: 'last hour',
};
const WINDOW_BUTTONS: Record<ChartWindow, string> = { 60: '1 min', 600: '10 min', 3600: '60 min' };
/** Seconds per plotted point: a point per second for a minute, per 10 s for 10 min, per minute for an hour. */
const RESOLUTION: Record<ChartWindow, number> = { 60: 1, 600: 10, 3600: 60 };
/** Latency is measured per 10-second interval. */
const LATENCY_STEP_S = 10;

const rateText = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} /s`;
const msText = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : formatDuration(v);

/** "Now" as the engine last said (metrics:tick comes every second), in seconds. */
function useNowSeconds(): number {
  const at = useMetricsStore((s) => s.snapshot?.at ?? 0);
  return Math.floor(at / 1000);
}

/**
 * "(since 2:38 PM, when Peppol Desk started)" while this run of the desk began inside the last
 * `windowS` seconds: the figures of an earlier run are not kept, and the window's words alone
 * ("last 10 minutes") would say that nothing was sent in it before.
 */
function SinceStart({ windowS, testId }: { windowS: number; testId: string }) {
  const since = useMetricsStore((s) => s.snapshot?.since);
  const nowS = useNowSeconds();
  if (since === undefined || since / 1000 <= nowS - windowS) return null;
  return <span data-testid={testId}> (since {formatChange(since)}, when Peppol Desk started)</span>;
}

function ThroughputChart() {
  const history = useMetricsStore((s) => s.throughputHistory);
  const win = useMetricsStore((s) => s.window);
  const nowS = useNowSeconds();
  const step = RESOLUTION[win];
  const rates = useMemo(
    () => bucketRates(history, step, nowS - win, nowS),
    [history, step, nowS, win],
  );
  const data = useMemo<uPlot.AlignedData>(() => [rates.t, rates.accepted, rates.failed], [rates]);
  const ref = useUplot(
    () => ({
      scales: {
        x: { time: true, range: windowRange(win) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: themedAxes('documents / s'),
      // Hover shows the values under the cursor in the legend line below the chart.
      legend: { show: true, live: true },
      series: [
        { label: 'Time', value: (_u, v) => (v === null ? '—' : clockWithSeconds(v)) },
        {
          label: 'Accepted',
          stroke: seriesColor('--ok', '#2e7d32'),
          width: 2,
          fill: seriesColor('--ok-fill', 'rgba(46,125,50,0.12)'),
          value: (_u, v) => rateText(v),
        },
        {
          label: 'Failed',
          stroke: seriesColor('--danger', '#c62828'),
          width: 1.5,
          value: (_u, v) => rateText(v),
        },
      ],
    }),
    data,
    win,
  );
  // "Now": the whole seconds just before the engine's last tick (the chart's points wait for
  // their bucket to end, up to `step` seconds more).
  const now = useMemo(() => recentRate(history, step, nowS), [history, step, nowS]);
  return (
    <figure className="chart" data-testid="throughput-chart">
      <figcaption>
        Documents accepted per second, {WINDOW_WORDS[win]}
        <SinceStart windowS={win} testId="throughput-since" />{' '}
        <span className="muted" data-testid="throughput-now">
          · now {rateText(now)}
          {step > 1 ? ` (average of the last ${step} s)` : ''}
        </span>
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
  const win = useMetricsStore((s) => s.window);
  const nowS = useNowSeconds();
  const data = useMemo<uPlot.AlignedData>(() => {
    // Intervals without documents are gaps (null), never a latency of zero.
    const xs: number[] = [];
    const cols: (number | null)[][] = [[], [], []];
    let prev: number | null = null;
    for (const p of history) {
      const t = toSeconds(p.at);
      if (t < nowS - win) continue;
      if (prev !== null && t - prev > LATENCY_STEP_S) {
        xs.push(prev + LATENCY_STEP_S);
        for (const c of cols) c.push(null);
      }
      const l = p.latency[stage];
      xs.push(t);
      cols[0]!.push(l.count > 0 ? l.p50 : null);
      cols[1]!.push(l.count > 0 ? l.p95 : null);
      cols[2]!.push(l.count > 0 ? l.p99 : null);
      prev = t;
    }
    return [xs, ...cols] as uPlot.AlignedData;
  }, [history, stage, nowS, win]);
  const ref = useUplot(
    () => ({
      scales: {
        x: { time: true, range: windowRange(win) },
        y: { range: (_u, _min, max) => [0, Math.max(10, max ?? 10)] },
      },
      axes: themedAxes('duration', (v) => formatDuration(v)),
      legend: { show: true, live: true },
      series: [
        { label: 'Time', value: (_u, v) => (v === null ? '—' : clockWithSeconds(v)) },
        {
          label: 'Median',
          stroke: seriesColor('--accent', '#1565c0'),
          width: 2,
          value: (_u, v) => msText(v),
        },
        {
          label: '95%',
          stroke: seriesColor('--warn', '#ef6c00'),
          width: 1.5,
          value: (_u, v) => msText(v),
        },
        {
          label: '99%',
          stroke: seriesColor('--danger', '#c62828'),
          width: 1.5,
          dash: [4, 4],
          value: (_u, v) => msText(v),
        },
      ],
    }),
    data,
    win,
  );
  // "Now" is the line's last point if it is from the current or the previous 10 s (the current
  // one may have just begun); older than that the line has ended in a gap, and so says "now —".
  const lastMedian = useMemo(() => {
    const [xs, medians] = data as [number[], (number | null)[]];
    const recent = Math.floor(nowS / LATENCY_STEP_S) * LATENCY_STEP_S - LATENCY_STEP_S;
    for (let i = xs.length - 1; i >= 0 && xs[i]! >= recent; i--) {
      if (medians[i] !== null && medians[i] !== undefined) return medians[i]!;
    }
    return null;
  }, [data, nowS]);
  const stageWords = STAGES.find((s) => s.stage === stage)!.label.toLowerCase();
  return (
    <figure className="chart" data-testid="latency-chart">
      <figcaption>
        Time per step, {WINDOW_WORDS[win]}
        <SinceStart windowS={win} testId="latency-since" />{' '}
        <span className="muted" data-testid="latency-now">
          · now{' '}
          {lastMedian === null
            ? '— (no documents in the last few seconds)'
            : `${msText(lastMedian)} median ${stageWords}`}
        </span>
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
      </figcaption>
      <div className="latency-body">
        <div ref={ref} className="chart-canvas" aria-hidden="true" />
        {snapshot && (
          <table className="latency-table">
            <caption className="latency-caption">
              Last 10 minutes
              <SinceStart windowS={600} testId="latency-table-since" />
            </caption>
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

/** One time window for both charts. */
function WindowPicker() {
  const win = useMetricsStore((s) => s.window);
  const setWindow = useMetricsStore((s) => s.setWindow);
  return (
    <span className="stage-picker" role="group" aria-label="Time window">
      {CHART_WINDOWS.map((w) => (
        <button
          key={w}
          type="button"
          className={`chip${win === w ? ' is-active' : ''}`}
          aria-pressed={win === w}
          data-testid={`chart-window-${w}`}
          onClick={() => setWindow(w)}
        >
          {WINDOW_BUTTONS[w]}
        </button>
      ))}
    </span>
  );
}

const OPEN_KEY = 'peppol-desk.performance-open';

/**
 * The window height (CSS px) from which the open panel still leaves the list 12 rows: the header,
 * drop zone, filters and table head take about 215 px, the open panel about 390, a row 40. Below
 * it the panel starts folded (at 1280×800 it left 4 rows).
 */
const ROOM_FOR_PANEL_AND_LIST = 1100;

/** Whether the Performance panel was left open; the first time, open only in a tall window. */
function wasOpen(): boolean {
  try {
    const stored = localStorage.getItem(OPEN_KEY);
    if (stored !== null) return stored === 'true';
  } catch {
    // Storage unavailable: decide by the window.
  }
  return window.innerHeight >= ROOM_FOR_PANEL_AND_LIST;
}

/** Throughput and latency, fed by `metrics:tick`; collapsible, and remembered across restarts. */
export function MetricsCharts() {
  const [open, setOpen] = useState(wasOpen);
  // On a team outbox: this desk's own charts, or the team's accepted documents per desk.
  const team = useConnectionStore((s) => s.status?.team ?? null);
  const [view, setView] = useState<'desk' | 'team'>('desk');
  const showTeam = team !== null && view === 'team';
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
      <summary data-testid="performance-toggle">
        Performance
        {team && !showTeam && (
          <span data-testid="performance-this-desk" title={team.deskName}>
            {' '}
            — This desk
          </span>
        )}
        {showTeam && <span data-testid="performance-team"> — Team</span>}
      </summary>
      <div className="charts-window">
        {team && (
          <span className="stage-picker" role="group" aria-label="Whose figures">
            {(
              [
                ['desk', 'This desk'],
                ['team', 'Team'],
              ] as const
            ).map(([v, label]) => (
              <button
                key={v}
                type="button"
                className={`chip${view === v ? ' is-active' : ''}`}
                aria-pressed={view === v}
                data-testid={`chart-view-${v}`}
                onClick={() => setView(v)}
              >
                {label}
              </button>
            ))}
          </span>
        )}{' '}
        Show <WindowPicker />
      </div>
      {showTeam ? (
        <section className="charts charts-team" aria-label="Performance of the team">
          <TeamThroughputChart />
          <TeamLatencyChart />
        </section>
      ) : (
        <section className="charts" aria-label={team ? 'Performance of this desk' : 'Performance'}>
          <ThroughputChart />
          <LatencyChart />
        </section>
      )}
    </details>
  );
}
