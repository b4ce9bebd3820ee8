// Form validation for groups, access keys and settings, done before anything is sent. Pure:
// takes the raw form values (strings from inputs) and answers either the typed API input or
// errors as message keys with params, so the pages show them in the chosen language.

import type { AccessKey, AccessKeyInput } from "../api/access-keys.ts";
import type { GroupInput, ChannelType, HeaderRule, SubGroupRef, Upstream } from "../api/groups.ts";
import type { Setting, SettingValue } from "../api/settings.ts";
import type { MessageKey, Params } from "./i18n.ts";

export interface FieldError {
  key: MessageKey;
  params?: Params;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: Record<string, FieldError> };

/**
 * The errors still worth showing: a client-side error goes away as soon as the form checks clean
 * for that field again; the server's errors ("validate.server") stay until the next save.
 */
export function stillFailing(shown: Record<string, FieldError>, now: Checked<unknown>): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const [field, error] of Object.entries(shown)) {
    if (error.key === "validate.server") out[field] = error;
    else if (!now.ok && now.errors[field] !== undefined) out[field] = now.errors[field];
  }
  return out;
}

const GROUP_NAME = /^[a-z0-9_-]{1,100}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/;

export interface UpstreamRow {
  url: string;
  weight: string;
}

export interface SubGroupRow {
  group_id: string;
  weight: string;
}

