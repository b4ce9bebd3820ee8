// Turns GPT-Load rows into poolgate values: groups (channel, upstreams, redirects, overrides,
// header rules), system settings and proxy keys. Pure: plain rows in, values plus a note for
// everything it could not map out. Never puts a key value into a note.

import { isPlainObject } from "../admin/group-rules.ts";
import { SETTINGS_BY_KEY, validateSetting, type SettingValue, type SettingValues } from "../config/settings.ts";
import type { GroupValues } from "../store/repos/groups.ts";
import type { HeaderRule, Upstream } from "../store/schema.ts";
import type { Row } from "./gptload-source.ts";

const CHANNELS: Record<string, string> = {
  openai: "openai",
  "openai-response": "openai-responses",
  "openai-responses": "openai-responses",
  anthropic: "anthropic",
  gemini: "gemini",
};

type Convert = (raw: string) => SettingValue | undefined;
const int: Convert = (raw) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : undefined);
const seconds: Convert = (raw) => (int(raw) === undefined ? undefined : Number(raw) * 1000);
const bool: Convert = (raw) => (/^(true|1)$/i.test(raw.trim()) ? true : /^(false|0)$/i.test(raw.trim()) ? false : undefined);

/** GPT-Load setting (system-wide or a group's config) -> the poolgate setting it becomes. */
const SETTING_MAP: Record<string, { to: string; convert: Convert }> = {
  max_retries: { to: "max_attempts", convert: (raw) => (int(raw) === undefined ? undefined : Number(raw) + 1) },
  request_timeout: { to: "total_timeout_ms", convert: seconds },
  response_header_timeout: { to: "first_byte_timeout_ms", convert: seconds },
  key_validation_interval_minutes: { to: "validation_interval_minutes", convert: int },
  key_validation_concurrency: { to: "validation_concurrency", convert: int },
  request_log_retention_days: { to: "log_retention_days", convert: int },
  enable_request_body_logging: { to: "log_bodies", convert: bool },
};

/** GPT-Load settings poolgate deliberately has no equivalent for, and why. */
const NOT_MAPPED: Record<string, string> = {
  app_url: "poolgate needs no public URL setting",
  request_log_write_interval_minutes: "poolgate flushes logs every second",
  idle_conn_timeout: "Bun manages upstream connection reuse",
  max_idle_conns: "Bun manages upstream connection reuse",
  max_idle_conns_per_host: "Bun manages upstream connection reuse",
  proxy_url: "no per-group outbound proxy; set HTTPS_PROXY in poolgate's environment instead",
  blacklist_threshold: "poolgate marks a key invalid on its first 401/403 and cools it down on 429 instead of counting failures",
  key_validation_timeout_seconds: "validation requests use the group's timeouts",
};

export interface MappedSettings {
  values: SettingValues;
  notes: string[];
}

/** Maps settings (strings or JSON values) for the whole install (`group` undefined) or one group's config. */
export function mapSettings(source: Iterable<[string, unknown]>, group?: string): MappedSettings {
  const out: MappedSettings = { values: {}, notes: [] };
  const where = group ? `group "${group}": config.` : "setting ";
  for (const [key, rawValue] of source) {
    if (key === "proxy_keys") continue; // access keys, handled by the importer
    if (rawValue === null || rawValue === undefined || rawValue === "") continue;
    const rule = SETTING_MAP[key];
    if (!rule) {
      out.notes.push(`${where}${key}: not mapped (${NOT_MAPPED[key] ?? "unknown to poolgate"})`);
      continue;
    }
    const def = SETTINGS_BY_KEY.get(rule.to)!;
    if (group && !def.groupOverride) {
      out.notes.push(`${where}${key}: not mapped (${rule.to} is a system-wide setting in poolgate)`);
      continue;
    }
    const converted = rule.convert(String(rawValue));
    const checked = converted === undefined ? undefined : validateSetting(rule.to, converted);
    if (!checked?.ok) {
      out.notes.push(`${where}${key}=${String(rawValue).slice(0, 40)}: not mapped (${checked?.message ?? `not a valid ${def.type}`})`);
      continue;
    }
    out.values[rule.to] = checked.value;
  }
  return out;
}

/** The comma-separated proxy keys of a group or of the `proxy_keys` setting, trimmed and distinct. */
export function splitProxyKeys(text: unknown): string[] {
  if (typeof text !== "string") return [];
  return [...new Set(text.split(",").map((k) => k.trim()).filter(Boolean))];
}

