import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { TeamDeskLatency } from '../../../../app/contract';
import { formatDuration } from '../../lib/format';
import { useMetricsStore, type ChartWindow } from '../../stores/metrics-store';
import { useDeskColours } from './team-chart';
import { clockWithSeconds, themedAxes, useUplot, windowRange } from './use-uplot';

const WINDOW_WORDS: Record<ChartWindow, string> = {
  60: 'last minute',
  600: 'last 10 minutes',
  3600: 'last hour',
};
/** Each desk publishes one point per 10 seconds with sends. */
const STEP_S = 10;

const msText = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : formatDuration(v);

type Point = TeamDeskLatency['points'][number];

interface DeskRow {
  id: string;
  name: string;
  sends: number;
  latest: Point | null;
  slowest: number | null;
}

/** The points of each desk inside the window (an interval that overlaps it counts). */
function inWindow(desks: TeamDeskLatency[], fromS: number): TeamDeskLatency[] {
  return desks.map((d) => ({ ...d, points: d.points.filter((p) => p.t / 1000 + STEP_S > fromS) }));
}

/** One time axis for every desk's median per interval; a desk without sends then is a gap. */
function alignMedians(desks: TeamDeskLatency[]): uPlot.AlignedData {
  const times = [...new Set(desks.flatMap((d) => d.points.map((p) => p.t / 1000)))].sort(
    (a, b) => a - b,
  );
  const cols = desks.map((d) => {
    const at = new Map(d.points.map((p) => [p.t / 1000, p.p50]));
    return times.map((t) => at.get(t) ?? null);
  });
  return [times, ...cols] as uPlot.AlignedData;
}

const NO_DESKS: TeamDeskLatency[] = [];

/**
 * How long each desk of the team waits for the access point to answer a send: the median of each
 * 10 seconds per desk, as every desk publishes it to the team database, with a table of the
 * latest figures and the slowest in the window.
 */
export function TeamLatencyChart() {
  const all = useMetricsStore((s) => s.teamLatency) ?? NO_DESKS;
  const win = useMetricsStore((s) => s.window);
  const nowS = useMetricsStore((s) => Math.floor((s.snapshot?.at ?? 0) / 1000));
  const desks = useMemo(
    () => inWindow(all, nowS - win).filter((d) => d.points.length > 0),
    [all, nowS, win],
  );
  const data = useMemo(() => alignMedians(desks), [desks]);
  const rows = useMemo<DeskRow[]>(
    () =>
      desks.map((d) => ({
        id: d.id,
        name: d.name,
        sends: d.points.reduce((n, p) => n + p.count, 0),
        latest: d.points[d.points.length - 1] ?? null,
        slowest: d.points.length ? Math.max(...d.points.map((p) => p.p95)) : null,
      })),
    [desks],
  );
  const colourOf = useDeskColours();
  const deskKey = desks.map((d) => `${d.id}:${d.name}:${colourOf(d.id)}`).join('|');
  const ref = useUplot(
    () => ({
      scales: {
        x: {
          time: true,
          range: windowRange(win),
        },
        y: { range: (_u, _min, max) => [0, Math.max(10, max ?? 10)] },
      },
      axes: themedAxes('duration', (v) => formatDuration(v)),
      legend: { show: true, live: true },
      series: [
        { label: 'Time', value: (_u, v) => (v === null ? '—' : clockWithSeconds(v)) },
        ...desks.map((d) => ({
          label: d.name,
          stroke: colourOf(d.id),
          width: 2,
          value: (_u: uPlot, v: number | null) => msText(v),
        })),
      ],
    }),
    data,
    `${win} ${deskKey}`,
  );
  return (
    <figure className="chart" data-testid="team-latency-chart">
      <figcaption>
        Time each desk of the team waits for the access point to answer a send (median of each 10
        seconds), {WINDOW_WORDS[win]}
      </figcaption>
      <div ref={ref} className="chart-canvas" aria-hidden="true" />
      {rows.length === 0 ? (
        <p className="muted" data-testid="team-latency-empty">
          No desk of the team sent documents in the {WINDOW_WORDS[win]}.
        </p>
      ) : (
        <table className="latency-table" data-testid="team-latency-table">
          <caption className="latency-caption">
            Send time per desk, {WINDOW_WORDS[win]}: its latest 10 seconds with sends, and its
            slowest
          </caption>
          <thead>
            <tr>
              <th scope="col">Desk</th>
              <th scope="col">Sends</th>
              <th scope="col">Latest median</th>
              <th scope="col">Latest 95%</th>
              <th scope="col">Slowest 95%</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="team-latency-row">
                <th scope="row">{r.name}</th>
                <td>{r.sends.toLocaleString()}</td>
                <td>{msText(r.latest?.p50)}</td>
                <td>{msText(r.latest?.p95)}</td>
                <td>{msText(r.slowest)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