export interface GroupForm {
  name: string;
  display_name: string;
  description: string;
  channel_type: ChannelType;
  upstreams: UpstreamRow[];
  test_model: string;
  validation_endpoint: string;
  /** JSON object text. */
  model_redirect: string;
  model_redirect_strict: boolean;
  /** JSON object text. */
  param_overrides: string;
  /** JSON array text. */
  header_rules: string;
  /** Setting key -> raw input; empty = inherit the global value. */
  config: Record<string, string>;
  sub_groups: SubGroupRow[];
  enabled: boolean;
  sort: string;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function parseWeight(raw: string): number | null {
  const n = Number(raw.trim());
  return raw.trim() !== "" && Number.isInteger(n) && n >= 0 && n <= 1000 ? n : null;
}

function parseJsonObject(text: string): Record<string, unknown> | null | undefined {
  if (!text.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Checks one setting's raw input against its definition; the value is typed as the API wants it. */
export function parseSettingInput(def: Pick<Setting, "type" | "min" | "max">, raw: string | boolean): { ok: true; value: SettingValue } | { ok: false; error: FieldError } {
  switch (def.type) {
    case "boolean":
      return typeof raw === "boolean" ? { ok: true, value: raw } : { ok: true, value: raw === "true" };
    case "string":
      return String(raw).length <= 4096 ? { ok: true, value: String(raw) } : { ok: false, error: { key: "validate.tooLong", params: { max: 4096 } } };
    case "integer": {
      const text = String(raw).trim();
      const n = Number(text);
      if (!text || !Number.isInteger(n)) return { ok: false, error: { key: "validate.wholeNumber" } };
      if (def.min !== null && n < def.min) return { ok: false, error: { key: "validate.atLeast", params: { min: def.min } } };
      if (def.max !== null && n > def.max) return { ok: false, error: { key: "validate.atMost", params: { max: def.max } } };
      return { ok: true, value: n };
    }
    case "integer-list": {
      const parts = String(raw).split(/[\s,]+/).filter(Boolean);
      const codes = parts.map(Number);
      if (codes.some((c) => !Number.isInteger(c) || c < 100 || c > 599)) return { ok: false, error: { key: "validate.statusList" } };
      return { ok: true, value: codes };
    }
  }
}

/** A setting value as the text an input shows. */
export function settingToInput(value: SettingValue): string {
  return Array.isArray(value) ? value.join(", ") : String(value);
}

export function emptyGroupForm(): GroupForm {
  return {
    name: "",
    display_name: "",
    description: "",
    channel_type: "openai",
    upstreams: [{ url: "", weight: "1" }],
    test_model: "",
    validation_endpoint: "",
    model_redirect: "",
    model_redirect_strict: false,
    param_overrides: "",
    header_rules: "",
    config: {},
    sub_groups: [],
    enabled: true,
    sort: "0",
  };
}

/** Checks a whole group form; `defs` are the settings (for the per-group overrides). */
export function validateGroupForm(form: GroupForm, defs: readonly Setting[] = []): Checked<GroupInput> {
  const errors: Record<string, FieldError> = {};
  if (!GROUP_NAME.test(form.name)) errors.name = { key: "validate.groupName" };
  const aggregate = form.sub_groups.length > 0;
  const upstreams: Upstream[] = [];
  form.upstreams.forEach((row, i) => {
    if (!row.url.trim() && aggregate) return;
    if (!isHttpUrl(row.url)) errors[`upstreams.${i}.url`] = { key: "validate.url" };
    const weight = parseWeight(row.weight);
    if (weight === null) errors[`upstreams.${i}.weight`] = { key: "validate.weight" };
    upstreams.push({ url: row.url.trim(), weight: weight ?? 0 });
  });
  if (!aggregate && !errors.upstreams && !upstreams.some((u) => u.weight > 0) && !Object.keys(errors).some((k) => k.startsWith("upstreams."))) {
    errors.upstreams = { key: "validate.needUpstream" };
  }
  const subGroups: SubGroupRef[] = [];
  form.sub_groups.forEach((row, i) => {
    const id = Number(row.group_id);
    const weight = parseWeight(row.weight);
    if (!Number.isInteger(id) || id < 1) errors[`sub_groups.${i}.group_id`] = { key: "validate.required" };
    if (weight === null) errors[`sub_groups.${i}.weight`] = { key: "validate.weight" };
    subGroups.push({ group_id: id, weight: weight ?? 0 });
  });
  if (form.validation_endpoint && !form.validation_endpoint.startsWith("/")) errors.validation_endpoint = { key: "validate.path" };
  const redirect = parseJsonObject(form.model_redirect);
  if (redirect === null || (redirect && Object.values(redirect).some((v) => typeof v !== "string" || !v))) errors.model_redirect = { key: "validate.redirect" };
  const overrides = parseJsonObject(form.param_overrides);
  if (overrides === null) errors.param_overrides = { key: "validate.jsonObject" };
  let headerRules: HeaderRule[] = [];
  if (form.header_rules.trim()) {
    try {
      const parsed: unknown = JSON.parse(form.header_rules);
      const ok =
        Array.isArray(parsed) &&
        parsed.every(
          (r) => typeof r === "object" && r !== null && (r.action === "set" || r.action === "remove") && typeof r.name === "string" && HEADER_NAME.test(r.name) && (r.action === "remove" || typeof r.value === "string"),
        );
      if (ok) headerRules = parsed as HeaderRule[];
      else errors.header_rules = { key: "validate.headerRules" };
    } catch {
      errors.header_rules = { key: "validate.headerRules" };
    }
  }
  const config: Record<string, SettingValue> = {};
  for (const [key, raw] of Object.entries(form.config)) {
    if (raw.trim() === "") continue;
    const def = defs.find((d) => d.key === key);
    if (!def) continue;
    const parsed = parseSettingInput(def, raw);
    if (parsed.ok) config[key] = parsed.value;
    else errors[`config.${key}`] = parsed.error;
  }
  const sort = Number(form.sort || "0");
  if (!Number.isInteger(sort)) errors.sort = { key: "validate.wholeNumber" };
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: form.name,
      display_name: form.display_name.trim(),
      description: form.description.trim(),
      channel_type: form.channel_type,
      upstreams,
      test_model: form.test_model.trim(),
      validation_endpoint: form.validation_endpoint.trim(),
      model_redirect: (redirect ?? {}) as Record<string, string>,
      model_redirect_strict: form.model_redirect_strict,
      param_overrides: overrides ?? {},
      header_rules: headerRules,
      config,
      sub_groups: subGroups,
      enabled: form.enabled,
      sort,
    },
  };
}

/** The form for an existing group (edit), or a copy of it under a new name. */
export function groupToForm(group: GroupInput & { name: string }, copy = false): GroupForm {
  const json = (v: unknown, empty: string) => (v && JSON.stringify(v) !== empty ? JSON.stringify(v, null, 2) : "");
  return {
    name: copy ? `${group.name}-copy`.slice(0, 100) : group.name,
    display_name: group.display_name ?? "",
    description: group.description ?? "",
    channel_type: group.channel_type ?? "openai",
    upstreams: (group.upstreams?.length ? group.upstreams : [{ url: "", weight: 1 }]).map((u) => ({ url: u.url, weight: String(u.weight) })),
    test_model: group.test_model ?? "",
    validation_endpoint: group.validation_endpoint ?? "",
    model_redirect: json(group.model_redirect, "{}"),
    model_redirect_strict: group.model_redirect_strict ?? false,
    param_overrides: json(group.param_overrides, "{}"),
    header_rules: json(group.header_rules, "[]"),
    config: Object.fromEntries(Object.entries(group.config ?? {}).map(([k, v]) => [k, settingToInput(v as SettingValue)])),
    sub_groups: (group.sub_groups ?? []).map((s) => ({ group_id: String(s.group_id), weight: String(s.weight) })),
    enabled: group.enabled ?? true,
    sort: String(group.sort ?? 0),
  };
}

export interface AccessKeyForm {
  name: string;
  group_ids: number[];
  rpm_limit: string;
  /** yyyy-mm-dd from a date input, or "". */
  expires_on: string;
}

function checkAccessKeyName(raw: string, errors: Record<string, FieldError>): string {
  const name = raw.trim();
  if (!name || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) errors.name = { key: "validate.accessKeyName" };
  return name;
}

/** The RPM input as the API wants it: empty or 0 = no limit (null). */
function checkRpm(raw: string, errors: Record<string, FieldError>): number | null {
  if (!raw.trim()) return null;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) {
    errors.rpm_limit = { key: "validate.rpm" };
    return null;
  }
  return n || null;
}

