// The edit drawer of one access key: name, group scope, RPM limit and expiry, with its usage,
// inline validation errors and the API's error in words. Saving is the page's job.

import { createStore } from "solid-js/store";
import type { AccessKey } from "../../api/access-keys.ts";
import type { Group } from "../../api/groups.ts";
import { useApp } from "../../components/app-context.tsx";
import { Drawer } from "../../components/Drawer.tsx";
import { Field } from "../../components/Field.tsx";
import { GroupScopeField } from "../../components/GroupScopeField.tsx";
import { Notice } from "../../components/Notice.tsx";
import { formatNumber, formatRelative } from "../../lib/format.ts";
import { accessKeyToForm, type AccessKeyForm, type FieldError } from "../../lib/validate.ts";

export function AccessKeyEditor(props: {
  accessKey: AccessKey;
  groups: Group[];
  errors: Record<string, FieldError>;
  error: string;
  saving: boolean;
  onSave(form: AccessKeyForm): void;
  onClose(): void;
}) {
  const app = useApp();
  const { t } = app;
  const [form, setForm] = createStore<AccessKeyForm>(accessKeyToForm(props.accessKey));
  const err = (f: string) => (props.errors[f] ? t(props.errors[f]!.key, props.errors[f]!.params) : undefined);
  return (
    <Drawer title={t("access.editTitle", { name: props.accessKey.name })} onClose={() => props.onClose()} testid="access-edit">
      <form
        class="form"
        novalidate
        onSubmit={(e) => {
          e.preventDefault();
          props.onSave({ ...form, group_ids: [...form.group_ids] });
        }}
      >
        <p class="muted" data-testid="access-edit-usage">
          <span class="mono">{props.accessKey.display_prefix}</span>{" "}
          {t("access.usage", {
            requests: formatNumber(props.accessKey.requests, app.locale()),
            lastUsed: formatRelative(props.accessKey.last_used_at, app.now(), app.locale()),
          })}
        </p>
        <Notice kind="error" when={props.error} testid="access-edit-error">{props.error}</Notice>
        <Field label={t("access.name")} error={err("name")}>
          {(id, d) => <input id={id} aria-describedby={d} value={form.name} maxlength={100} onInput={(e) => setForm("name", e.currentTarget.value)} data-testid="access-edit-name" />}
        </Field>
        <Field label={t("access.rpm")} help={t("access.rpmHelp")} error={err("rpm_limit")}>
          {(id, d) => (
            <input id={id} aria-describedby={d} inputmode="numeric" value={form.rpm_limit} onInput={(e) => setForm("rpm_limit", e.currentTarget.value)} data-testid="access-edit-rpm" />
          )}
        </Field>
        <Field label={t("access.expires")} help={t("access.expiresHelp")} error={err("expires_on")}>
          {(id, d) => (
            <input id={id} aria-describedby={d} type="date" value={form.expires_on} onInput={(e) => setForm("expires_on", e.currentTarget.value)} data-testid="access-edit-expires" />
          )}
        </Field>
        <GroupScopeField groups={props.groups} selected={form.group_ids} error={err("group_ids")} onChange={(ids) => setForm("group_ids", ids)} />
        <div class="form-actions">
          <button type="button" class="secondary" onClick={() => props.onClose()}>{t("common.cancel")}</button>
          <button type="submit" class="primary" disabled={props.saving} data-testid="access-edit-save">{props.saving ? t("common.saving") : t("common.save")}</button>
        </div>
      </form>
    </Drawer>
  );
}
