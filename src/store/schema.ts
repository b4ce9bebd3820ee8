// The database schema (SQLite dialect) for drizzle and drizzle-kit.
// Times are epoch milliseconds in plain integers; structured fields are JSON text.
// Secrets never appear here in the clear: upstream keys are AES-GCM ciphertext plus a
// keyed hash for dedupe, access keys only a keyed hash and a short display prefix.

import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

export const groups = sqliteTable(
  "groups",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    displayName: text("display_name").notNull().default(""),
    description: text("description").notNull().default(""),
    channelType: text("channel_type").notNull(),
    upstreams: text("upstreams", { mode: "json" }).$type<Upstream[]>().notNull(),
    testModel: text("test_model").notNull().default(""),
    validationEndpoint: text("validation_endpoint").notNull().default(""),
    modelRedirect: text("model_redirect", { mode: "json" }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    modelRedirectStrict: integer("model_redirect_strict", { mode: "boolean" }).notNull().default(false),
    paramOverrides: text("param_overrides", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    headerRules: text("header_rules", { mode: "json" }).$type<HeaderRule[]>().notNull().default(sql`'[]'`),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    subGroups: text("sub_groups", { mode: "json" }).$type<SubGroupRef[]>().notNull().default(sql`'[]'`),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    sort: integer("sort").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("groups_name_uq").on(t.name)],
);

export const KEY_STATUSES = ["active", "cooldown", "invalid", "disabled"] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** Keys of a group counted by status (the same shape as pool/ PoolCounts). */
export interface KeyStatusCounts {
  total: number;
  active: number;
  cooldown: number;
  invalid: number;
  disabled: number;
}

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    groupId: integer("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    /** base64 of iv | ciphertext | tag (AES-256-GCM). */
    valueEnc: text("value_enc").notNull(),
    /** hex HMAC-SHA256 of the key under the install's hash key. */
    keyHash: text("key_hash").notNull(),
    /** First and last 4 characters, what every listing shows. */
    masked: text("masked").notNull(),
    status: text("status", { enum: KEY_STATUSES }).$type<KeyStatus>().notNull().default("active"),
    reason: text("reason"),
    cooldownUntil: integer("cooldown_until"),
    requests: integer("requests").notNull().default(0),
    failures: integer("failures").notNull().default(0),
    lastUsedAt: integer("last_used_at"),
    notes: text("notes").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("api_keys_group_hash_uq").on(t.groupId, t.keyHash),
    index("api_keys_group_status_idx").on(t.groupId, t.status, t.id),
  ],
);

export const accessKeys = sqliteTable(
  "access_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    secretHash: text("secret_hash").notNull(),
    /** e.g. "pg-Ab3d…9xYz": enough to recognise a key, not to use it. */
    displayPrefix: text("display_prefix").notNull(),
    /** Empty = every group. */
    groupIds: text("group_ids", { mode: "json" }).$type<number[]>().notNull().default(sql`'[]'`),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    expiresAt: integer("expires_at"),
    rpmLimit: integer("rpm_limit"),
    requests: integer("requests").notNull().default(0),
    lastUsedAt: integer("last_used_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("access_keys_secret_hash_uq").on(t.secretHash)],
);

export const systemSettings = sqliteTable("system_settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Install-level facts: the encryption salt, a check value for the encryption key. */
export const installMeta = sqliteTable("install_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export interface AttemptRecord {
  key_id: number | null;
  key_masked: string | null;
  upstream: string;
  status: number;
  error_class: string | null;
  duration_ms: number;
}

export const requestLogs = sqliteTable(
  "request_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ts: integer("ts").notNull(),
    requestId: text("request_id").notNull(),
    groupId: integer("group_id"),
    groupName: text("group_name").notNull().default(""),
    subGroupName: text("sub_group_name"),
    accessKeyId: integer("access_key_id"),
    accessKeyName: text("access_key_name"),
    channel: text("channel").notNull().default(""),
    model: text("model"),
    upstreamModel: text("upstream_model"),
    stream: integer("stream", { mode: "boolean" }).notNull().default(false),
    status: integer("status").notNull(),
    errorClass: text("error_class"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    ttfbMs: integer("ttfb_ms"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    cachedTokens: integer("cached_tokens"),
    clientIp: text("client_ip"),
    userAgent: text("user_agent"),
    upstreamUrl: text("upstream_url"),
    keyId: integer("key_id"),
    keyMasked: text("key_masked"),
    attempts: text("attempts", { mode: "json" }).$type<AttemptRecord[]>().notNull().default(sql`'[]'`),
    requestBody: text("request_body"),
    responseBody: text("response_body"),
  },
  (t) => [
    index("request_logs_ts_idx").on(t.ts, t.id),
    index("request_logs_group_ts_idx").on(t.groupId, t.ts, t.id),
    index("request_logs_status_ts_idx").on(t.status, t.ts, t.id),
    index("request_logs_key_ts_idx").on(t.keyId, t.ts),
    index("request_logs_access_key_ts_idx").on(t.accessKeyId, t.ts),
    index("request_logs_model_ts_idx").on(t.model, t.ts),
    // Partial indexes keep "failures only" and error-text searches off a walk through every
    // success; admin/logs.ts repeats these WHERE terms literally so the planner can use them.
    index("request_logs_failed_ts_idx").on(t.ts).where(sql`status >= 400`),
    index("request_logs_error_ts_idx").on(t.ts).where(sql`error IS NOT NULL`),
  ],
);

export const hourlyStats = sqliteTable(
  "hourly_stats",
  {
    hour: integer("hour").notNull(),
    groupId: integer("group_id").notNull(),
    keyId: integer("key_id").notNull().default(0),
    model: text("model").notNull().default(""),
    accessKeyId: integer("access_key_id").notNull().default(0),
    requests: integer("requests").notNull().default(0),
    successes: integer("successes").notNull().default(0),
    failuresKey: integer("failures_key").notNull().default(0),
    failuresRateLimit: integer("failures_rate_limit").notNull().default(0),
    failuresUpstream: integer("failures_upstream").notNull().default(0),
    failuresClient: integer("failures_client").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    durationMsSum: real("duration_ms_sum").notNull().default(0),
    ttfbMsSum: real("ttfb_ms_sum").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.hour, t.groupId, t.keyId, t.model, t.accessKeyId] }),
    index("hourly_stats_group_hour_idx").on(t.groupId, t.hour),
  ],
);
