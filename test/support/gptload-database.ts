// Builds a GPT-Load-shaped database (groups, group_sub_groups, api_keys, system_settings, with
// GPT-Load's column names) in SQLite, PostgreSQL or MySQL for the importer's tests, with plain or
// encrypted keys. Encrypts the way GPT-Load does, written here independently of src/cli.

import { Database } from "bun:sqlite";
import { createCipheriv, pbkdf2Sync, randomBytes } from "node:crypto";

export type Dialect = "sqlite" | "postgres" | "mysql";

export interface GptLoadKey {
  group: string;
  value: string;
  status: "active" | "invalid";
  requests?: number;
  failures?: number;
}

export interface GptLoadFixture {
  keys: GptLoadKey[];
  /** Every proxy key, global and per group. */
  proxyKeys: string[];
  globalProxyKeys: string[];
  groupProxyKeys: Record<string, string[]>;
}

/** GPT-Load's at-rest format: hex(nonce | AES-256-GCM ciphertext | tag), key from PBKDF2-SHA256. */
export function gptLoadEncrypt(password: string): (plain: string) => string {
  const key = pbkdf2Sync(password, "gpt-load-encryption-v1", 100_000, 32, "sha256");
  return (plain) => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("hex");
  };
}

const TYPES: Record<Dialect, { id: string; json: string; bool: string; time: string; text: string; q: (t: string) => string }> = {
  sqlite: { id: "INTEGER PRIMARY KEY AUTOINCREMENT", json: "JSON", bool: "NUMERIC", time: "DATETIME", text: "TEXT", q: (t) => `"${t}"` },
  postgres: { id: "BIGSERIAL PRIMARY KEY", json: "JSON", bool: "BOOLEAN", time: "TIMESTAMPTZ", text: "TEXT", q: (t) => `"${t}"` },
  mysql: { id: "BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY", json: "JSON", bool: "TINYINT(1)", time: "DATETIME(3)", text: "LONGTEXT", q: (t) => `\`${t}\`` },
};

const lit = (value: unknown) => (value === null ? "NULL" : typeof value === "number" || typeof value === "boolean" ? String(value) : `'${String(value).replaceAll("'", "''")}'`);

