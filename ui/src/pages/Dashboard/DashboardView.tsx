// The dashboard: warning banner, cards with the trend against the previous period, the range
// picker and group filter, and the request and token charts.

import { For, Show } from "solid-js";
import type { Group } from "../../api/groups.ts";
import { RANGES, type Change, type Overview, type Range, type Series, type SeriesPoint } from "../../api/stats.ts";
import { useApp } from "../../components/app-context.tsx";
import { Chart } from "../../components/Chart.tsx";
import { Notice } from "../../components/Notice.tsx";
import { formatChange, formatCompact, formatNumber, formatPercent, trendOf } from "../../lib/format.ts";
import type { MessageKey } from "../../lib/i18n.ts";
import type { Warning } from "../../lib/warnings.ts";

export function DashboardView(props: {
  range: Range;
  group: string;
  overview: Overview | undefined;
  series: Series | undefined;
  groups: Group[];
  warnings: Warning[];
  error: string;
  onRange(range: Range): void;
  onGroup(group: string): void;
  onRefresh(): void;
}) {
  const app = useApp();
  const { t } = app;
  const loc = () => app.locale();
  const cards = (): { id: string; label: MessageKey; change: Change | undefined; format: (v: number | null) => string; trend: boolean }[] => {
    const o = props.overview;
    const num = (v: number | null) => formatNumber(v, loc());
    return [
      { id: "requests", label: "dash.requests", change: o?.requests, format: num, trend: true },
      { id: "success", label: "dash.successRate", change: o?.success_rate, format: (v) => formatPercent(v, loc()), trend: true },
      { id: "rpm", label: "dash.rpm", change: o?.rpm, format: num, trend: true },
      { id: "input-tokens", label: "dash.inputTokens", change: o?.input_tokens, format: (v) => formatCompact(v, loc()), trend: true },
      { id: "output-tokens", label: "dash.outputTokens", change: o?.output_tokens, format: (v) => formatCompact(v, loc()), trend: true },
      { id: "active-keys", label: "dash.activeKeys", change: o?.active_keys, format: num, trend: false },
      { id: "cooldown-keys", label: "dash.cooldownKeys", change: o?.cooldown_keys, format: num, trend: false },
      { id: "invalid-keys", label: "dash.invalidKeys", change: o?.invalid_keys, format: num, trend: false },
    ];
  };
  return (
    <section>
      <div class="page-head">
        <h1>{t("dash.title")}</h1>
        <div class="toolbar">
          <div class="segmented" role="group" aria-label={t("dash.range")}>
            <For each={RANGES}>
              {(r) => (
                <button type="button" classList={{ active: props.range === r }} aria-pressed={props.range === r} onClick={() => props.onRange(r)} data-testid={`range-${r}`}>
                  {t(`range.${r}`)}
                </button>
              )}
            </For>
          </div>
          <label class="sr-only" for="dash-group">{t("dash.group")}</label>
          <select id="dash-group" value={props.group} onChange={(e) => props.onGroup(e.currentTarget.value)} data-testid="dash-group">
            <option value="">{t("dash.allGroups")}</option>
            <For each={props.groups}>{(g) => <option value={String(g.id)}>{g.name}</option>}</For>
          </select>
          <button type="button" class="secondary" onClick={() => props.onRefresh()} data-testid="dash-refresh">{t("common.refresh")}</button>
        </div>
      </div>
      <Notice kind="warning" when={props.warnings.length > 0} testid="dash-warnings">
        <strong>{t("warning.title")}</strong>
        <ul>
          <For each={props.warnings}>{(w) => <li>{t(w.key, w.params)}</li>}</For>
        </ul>
      </Notice>
      <Notice kind="error" when={props.error}>{props.error}</Notice>
      <div class="cards">
        <For each={cards()}>
          {(c) => (
            <div class="card stat" data-testid={`card-${c.id}`}>
              <div class="stat-label">{t(c.label)}</div>
              <div class="stat-value" data-testid={`card-${c.id}-value`}>{c.format(c.change?.value ?? null)}</div>
              <Show when={c.trend}>
                <div class={`stat-trend trend-${trendOf(c.change?.change_pct)}`}>
                  {c.change?.change_pct === null || c.change === undefined ? t("dash.noPrevious") : t("dash.vsPrevious", { change: formatChange(c.change.change_pct, loc()) })}
                </div>
              </Show>
            </div>
          )}
        </For>
      </div>
      <div class="charts">
        <ChartCard
          title="dash.requestsChart"
          testid="chart-requests"
          series={props.series}
          lines={[
            { label: "dash.success", value: (p) => p.successes, colorVar: "--chart-ok" },
            { label: "dash.failure", value: (p) => p.failures, colorVar: "--chart-bad" },
          ]}
        />
        <ChartCard
          title="dash.tokensChart"
          testid="chart-tokens"
          series={props.series}
          lines={[
            { label: "dash.inputTokens", value: (p) => p.input_tokens, colorVar: "--chart-in" },
            { label: "dash.outputTokens", value: (p) => p.output_tokens, colorVar: "--chart-out" },
          ]}
        />
      </div>
    </section>
  );
}

/** One chart card: a placeholder until the series has loaded, then the chart of the given lines. */
function ChartCard(props: { title: MessageKey; testid: string; series: Series | undefined; lines: { label: MessageKey; value: (p: SeriesPoint) => number; colorVar: string }[] }) {
  const app = useApp();
  const { t } = app;
  return (
    <div class="card">
      <h2>{t(props.title)}</h2>
      <Show when={props.series} fallback={<div class="chart-placeholder" />}>
        {(series) => (
          <Chart
            title={t(props.title)}
            theme={app.theme()}
            locale={app.locale()}
            timeLabel={t("dash.time")}
            x={series().items.map((p) => p.t)}
            testid={props.testid}
            formatValue={(v) => formatCompact(v, app.locale())}
            series={props.lines.map((l) => ({ label: t(l.label), values: series().items.map(l.value), colorVar: l.colorVar }))}
          />
        )}
      </Show>
    </div>
  );
}
