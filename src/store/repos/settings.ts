// Reads and writes the `system_settings` table. Values are validated by config/settings.ts
// before they get here; unknown keys found in the table (from an older version) are ignored.

import { defaultSettings, SETTINGS_BY_KEY, validateSetting, type SettingValues } from "../../config/settings.ts";
import type { Db } from "../open.ts";
import { systemSettings } from "../schema.ts";

/** Defaults overlaid with the stored values that are still valid. */
export function loadSettings(db: Db): SettingValues {
  const values = defaultSettings();
  for (const row of db.select().from(systemSettings).all()) {
    if (!SETTINGS_BY_KEY.has(row.key)) continue;
    const checked = validateSetting(row.key, row.value);
    if (checked.ok) values[row.key] = checked.value;
  }
  return values;
}

export function saveSettings(db: Db, patch: SettingValues, now: number): void {
  db.transaction((tx) => {
    for (const [key, value] of Object.entries(patch)) {
      tx.insert(systemSettings)
        .values({ key, value, updatedAt: now })
        .onConflictDoUpdate({ target: systemSettings.key, set: { value, updatedAt: now } })
        .run();
    }
  }, { behavior: "immediate" });
}
