// /api/settings: the hot-reloadable settings with their definitions, and a PATCH that checks
// every value before saving any, then publishes settings-changed so every node applies them
// at once. Definitions and validation live in config/settings.ts; this file only serves them.

import { Elysia, t } from "elysia";
import { SETTINGS, validateSetting, type SettingValues } from "../config/settings.ts";
import { saveSettings } from "../store/repos/settings.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError } from "./api-error.ts";
import { isPlainObject } from "./group-rules.ts";

function settingsList(values: SettingValues) {
  const items = SETTINGS.map((def) => ({
    key: def.key,
    // Secrets are write-only here: the list says whether one is set, never what it is.
    value: def.secret ? "" : (values[def.key] ?? def.default),
    ...(def.secret ? { secret: true, is_set: values[def.key] !== "" && values[def.key] !== undefined } : {}),
    default: def.default,
    description: def.description,
    type: def.type,
    min: def.min ?? null,
    max: def.max ?? null,
    category: def.category,
    group_override: def.groupOverride,
  }));
  return { items, total: items.length };
}

export function createSettingsRoutes(ctx: AdminContext) {
  const detail = (summary: string) => ({ summary, tags: ["settings"] });
  return new Elysia()
    .get("/settings", () => settingsList(ctx.settings()), { detail: detail("Every setting with its value, default, bounds and help") })
    .patch(
      "/settings",
      ({ body }) => {
        if (!isPlainObject(body) || Object.keys(body).length === 0) {
          throw ApiError.invalid("body", 'send an object of settings to change, e.g. {"max_attempts": 5}');
        }
        const patch: SettingValues = {};
        for (const [key, value] of Object.entries(body)) {
          const checked = validateSetting(key, value);
          if (!checked.ok) throw ApiError.invalid(key, checked.message);
          patch[key] = checked.value;
        }
        saveSettings(ctx.db, patch, ctx.now());
        ctx.bus.publish({ kind: "settings-changed" });
        return settingsList(ctx.settings());
      },
      { body: t.Unknown({ description: "Object of setting key -> new value" }), detail: detail("Change settings; all are checked before any is saved") },
    );
}
