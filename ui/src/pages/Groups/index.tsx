// Groups: loads the groups and the setting definitions (for per-group overrides) and owns the
// actions (create, edit, copy, enable/disable, delete). What it shows is GroupsView's job.

import { createResource, createSignal } from "solid-js";
import { ApiError } from "../../api/client.ts";
import { createGroup, deleteGroup, listGroups, updateGroup, type Group } from "../../api/groups.ts";
import { listSettings } from "../../api/settings.ts";
import { getSeries } from "../../api/stats.ts";
import { useApp } from "../../components/app-context.tsx";
import { emptyGroupForm, groupToForm, serverFieldError, validateGroupForm, type FieldError, type GroupForm } from "../../lib/validate.ts";
import { GroupsView } from "./GroupsView.tsx";

const HEALTH_GROUPS = 50;

export type Editing = { kind: "create" | "copy"; form: GroupForm } | { kind: "edit"; id: number; form: GroupForm };

export function GroupsPage() {
  const app = useApp();
  const [groups, { refetch }] = createResource(async () => (await listGroups(app.api)).items);
  const [settings] = createResource(async () => (await listSettings(app.api)).items);
  // Requests and success rate of the last 24 h per group (for the first HEALTH_GROUPS groups).
  const [health] = createResource(groups, async (list) => {
    const entries = await Promise.all(
      list.slice(0, HEALTH_GROUPS).map(async (g) => {
        const series = await getSeries(app.api, "24h", String(g.id)).catch(() => null);
        if (!series) return [g.id, null] as const;
        const requests = series.items.reduce((n, p) => n + p.requests, 0);
        const successes = series.items.reduce((n, p) => n + p.successes, 0);
        return [g.id, { requests, successRate: requests ? successes / requests : null }] as const;
      }),
    );
    return new Map(entries);
  });
  const [editing, setEditing] = createSignal<Editing | null>(null);
  const [errors, setErrors] = createSignal<Record<string, FieldError>>({});
  const [formError, setFormError] = createSignal("");
  const [pageError, setPageError] = createSignal("");
  const [saving, setSaving] = createSignal(false);
  const [snippetsFor, setSnippetsFor] = createSignal<Group | null>(null);

  const open = (next: Editing) => {
    setErrors({});
    setFormError("");
    setEditing(next);
  };

  const save = async (form: GroupForm) => {
    const current = editing();
    if (!current) return;
    const checked = validateGroupForm(form, settings() ?? []);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setFormError("");
    setSaving(true);
    try {
      if (current.kind === "edit") await updateGroup(app.api, current.id, checked.value);
      else await createGroup(app.api, checked.value);
      setEditing(null);
      await refetch();
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors(serverFieldError(e.field, e.message));
      setFormError(app.describeError(e));
    } finally {
      setSaving(false);
    }
  };

  const run = async (action: () => Promise<unknown>) => {
    setPageError("");
    try {
      await action();
      await refetch();
    } catch (e) {
      setPageError(app.describeError(e));
    }
  };

  return (
    <GroupsView
      groups={groups.error ? [] : (groups() ?? [])}
      loading={groups.loading}
      loadError={groups.error ? app.describeError(groups.error) : ""}
      pageError={pageError()}
      settings={settings() ?? []}
      health={health.latest ?? new Map()}
      editing={editing()}
      errors={errors()}
      formError={formError()}
      saving={saving()}
      snippetsFor={snippetsFor()}
      onCreate={() => open({ kind: "create", form: emptyGroupForm() })}
      onEdit={(g) => open({ kind: "edit", id: g.id, form: groupToForm(g) })}
      onCopy={(g) => open({ kind: "copy", form: groupToForm(g, true) })}
      onCloseForm={() => setEditing(null)}
      onSave={save}
      onToggle={(g) => run(() => updateGroup(app.api, g.id, { enabled: !g.enabled }))}
      onDelete={(g) => {
        if (confirm(app.t("groups.confirmDelete", { name: g.name }))) void run(() => deleteGroup(app.api, g.id));
      }}
      onSnippets={setSnippetsFor}
    />
  );
}
