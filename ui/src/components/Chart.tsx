// A time-series chart drawn with uPlot: resizes with its container and follows the theme
// (colours come from CSS variables). Series values are plain arrays aligned with the x axis.

import { createEffect, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: number[];
  /** A CSS variable name such as "--chart-ok". */
  colorVar: string;
}

export function Chart(props: { x: number[]; series: ChartSeries[]; title: string; height?: number; theme: string; formatValue?: (v: number) => string; testid?: string }) {
  let host!: HTMLDivElement;
  let plot: uPlot | undefined;
  const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
  const build = () => {
    plot?.destroy();
    const axis = { stroke: css("--muted"), grid: { stroke: css("--border"), width: 1 }, ticks: { stroke: css("--border") } };
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height: props.height ?? 220,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((v) => (props.formatValue ? props.formatValue(v) : String(v))) }],
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: css(s.colorVar), width: 2, fill: css(s.colorVar) + "22", points: { show: false } }))],
    };
    plot = new uPlot(opts, [props.x.map((t) => t / 1000), ...props.series.map((s) => s.values)], host);
  };
  onMount(() => {
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(200, host.clientWidth), height: props.height ?? 220 }));
    observer.observe(host);
    onCleanup(() => {
      observer.disconnect();
      plot?.destroy();
    });
  });
  createEffect(() => {
    void props.theme;
    void props.series.map((s) => s.label);
    void props.x;
    build();
  });
  return <div class="chart" ref={host} role="img" aria-label={props.title} data-testid={props.testid} />;
}
