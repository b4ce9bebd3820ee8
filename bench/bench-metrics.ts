// Turns the raw per-target measurements of one run into the rows the report prints: absolute
// values per target, the three ratios, and the targets poolgate must meet (DESIGN "Performance
// rules"). Pure: no I/O, no clocks; run.ts measures, report.ts formats.

import type { BenchOptions, TargetName, TestName } from "./bench-options.ts";
import type { LoadResult } from "./load.ts";

/** What one target produced in one test. */
export interface TargetRun {
  load: LoadResult;
  /** CPU ms spent during the test by the upstream and (passthrough, poolgate) the proxy process. */
  /** proxyLoop: the proxy's main thread (event loop) alone. */
  cpuMs: { upstream: number; proxy?: number; proxyLoop?: number };
  /** hold test only: VmRSS in KiB before the streams opened and at their peak. */
  rssKiB?: { upstreamBefore: number; upstreamPeak: number; proxyBefore?: number; proxyPeak?: number };
}

export type RawResults = Partial<Record<TestName, Partial<Record<TargetName, TargetRun | { failed: string }>>>>;

export interface Ratios {
  poolgateToPassthrough?: number;
  poolgateToDirect?: number;
  passthroughToDirect?: number;
}

export interface Metric {
  test: TestName;
  name: string;
  values: Partial<Record<TargetName, number>>;
  /** False for differences and counts, where a ratio means nothing. */
  hasRatios: boolean;
  ratios: Ratios;
  /** The figure poolgate must reach, and whether this run reached it (undefined: not measured). */
  target?: { label: string; pass?: boolean };
}

export const TEST_TITLES: Record<TestName, string> = {
  json: "small non-stream POST",
  sse: "SSE stream",
  slow: "slow stream",
  hold: "concurrent open streams",
};

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? undefined : a / b;
}

function row(test: TestName, name: string, values: Metric["values"], hasRatios = true, target?: Metric["target"]): Metric {
  const ratios: Ratios = hasRatios
    ? {
        poolgateToPassthrough: ratio(values.poolgate, values.passthrough),
        poolgateToDirect: ratio(values.poolgate, values.direct),
        passthroughToDirect: ratio(values.passthrough, values.direct),
      }
    : {};
  return { test, name, values, hasRatios, ratios, target };
}

function isRun(value: TargetRun | { failed: string } | undefined): value is TargetRun {
  return value !== undefined && "load" in value;
}

/** Applies `pick` to every target that ran; missing targets stay absent. */
function per(runs: RawResults[TestName], pick: (run: TargetRun, target: TargetName) => number | undefined): Metric["values"] {
  const values: Metric["values"] = {};
  for (const [target, run] of Object.entries(runs ?? {}) as [TargetName, TargetRun | { failed: string }][]) {
    if (!isRun(run)) continue;
    const value = pick(run, target);
    if (value !== undefined && Number.isFinite(value)) values[target] = value;
  }
  return values;
}

function throughputRows(test: "json" | "sse", runs: RawResults["json"], unit: string): Metric[] {
  const rate = per(runs, (r) => r.load.perSecond);
  const perRequestUs = (ms: number | undefined, r: TargetRun) => (ms === undefined ? undefined : (ms * 1000) / Math.max(1, r.load.finished));
  return [
    row(test, `${unit}/s`, rate, true, {
      label: "poolgate >= 0.85 x passthrough",
      pass: rate.poolgate !== undefined && rate.passthrough !== undefined ? rate.poolgate >= 0.85 * rate.passthrough : undefined,
    }),
    row(test, "latency p50 (ms)", per(runs, (r) => r.load.latency?.p50)),
    row(test, "latency p99 (ms)", per(runs, (r) => r.load.latency?.p99)),
    row(test, `proxy CPU per ${unit.replace(/s$/, "")} (us)`, per(runs, (r) => perRequestUs(r.cpuMs.proxy, r))),
    row(test, `  of it on the event loop (us)`, per(runs, (r) => perRequestUs(r.cpuMs.proxyLoop, r))),
    row(test, `upstream CPU per ${unit.replace(/s$/, "")} (us)`, per(runs, (r) => perRequestUs(r.cpuMs.upstream, r))),
    row(test, "errors", per(runs, (r) => r.load.errors), false),
  ];
}

function slowRows(runs: RawResults["slow"]): Metric[] {
  const addedMean = per(runs, (r) => r.load.addedDelay?.mean);
  const addedP99 = per(runs, (r) => r.load.addedDelay?.p99);
  const within = (v: number | undefined) => (v === undefined ? undefined : v <= 2);
  return [
    row("slow", "time to first byte mean (ms)", per(runs, (r) => r.load.ttfb?.mean)),
    row("slow", "time to first byte p99 (ms)", per(runs, (r) => r.load.ttfb?.p99)),
    row("slow", "added time to first byte mean (ms)", per(runs, (r) => r.load.addedTtfb?.mean), false),
    row("slow", "chunk latency mean (ms)", per(runs, (r) => r.load.chunkLatency?.mean)),
    row("slow", "chunk latency p99 (ms)", per(runs, (r) => r.load.chunkLatency?.p99)),
    row("slow", "added chunk delay mean (ms)", addedMean, false, { label: "poolgate <= 2 ms", pass: within(addedMean.poolgate) }),
    row("slow", "added chunk delay p99 (ms)", addedP99, false, { label: "poolgate <= 2 ms", pass: within(addedP99.poolgate) }),
    row("slow", "inter-chunk gap p99 (ms)", per(runs, (r) => r.load.gap?.p99)),
    row("slow", "streams completed", per(runs, (r) => r.load.completed), false),
    row("slow", "errors", per(runs, (r) => r.load.errors), false),
  ];
}

function holdRows(runs: RawResults["hold"], streams: number): Metric[] {
  const errors = per(runs, (r) => r.load.errors + (streams - r.load.completed - r.load.errors));
  const perStream = (before: number | undefined, peak: number | undefined) =>
    before === undefined || peak === undefined ? undefined : (peak - before) / streams;
  return [
    row("hold", "streams open at peak", per(runs, (r) => r.load.peakOpen), false),
    row("hold", "errors (failed or unfinished)", errors, false, {
      label: `poolgate: 0 of ${streams}`,
      pass: errors.poolgate === undefined ? undefined : errors.poolgate === 0,
    }),
    row("hold", "ms until peak open", per(runs, (r) => r.load.peakOpenAtMs)),
    row("hold", "proxy RSS at peak (MiB)", per(runs, (r) => (r.rssKiB?.proxyPeak === undefined ? undefined : r.rssKiB.proxyPeak / 1024))),
    row("hold", "proxy RSS per stream (KiB)", per(runs, (r) => perStream(r.rssKiB?.proxyBefore, r.rssKiB?.proxyPeak))),
    row("hold", "upstream RSS per stream (KiB)", per(runs, (r) => perStream(r.rssKiB?.upstreamBefore, r.rssKiB?.upstreamPeak))),
  ];
}

export function buildMetrics(raw: RawResults, options: BenchOptions): Metric[] {
  const metrics: Metric[] = [];
  if (raw.json) metrics.push(...throughputRows("json", raw.json, "requests"));
  if (raw.sse) metrics.push(...throughputRows("sse", raw.sse, "streams"));
  if (raw.slow) metrics.push(...slowRows(raw.slow));
  if (raw.hold) metrics.push(...holdRows(raw.hold, options.holdStreams));
  return metrics;
}
