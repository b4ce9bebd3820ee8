// /api/stats: period totals with the change against the period before, and time series.

import type { ApiClient } from "./client.ts";

export type Range = "1h" | "24h" | "7d" | "30d";
export const RANGES: readonly Range[] = ["1h", "24h", "7d", "30d"];

export interface Change {
  value: number | null;
  previous: number | null;
  delta: number | null;
  change_pct: number | null;
}

export interface Overview {
  range: Range;
  from: number;
  to: number;
  requests: Change;
  success_rate: Change;
  rpm: Change;
  input_tokens: Change;
  output_tokens: Change;
  cached_tokens: Change;
  active_keys: Change;
  cooldown_keys: Change;
  invalid_keys: Change;
}

export interface SeriesPoint {
  t: number;
  requests: number;
  successes: number;
  failures: number;
  input_tokens: number;
  output_tokens: number;
}

export interface Series {
  range: Range;
  bucket: "minute" | "hour" | "day";
  from: number;
  to: number;
  items: SeriesPoint[];
}

export const getOverview = (api: ApiClient, range: Range) => api.request<Overview>("GET", "/stats/overview", { query: { range } });
export const getSeries = (api: ApiClient, range: Range, group?: string) => api.request<Series>("GET", "/stats/series", { query: { range, group } });
