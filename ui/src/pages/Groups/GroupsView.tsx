// The groups table (health, enable switch, actions), the group form drawer and the endpoint /
// SDK snippet drawer. Presentational: every change goes through the callbacks.

import { createSignal, For, Show } from "solid-js";
import type { Group } from "../../api/groups.ts";
import type { Setting } from "../../api/settings.ts";
import { useApp } from "../../components/app-context.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";
import { Drawer } from "../../components/Drawer.tsx";
import { Link } from "../../components/Link.tsx";
import { Notice } from "../../components/Notice.tsx";
import { ToggleSwitch } from "../../components/ToggleSwitch.tsx";
import { formatNumber, formatPercent } from "../../lib/format.ts";
import { groupEndpoint, snippet, snippetKindsFor, type SnippetKind } from "../../lib/snippets.ts";
import type { FieldError, GroupForm as GroupFormValues } from "../../lib/validate.ts";
import { LOW_KEYS_RATIO } from "../../lib/warnings.ts";
import { GroupForm } from "./GroupForm.tsx";
import type { Editing } from "./index.tsx";

export interface GroupHealth {
  requests: number;
  successRate: number | null;
}

export interface GroupsViewProps {
  groups: Group[];
  loading: boolean;
  loadError: string;
  pageError: string;
  settings: Setting[];
  health: Map<number, GroupHealth | null>;
  editing: Editing | null;
  errors: Record<string, FieldError>;
  formError: string;
  saving: boolean;
  snippetsFor: Group | null;
  onCreate(): void;
  onEdit(group: Group): void;
  onCopy(group: Group): void;
  onCloseForm(): void;
  onSave(form: GroupFormValues): void;
  onToggle(group: Group): void;
  onDelete(group: Group): void;
  onSnippets(group: Group | null): void;
}

export function GroupsView(props: GroupsViewProps) {
  const app = useApp();
  const { t } = app;
  const usable = (g: Group) => g.key_counts.active;
  // A sub-group is a plain group other than the one being edited.
  const subGroupChoices = (editing: Editing) => props.groups.filter((g) => g.sub_groups.length === 0 && !(editing.kind === "edit" && g.id === editing.id));
  return (
    <section>
      <div class="page-head">
        <h1>{t("groups.title")}</h1>
        <button type="button" class="primary" onClick={() => props.onCreate()} data-testid="group-create">{t("groups.create")}</button>
      </div>
      <Notice kind="error" when={props.loadError}>{props.loadError}</Notice>
      <Notice kind="error" when={props.pageError}>{props.pageError}</Notice>
      <Show when={!props.loading && !props.loadError && props.groups.length === 0}>
        <p class="empty" data-testid="groups-empty">{t("groups.empty")}</p>
      </Show>
      <Show when={props.groups.length > 0}>
        <div class="table-wrap">
          <table class="table" data-testid="groups-table">
            <thead>
              <tr>
                <th>{t("groups.name")}</th>
                <th class="hide-sm">{t("groups.channel")}</th>
                <th class="num">{t("groups.usableKeys")}</th>
                <th class="num hide-sm">{t("groups.health")}</th>
                <th class="num hide-sm">{t("groups.requests24h")}</th>
                <th class="num hide-sm">{t("groups.success24h")}</th>
                <th>{t("groups.enabled")}</th>
                <th>{t("common.actions")}</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.groups}>
                {(g) => (
                  <tr data-testid={`group-row-${g.name}`}>
                    <td>
                      <Link href={`/groups/${g.id}/keys`} data-testid={`group-keys-${g.name}`}><strong>{g.display_name || g.name}</strong></Link>
                      <div class="muted mono small">/proxy/{g.name}{g.sub_groups.length ? ` · ${t("groups.aggregate")}` : ""}</div>
                    </td>
                    <td class="hide-sm">{g.channel_type}</td>
                    <td class="num">
                      {formatNumber(usable(g), app.locale())} / {formatNumber(g.key_counts.total, app.locale())}
                    </td>
                    <td class="num hide-sm">
                      <span class={`health ${g.key_counts.total === 0 ? "health-none" : usable(g) / g.key_counts.total < LOW_KEYS_RATIO ? "health-bad" : "health-good"}`}>
                        {g.key_counts.total ? formatPercent(usable(g) / g.key_counts.total, app.locale()) : "–"}
                      </span>
                    </td>
                    <td class="num hide-sm">{formatNumber(props.health.get(g.id)?.requests ?? null, app.locale())}</td>
                    <td class="num hide-sm">{formatPercent(props.health.get(g.id)?.successRate ?? null, app.locale())}</td>
                    <td>
                      <ToggleSwitch checked={g.enabled} onChange={() => props.onToggle(g)} label={t("groups.enableNamed", { name: g.name })} />
                    </td>
                    <td>
                      <div class="actions">
                      <Link class="button secondary small" href={`/groups/${g.id}/keys`}>{t("groups.keys")}</Link>
                      <button type="button" class="secondary small" onClick={() => props.onSnippets(g)}>{t("groups.endpoint")}</button>
                      <button type="button" class="secondary small" onClick={() => props.onEdit(g)} data-testid={`group-edit-${g.name}`}>{t("common.edit")}</button>
                      <button type="button" class="secondary small" onClick={() => props.onCopy(g)}>{t("common.copy")}</button>
                      <button type="button" class="danger small" onClick={() => props.onDelete(g)}>{t("common.delete")}</button>
                      </div>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <Show when={props.editing}>
        {(editing) => (
          <Drawer
            title={editing().kind === "edit" ? t("groups.editTitle") : t("groups.createTitle")}
            onClose={() => props.onCloseForm()}
            testid="group-form"
            wide
          >
            <GroupForm
              initial={editing().form}
              groups={subGroupChoices(editing())}
              settings={props.settings}
              errors={props.errors}
              formError={props.formError}
              saving={props.saving}
              onSave={(f) => props.onSave(f)}
              onCancel={() => props.onCloseForm()}
            />
          </Drawer>
        )}
      </Show>
      <Show when={props.snippetsFor}>
        {(g) => <SnippetsDrawer group={g()} onClose={() => props.onSnippets(null)} />}
      </Show>
    </section>
  );
}

function SnippetsDrawer(props: { group: Group; onClose: () => void }) {
  const { t } = useApp();
  const kinds = () => snippetKindsFor(props.group.channel_type);
  const [kind, setKind] = createSignal<SnippetKind>(kinds()[0]!);
  const endpoint = () => groupEndpoint(location.origin, props.group.name);
  const model = () => props.group.test_model || "MODEL";
  const code = () => snippet(kind(), location.origin, props.group.name, props.group.channel_type, model());
  return (
    <Drawer title={t("groups.endpointTitle", { name: props.group.name })} onClose={props.onClose}>
      <p class="muted">{t("groups.endpointHelp")}</p>
      <div class="row">
        <code class="code-inline" data-testid="group-endpoint">{endpoint()}</code>
        <CopyButton text={endpoint()} />
      </div>
      <div class="tabs" role="tablist">
        <For each={kinds()}>
          {(k) => (
            <button type="button" role="tab" aria-selected={kind() === k} classList={{ tab: true, active: kind() === k }} onClick={() => setKind(k)}>
              {t(`snippet.${k}`)}
            </button>
          )}
        </For>
      </div>
      <pre class="code-block">{code()}</pre>
      <CopyButton text={code()} />
    </Drawer>
  );
}
