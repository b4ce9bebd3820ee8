// The hot-reloadable settings: their names, types, defaults, bounds and help, as data.
// Values live in the database (admin API) and in memory; this file only defines and
// validates them. Per-group `config` overrides use the same names (those marked groupOverride).

export type SettingType = "integer" | "boolean" | "string" | "integer-list";

export interface SettingDefinition {
  key: string;
  category: "proxy" | "timeouts" | "pool" | "logs" | "security";
  type: SettingType;
  default: number | boolean | string | number[];
  min?: number;
  max?: number;
  description: string;
  /** May a group override it in its `config`? */
  groupOverride: boolean;
  /** A secret: the admin API never returns its value, only whether it is set. */
  secret?: true;
}

const SECOND = 1000;

export const SETTINGS: readonly SettingDefinition[] = [
  { key: "max_attempts", category: "proxy", type: "integer", default: 3, min: 1, max: 20, groupOverride: true, description: "Upstream attempts per client request (the first try plus retries on other keys or upstreams)." },
  { key: "request_budget_ms", category: "proxy", type: "integer", default: 600 * SECOND, min: 1 * SECOND, max: 3600 * SECOND, groupOverride: true, description: "Total time a request may spend across all attempts before the gateway gives up retrying." },
  { key: "max_body_bytes", category: "proxy", type: "integer", default: 64 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024, groupOverride: false, description: "Largest request body accepted; larger bodies get 413." },
  { key: "shutdown_timeout_ms", category: "proxy", type: "integer", default: 30 * SECOND, min: 0, max: 3600 * SECOND, groupOverride: false, description: "On SIGTERM or SIGINT, how long in-flight requests and streams may take to finish before they are aborted and the process exits." },
  { key: "shutdown_grace_ms", category: "proxy", type: "integer", default: 0, min: 0, max: 300 * SECOND, groupOverride: false, description: "On SIGTERM or SIGINT, how long the gateway keeps accepting new requests after /ready turns 503 (time for a load balancer to notice) before it closes its listener." },
  { key: "first_byte_timeout_ms", category: "timeouts", type: "integer", default: 300 * SECOND, min: 100, max: 3600 * SECOND, groupOverride: true, description: "Time allowed until the upstream's response headers arrive, connecting included (Bun's fetch has no separate connect phase; reasoning models can be silent for minutes)." },
  { key: "idle_timeout_ms", category: "timeouts", type: "integer", default: 120 * SECOND, min: 100, max: 3600 * SECOND, groupOverride: true, description: "Longest silence allowed between two chunks of a response." },
  { key: "total_timeout_ms", category: "timeouts", type: "integer", default: 600 * SECOND, min: 100, max: 7200 * SECOND, groupOverride: true, description: "Cap on a whole non-stream response; streams are bounded by the idle timeout instead." },
  { key: "cooldown_base_ms", category: "pool", type: "integer", default: 30 * SECOND, min: 100, max: 3600 * SECOND, groupOverride: true, description: "First cooldown of a rate-limited key when the provider names no reset time; doubles on each repeat (with jitter)." },
  { key: "cooldown_max_ms", category: "pool", type: "integer", default: 600 * SECOND, min: 1000, max: 86400 * SECOND, groupOverride: true, description: "Longest cooldown of a rate-limited key." },
  { key: "key_rpm_limit", category: "pool", type: "integer", default: 0, min: 0, max: 1_000_000, groupOverride: true, description: "Requests per minute allowed per upstream key (0 = no cap); keys at their cap are skipped like cooling ones." },
  { key: "circuit_failure_threshold", category: "pool", type: "integer", default: 5, min: 1, max: 1000, groupOverride: true, description: "Consecutive failures (5xx, connect errors, timeouts) that open an upstream's circuit." },
  { key: "circuit_open_ms", category: "pool", type: "integer", default: 30 * SECOND, min: 100, max: 3600 * SECOND, groupOverride: true, description: "How long an open circuit waits before letting one probe request through." },
  { key: "invalid_key_statuses", category: "pool", type: "integer-list", default: [401, 403], groupOverride: true, description: "Upstream statuses that mark the key invalid." },
  { key: "rate_limit_statuses", category: "pool", type: "integer-list", default: [429], groupOverride: true, description: "Upstream statuses that put the key in cooldown." },
  { key: "retry_statuses", category: "pool", type: "integer-list", default: [500, 502, 503, 504], groupOverride: true, description: "Upstream statuses counted as an upstream failure and retried elsewhere." },
  { key: "validation_interval_minutes", category: "pool", type: "integer", default: 60, min: 0, max: 10080, groupOverride: false, description: "How often invalid keys are re-tested (0 = never)." },
  { key: "validate_active_keys", category: "pool", type: "boolean", default: false, groupOverride: true, description: "Also re-test active keys in the periodic validation." },
  { key: "validation_concurrency", category: "pool", type: "integer", default: 8, min: 1, max: 256, groupOverride: false, description: "Keys tested at once by a validation run." },
  { key: "log_retention_days", category: "logs", type: "integer", default: 7, min: 0, max: 3650, groupOverride: false, description: "Days request logs are kept (0 keeps them forever)." },
  { key: "stats_retention_days", category: "logs", type: "integer", default: 365, min: 1, max: 3650, groupOverride: false, description: "Days hourly statistics are kept." },
  { key: "log_bodies", category: "logs", type: "boolean", default: false, groupOverride: true, description: "Store request and response bodies in the logs (size-capped); off by default because bodies may hold personal data." },
  { key: "log_body_max_bytes", category: "logs", type: "integer", default: 8192, min: 0, max: 1024 * 1024, groupOverride: true, description: "Largest body part kept in a log entry when body logging is on." },
  { key: "alert_webhook_url", category: "logs", type: "string", default: "", groupOverride: false, description: "Where alerts are POSTed as JSON (keys running low, keys invalidated, error rate, circuits opening, and their recoveries); empty = alerts off." },
  { key: "alert_webhook_secret", category: "logs", type: "string", default: "", groupOverride: false, secret: true, description: "Secret for the x-poolgate-signature header (sha256=<hex HMAC-SHA256 of the body>); empty = unsigned." },
  { key: "alert_min_usable_keys", category: "logs", type: "integer", default: 1, min: 0, max: 1_000_000, groupOverride: true, description: "Alert when a group has fewer usable (not invalid, not disabled) keys than this (0 = never)." },
  { key: "alert_error_rate_percent", category: "logs", type: "integer", default: 50, min: 1, max: 100, groupOverride: true, description: "Alert when more than this percent of a group's requests fail (5xx) over the alert window." },
  { key: "alert_error_window_minutes", category: "logs", type: "integer", default: 5, min: 1, max: 60, groupOverride: false, description: "Window of the error-rate alert; also the least time between two invalid-key alerts of a group." },
  { key: "alert_min_requests", category: "logs", type: "integer", default: 20, min: 1, max: 1_000_000, groupOverride: true, description: "Requests a group needs in the window before its error rate can raise an alert." },
  { key: "metrics_token", category: "security", type: "string", default: "", groupOverride: false, secret: true, description: "Bearer token required by GET /metrics (empty = open)." },
  { key: "session_ttl_hours", category: "security", type: "integer", default: 12, min: 1, max: 720, groupOverride: false, description: "How long an admin UI session stays valid." },
];

