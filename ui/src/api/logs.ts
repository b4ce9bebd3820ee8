// /api/logs: filtered, cursor-paged request logs, one log with its attempt chain, export links.

import type { ApiClient, Query } from "./client.ts";

export interface Attempt {
  key_id: number | null;
  key_masked: string | null;
  upstream: string;
  status: number;
  error_class: string | null;
  duration_ms: number;
}

export interface LogItem {
  id: number;
  ts: number;
  request_id: string;
  group_id: number | null;
  group_name: string;
  sub_group_name: string | null;
  access_key_id: number | null;
  access_key_name: string | null;
  channel: string;
  model: string | null;
  upstream_model: string | null;
  stream: boolean;
  status: number;
  error_class: string | null;
  error: string | null;
  duration_ms: number;
  ttfb_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  client_ip: string | null;
  user_agent: string | null;
  upstream_url: string | null;
  key_id: number | null;
  key_masked: string | null;
  attempts: Attempt[];
}

export interface LogDetail extends LogItem {
  request_body: string | null;
  response_body: string | null;
}

export interface LogFilter {
  group?: string;
  model?: string;
  status?: string;
  success?: "" | "true" | "false";
  q?: string;
  from?: string;
  to?: string;
}

export interface LogPage {
  items: LogItem[];
  next_cursor: string | null;
  total?: number;
  total_capped?: boolean;
}

export const listLogs = (api: ApiClient, filter: LogFilter, page: { cursor?: string; limit?: number } = {}) =>
  api.request<LogPage>("GET", "/logs", { query: { ...(filter as Query), cursor: page.cursor, limit: page.limit } });
export const getLog = (api: ApiClient, id: number) => api.request<LogDetail>("GET", `/logs/${id}`);
export const exportLogsUrl = (api: ApiClient, filter: LogFilter, format: "csv" | "ndjson" = "csv") =>
  api.url("/logs/export", { ...(filter as Query), format });
