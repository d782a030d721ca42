import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const HEIGHT = 140;
const DARK_QUERY = '(prefers-color-scheme: dark)';

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * Axis and grid colours from the theme, so the charts follow light and dark mode; the time axis
 * shows only the clock time (the windows are the last minute, 10 minutes or hour).
 */
export function themedAxes(yLabel: string, yValues?: (value: number) => string): uPlot.Axis[] {
  const stroke = cssVar('--text-muted', '#666');
  const grid = { stroke: cssVar('--grid', '#e6e6e0'), width: 1 };
  return [
    {
      stroke,
      grid,
      ticks: grid,
      size: 28,
      label: 'Local time',
      labelSize: 16,
      // Room for a clock time like "06:10:20 PM" between ticks.
      space: 90,
      // Seconds only when ticks are less than a minute apart (the 1-minute window), else each
      // tick of the last minute would read the same "06:10 PM".
      values: (_u, splits, _axis, _space, increment) =>
        splits.map((s) => (increment < 60 ? clockSeconds : clock).format(s * 1000)),
    },
    {
      stroke,
      grid,
      ticks: grid,
      size: 60,
      label: yLabel,
      labelSize: 16,
      ...(yValues ? { values: (_u: uPlot, splits: number[]) => splits.map(yValues) } : {}),
    },
  ];
}

/** The chosen window, ending now (uPlot would otherwise zoom out to fit one point). */
export function windowRange(seconds: number): uPlot.Range.Function {
  return () => {
    const end = Date.now() / 1000;
    return [end - seconds, end];
  };
}

/** A clock time with seconds, for hover values. */
export function clockWithSeconds(seconds: number): string {
  return clockSeconds.format(seconds * 1000);
}
const clockSeconds = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function seriesColor(name: string, fallback: string): string {
  return cssVar(name, fallback);
}

/** Bumps when the system switches between light and dark, so charts pick up the new colours. */
function useColorSchemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const query = window.matchMedia(DARK_QUERY);
    const onChange = () => setVersion((v) => v + 1);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return version;
}

/**
 * One uPlot instance per colour scheme: created once (and again when the theme changes), resized
 * with its container, fed with `setData` (cheap; no re-creation on every tick).
 */
export function useUplot(
  makeOptions: () => Omit<uPlot.Options, 'width' | 'height'>,
  data: uPlot.AlignedData,
  /** The chart is built again when this changes (e.g. the time window). */
  key: unknown = null,
) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The data of the last render, for a chart re-created when the theme changes.
  const latest = useRef(data);
  useEffect(() => {
    latest.current = data;
  }, [data]);
  const scheme = useColorSchemeVersion();

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const chart = new uPlot(
      { ...makeOptions(), width: el.clientWidth || 400, height: HEIGHT },
      latest.current,
      el,
    );
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0) chart.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Options are fixed for the life of the chart (per colour scheme); data flows through setData.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scheme, key]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return container;
}
