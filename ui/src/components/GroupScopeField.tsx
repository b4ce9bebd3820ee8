// The group scope of an access key as a set of checkboxes (none ticked = every group), shared by
// the create form and the edit drawer. Controlled: the caller owns the selected ids.

import { For, Show } from "solid-js";
import type { Group } from "../api/groups.ts";
import { useApp } from "./app-context.tsx";

export function GroupScopeField(props: { groups: Group[]; selected: number[]; error?: string; onChange: (ids: number[]) => void }) {
  const { t } = useApp();
  return (
    <fieldset>
      <legend>{t("access.scope")}</legend>
      <small class="help">{t("access.scopeHelp")}</small>
      <Show when={props.error}>
        <small class="error-text" role="alert">{props.error}</small>
      </Show>
      <div class="checks">
        <For each={props.groups}>
          {(g) => (
            <label class="check">
              <input
                type="checkbox"
                checked={props.selected.includes(g.id)}
                onChange={(e) => props.onChange(e.currentTarget.checked ? [...props.selected, g.id] : props.selected.filter((i) => i !== g.id))}
              />
              {g.name}
            </label>
          )}
        </For>
      </div>
    </fieldset>
  );
}
