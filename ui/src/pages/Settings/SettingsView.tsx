// The settings page: every setting grouped by category, with its description, default and
// bounds, an input fitting its type, inline errors and one save bar.

import { For, Show } from "solid-js";
import type { Setting, SettingValue } from "../../api/settings.ts";
import { useApp } from "../../components/app-context.tsx";
import { Field } from "../../components/Field.tsx";
import { Notice } from "../../components/Notice.tsx";
import { ToggleSwitch } from "../../components/ToggleSwitch.tsx";
import { formatNumber } from "../../lib/format.ts";
import type { MessageKey } from "../../lib/i18n.ts";
import { settingToInput, type FieldError } from "../../lib/validate.ts";

const CATEGORIES = ["proxy", "timeouts", "pool", "logs", "security"] as const;

export function SettingsView(props: {
  settings: Setting[];
  loadError: string;
  drafts: Record<string, string | boolean>;
  errors: Record<string, FieldError>;
  error: string;
  saved: boolean;
  saving: boolean;
  dirty: boolean;
  onChange(key: string, value: string | boolean): void;
  onReset(key: string, value: string | boolean): void;
  onDiscard(): void;
  onSave(): void;
}) {
  const app = useApp();
  const { t } = app;
  const loc = () => app.locale();
  const categories = () => {
    const known = CATEGORIES as readonly string[];
    const extra = [...new Set(props.settings.map((s) => s.category))].filter((c) => !known.includes(c));
    return [...known, ...extra].filter((c) => props.settings.some((s) => s.category === c));
  };
  // A value as its input holds it: a boolean for the switch, text for every other type.
  const asInput = (s: Setting, value: SettingValue) => (s.type === "boolean" ? (value as boolean) : settingToInput(value));
  const current = (s: Setting) => props.drafts[s.key] ?? asInput(s, s.value);
  const describe = (s: Setting) => {
    const key = `setting.${s.key}` as MessageKey;
    const text = t(key);
    return text === key ? s.description : text;
  };
  const bounds = (s: Setting) =>
    s.min !== null || s.max !== null ? t("settings.bounds", { min: formatNumber(s.min, loc()), max: formatNumber(s.max, loc()) }) : "";
  const defaultText = (s: Setting) => (s.type === "boolean" ? (s.default ? t("common.on") : t("common.off")) : settingToInput(s.default) || t("settings.empty"));
  return (
    <section>
      <div class="page-head">
        <h1>{t("settings.title")}</h1>
      </div>
      <p class="muted">{t("settings.intro")}</p>
      <Notice kind="error" when={props.loadError}>{props.loadError}</Notice>
      <form
        novalidate
        onSubmit={(e) => {
          e.preventDefault();
          props.onSave();
        }}
      >
        <For each={categories()}>
          {(cat) => (
            <fieldset class="card settings-group">
              <legend>{t(`category.${cat}` as MessageKey)}</legend>
              <For each={props.settings.filter((s) => s.category === cat)}>
                {(s) => (
                  <div class="setting" data-testid={`setting-${s.key}`}>
                    <Field
                      label={s.key}
                      help={`${describe(s)} ${t("settings.default", { value: defaultText(s) })}${bounds(s) ? ` · ${bounds(s)}` : ""}${s.group_override ? ` · ${t("settings.overridable")}` : ""}`}
                      error={props.errors[s.key] ? t(props.errors[s.key]!.key, props.errors[s.key]!.params) : undefined}
                    >
                      {(id, d) =>
                        s.type === "boolean" ? (
                          <ToggleSwitch id={id} describedBy={d} checked={current(s) === true} onChange={(on) => props.onChange(s.key, on)} testid={`setting-input-${s.key}`} />
                        ) : (
                          <input
                            id={id}
                            aria-describedby={d}
                            type={s.secret ? "password" : "text"}
                            placeholder={s.secret ? t(s.is_set ? "settings.secretSet" : "settings.secretUnset") : undefined}
                            inputmode={s.type === "integer" ? "numeric" : undefined}
                            autocomplete="off"
                            value={String(current(s))}
                            onInput={(e) => props.onChange(s.key, e.currentTarget.value)}
                            data-testid={`setting-input-${s.key}`}
                          />
                        )
                      }
                    </Field>
                    <button type="button" class="ghost small" onClick={() => props.onReset(s.key, asInput(s, s.default))}>
                      {t("settings.useDefault")}
                    </button>
                  </div>
                )}
              </For>
            </fieldset>
          )}
        </For>
        <div class="save-bar">
          <Notice kind="error" when={props.error}>{props.error}</Notice>
          <Show when={props.saved}>
            <span class="success-text" role="status" data-testid="settings-saved">{t("settings.saved")}</span>
          </Show>
          <span class="spacer" />
          <button type="button" class="secondary" disabled={!props.dirty} onClick={() => props.onDiscard()}>{t("settings.discard")}</button>
          <button type="submit" class="primary" disabled={props.saving} data-testid="settings-save">{props.saving ? t("common.saving") : t("common.save")}</button>
        </div>
      </form>
    </section>
  );
}
