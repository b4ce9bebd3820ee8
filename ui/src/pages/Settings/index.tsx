// Settings: loads every setting with its definition, checks edited values before sending, and
// saves only the changed ones in one PATCH (the server applies them at once on every node).

import { createResource, createSignal } from "solid-js";
import { ApiError } from "../../api/client.ts";
import { listSettings, saveSettings, type SettingValue } from "../../api/settings.ts";
import { useApp } from "../../components/app-context.tsx";
import { parseSettingInput, serverFieldError, settingToInput, type FieldError } from "../../lib/validate.ts";
import { SettingsView } from "./SettingsView.tsx";

export function SettingsPage() {
  const app = useApp();
  const [settings, { mutate }] = createResource(async () => (await listSettings(app.api)).items);
  const [drafts, setDrafts] = createSignal<Record<string, string | boolean>>({});
  const [errors, setErrors] = createSignal<Record<string, FieldError>>({});
  const [error, setError] = createSignal("");
  const [saved, setSaved] = createSignal(false);
  const [saving, setSaving] = createSignal(false);

  const save = async () => {
    const patch: Record<string, SettingValue> = {};
    const found: Record<string, FieldError> = {};
    for (const s of settings() ?? []) {
      const raw = drafts()[s.key];
      if (raw === undefined) continue;
      const parsed = parseSettingInput(s, raw);
      if (!parsed.ok) found[s.key] = parsed.error;
      else if (settingToInput(parsed.value) !== settingToInput(s.value)) patch[s.key] = parsed.value;
    }
    setErrors(found);
    setSaved(false);
    setError("");
    if (Object.keys(found).length || Object.keys(patch).length === 0) return;
    setSaving(true);
    try {
      const result = await saveSettings(app.api, patch);
      mutate(result.items);
      setDrafts({});
      setSaved(true);
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors(serverFieldError(e.field, e.message));
      setError(app.describeError(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <SettingsView
      settings={settings.error ? [] : (settings.latest ?? [])}
      loadError={settings.error ? app.describeError(settings.error) : ""}
      drafts={drafts()}
      errors={errors()}
      error={error()}
      saved={saved()}
      saving={saving()}
      dirty={Object.keys(drafts()).length > 0}
      onChange={(key, value) => {
        setSaved(false);
        setDrafts((d) => ({ ...d, [key]: value }));
      }}
      onReset={(key, value) => setDrafts((d) => ({ ...d, [key]: value }))}
      onDiscard={() => {
        setDrafts({});
        setErrors({});
      }}
      onSave={save}
    />
  );
}
