// The keys page: counts, the import panel (paste or file, with a progress bar), the filter bar
// and the virtualised, masked key table with per-key state, reason, cooldown, counters and
// notes (edited in place).

import { createEffect, createSignal, For, Show } from "solid-js";
import type { Group } from "../../api/groups.ts";
import type { Task } from "../../api/tasks.ts";
import { KEY_STATUSES, type KeyItem, type KeyStatus } from "../../api/keys.ts";
import { useApp } from "../../components/app-context.tsx";
import { Link } from "../../components/Link.tsx";
import { Notice } from "../../components/Notice.tsx";
import { ProgressBar } from "../../components/ProgressBar.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { VirtualRows } from "../../components/VirtualRows.tsx";
import { formatCountdown, formatNumber, formatRelative } from "../../lib/format.ts";
import type { ImportProgress } from "../../lib/key-import.ts";
import { KeyNote } from "./KeyNote.tsx";

const ROW_HEIGHT = 44;

export interface KeysViewProps {
  group: Group | undefined;
  groupError: string;
  total: number;
  loaded: boolean;
  row: (index: number) => KeyItem | undefined;
  generation: number;
  status: KeyStatus | "";
  query: string;
  error: string;
  notice: string;
  progress: ImportProgress | null;
  importing: boolean;
  validation: Task | null;
  onValidate(): void;
  exportUrl: string;
  onRange(start: number, end: number): void;
  onStatus(status: KeyStatus | ""): void;
  onQuery(q: string): void;
  onImport(text: string): Promise<boolean | undefined>;
  onRestore(): void;
  onDeleteInvalid(): void;
  onToggle(key: KeyItem): void;
  /** Stores a key's notes (the row at `index`); answers whether they were stored. */
  onNotes(index: number, key: KeyItem, notes: string): Promise<boolean>;
  onDelete(key: KeyItem): void;
}

