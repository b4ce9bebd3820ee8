// A time-series chart drawn with uPlot: resizes with its container and follows the theme
// (colours come from CSS variables) and the locale (time labels, legend readout via Intl).
// Series values are plain arrays aligned with the x axis.

import { createEffect, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatAxisTimes, formatCursorTime } from "../lib/chart-time.ts";
import { formatNumber } from "../lib/format.ts";

const HEIGHT = 220;

export interface ChartSeries {
  label: string;
  values: number[];
  /** A CSS variable name such as "--chart-ok". */
  colorVar: string;
}

export function Chart(props: { x: number[]; series: ChartSeries[]; title: string; theme: string; locale: string; timeLabel: string; formatValue?: (v: number) => string; testid?: string }) {
  let host!: HTMLDivElement;
  let plot: uPlot | undefined;
  const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
  const build = () => {
    plot?.destroy();
    const locale = props.locale;
    const axis = { stroke: css("--muted"), grid: { stroke: css("--border"), width: 1 }, ticks: { stroke: css("--border") } };
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height: HEIGHT,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      // uPlot's x values and tick increments are in seconds (x is passed as t / 1000).
      axes: [
        { ...axis, values: (_u, ticks, _axis, _space, increment) => formatAxisTimes(ticks.map((t) => t * 1000), increment * 1000, locale) },
        { ...axis, values: (_u, ticks) => ticks.map((v) => (props.formatValue ? props.formatValue(v) : String(v))) },
      ],
      series: [
        { label: props.timeLabel, value: (_u, v) => formatCursorTime(v === null ? null : v * 1000, locale) },
        ...props.series.map((s) => ({
          label: s.label,
          stroke: css(s.colorVar),
          width: 2,
          fill: css(s.colorVar) + "22",
          points: { show: false },
          value: (_u: uPlot, v: number | null) => formatNumber(v, locale),
        })),
      ],
    };
    plot = new uPlot(opts, [props.x.map((t) => t / 1000), ...props.series.map((s) => s.values)], host);
  };
  onMount(() => {
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(200, host.clientWidth), height: HEIGHT }));
    observer.observe(host);
    onCleanup(() => {
      observer.disconnect();
      plot?.destroy();
    });
  });
  createEffect(() => {
    void props.theme;
    void props.locale;
    void props.series.map((s) => s.label);
    void props.x;
    build();
  });
  return <div class="chart" ref={host} role="img" aria-label={props.title} data-testid={props.testid} />;
}
