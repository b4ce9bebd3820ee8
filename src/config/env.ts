// Turns environment variables and `serve` flags into one validated, typed Config.
// Pure: the caller passes env, argv and whether stdout is a TTY; nothing here touches
// the file system or the process. Errors name the variable so the user knows what to fix.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "pretty" | "json";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `sqlite:<path>` is normalised to a plain file path; postgres URLs are kept as given. */
  databaseUrl: string;
  databaseKind: "sqlite" | "postgres";
  authKey: string | undefined;
  encryptionKey: string | undefined;
  logLevel: LogLevel;
  logFormat: LogFormat;
  redisUrl: string | undefined;
}

export interface ConfigError {
  variable: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

/** Each setting: its env name, its `serve` flag, and what it means (README and --help are built from this). */
export const CONFIG_VARIABLES = [
  { env: "PORT", flag: "--port", default: "3001", help: "TCP port the gateway listens on (1-65535)." },
  { env: "HOST", flag: "--host", default: "0.0.0.0", help: "Address to bind." },
  { env: "DATA_DIR", flag: "--data-dir", default: "./data", help: "Folder for the SQLite database and generated secrets." },
  { env: "DATABASE_URL", flag: "--database-url", default: "<DATA_DIR>/poolgate.db", help: "SQLite file path (or sqlite:<path>); postgres://... is reserved for cluster mode." },
  { env: "AUTH_KEY", flag: "--auth-key", default: "generated", help: "Admin key for the API and UI; generated and stored in DATA_DIR/auth.key when not given." },
  { env: "ENCRYPTION_KEY", flag: "--encryption-key", default: "generated", help: "Secret that encrypts upstream keys at rest; generated and stored in DATA_DIR/encryption.key when not given." },
  { env: "LOG_LEVEL", flag: "--log-level", default: "info", help: "debug | info | warn | error." },
  { env: "LOG_FORMAT", flag: "--log-format", default: "pretty on a TTY, json otherwise", help: "pretty | json." },
  { env: "REDIS_URL", flag: "--redis-url", default: "(none)", help: "redis://... for cluster mode (reserved)." },
] as const;

type Raw = Record<string, string | undefined>;

/** Reads `--flag value` and `--flag=value` pairs into env-style names; flags win over env. */
export function flagsToEnv(argv: readonly string[]): { values: Raw; unknown: string[] } {
  const byFlag = new Map<string, string>(CONFIG_VARIABLES.map((v) => [v.flag, v.env]));
  const values: Raw = {};
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      unknown.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const name = byFlag.get(flag);
    if (!name) {
      unknown.push(flag);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) unknown.push(`${flag} (missing value)`);
    else values[name] = value;
  }
  return { values, unknown };
}

export function parseConfig(env: Raw, argv: readonly string[] = [], isTTY = false): ConfigResult {
  const errors: ConfigError[] = [];
  const flags = flagsToEnv(argv);
  for (const u of flags.unknown) errors.push({ variable: u, message: `unknown option ${u}` });
  const raw: Raw = { ...env, ...flags.values };
  const get = (name: string) => {
    const v = raw[name]?.trim();
    return v === "" ? undefined : v;
  };

  const portText = get("PORT") ?? "3001";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    errors.push({ variable: "PORT", message: `PORT must be a whole number from 1 to 65535, got "${portText}"` });
  }

  const host = get("HOST") ?? "0.0.0.0";
  if (/\s|\//.test(host)) errors.push({ variable: "HOST", message: `HOST must be an address or hostname, got "${host}"` });

  const dataDir = stripTrailingSlash(get("DATA_DIR") ?? "./data");

  let databaseUrl = get("DATABASE_URL") ?? `${dataDir}/poolgate.db`;
  let databaseKind: Config["databaseKind"] = "sqlite";
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    databaseKind = "postgres";
    if (!URL.canParse(databaseUrl)) errors.push({ variable: "DATABASE_URL", message: "DATABASE_URL is not a valid postgres:// URL" });
    else errors.push({ variable: "DATABASE_URL", message: "DATABASE_URL: postgres is reserved for cluster mode and not available in this version; leave it unset to use SQLite in DATA_DIR" });
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !databaseUrl.startsWith("sqlite:")) {
    errors.push({ variable: "DATABASE_URL", message: `DATABASE_URL must be a file path, sqlite:<path> or postgres://..., got scheme "${databaseUrl.split(":")[0]}"` });
  } else if (databaseUrl.startsWith("sqlite:")) {
    databaseUrl = databaseUrl.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!databaseUrl) errors.push({ variable: "DATABASE_URL", message: "DATABASE_URL sqlite: needs a file path" });
  }
  // The request-log writer thread opens the same file; an in-memory database would be a second, empty one.
  if (databaseKind === "sqlite" && (databaseUrl === ":memory:" || databaseUrl.startsWith("file::memory:"))) {
    errors.push({ variable: "DATABASE_URL", message: "DATABASE_URL cannot be an in-memory SQLite database; name a file (default DATA_DIR/poolgate.db)" });
  }

  const logLevel = (get("LOG_LEVEL") ?? "info").toLowerCase();
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    errors.push({ variable: "LOG_LEVEL", message: `LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"` });
  }
  const logFormat = (get("LOG_FORMAT") ?? (isTTY ? "pretty" : "json")).toLowerCase();
  if (!["pretty", "json"].includes(logFormat)) {
    errors.push({ variable: "LOG_FORMAT", message: `LOG_FORMAT must be pretty or json, got "${logFormat}"` });
  }

  const redisUrl = get("REDIS_URL");
  if (redisUrl !== undefined && (!/^rediss?:\/\//i.test(redisUrl) || !URL.canParse(redisUrl))) {
    errors.push({ variable: "REDIS_URL", message: "REDIS_URL must be a redis:// or rediss:// URL" });
  }

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    config: {
      port,
      host,
      dataDir,
      databaseUrl,
      databaseKind,
      authKey: get("AUTH_KEY"),
      encryptionKey: get("ENCRYPTION_KEY"),
      logLevel: logLevel as LogLevel,
      logFormat: logFormat as LogFormat,
      redisUrl,
    },
  };
}

/** Parses the text of a `.env` file: KEY=value lines, # comments, optional quotes. */
export function parseDotEnv(text: string): Raw {
  const out: Raw = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    else value = value.replace(/\s+#.*$/, "");
    out[m[1]!] = value;
  }
  return out;
}

/** Reasons a given secret is weak; empty when it is fine. */
export function weakSecretReasons(secret: string): string[] {
  const reasons: string[] = [];
  if (secret.length < 16) reasons.push("shorter than 16 characters");
  if (/^(.)\1*$/.test(secret)) reasons.push("one repeated character");
  if (/^(password|admin|secret|changeme|123456|qwerty|sk-123456|test)/i.test(secret)) reasons.push("a common pattern");
  if (new Set(secret).size < 6) reasons.push("too few distinct characters");
  return reasons;
}

function stripTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