/** JSON columns arrive as text (SQLite, MySQL) or already parsed (PostgreSQL json). */
function jsonOf(value: unknown): unknown {
  if (typeof value !== "string") return value ?? undefined;
  if (!value.trim()) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "true" || value === "t";
}

export type MappedGroup =
  | { kind: "standard" | "aggregate"; gptLoadId: number; values: GroupValues; proxyKeys: string[]; notes: string[] }
  | { kind: "skipped"; gptLoadId: number; name: string; reason: string };

/** One GPT-Load group as poolgate values (sub-groups are resolved later, by name). */
export function mapGroup(row: Row): MappedGroup {
  const name = String(row.name ?? "");
  const gptLoadId = Number(row.id);
  const channelType = CHANNELS[String(row.channel_type ?? "")];
  if (!channelType) return { kind: "skipped", gptLoadId, name, reason: `channel type "${String(row.channel_type)}" is not supported by poolgate` };
  const notes: string[] = [];
  const aggregate = String(row.group_type ?? "standard") === "aggregate";

  const upstreams: Upstream[] = [];
  const rawUpstreams = jsonOf(row.upstreams);
  for (const u of Array.isArray(rawUpstreams) ? rawUpstreams : []) {
    const item = u as { url?: unknown; weight?: unknown };
    if (typeof item?.url !== "string") continue;
    const weight = Number(item.weight ?? 1);
    upstreams.push({ url: item.url.trim(), weight: Number.isInteger(weight) && weight >= 0 ? Math.min(weight, 1000) : 1 });
  }

  const modelRedirect: Record<string, string> = {};
  const rawRedirect = jsonOf(row.model_redirect_rules);
  if (isPlainObject(rawRedirect)) {
    for (const [from, to] of Object.entries(rawRedirect)) {
      if (typeof to === "string" && to) modelRedirect[from] = to;
      else notes.push(`group "${name}": model redirect for "${from.slice(0, 60)}" is not a single model name; not mapped`);
    }
  }

  const rawParams = jsonOf(row.param_overrides);
  const paramOverrides = isPlainObject(rawParams) ? rawParams : {};

  const headerRules: HeaderRule[] = [];
  const rawRules = jsonOf(row.header_rules);
  for (const r of Array.isArray(rawRules) ? rawRules : []) {
    const rule = mapHeaderRule(r as Row);
    if (rule.kind === "ok") headerRules.push(rule.rule);
    else notes.push(`group "${name}": header rule ${rule.reason}; not mapped`);
  }

  const rawConfig = jsonOf(row.config);
  const config = isPlainObject(rawConfig) ? mapSettings(Object.entries(rawConfig), name) : { values: {}, notes: [] };
  notes.push(...config.notes);

  const values: GroupValues = {
    name,
    displayName: String(row.display_name ?? ""),
    description: String(row.description ?? ""),
    channelType,
    upstreams,
    testModel: String(row.test_model ?? ""),
    validationEndpoint: String(row.validation_endpoint ?? ""),
    modelRedirect,
    modelRedirectStrict: truthy(row.model_redirect_strict),
    paramOverrides,
    headerRules,
    config: config.values,
    subGroups: [],
    enabled: row.enabled === undefined || row.enabled === null ? true : truthy(row.enabled),
    sort: Number.isInteger(Number(row.sort)) ? Number(row.sort) : 0,
  };
  return { kind: aggregate ? "aggregate" : "standard", gptLoadId, values, proxyKeys: splitProxyKeys(row.proxy_keys), notes };
}

/** GPT-Load's header variables that poolgate knows under another spelling. */
const HEADER_VARIABLES: Record<string, string> = { CLIENT_IP: "${client_ip}", GROUP_NAME: "${group_name}" };

function mapHeaderRule(raw: Row): { kind: "ok"; rule: HeaderRule } | { kind: "skip"; reason: string } {
  const name = typeof raw?.key === "string" ? raw.key.trim() : "";
  const action = raw?.action === "remove" ? "remove" : raw?.action === "set" ? "set" : undefined;
  if (!name || !action) return { kind: "skip", reason: `${JSON.stringify(raw).slice(0, 80)} is malformed` };
  if (action === "remove") return { kind: "ok", rule: { action, name } };
  let unknown: string | undefined;
  const value = String(raw.value ?? "").replace(/\$\{([A-Za-z_]+)\}/g, (whole, variable: string) => {
    const mapped = HEADER_VARIABLES[variable.toUpperCase()];
    if (!mapped) unknown = whole;
    return mapped ?? whole;
  });
  if (unknown) return { kind: "skip", reason: `for ${name} uses ${unknown}, which poolgate does not provide` };
  return { kind: "ok", rule: { action, name, value } };
}
