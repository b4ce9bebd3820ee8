// Formats one run's metrics as the plain-text table printed to stdout: absolute figures per
// target, the ratios poolgate/passthrough, poolgate/direct, passthrough/direct, and each target
// with PASS/FAIL. Pure string building; what is measured is decided in bench-metrics.ts.

import { TARGET_NAMES, type TargetName, type TestName } from "./bench-options.ts";
import { TEST_TITLES, type Metric } from "./bench-metrics.ts";

export interface ReportContext {
  /** One line each: machine, load average, limits, options. */
  header: string[];
  /** Targets that could not run at all, with why. */
  unavailable: Partial<Record<TargetName, string>>;
  /** Per test and target, why that measurement failed. */
  failures: string[];
  /** Extra lines printed after the table (notes, sanity checks). */
  notes: string[];
}

function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : `${value.toFixed(2)}x`;
}

function verdict(target: Metric["target"]): string {
  if (!target) return "";
  const state = target.pass === undefined ? "n/a" : target.pass ? "PASS" : "FAIL";
  return `${state}  (${target.label})`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) =>
    r
      .map((cell, col) => (col === 0 || col === r.length - 1 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join("  ")
      .trimEnd(),
  );
}

export function formatReport(metrics: Metric[], context: ReportContext): string {
  const lines = ["poolgate benchmark", ...context.header.map((h) => `  ${h}`), ""];
  for (const target of TARGET_NAMES) {
    const reason = context.unavailable[target];
    if (reason) lines.push(`  ${target}: unavailable: ${reason}`);
  }
  for (const failure of context.failures) lines.push(`  failed: ${failure}`);
  if (lines[lines.length - 1] !== "") lines.push("");

  const head = ["metric", ...TARGET_NAMES, "pg/pt", "pg/direct", "pt/direct", "target"];
  let currentTest: TestName | undefined;
  const rows: string[][] = [head];
  for (const metric of metrics) {
    if (metric.test !== currentTest) {
      currentTest = metric.test;
      rows.push([`[${metric.test}] ${TEST_TITLES[metric.test]}`, "", "", "", "", "", "", ""]);
    }
    rows.push([
      `  ${metric.name}`,
      ...TARGET_NAMES.map((t) => formatNumber(metric.values[t])),
      ...(metric.hasRatios
        ? [metric.ratios.poolgateToPassthrough, metric.ratios.poolgateToDirect, metric.ratios.passthroughToDirect].map(formatRatio)
        : ["", "", ""]),
      verdict(metric.target),
    ]);
  }
  lines.push(...table(rows));
  if (context.notes.length) lines.push("", ...context.notes.map((n) => `  ${n}`));
  return lines.join("\n") + "\n";
}
