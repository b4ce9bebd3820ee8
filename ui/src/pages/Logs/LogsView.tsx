// The logs page: filter bar, the table with the columns an operator needs, pagination, the
// export link and the detail drawer with the attempt chain.

import { createStore } from "solid-js/store";
import { For, Show } from "solid-js";
import type { Group } from "../../api/groups.ts";
import type { LogDetail, LogFilter, LogItem } from "../../api/logs.ts";
import { useApp } from "../../components/app-context.tsx";
import { Drawer } from "../../components/Drawer.tsx";
import { Notice } from "../../components/Notice.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime, formatDuration, formatNumber } from "../../lib/format.ts";

/** The group a request named and, for an aggregate group, the sub-group that served it. */
const groupLabel = (l: LogItem) => l.group_name + (l.sub_group_name ? ` → ${l.sub_group_name}` : "");

export function LogsView(props: {
  items: LogItem[];
  loading: boolean;
  error: string;
  total: { count: number; capped: boolean } | null;
  pageNumber: number;
  hasNext: boolean;
  groups: Group[];
  filter: LogFilter;
  exportUrl: string;
  detail: LogDetail | null | undefined;
  detailError: string;
  onFilter(filter: LogFilter): void;
  onNext(): void;
  onPrevious(): void;
  onRefresh(): void;
  onOpen(id: number): void;
  onClose(): void;
}) {
  const app = useApp();
  const { t } = app;
  const loc = () => app.locale();
  const [draft, setDraft] = createStore<LogFilter>({ ...props.filter });
  const tokens = (l: LogItem) => (l.input_tokens === null && l.output_tokens === null ? "–" : `${formatNumber(l.input_tokens ?? 0, loc())} / ${formatNumber(l.output_tokens ?? 0, loc())}`);
  return (
    <section>
      <div class="page-head">
        <h1>{t("logs.title")}</h1>
        <div class="toolbar">
          <button type="button" class="secondary" onClick={() => props.onRefresh()} data-testid="logs-refresh">{t("common.refresh")}</button>
          <a class="button secondary" href={props.exportUrl} download="" data-testid="logs-export">{t("logs.export")}</a>
        </div>
      </div>
      <form
        class="toolbar filters"
        onSubmit={(e) => {
          e.preventDefault();
          props.onFilter({ ...draft });
        }}
      >
        <label class="sr-only" for="log-group">{t("logs.group")}</label>
        <select id="log-group" value={draft.group ?? ""} onChange={(e) => setDraft("group", e.currentTarget.value)}>
          <option value="">{t("dash.allGroups")}</option>
          <For each={props.groups}>{(g) => <option value={g.name}>{g.name}</option>}</For>
        </select>
        <label class="sr-only" for="log-success">{t("logs.outcome")}</label>
        <select id="log-success" value={draft.success ?? ""} onChange={(e) => setDraft("success", e.currentTarget.value as LogFilter["success"])}>
          <option value="">{t("logs.anyOutcome")}</option>
          <option value="true">{t("logs.succeeded")}</option>
          <option value="false">{t("logs.failed")}</option>
        </select>
        <label class="sr-only" for="log-status">{t("logs.status")}</label>
        <input id="log-status" inputmode="numeric" placeholder={t("logs.status")} value={draft.status ?? ""} onInput={(e) => setDraft("status", e.currentTarget.value)} class="narrow-input" />
        <label class="sr-only" for="log-model">{t("logs.model")}</label>
        <input id="log-model" placeholder={t("logs.model")} value={draft.model ?? ""} onInput={(e) => setDraft("model", e.currentTarget.value)} />
        <label class="sr-only" for="log-q">{t("logs.search")}</label>
        <input id="log-q" type="search" placeholder={t("logs.search")} value={draft.q ?? ""} onInput={(e) => setDraft("q", e.currentTarget.value)} />
        <button type="submit" class="primary">{t("logs.apply")}</button>
      </form>
      <Notice kind="error" when={props.error}>{props.error}</Notice>
      <div class="table-wrap">
        <table class="table" data-testid="logs-table">
          <thead>
            <tr>
              <th>{t("logs.time")}</th>
              <th>{t("logs.group")}</th>
              <th>{t("logs.model")}</th>
              <th>{t("logs.status")}</th>
              <th class="num">{t("logs.duration")}</th>
              <th class="num hide-sm">{t("logs.tokens")}</th>
              <th class="hide-sm">{t("logs.key")}</th>
              <th class="hide-sm">{t("logs.accessKey")}</th>
              <th class="num hide-sm">{t("logs.attempts")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.items}>
              {(l) => (
                <tr class="clickable" tabindex="0" onClick={() => props.onOpen(l.id)} onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), props.onOpen(l.id))} data-testid="log-row">
                  <td>{formatDateTime(l.ts, loc())}</td>
                  <td>{groupLabel(l)}</td>
                  <td class="mono small">{l.model ?? "–"}</td>
                  <td><StatusBadge status={l.status < 400 ? "ok" : "fail"} label={String(l.status)} /></td>
                  <td class="num">{formatDuration(l.duration_ms, loc())}</td>
                  <td class="num hide-sm">{tokens(l)}</td>
                  <td class="mono small hide-sm">{l.key_masked ?? "–"}</td>
                  <td class="hide-sm">{l.access_key_name ?? "–"}</td>
                  <td class="num hide-sm">{l.attempts.length}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={!props.loading && props.items.length === 0 && !props.error}>
        <p class="empty" data-testid="logs-empty">{t("logs.empty")}</p>
      </Show>
      <div class="pager">
        <button type="button" class="secondary" disabled={props.pageNumber <= 1} onClick={() => props.onPrevious()}>{t("common.previous")}</button>
        <span class="muted">
          {t("logs.page", { page: props.pageNumber })}
          <Show when={props.total}>{(tot) => <> · {t(tot().capped ? "logs.totalCapped" : "logs.total", { count: formatNumber(tot().count, loc()) })}</>}</Show>
        </span>
        <button type="button" class="secondary" disabled={!props.hasNext} onClick={() => props.onNext()}>{t("common.next")}</button>
      </div>
      <Show when={props.detail !== null}>
        <Drawer title={t("logs.detail")} onClose={() => props.onClose()} testid="log-detail" wide>
          <Notice kind="error" when={props.detailError}>{props.detailError}</Notice>
          <Show when={props.detail} fallback={<p class="muted">{t("common.loading")}</p>}>
            {(d) => <LogDetailBody log={d()} />}
          </Show>
        </Drawer>
      </Show>
    </section>
  );
}