export function KeysView(props: KeysViewProps) {
  const app = useApp();
  const { t } = app;
  let paste!: HTMLTextAreaElement;
  const loc = () => app.locale();
  // Opens by itself when the group has no keys yet; only the user closes it (no jumps while importing).
  const [importOpen, setImportOpen] = createSignal(false);
  createEffect(() => {
    if (props.loaded && props.total === 0) setImportOpen(true);
  });
  const submitImport = async () => {
    if (await props.onImport(paste.value)) paste.value = "";
  };
  return (
    <section>
      <div class="page-head">
        <div>
          <Link href="/groups" class="muted small">← {t("nav.groups")}</Link>
          <h1 data-testid="keys-title">{t("keys.title", { name: props.group?.display_name || props.group?.name || "…" })}</h1>
        </div>
        <Show when={props.group}>
          {(g) => (
            <div class="counts" data-testid="key-counts">
              <For each={KEY_STATUSES}>
                {(s) => (
                  <span class="count">
                    <StatusBadge status={s} label={t(`keyStatus.${s}`)} /> {formatNumber(g().key_counts[s], loc())}
                  </span>
                )}
              </For>
            </div>
          )}
        </Show>
      </div>
      <Notice kind="error" when={props.groupError}>{props.groupError}</Notice>

      <details class="card import-card" open={importOpen()} onToggle={(e) => setImportOpen(e.currentTarget.open)}>
        <summary>{t("keys.addKeys")}</summary>
        <label for="key-paste">{t("keys.pasteLabel")}</label>
        <textarea id="key-paste" ref={paste} rows={6} class="mono" placeholder={t("keys.pastePlaceholder")} data-testid="keys-paste" />
        <div class="row">
          <label class="button secondary small file-button">
            {t("keys.fromFile")}
            <input
              type="file"
              accept=".txt,.csv,.json,text/plain"
              class="sr-only"
              onChange={async (e) => {
                const file = e.currentTarget.files?.[0];
                if (file) paste.value = await file.text();
              }}
            />
          </label>
          <button type="button" class="primary" disabled={props.importing} onClick={submitImport} data-testid="keys-import">
            {props.importing ? t("keys.importing") : t("keys.import")}
          </button>
        </div>
        <Show when={props.progress}>
          {(p) => (
            <ProgressBar
              value={p().done}
              max={p().total}
              testid={p().done === p().total ? "import-progress-done" : "import-progress"}
              label={t("keys.progress", { done: formatNumber(p().done, loc()), total: formatNumber(p().total, loc()) })}
            />
          )}
        </Show>
      </details>

      <Notice kind="error" when={props.error} testid="keys-error">{props.error}</Notice>
      <Notice kind="success" when={props.notice} testid="keys-notice">{props.notice}</Notice>

      <div class="toolbar">
        <label class="sr-only" for="key-status">{t("keys.statusFilter")}</label>
        <select id="key-status" value={props.status} onChange={(e) => props.onStatus(e.currentTarget.value as KeyStatus | "")} data-testid="keys-status">
          <option value="">{t("keys.allStatuses")}</option>
          <For each={KEY_STATUSES}>{(s) => <option value={s}>{t(`keyStatus.${s}`)}</option>}</For>
        </select>
        <label class="sr-only" for="key-search">{t("keys.search")}</label>
        <input id="key-search" type="search" placeholder={t("keys.search")} value={props.query} onInput={(e) => props.onQuery(e.currentTarget.value)} data-testid="keys-search" />
        <span class="muted" data-testid="keys-total">{t("keys.total", { count: formatNumber(props.total, loc()) })}</span>
        <span class="spacer" />
        <button type="button" class="secondary small" disabled={props.validation?.status === "running"} onClick={() => props.onValidate()} data-testid="keys-validate">
          {props.validation?.status === "running" ? t("keys.validating") : t("keys.validate")}
        </button>
        <button type="button" class="secondary small" onClick={() => props.onRestore()}>{t("keys.restoreInvalid")}</button>
        <button type="button" class="danger small" onClick={() => props.onDeleteInvalid()}>{t("keys.deleteInvalid")}</button>
        <a class="button secondary small" href={props.exportUrl} download="">{t("keys.export")}</a>
      </div>

      <Show when={props.validation}>
        {(v) => (
          <ProgressBar
            value={v().done}
            max={v().total}
            testid={v().status === "running" ? "validate-progress" : "validate-progress-done"}
            label={t("keys.validateProgress", { done: formatNumber(v().done, loc()), total: formatNumber(v().total, loc()) })}
          />
        )}
      </Show>

      <VirtualRows
        total={props.total}
        rowHeight={ROW_HEIGHT}
        onRange={(s, e) => props.onRange(s, e)}
        label={t("keys.tableLabel")}
        testid="keys-table"
        resetKey={props.generation}
        header={
          <div role="row" class="krow khead">
            <span role="columnheader">{t("keys.key")}</span>
            <span role="columnheader">{t("keys.status")}</span>
            <span role="columnheader" class="num">{t("keys.requests")}</span>
            <span role="columnheader" class="num">{t("keys.failures")}</span>
            <span role="columnheader" class="hide-sm">{t("keys.lastUsed")}</span>
            <span role="columnheader" class="hide-sm">{t("keys.notes")}</span>
            <span role="columnheader">{t("common.actions")}</span>
          </div>
        }
        renderRow={(i) => {
          const key = () => props.row(i);
          return (
            <div role="row" class="krow" style={{ height: `${ROW_HEIGHT}px` }} aria-rowindex={i + 2}>
              <Show when={key()} fallback={<span class="skeleton" role="cell">…</span>}>
                {(k) => (
                  <>
                    <span role="cell" class="mono" data-testid="key-masked">{k().masked}</span>
                    <span role="cell" class="key-state">
                      <StatusBadge status={k().status} label={t(`keyStatus.${k().status}`)} />
                      <Show when={k().status === "cooldown" && k().cooldown_until}>
                        {(until) => <span class="muted small">{formatCountdown(until(), app.now())}</span>}
                      </Show>
                      <Show when={k().reason}>
                        <span class="muted small ellipsis" title={k().reason!}>{k().reason}</span>
                      </Show>
                    </span>
                    <span role="cell" class="num">{formatNumber(k().requests, loc())}</span>
                    <span role="cell" class="num">{formatNumber(k().failures, loc())}</span>
                    <span role="cell" class="hide-sm muted">{formatRelative(k().last_used_at, app.now(), loc())}</span>
                    <span role="cell" class="hide-sm note-cell">
                      <KeyNote notes={k().notes} placeholder={t("keys.addNote")} label={t("keys.noteFor", { key: k().masked })} onSave={(notes) => props.onNotes(i, k(), notes)} />
                    </span>
                    <span role="cell" class="actions">
                      <button type="button" class="secondary small" onClick={() => props.onToggle(k())}>
                        {k().status === "disabled" ? t("common.enable") : t("common.disable")}
                      </button>
                      <button type="button" class="danger small" onClick={() => props.onDelete(k())} aria-label={t("keys.deleteNamed", { key: k().masked })}>✕</button>
                    </span>
                  </>
                )}
              </Show>
            </div>
          );
        }}
      />
    </section>
  );
}
