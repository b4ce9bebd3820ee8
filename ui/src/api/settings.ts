// /api/settings: every hot setting with its definition; PATCH saves a set of changes at once.

import type { ApiClient } from "./client.ts";

export type SettingType = "integer" | "boolean" | "string" | "integer-list";
export type SettingValue = number | boolean | string | number[];

export interface Setting {
  key: string;
  value: SettingValue;
  default: SettingValue;
  description: string;
  type: SettingType;
  min: number | null;
  max: number | null;
  category: string;
  group_override: boolean;
  /** Write-only: `value` is always "" and `is_set` says whether one is stored. */
  secret?: boolean;
  is_set?: boolean;
}

export const listSettings = (api: ApiClient) => api.request<{ items: Setting[]; total: number }>("GET", "/settings");
export const saveSettings = (api: ApiClient, patch: Record<string, SettingValue>) =>
  api.request<{ items: Setting[]; total: number }>("PATCH", "/settings", { body: patch });
