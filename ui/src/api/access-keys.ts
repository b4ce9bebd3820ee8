// /api/access-keys: the keys clients present to the proxy. The secret comes back once, on create.

import type { ApiClient } from "./client.ts";

export interface AccessKey {
  id: number;
  name: string;
  display_prefix: string;
  group_ids: number[];
  enabled: boolean;
  expires_at: number | null;
  rpm_limit: number | null;
  requests: number;
  last_used_at: number | null;
  created_at: number;
}

export interface AccessKeyInput {
  name?: string;
  group_ids?: number[];
  rpm_limit?: number | null;
  expires_at?: number | null;
  enabled?: boolean;
}

export const listAccessKeys = (api: ApiClient) => api.request<{ items: AccessKey[]; total: number }>("GET", "/access-keys");
export const createAccessKey = (api: ApiClient, input: AccessKeyInput & { name: string }) =>
  api.request<AccessKey & { secret: string }>("POST", "/access-keys", { body: input });
export const updateAccessKey = (api: ApiClient, id: number, input: AccessKeyInput) => api.request<AccessKey>("PATCH", `/access-keys/${id}`, { body: input });
export const deleteAccessKey = (api: ApiClient, id: number) => api.request<void>("DELETE", `/access-keys/${id}`);
