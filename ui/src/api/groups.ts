// /api/groups: the group shape as the server answers it and the calls that change groups.

import type { ApiClient } from "./client.ts";

export type ChannelType = "openai" | "openai-responses" | "anthropic" | "gemini";
export const CHANNEL_TYPES: readonly ChannelType[] = ["openai", "openai-responses", "anthropic", "gemini"];

export interface KeyCounts {
  total: number;
  active: number;
  cooldown: number;
  invalid: number;
  disabled: number;
}

export interface Upstream {
  url: string;
  weight: number;
}

export interface HeaderRule {
  action: "set" | "remove";
  name: string;
  value?: string;
}

export interface SubGroupRef {
  group_id: number;
  weight: number;
}

export interface Group {
  id: number;
  name: string;
  display_name: string;
  description: string;
  channel_type: ChannelType;
  upstreams: Upstream[];
  test_model: string;
  validation_endpoint: string;
  model_redirect: Record<string, string>;
  model_redirect_strict: boolean;
  param_overrides: Record<string, unknown>;
  header_rules: HeaderRule[];
  config: Record<string, unknown>;
  sub_groups: SubGroupRef[];
  enabled: boolean;
  sort: number;
  created_at: number;
  updated_at: number;
  key_counts: KeyCounts;
}

export type GroupInput = Partial<Omit<Group, "id" | "created_at" | "updated_at" | "key_counts">>;

export const listGroups = (api: ApiClient) => api.request<{ items: Group[]; total: number }>("GET", "/groups");
export const getGroup = (api: ApiClient, id: number) => api.request<Group>("GET", `/groups/${id}`);
export const createGroup = (api: ApiClient, input: GroupInput) => api.request<Group>("POST", "/groups", { body: input });
export const updateGroup = (api: ApiClient, id: number, input: GroupInput) => api.request<Group>("PATCH", `/groups/${id}`, { body: input });
export const deleteGroup = (api: ApiClient, id: number) => api.request<void>("DELETE", `/groups/${id}`);
