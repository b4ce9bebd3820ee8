// Upstream keys of a group: paged masked listing, import, delete, restore, export, one-key changes.

import type { ApiClient } from "./client.ts";

export type KeyStatus = "active" | "cooldown" | "invalid" | "disabled";
export const KEY_STATUSES: readonly KeyStatus[] = ["active", "cooldown", "invalid", "disabled"];

export interface KeyItem {
  id: number;
  masked: string;
  status: KeyStatus;
  reason: string | null;
  cooldown_until: number | null;
  requests: number;
  failures: number;
  last_used_at: number | null;
  notes: string;
}

export interface KeyPage {
  items: KeyItem[];
  total: number;
  page: number;
  page_size: number;
}

export interface KeyQuery {
  page: number;
  pageSize: number;
  status?: KeyStatus | "";
  q?: string;
}

export interface ImportResult {
  added: number;
  duplicates: number;
  rejected: number;
}

export const listKeys = (api: ApiClient, groupId: number, query: KeyQuery, signal?: AbortSignal) =>
  api.request<KeyPage>("GET", `/groups/${groupId}/keys`, {
    query: { page: query.page, page_size: query.pageSize, status: query.status, q: query.q?.trim() },
    signal,
  });

export const importKeys = (api: ApiClient, groupId: number, keys: readonly string[]) =>
  api.request<ImportResult>("POST", `/groups/${groupId}/keys`, { body: { keys } });

export const deleteKeys = (api: ApiClient, groupId: number, which: { ids?: number[]; status?: KeyStatus }) =>
  api.request<{ deleted: number }>("DELETE", `/groups/${groupId}/keys`, { body: which });

export const restoreKeys = (api: ApiClient, groupId: number) => api.request<{ restored: number }>("POST", `/groups/${groupId}/keys/restore`);

export const updateKey = (api: ApiClient, id: number, change: { status?: "active" | "disabled"; notes?: string }) =>
  api.request<KeyItem>("PATCH", `/keys/${id}`, { body: change });

export const exportKeysUrl = (api: ApiClient, groupId: number, status?: KeyStatus | "") => api.url(`/groups/${groupId}/keys/export`, { status });