/** The statements that create and fill the database: 4 groups (2 of them members of an aggregate), settings, keys. */
export function gptLoadStatements(dialect: Dialect, options: { encryptionKey?: string; bulkKeys?: number } = {}): { statements: string[]; fixture: GptLoadFixture } {
  const t = TYPES[dialect];
  const statements = [
    `CREATE TABLE ${t.q("groups")} (id ${t.id}, name VARCHAR(255) NOT NULL UNIQUE, display_name VARCHAR(255), proxy_keys ${t.text}, description VARCHAR(512), group_type VARCHAR(50) DEFAULT 'standard', upstreams ${t.json} NOT NULL, validation_endpoint VARCHAR(255), channel_type VARCHAR(50) NOT NULL, sort INT DEFAULT 0, test_model VARCHAR(255) NOT NULL, param_overrides ${t.json}, config ${t.json}, header_rules ${t.json}, model_redirect_rules ${t.json}, model_redirect_strict ${t.bool} DEFAULT false, last_validated_at ${t.time} NULL, created_at ${t.time} NULL, updated_at ${t.time} NULL)`,
    `CREATE TABLE ${t.q("group_sub_groups")} (id ${t.id}, group_id BIGINT NOT NULL, sub_group_id BIGINT NOT NULL, weight INT DEFAULT 0, created_at ${t.time} NULL, updated_at ${t.time} NULL)`,
    `CREATE TABLE ${t.q("api_keys")} (id ${t.id}, key_value ${t.text} NOT NULL, key_hash VARCHAR(128), group_id BIGINT NOT NULL, status VARCHAR(50) NOT NULL DEFAULT 'active', notes VARCHAR(255) DEFAULT '', request_count BIGINT NOT NULL DEFAULT 0, failure_count BIGINT NOT NULL DEFAULT 0, last_used_at ${t.time} NULL, created_at ${t.time} NULL, updated_at ${t.time} NULL)`,
    `CREATE TABLE ${t.q("system_settings")} (id ${t.id}, setting_key VARCHAR(255) NOT NULL UNIQUE, setting_value ${t.text} NOT NULL, description VARCHAR(512), created_at ${t.time} NULL, updated_at ${t.time} NULL)`,
  ];
  const globalProxyKeys = ["global-proxy-key-Xq81vZ3mPqL5nR7tW9", "sk-123456"];
  const groupProxyKeys = { "openai-main": ["group-proxy-key-Hw27cN5rLkT4pY6uQ2"], "gemini-all": ["agg-proxy-key-Mz39bV1xCe8gJ0dF4s", "sk-123456"] };
  const settings: [string, string][] = [
    ["proxy_keys", globalProxyKeys.join(",")],
    ["max_retries", "4"],
    ["request_log_retention_days", "14"],
    ["connect_timeout", "20"],
    ["enable_request_body_logging", "false"],
    ["blacklist_threshold", "3"],
    ["app_url", "http://localhost:3001"],
  ];
  for (const [key, value] of settings) statements.push(`INSERT INTO ${t.q("system_settings")} (setting_key, setting_value) VALUES (${lit(key)}, ${lit(value)})`);

  const groups = [
    {
      name: "openai-main", channel: "openai", type: "standard", upstreams: [{ url: "https://api.openai.com", weight: 1 }],
      proxy: groupProxyKeys["openai-main"].join(", "), redirect: { "gpt-4": "gpt-4o" }, strict: true, params: { temperature: 0.5 },
      rules: [{ key: "X-Client", value: "${CLIENT_IP}", action: "set" }, { key: "X-Drop", value: "", action: "remove" }, { key: "X-Key", value: "${API_KEY}", action: "set" }],
      config: { max_retries: 2, blacklist_threshold: 5, key_validation_interval_minutes: 30 },
    },
    { name: "gemini-a", channel: "gemini", type: "standard", upstreams: [{ url: "https://generativelanguage.googleapis.com", weight: 1 }], proxy: "", redirect: {}, strict: false, params: {}, rules: [], config: {} },
    { name: "gemini-b", channel: "gemini", type: "standard", upstreams: [{ url: "https://gemini.example.com", weight: 2 }], proxy: "", redirect: {}, strict: false, params: {}, rules: [], config: {} },
    { name: "gemini-all", channel: "gemini", type: "aggregate", upstreams: [], proxy: groupProxyKeys["gemini-all"].join(","), redirect: {}, strict: false, params: {}, rules: [], config: {} },
  ];
  groups.forEach((g, i) => {
    statements.push(
      `INSERT INTO ${t.q("groups")} (id, name, display_name, proxy_keys, description, group_type, upstreams, validation_endpoint, channel_type, sort, test_model, param_overrides, config, header_rules, model_redirect_rules, model_redirect_strict) VALUES (${i + 1}, ${lit(g.name)}, ${lit(g.name.toUpperCase())}, ${lit(g.proxy)}, '', ${lit(g.type)}, ${lit(JSON.stringify(g.upstreams))}, '', ${lit(g.channel)}, ${i}, 'test-model', ${lit(JSON.stringify(g.params))}, ${lit(JSON.stringify(g.config))}, ${lit(JSON.stringify(g.rules))}, ${lit(JSON.stringify(g.redirect))}, ${g.strict})`,
    );
  });
  statements.push(`INSERT INTO ${t.q("group_sub_groups")} (group_id, sub_group_id, weight) VALUES (4, 2, 3), (4, 3, 1)`);

  const keys: GptLoadKey[] = [
    { group: "openai-main", value: "sk-plain-aaaaaaaaaaaaaaaaaaaaaaaa0001", status: "active", requests: 12 },
    { group: "openai-main", value: "sk-plain-aaaaaaaaaaaaaaaaaaaaaaaa0002", status: "invalid", requests: 5, failures: 5 },
    { group: "gemini-a", value: "AIzaSyFakeKeyNumberOne_000000000000001", status: "active" },
    { group: "gemini-b", value: "AIzaSyFakeKeyNumberTwo_000000000000002", status: "active" },
  ];
  for (let i = 0; i < (options.bulkKeys ?? 0); i++) keys.push({ group: "gemini-b", value: `AIzaSyBulk_${String(i).padStart(8, "0")}_pad`, status: "active" });
  const encrypt = options.encryptionKey ? gptLoadEncrypt(options.encryptionKey) : (v: string) => v;
  const groupId = (name: string) => groups.findIndex((g) => g.name === name) + 1;
  for (let i = 0; i < keys.length; i += 500) {
    const values = keys
      .slice(i, i + 500)
      .map((k) => `(${lit(encrypt(k.value))}, ${groupId(k.group)}, ${lit(k.status)}, ${k.requests ?? 0}, ${k.failures ?? 0}, ${k.requests ? "'2025-01-02 03:04:05'" : "NULL"})`);
    statements.push(`INSERT INTO ${t.q("api_keys")} (key_value, group_id, status, request_count, failure_count, last_used_at) VALUES ${values.join(", ")}`);
  }
  const proxyKeys = [...new Set([...globalProxyKeys, ...Object.values(groupProxyKeys).flat()])];
  return { statements, fixture: { keys, proxyKeys, globalProxyKeys, groupProxyKeys } };
}

export function createGptLoadSqlite(path: string, options: { encryptionKey?: string; bulkKeys?: number } = {}): GptLoadFixture {
  const { statements, fixture } = gptLoadStatements("sqlite", options);
  const db = new Database(path, { create: true });
  try {
    db.transaction(() => {
      for (const s of statements) db.exec(s);
    })();
  } finally {
    db.close();
  }
  return fixture;
}