export const SETTINGS_BY_KEY: ReadonlyMap<string, SettingDefinition> = new Map(SETTINGS.map((s) => [s.key, s]));

export type SettingValue = number | boolean | string | number[];
export type SettingValues = Record<string, SettingValue>;

export function defaultSettings(): SettingValues {
  return Object.fromEntries(SETTINGS.map((s) => [s.key, structuredClone(s.default)]));
}

export type ValidationResult = { ok: true; value: SettingValue } | { ok: false; message: string };

/** Checks one value against its definition; unknown keys and wrong types are refused with a message. */
export function validateSetting(key: string, value: unknown): ValidationResult {
  const def = SETTINGS_BY_KEY.get(key);
  if (!def) return { ok: false, message: `unknown setting "${key}"` };
  switch (def.type) {
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) return { ok: false, message: `${key} must be a whole number` };
      if (def.min !== undefined && value < def.min) return { ok: false, message: `${key} must be at least ${def.min}` };
      if (def.max !== undefined && value > def.max) return { ok: false, message: `${key} must be at most ${def.max}` };
      return { ok: true, value };
    }
    case "boolean":
      return typeof value === "boolean" ? { ok: true, value } : { ok: false, message: `${key} must be true or false` };
    case "string":
      return typeof value === "string" && value.length <= 4096
        ? { ok: true, value }
        : { ok: false, message: `${key} must be a string of at most 4096 characters` };
    case "integer-list": {
      const ok = Array.isArray(value) && value.length <= 100 && value.every((n) => Number.isInteger(n) && n >= 100 && n <= 599);
      return ok ? { ok: true, value: value as number[] } : { ok: false, message: `${key} must be a list of HTTP status codes (100-599)` };
    }
  }
}

/** Validates a group's `config` overrides: only overridable settings, each valid. */
export function validateGroupConfig(config: Record<string, unknown>): { ok: true; value: SettingValues } | { ok: false; field: string; message: string } {
  const out: SettingValues = {};
  for (const [key, value] of Object.entries(config)) {
    const def = SETTINGS_BY_KEY.get(key);
    if (!def || !def.groupOverride) return { ok: false, field: `config.${key}`, message: `"${key}" is not a setting a group can override` };
    const r = validateSetting(key, value);
    if (!r.ok) return { ok: false, field: `config.${key}`, message: r.message };
    out[key] = r.value;
  }
  return { ok: true, value: out };
}
