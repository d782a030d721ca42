import { useMemo } from 'react';
import type uPlot from 'uplot';
import {
  useMetricsStore,
  type ChartWindow,
  type TeamDeskHistory,
} from '../../stores/metrics-store';
import { clockWithSeconds, seriesColor, themedAxes, useUplot, windowRange } from './use-uplot';

/** Colours for the desks' lines, light and dark variants in styles.css (--desk-1 … --desk-6). */
const DESK_COLOURS = ['#1f5fa8', '#b25e00', '#276b2b', '#8e24aa', '#00796b', '#6d4c41'];
const deskColour = (i: number): string =>
  seriesColor(`--desk-${(i % DESK_COLOURS.length) + 1}`, DESK_COLOURS[i % DESK_COLOURS.length]!);

/**
 * Each desk's colour, the same in both team charts: by the desk's place among every desk either
 * chart knows, sorted by name.
 */
export function useDeskColours(): (id: string) => string {
  const accepted = useMetricsStore((s) => s.teamHistory);
  const latency = useMetricsStore((s) => s.teamLatency);
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const d of [...(accepted ?? []), ...(latency ?? [])]) names.set(d.id, d.name);
    const order = [...names.entries()]
      .sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]))
      .map(([id]) => id);
    return (id: string) => deskColour(Math.max(0, order.indexOf(id)));
  }, [accepted, latency]);
}

const WINDOW_WORDS: Record<ChartWindow, string> = {
  60: 'last minute',
  600: 'last 10 minutes',
  3600: 'last hour',
};
/** Seconds per plotted point, as in this desk's chart. */
const RESOLUTION: Record<ChartWindow, number> = { 60: 1, 600: 10, 3600: 60 };

const rateText = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} /s`;
/** An average for the table: per minute when too small to read per second ("0.0 /s" would lie). */
const averageText = (v: number): string =>
  v > 0 && v < 0.1 ? `${(v * 60).toFixed(1)} /min` : rateText(v);

interface DeskRates {
  t: number[];
  perDesk: number[][];
  totals: number[];
}

/**
 * Each desk's per-second counts averaged into points of `step` seconds on one time axis; a step
 * with nothing accepted is a zero (the team's figures list only seconds with acceptances).
 */
function deskRates(desks: TeamDeskHistory[], step: number, from: number, nowS: number): DeskRates {
  const lastComplete = Math.floor(nowS / step) * step - step;
  const first = Math.ceil(from / step) * step;
  const t: number[] = [];
  for (let b = first; b <= lastComplete; b += step) t.push(b);
  const index = (s: number) => (Math.floor(s / step) * step - first) / step;
  const perDesk = desks.map(() => t.map(() => 0));
  const totals = desks.map(() => 0);
  desks.forEach((d, i) => {
    for (const p of d.points) {
      // The table counts every second of the window, the last unfinished point included.
      if (p.t / 1000 >= from) totals[i]! += p.accepted;
      const s = p.t / 1000;
      const k = index(s);
      if (k < 0 || k >= t.length) continue;
      perDesk[i]![k]! += p.accepted;
    }
  });
  return {
    t: t.map((b) => b + step),
    perDesk: perDesk.map((col) => col.map((n) => n / step)),
    totals,
  };
}

const NO_DESKS: TeamDeskHistory[] = [];

/** The team's documents accepted per second, one line per desk, with a legend and a table. */
export function TeamThroughputChart() {
  const desks = useMetricsStore((s) => s.teamHistory) ?? NO_DESKS;
  const readAt = useMetricsStore((s) => s.snapshot?.team?.readAt ?? null);
  const win = useMetricsStore((s) => s.window);
  const nowS = useMetricsStore((s) => Math.floor((s.snapshot?.at ?? 0) / 1000));
  const step = RESOLUTION[win];
  const rates = useMemo(() => deskRates(desks, step, nowS - win, nowS), [desks, step, nowS, win]);
  const data = useMemo<uPlot.AlignedData>(() => [rates.t, ...rates.perDesk], [rates]);
  const colourOf = useDeskColours();
  const deskKey = desks.map((d) => `${d.id}:${d.name}:${colourOf(d.id)}`).join('|');
  const ref = useUplot(
    () => ({
      scales: {
        x: {
          time: true,
          range: windowRange(win),
        },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: themedAxes('documents / s'),
      legend: { show: true, live: true },
      series: [
        { label: 'Time', value: (_u, v) => (v === null ? '—' : clockWithSeconds(v)) },
        ...desks.map((d) => ({
          label: d.name,
          stroke: colourOf(d.id),
          width: 2,
          // Lines only: a dot on every zero would hide which desk is which.
          points: { show: false },
          value: (_u: uPlot, v: number | null) => rateText(v),
        })),
      ],
    }),
    data,
    `${win} ${deskKey}`,
  );
  const teamTotal = rates.totals.reduce((a, b) => a + b, 0);
  return (
    <figure className="chart" data-testid="team-throughput-chart">
      <figcaption>
        Documents accepted per second by each desk of the team, {WINDOW_WORDS[win]}{' '}
        <span className="muted">
          {readAt === null
            ? '· waiting for the team database'
            : `· updated every few seconds, last at ${clockWithSeconds(readAt / 1000)}`}
        </span>{' '}
        {desks.map((d) => (
          <span key={d.id} className="legend-desk" data-testid="team-legend-desk">
            <span
              className="legend-swatch"
              style={{ background: colourOf(d.id) }}
              aria-hidden="true"
            />
            {d.name}
          </span>
        ))}
      </figcaption>
      <div ref={ref} className="chart-canvas" aria-hidden="true" />
      {desks.length === 0 ? (
        <p className="muted" data-testid="team-chart-empty">
          No desk of the team had documents accepted in the {WINDOW_WORDS[win]}.
        </p>
      ) : (
        <table className="latency-table" data-testid="team-desks-table">
          <caption className="latency-caption">Accepted, {WINDOW_WORDS[win]}</caption>
          <thead>
            <tr>
              <th scope="col">Desk</th>
              <th scope="col">Documents</th>
              <th scope="col">Average</th>
            </tr>
          </thead>
          <tbody>
            {desks.map((d, i) => (
              <tr key={d.id} data-testid="team-desk-row">
                <th scope="row">{d.name}</th>
                <td>{rates.totals[i]!.toLocaleString()}</td>
                <td>{averageText(rates.totals[i]! / win)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Whole team</th>
              <td data-testid="team-total">{teamTotal.toLocaleString()}</td>
              <td>{averageText(teamTotal / win)}</td>
            </tr>
          </tbody>
        </table>
      )}
    </figure>
  );
}
