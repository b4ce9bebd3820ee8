// The group form: every group field, the upstream and sub-group rows, and the per-group setting
// overrides (empty = inherit the global value), with help text and inline errors by field.

import { createMemo, For, Index, Show } from "solid-js";
import { createStore, unwrap } from "solid-js/store";
import { CHANNEL_TYPES, type Group } from "../../api/groups.ts";
import type { Setting } from "../../api/settings.ts";
import { useApp } from "../../components/app-context.tsx";
import { Field } from "../../components/Field.tsx";
import { Notice } from "../../components/Notice.tsx";
import type { MessageKey } from "../../lib/i18n.ts";
import { settingToInput, stillFailing, validateGroupForm, type FieldError, type GroupForm as Values } from "../../lib/validate.ts";

export function GroupForm(props: {
  initial: Values;
  groups: Group[];
  settings: Setting[];
  errors: Record<string, FieldError>;
  formError: string;
  saving: boolean;
  onSave: (values: Values) => void;
  onCancel: () => void;
}) {
  const app = useApp();
  const { t } = app;
  const [form, setForm] = createStore<Values>(structuredClone(props.initial));
  // Errors from the last save, minus those the user has fixed since (re-checked as they type).
  const shown = createMemo(() => (Object.keys(props.errors).length === 0 ? props.errors : stillFailing(props.errors, validateGroupForm(form, props.settings))));
  const err = (field: string) => {
    const e = shown()[field];
    return e ? t(e.key, e.params) : undefined;
  };
  const overridable = () => props.settings.filter((s) => s.group_override);
  return (
    <form
      class="form"
      novalidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave(structuredClone(unwrap(form)));
      }}
    >
      <Notice kind="error" when={props.formError}>{props.formError}</Notice>
      <div class="grid-2">
        <Field label={t("groupForm.name")} help={t("groupForm.nameHelp")} error={err("name")}>
          {(id, d) => <input id={id} aria-describedby={d} value={form.name} onInput={(e) => setForm("name", e.currentTarget.value)} data-testid="group-name" autocomplete="off" />}
        </Field>
        <Field label={t("groupForm.displayName")} error={err("display_name")}>
          {(id, d) => <input id={id} aria-describedby={d} value={form.display_name} onInput={(e) => setForm("display_name", e.currentTarget.value)} />}
        </Field>
        <Field label={t("groupForm.channel")} help={t("groupForm.channelHelp")} error={err("channel_type")}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={form.channel_type} onChange={(e) => setForm("channel_type", e.currentTarget.value as Values["channel_type"])} data-testid="group-channel">
              <For each={CHANNEL_TYPES}>{(c) => <option value={c}>{c}</option>}</For>
            </select>
          )}
        </Field>
        <Field label={t("groupForm.testModel")} help={t("groupForm.testModelHelp")} error={err("test_model")}>
          {(id, d) => <input id={id} aria-describedby={d} value={form.test_model} onInput={(e) => setForm("test_model", e.currentTarget.value)} data-testid="group-test-model" />}
        </Field>
      </div>
      <Field label={t("groupForm.description")} error={err("description")}>
        {(id, d) => <textarea id={id} aria-describedby={d} rows={2} value={form.description} onInput={(e) => setForm("description", e.currentTarget.value)} />}
      </Field>

      <fieldset>
        <legend>{t("groupForm.upstreams")}</legend>
        <small class="help">{t("groupForm.upstreamsHelp")}</small>
        <Show when={err("upstreams")}><p class="error-text" role="alert">{err("upstreams")}</p></Show>
        <Index each={form.upstreams}>
          {(row, i) => (
            <div class="row upstream-row">
              <Field label={t("groupForm.upstreamUrl")} error={err(`upstreams.${i}.url`)} class="grow">
                {(id, d) => <input id={id} aria-describedby={d} type="url" value={row().url} placeholder="https://api.openai.com" onInput={(e) => setForm("upstreams", i, "url", e.currentTarget.value)} data-testid={`group-upstream-${i}`} />}
              </Field>
              <Field label={t("groupForm.weight")} error={err(`upstreams.${i}.weight`)} class="narrow">
                {(id, d) => <input id={id} aria-describedby={d} inputmode="numeric" value={row().weight} onInput={(e) => setForm("upstreams", i, "weight", e.currentTarget.value)} />}
              </Field>
              <button type="button" class="ghost" aria-label={t("groupForm.removeUpstream")} onClick={() => setForm("upstreams", (u) => u.filter((_, j) => j !== i))}>✕</button>
            </div>
          )}
        </Index>
        <button type="button" class="secondary small" onClick={() => setForm("upstreams", (u) => [...u, { url: "", weight: "1" }])}>{t("groupForm.addUpstream")}</button>
      </fieldset>

      <fieldset>
        <legend>{t("groupForm.subGroups")}</legend>
        <small class="help">{t("groupForm.subGroupsHelp")}</small>
        <Index each={form.sub_groups}>
          {(row, i) => (
            <div class="row">
              <Field label={t("groupForm.subGroup")} error={err(`sub_groups.${i}.group_id`)} class="grow">
                {(id, d) => (
                  <select id={id} aria-describedby={d} value={row().group_id} onChange={(e) => setForm("sub_groups", i, "group_id", e.currentTarget.value)}>
                    <option value="">{t("common.choose")}</option>
                    <For each={props.groups.filter((g) => g.channel_type === form.channel_type)}>{(g) => <option value={String(g.id)}>{g.name}</option>}</For>
                  </select>
                )}
              </Field>
              <Field label={t("groupForm.weight")} error={err(`sub_groups.${i}.weight`)} class="narrow">
                {(id, d) => <input id={id} aria-describedby={d} inputmode="numeric" value={row().weight} onInput={(e) => setForm("sub_groups", i, "weight", e.currentTarget.value)} />}
              </Field>
              <button type="button" class="ghost" aria-label={t("groupForm.removeSubGroup")} onClick={() => setForm("sub_groups", (s) => s.filter((_, j) => j !== i))}>✕</button>
            </div>
          )}
        </Index>
        <button type="button" class="secondary small" onClick={() => setForm("sub_groups", (s) => [...s, { group_id: "", weight: "1" }])}>{t("groupForm.addSubGroup")}</button>
      </fieldset>

      <details>
        <summary>{t("groupForm.advanced")}</summary>
        <div class="grid-2">
          <Field label={t("groupForm.validationEndpoint")} help={t("groupForm.validationEndpointHelp")} error={err("validation_endpoint")}>
            {(id, d) => <input id={id} aria-describedby={d} value={form.validation_endpoint} placeholder="/v1/chat/completions" onInput={(e) => setForm("validation_endpoint", e.currentTarget.value)} />}
          </Field>
          <Field label={t("groupForm.sort")} help={t("groupForm.sortHelp")} error={err("sort")}>
            {(id, d) => <input id={id} aria-describedby={d} inputmode="numeric" value={form.sort} onInput={(e) => setForm("sort", e.currentTarget.value)} />}
          </Field>
        </div>
        <Field label={t("groupForm.modelRedirect")} help={t("groupForm.modelRedirectHelp")} error={err("model_redirect")}>
          {(id, d) => <textarea id={id} aria-describedby={d} class="mono" rows={3} value={form.model_redirect} placeholder='{"gpt-4o": "gpt-4o-2024-08-06"}' onInput={(e) => setForm("model_redirect", e.currentTarget.value)} />}
        </Field>
        <label class="check">
          <input type="checkbox" checked={form.model_redirect_strict} onChange={(e) => setForm("model_redirect_strict", e.currentTarget.checked)} />
          {t("groupForm.modelRedirectStrict")}
        </label>
        <Field label={t("groupForm.paramOverrides")} help={t("groupForm.paramOverridesHelp")} error={err("param_overrides")}>
          {(id, d) => <textarea id={id} aria-describedby={d} class="mono" rows={3} value={form.param_overrides} placeholder='{"temperature": 0.7}' onInput={(e) => setForm("param_overrides", e.currentTarget.value)} />}
        </Field>
        <Field label={t("groupForm.headerRules")} help={t("groupForm.headerRulesHelp")} error={err("header_rules")}>
          {(id, d) => <textarea id={id} aria-describedby={d} class="mono" rows={3} value={form.header_rules} placeholder='[{"action": "set", "name": "X-Client", "value": "${client_ip}"}]' onInput={(e) => setForm("header_rules", e.currentTarget.value)} />}
        </Field>
      </details>

      <details>
        <summary>{t("groupForm.overrides")}</summary>
        <small class="help">{t("groupForm.overridesHelp")}</small>
        <div class="grid-2">
          <For each={overridable()}>
            {(s) => (
              <Field label={s.key} help={t(`setting.${s.key}` as MessageKey)} error={err(`config.${s.key}`)}>
                {(id, d) =>
                  s.type === "boolean" ? (
                    <select id={id} aria-describedby={d} value={form.config[s.key] ?? ""} onChange={(e) => setForm("config", s.key, e.currentTarget.value)}>
                      <option value="">{t("groupForm.inherit", { value: settingToInput(s.value) })}</option>
                      <option value="true">{t("common.on")}</option>
                      <option value="false">{t("common.off")}</option>
                    </select>
                  ) : (
                    <input id={id} aria-describedby={d} value={form.config[s.key] ?? ""} placeholder={t("groupForm.inherit", { value: settingToInput(s.value) })} onInput={(e) => setForm("config", s.key, e.currentTarget.value)} />
                  )
                }
              </Field>
            )}
          </For>
        </div>
      </details>

      <label class="check">
        <input type="checkbox" checked={form.enabled} onChange={(e) => setForm("enabled", e.currentTarget.checked)} />
        {t("groupForm.enabled")}
      </label>
      <div class="form-actions">
        <button type="button" class="secondary" onClick={() => props.onCancel()}>{t("common.cancel")}</button>
        <button type="submit" class="primary" disabled={props.saving} data-testid="group-save">{props.saving ? t("common.saving") : t("common.save")}</button>
      </div>
    </form>
  );
}
