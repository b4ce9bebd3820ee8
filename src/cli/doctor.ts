// `poolgate doctor`: checks what commonly goes wrong on a host (data dir permissions, database
// integrity, migrations, the port, the open-file limit, Bun's outbound request limit, weak
// secrets) and prints one line per check: ok, warn or fail. Read-only; exit 1 on any fail.

import { Database } from "bun:sqlite";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { weakSecretReasons, type Config } from "../config/env.ts";
import { EMBEDDED_MIGRATIONS } from "../store/migrations.gen.ts";
import { parseCliArgs } from "./cli-args.ts";
import { CliError } from "./cli-error.ts";
import { loadCliConfig, type Env } from "./local-store.ts";

export const DOCTOR_HELP = `Usage: poolgate doctor [--port N] [--data-dir DIR] [...settings flags]

Checks this host and poolgate's data with the same settings serve would use, one line each:
data dir permissions, database integrity (quick_check), migrations, port availability, the
open-file limit, BUN_CONFIG_MAX_HTTP_REQUESTS and weak secrets. Changes nothing.

Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 usage error.
`;

export type CheckLevel = "ok" | "warn" | "fail";
export interface CheckResult {
  name: string;
  level: CheckLevel;
  detail: string;
}

/** Each open proxied stream holds two sockets (client and upstream). */
const FDS_PER_STREAM = 2;
const COMFORTABLE_FDS = 16_384;
const MINIMUM_FDS = 1024;

export async function doctorCommand(argv: readonly string[], env: Env): Promise<number> {
  const args = parseCliArgs(argv, {}, "doctor");
  if (args.help) {
    process.stdout.write(DOCTOR_HELP);
    return 0;
  }
  if (args.positionals.length) throw new CliError(`doctor: unexpected argument "${args.positionals[0]}"`);
  const config = loadCliConfig(args.configArgv, env);
  const results = [
    checkDataDir(config),
    ...checkDatabase(config),
    await checkPort(config),
    checkFileLimit(readFileSafe("/proc/self/limits")),
    checkMaxHttpRequests(env.BUN_CONFIG_MAX_HTTP_REQUESTS),
    ...checkSecrets(config),
  ];
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) process.stdout.write(`${r.level.padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}\n`);
  return results.some((r) => r.level === "fail") ? 1 : 0;
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function modeText(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, "0");
}

export function checkDataDir(config: Config): CheckResult {
  const name = "data dir";
  if (!existsSync(config.dataDir)) return { name, level: "warn", detail: `${config.dataDir} does not exist yet (serve creates it with mode 700)` };
  const stat = statSync(config.dataDir);
  if (!stat.isDirectory()) return { name, level: "fail", detail: `${config.dataDir} is not a folder` };
  for (const file of ["auth.key", "encryption.key"]) {
    const path = join(config.dataDir, file);
    const mode = existsSync(path) ? statSync(path).mode : 0;
    if (mode & 0o077) return { name, level: "fail", detail: `${path} has mode ${modeText(mode)}; run chmod 600 ${path}` };
  }
  if (stat.mode & 0o007) return { name, level: "fail", detail: `${config.dataDir} has mode ${modeText(stat.mode)} (others can read it); run chmod 700 ${config.dataDir}` };
  if (stat.mode & 0o070) return { name, level: "warn", detail: `${config.dataDir} has mode ${modeText(stat.mode)} (its group can read it); 700 is safer` };
  return { name, level: "ok", detail: `${config.dataDir} (mode ${modeText(stat.mode)})` };
}

/** Integrity and migrations: both need the database file. */
export function checkDatabase(config: Config): CheckResult[] {
  const path = config.databaseUrl;
  if (!existsSync(path)) {
    const detail = `no database at ${path} yet (serve or poolgate migrate creates it)`;
    return [
      { name: "database", level: "warn", detail },
      { name: "migrations", level: "warn", detail: "no database yet" },
    ];
  }
  let db: Database | undefined;
  try {
    db = new Database(path, { readonly: true });
    const rows = db.query("PRAGMA quick_check").all() as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((v) => v !== "ok");
    const integrity: CheckResult = problems.length
      ? { name: "database", level: "fail", detail: `quick_check found ${problems.length} problem(s): ${problems[0]!.slice(0, 120)}; restore from a backup` }
      : { name: "database", level: "ok", detail: `${path} passes quick_check` };
    return [integrity, checkMigrations(db)];
  } catch (error) {
    return [
      { name: "database", level: "fail", detail: `${path} cannot be read as SQLite: ${(error as Error).message}` },
      { name: "migrations", level: "fail", detail: "database unreadable" },
    ];
  } finally {
    db?.close();
  }
}

