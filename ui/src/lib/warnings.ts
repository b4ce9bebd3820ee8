// The dashboard's warning banner: security problems in the settings and groups that are running
// out of usable keys. Pure: answers message keys with params.

import type { Group } from "../api/groups.ts";
import type { Setting } from "../api/settings.ts";
import type { MessageKey, Params } from "./i18n.ts";

export interface Warning {
  key: MessageKey;
  params?: Params;
}

/** A group is short of keys when fewer than this share of its keys are usable. */
export const LOW_KEYS_RATIO = 0.2;

export function dashboardWarnings(settings: readonly Setting[], groups: readonly Group[], adminKeyWeak = false): Warning[] {
  const out: Warning[] = [];
  if (adminKeyWeak) out.push({ key: "warning.weakAdminKey" });
  const value = (key: string) => settings.find((s) => s.key === key)?.value;
  const metricsToken = settings.find((s) => s.key === "metrics_token");
  if (metricsToken !== undefined && !(metricsToken.is_set ?? metricsToken.value !== "")) out.push({ key: "warning.metricsOpen" });
  if (value("log_bodies") === true) out.push({ key: "warning.logBodies" });
  for (const g of groups) {
    if (!g.enabled || g.sub_groups.length) continue;
    const { total, active } = g.key_counts;
    if (total === 0) out.push({ key: "warning.noKeys", params: { name: g.name } });
    else if (active === 0) out.push({ key: "warning.noUsableKeys", params: { name: g.name } });
    else if (active / total < LOW_KEYS_RATIO) out.push({ key: "warning.fewKeys", params: { name: g.name, active, total } });
  }
  return out;
}
