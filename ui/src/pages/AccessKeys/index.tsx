// Access keys: list, create (the secret is shown once), edit (name, scope, RPM limit, expiry),
// enable/disable and delete.

import { createResource, createSignal } from "solid-js";
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey, type AccessKey } from "../../api/access-keys.ts";
import { ApiError } from "../../api/client.ts";
import { listGroups } from "../../api/groups.ts";
import { useApp } from "../../components/app-context.tsx";
import { serverFieldError, validateAccessKeyEdit, validateAccessKeyForm, type AccessKeyForm, type FieldError } from "../../lib/validate.ts";
import { AccessKeysView } from "./AccessKeysView.tsx";

export function AccessKeysPage() {
  const app = useApp();
  const [keys, { refetch }] = createResource(async () => (await listAccessKeys(app.api)).items);
  const [groups] = createResource(async () => (await listGroups(app.api)).items);
  const [errors, setErrors] = createSignal<Record<string, FieldError>>({});
  const [error, setError] = createSignal("");
  const [secret, setSecret] = createSignal<{ name: string; secret: string } | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [notice, setNotice] = createSignal("");
  const [editing, setEditing] = createSignal<AccessKey | null>(null);
  const [editErrors, setEditErrors] = createSignal<Record<string, FieldError>>({});
  const [editError, setEditError] = createSignal("");

  const openEditor = (key: AccessKey | null) => {
    setEditErrors({});
    setEditError("");
    setEditing(key);
  };
  const saveEdit = async (key: AccessKey, form: AccessKeyForm) => {
    const checked = validateAccessKeyEdit(form, key, Date.now());
    setEditError("");
    if (!checked.ok) {
      setEditErrors(checked.errors);
      return;
    }
    setEditErrors({});
    if (Object.keys(checked.value).length === 0) {
      setEditing(null);
      return;
    }
    setSaving(true);
    try {
      const saved = await updateAccessKey(app.api, key.id, checked.value);
      setEditing(null);
      setNotice(app.t("access.saved", { name: saved.name }));
      await refetch();
    } catch (e) {
      if (e instanceof ApiError && e.field) setEditErrors(serverFieldError(e.field, e.message));
      setEditError(app.describeError(e));
    } finally {
      setSaving(false);
    }
  };

  const create = async (form: AccessKeyForm) => {
    const checked = validateAccessKeyForm(form, Date.now());
    if (!checked.ok) {
      setErrors(checked.errors);
      return false;
    }
    setErrors({});
    setError("");
    setNotice("");
    setSaving(true);
    try {
      const created = await createAccessKey(app.api, checked.value);
      setSecret({ name: created.name, secret: created.secret });
      await refetch();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors(serverFieldError(e.field, e.message));
      setError(app.describeError(e));
      return false;
    } finally {
      setSaving(false);
    }
  };
  const run = async (action: () => Promise<unknown>) => {
    setError("");
    setNotice("");
    try {
      await action();
      await refetch();
    } catch (e) {
      setError(app.describeError(e));
    }
  };
  return (
    <AccessKeysView
      keys={keys.error ? [] : (keys.latest ?? [])}
      loadError={keys.error ? app.describeError(keys.error) : ""}
      groups={groups.latest ?? []}
      errors={errors()}
      error={error()}
      notice={notice()}
      saving={saving()}
      editing={editing()}
      editErrors={editErrors()}
      editError={editError()}
      onEdit={openEditor}
      onSaveEdit={saveEdit}
      secret={secret()}
      onCreate={create}
      onDismissSecret={() => setSecret(null)}
      onToggle={(k) => run(() => updateAccessKey(app.api, k.id, { enabled: !k.enabled }))}
      onDelete={(k) => {
        if (confirm(app.t("access.confirmDelete", { name: k.name }))) void run(() => deleteAccessKey(app.api, k.id));
      }}
    />
  );
}