function checkMigrations(db: Database): CheckResult {
  const name = "migrations";
  const hasTable = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  const applied = hasTable ? (db.query("SELECT created_at FROM __drizzle_migrations").all() as { created_at: number }[]).map((r) => Number(r.created_at)) : [];
  const last = applied.length ? Math.max(...applied) : -1;
  const known = EMBEDDED_MIGRATIONS.map((m) => m.when);
  if (last > Math.max(...known)) return { name, level: "fail", detail: "the database was migrated by a newer poolgate; run that version" };
  const pending = EMBEDDED_MIGRATIONS.filter((m) => m.when > last);
  if (pending.length) return { name, level: "warn", detail: `${pending.length} pending (${pending.map((m) => m.tag).join(", ")}); serve applies them at start, or run poolgate migrate` };
  return { name, level: "ok", detail: `up to date (${EMBEDDED_MIGRATIONS.length} applied)` };
}

export async function checkPort(config: Config): Promise<CheckResult> {
  const name = "port";
  try {
    const listener = Bun.listen({ hostname: config.host, port: config.port, socket: { data() {} } });
    listener.stop(true);
    return { name, level: "ok", detail: `${config.host}:${config.port} is free` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
    const health = await fetch(`http://${host.includes(":") ? `[${host}]` : host}:${config.port}/health`, { signal: AbortSignal.timeout(1500) })
      .then(async (r) => (r.ok ? ((await r.json()) as { status?: string; version?: string }) : undefined))
      .catch(() => undefined);
    if (health?.status === "ok") return { name, level: "ok", detail: `${config.host}:${config.port} is in use by a running poolgate ${health.version ?? ""}`.trim() };
    if (code === "EACCES") return { name, level: "fail", detail: `${config.host}:${config.port} needs privileges to bind (ports below 1024); use a higher PORT` };
    return { name, level: "fail", detail: `${config.host}:${config.port} is in use by another program (${code || (error as Error).message})` };
  }
}

/** Reads the soft "Max open files" limit from /proc/self/limits text. */
export function checkFileLimit(limits: string): CheckResult {
  const name = "open files";
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!match) return { name, level: "warn", detail: "cannot read the open-file limit (/proc/self/limits)" };
  const soft = match[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[1]);
  const streams = Number.isFinite(soft) ? `about ${Math.floor(soft / FDS_PER_STREAM)} concurrent streams` : "no limit on streams";
  if (soft < MINIMUM_FDS) return { name, level: "fail", detail: `limit ${soft} allows ${streams}; raise it (LimitNOFILE=65536 in the unit, ulimit -n 65536)` };
  if (soft < COMFORTABLE_FDS) return { name, level: "warn", detail: `limit ${soft} allows ${streams} (each holds ${FDS_PER_STREAM} sockets); the systemd unit sets LimitNOFILE=65536` };
  return { name, level: "ok", detail: `limit ${match[1]} allows ${streams}` };
}

export function checkMaxHttpRequests(value: string | undefined): CheckResult {
  const name = "BUN_CONFIG_MAX_HTTP_REQUESTS";
  if (value === undefined || value === "") return { name, level: "ok", detail: "not set; serve restarts itself with 65535" };
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) return { name, level: "fail", detail: `"${value.slice(0, 20)}" is not a whole number from 1 to 65535` };
  if (n < 1024) return { name, level: "warn", detail: `${n} caps concurrent upstream requests at ${n}; unset it or use 65535` };
  return { name, level: "ok", detail: `${n} concurrent upstream requests` };
}

export function checkSecrets(config: Config): CheckResult[] {
  const out: CheckResult[] = [];
  for (const [variable, fileName, value] of [
    ["AUTH_KEY", "auth.key", config.authKey],
    ["ENCRYPTION_KEY", "encryption.key", config.encryptionKey],
  ] as const) {
    const stored = value ?? (readFileSafe(join(config.dataDir, fileName)).trim() || undefined);
    if (!stored) {
      out.push({ name: variable, level: "ok", detail: "not set; generated on first start" });
      continue;
    }
    const reasons = weakSecretReasons(stored);
    const source = value ? "from the environment" : `in ${fileName}`;
    if (!reasons.length) out.push({ name: variable, level: "ok", detail: `${source}, strong` });
    else if (variable === "AUTH_KEY") out.push({ name: variable, level: "fail", detail: `${source} is weak: ${reasons.join(", ")}; use 32+ random characters (or poolgate reset-admin-key)` });
    // The encryption key cannot simply be swapped: the stored keys are encrypted under it.
    else out.push({ name: variable, level: "warn", detail: `${source} is weak: ${reasons.join(", ")}; the stored keys are encrypted under it, so changing it means re-importing them` });
  }
  return out;
}
