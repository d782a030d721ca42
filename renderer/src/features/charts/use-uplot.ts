import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const HEIGHT = 130;

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Axis and grid colours from the theme, so the charts follow light and dark mode. */
export function themedAxes(): uPlot.Axis[] {
  const stroke = cssVar('--text-muted', '#666');
  const grid = { stroke: cssVar('--border', '#ddd'), width: 1 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, size: 50 },
  ];
}

export function seriesColor(name: string, fallback: string): string {
  return cssVar(name, fallback);
}

/**
 * One uPlot instance for the life of the component: created once, resized with its container,
 * fed with `setData` (cheap; no re-creation on every tick).
 */
export function useUplot(
  makeOptions: () => Omit<uPlot.Options, 'width' | 'height'>,
  data: uPlot.AlignedData,
) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const chart = new uPlot(
      { ...makeOptions(), width: el.clientWidth || 400, height: HEIGHT },
      data,
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
    // Options are fixed for the life of the chart; data flows through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return container;
}