/** The end of the chosen day (local time) as epoch ms; it must lie in the future. */
function checkExpiry(day: string, now: number, errors: Record<string, FieldError>): number | undefined {
  const ms = Date.parse(`${day}T23:59:59`);
  if (!Number.isFinite(ms) || ms <= now) {
    errors.expires_on = { key: "validate.future" };
    return undefined;
  }
  return ms;
}

export function validateAccessKeyForm(form: AccessKeyForm, now: number): Checked<{ name: string; group_ids: number[]; rpm_limit: number | null; expires_at?: number }> {
  const errors: Record<string, FieldError> = {};
  const name = checkAccessKeyName(form.name, errors);
  const rpm = checkRpm(form.rpm_limit, errors);
  const expires = form.expires_on ? checkExpiry(form.expires_on, now, errors) : undefined;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { name, group_ids: form.group_ids, rpm_limit: rpm, ...(expires !== undefined && { expires_at: expires }) } };
}

/** Epoch ms as yyyy-mm-dd in local time, the value of a date input; "" for null. */
export function dateInputValue(ts: number | null): string {
  if (ts === null || !Number.isFinite(ts)) return "";
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The edit form of an existing access key. */
export function accessKeyToForm(key: Pick<AccessKey, "name" | "group_ids" | "rpm_limit" | "expires_at">): AccessKeyForm {
  return { name: key.name, group_ids: [...key.group_ids], rpm_limit: key.rpm_limit ? String(key.rpm_limit) : "", expires_on: dateInputValue(key.expires_at) };
}

/**
 * Checks the edit of an existing access key and answers only what changed (the PATCH body; {}
 * when nothing did). An expiry left as it was is not sent, so a key already expired can still
 * be renamed; an emptied expiry is sent as null (never).
 */
export function validateAccessKeyEdit(form: AccessKeyForm, key: Pick<AccessKey, "name" | "group_ids" | "rpm_limit" | "expires_at">, now: number): Checked<AccessKeyInput> {
  const errors: Record<string, FieldError> = {};
  const name = checkAccessKeyName(form.name, errors);
  const rpm = checkRpm(form.rpm_limit, errors);
  const expiryChanged = form.expires_on !== dateInputValue(key.expires_at);
  const expires = expiryChanged && form.expires_on ? checkExpiry(form.expires_on, now, errors) : undefined;
  if (Object.keys(errors).length) return { ok: false, errors };
  const scope = (ids: readonly number[]) => [...new Set(ids)].sort((x, y) => x - y).join(",");
  const change: AccessKeyInput = {};
  if (name !== key.name) change.name = name;
  if (scope(form.group_ids) !== scope(key.group_ids)) change.group_ids = [...new Set(form.group_ids)];
  if (rpm !== (key.rpm_limit || null)) change.rpm_limit = rpm;
  if (expiryChanged) change.expires_at = expires ?? null;
  return { ok: true, value: change };
}

/** A field error from the API (`{field, message}`) on the form field that shows it. */
export function serverFieldError(field: string, message: string): Record<string, FieldError> {
  const formField = field === "expires_at" ? "expires_on" : field;
  return { [formField]: { key: "validate.server", params: { message } } };
}

/** A key's notes as the API takes them: trimmed, at most 1000 characters. */
export function validateKeyNotes(text: string): { ok: true; value: string } | { ok: false; error: FieldError } {
  const notes = text.trim();
  return notes.length <= 1000 ? { ok: true, value: notes } : { ok: false, error: { key: "validate.tooLong", params: { max: 1000 } } };
}