function LogDetailBody(props: { log: LogDetail }) {
  const app = useApp();
  const { t } = app;
  const loc = () => app.locale();
  const l = () => props.log;
  const rows = (): [string, string][] => [
    [t("logs.time"), formatDateTime(l().ts, loc())],
    [t("logs.requestId"), l().request_id],
    [t("logs.group"), groupLabel(l())],
    [t("logs.channel"), l().channel],
    [t("logs.model"), l().model ?? "–"],
    [t("logs.upstreamModel"), l().upstream_model ?? "–"],
    [t("logs.stream"), l().stream ? t("common.yes") : t("common.no")],
    [t("logs.status"), String(l().status)],
    [t("logs.error"), l().error ?? "–"],
    [t("logs.duration"), formatDuration(l().duration_ms, loc())],
    [t("logs.ttfb"), formatDuration(l().ttfb_ms, loc())],
    [t("logs.tokens"), `${formatNumber(l().input_tokens, loc())} / ${formatNumber(l().output_tokens, loc())} (${t("logs.cached")} ${formatNumber(l().cached_tokens, loc())})`],
    [t("logs.key"), l().key_masked ?? "–"],
    [t("logs.accessKey"), l().access_key_name ?? "–"],
    [t("logs.upstream"), l().upstream_url ?? "–"],
    [t("logs.clientIp"), l().client_ip ?? "–"],
    [t("logs.userAgent"), l().user_agent ?? "–"],
  ];
  return (
    <div>
      <dl class="kv">
        <For each={rows()}>
          {([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd class="break">{v}</dd>
            </>
          )}
        </For>
      </dl>
      <h3>{t("logs.attemptChain")}</h3>
      <ol class="attempts" data-testid="log-attempts">
        <For each={l().attempts}>
          {(a, i) => (
            <li>
              <span class="muted">#{i() + 1}</span> <StatusBadge status={a.status > 0 && a.status < 400 ? "ok" : "fail"} label={a.status ? String(a.status) : t("logs.noResponse")} />{" "}
              <span class="mono small">{a.key_masked ?? "–"}</span> <span class="muted small break">{a.upstream}</span> · {formatDuration(a.duration_ms, loc())}
              <Show when={a.error_class}> · <span class="error-text">{a.error_class}</span></Show>
            </li>
          )}
        </For>
      </ol>
      <Show when={l().request_body}>
        <h3>{t("logs.requestBody")}</h3>
        <pre class="code-block">{l().request_body}</pre>
      </Show>
      <Show when={l().response_body}>
        <h3>{t("logs.responseBody")}</h3>
        <pre class="code-block">{l().response_body}</pre>
      </Show>
    </div>
  );
}
