// The access keys page: the create form (name, group scope, RPM limit, expiry), the one-time
// secret panel with a copy button, the list with usage and enable switch, and the edit drawer.

import { For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import type { AccessKey } from "../../api/access-keys.ts";
import type { Group } from "../../api/groups.ts";
import { useApp } from "../../components/app-context.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";
import { Field } from "../../components/Field.tsx";
import { GroupScopeField } from "../../components/GroupScopeField.tsx";
import { Notice } from "../../components/Notice.tsx";
import { ToggleSwitch } from "../../components/ToggleSwitch.tsx";
import { formatDateTime, formatNumber, formatRelative } from "../../lib/format.ts";
import type { AccessKeyForm, FieldError } from "../../lib/validate.ts";
import { AccessKeyEditor } from "./AccessKeyEditor.tsx";

export function AccessKeysView(props: {
  keys: AccessKey[];
  loadError: string;
  groups: Group[];
  errors: Record<string, FieldError>;
  error: string;
  notice: string;
  saving: boolean;
  editing: AccessKey | null;
  editErrors: Record<string, FieldError>;
  editError: string;
  secret: { name: string; secret: string } | null;
  onCreate(form: AccessKeyForm): Promise<boolean>;
  onDismissSecret(): void;
  onToggle(key: AccessKey): void;
  onEdit(key: AccessKey | null): void;
  onSaveEdit(key: AccessKey, form: AccessKeyForm): void;
  onDelete(key: AccessKey): void;
}) {
  const app = useApp();
  const { t } = app;
  const loc = () => app.locale();
  const blank = (): AccessKeyForm => ({ name: "", group_ids: [], rpm_limit: "", expires_on: "" });
  const [form, setForm] = createStore<AccessKeyForm>(blank());
  const err = (f: string) => (props.errors[f] ? t(props.errors[f]!.key, props.errors[f]!.params) : undefined);
  const groupName = (id: number) => props.groups.find((g) => g.id === id)?.name ?? `#${id}`;
  return (
    <section>
      <div class="page-head">
        <h1>{t("access.title")}</h1>
      </div>
      <Notice kind="error" when={props.loadError}>{props.loadError}</Notice>
      <Notice kind="error" when={props.error}>{props.error}</Notice>
      <Notice kind="success" when={props.notice} testid="access-notice">{props.notice}</Notice>
      <Show when={props.secret}>
        {(s) => (
          <Notice kind="success" class="secret-panel" testid="access-secret-panel">
            <strong>{t("access.secretTitle", { name: s().name })}</strong>
            <p>{t("access.secretOnce")}</p>
            <div class="row">
              <code class="code-inline" data-testid="access-secret">{s().secret}</code>
              <CopyButton text={s().secret} testid="access-copy" />
              <button type="button" class="secondary" onClick={() => props.onDismissSecret()}>{t("access.done")}</button>
            </div>
          </Notice>
        )}
      </Show>
      <form
        class="card form"
        novalidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (await props.onCreate({ ...form, group_ids: [...form.group_ids] })) setForm(blank());
        }}
      >
        <h2>{t("access.create")}</h2>
        <div class="grid-3">
          <Field label={t("access.name")} error={err("name")}>
            {(id, d) => <input id={id} aria-describedby={d} value={form.name} onInput={(e) => setForm("name", e.currentTarget.value)} data-testid="access-name" />}
          </Field>
          <Field label={t("access.rpm")} help={t("access.rpmHelp")} error={err("rpm_limit")}>
            {(id, d) => <input id={id} aria-describedby={d} inputmode="numeric" value={form.rpm_limit} onInput={(e) => setForm("rpm_limit", e.currentTarget.value)} />}
          </Field>
          <Field label={t("access.expires")} help={t("access.expiresHelp")} error={err("expires_on")}>
            {(id, d) => <input id={id} aria-describedby={d} type="date" value={form.expires_on} onInput={(e) => setForm("expires_on", e.currentTarget.value)} />}
          </Field>
        </div>
        <GroupScopeField groups={props.groups} selected={form.group_ids} onChange={(ids) => setForm("group_ids", ids)} />
        <div class="form-actions">
          <button type="submit" class="primary" disabled={props.saving} data-testid="access-create">{t("access.createButton")}</button>
        </div>
      </form>
      <Show when={props.keys.length > 0} fallback={<p class="empty">{t("access.empty")}</p>}>
        <div class="table-wrap">
          <table class="table" data-testid="access-table">
            <thead>
              <tr>
                <th>{t("access.name")}</th>
                <th>{t("access.key")}</th>
                <th>{t("access.scope")}</th>
                <th class="num">{t("access.rpm")}</th>
                <th>{t("access.expires")}</th>
                <th class="num">{t("access.requests")}</th>
                <th>{t("access.lastUsed")}</th>
                <th>{t("groups.enabled")}</th>
                <th>{t("common.actions")}</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.keys}>
                {(k) => (
                  <tr data-testid={`access-row-${k.name}`}>
                    <td>{k.name}</td>
                    <td class="mono">{k.display_prefix}</td>
                    <td>{k.group_ids.length ? k.group_ids.map(groupName).join(", ") : t("access.allGroups")}</td>
                    <td class="num" data-testid="access-rpm">{k.rpm_limit ? formatNumber(k.rpm_limit, loc()) : "∞"}</td>
                    <td>{k.expires_at ? formatDateTime(k.expires_at, loc()) : t("access.never")}</td>
                    <td class="num" data-testid="access-requests">{formatNumber(k.requests, loc())}</td>
                    <td>{formatRelative(k.last_used_at, app.now(), loc())}</td>
                    <td>
                      <ToggleSwitch checked={k.enabled} onChange={() => props.onToggle(k)} label={t("access.enableNamed", { name: k.name })} />
                    </td>
                    <td>
                      <div class="actions">
                        <button type="button" class="secondary small" onClick={() => props.onEdit(k)} aria-label={t("access.editNamed", { name: k.name })} data-testid={`access-open-${k.name}`}>
                          {t("common.edit")}
                        </button>
                        <button type="button" class="danger small" onClick={() => props.onDelete(k)}>{t("common.delete")}</button>
                      </div>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <Show when={props.editing} keyed>
        {(k) => (
          <AccessKeyEditor
            accessKey={k}
            groups={props.groups}
            errors={props.editErrors}
            error={props.editError}
            saving={props.saving}
            onSave={(form) => props.onSaveEdit(k, form)}
            onClose={() => props.onEdit(null)}
          />
        )}
      </Show>
    </section>
  );
}
