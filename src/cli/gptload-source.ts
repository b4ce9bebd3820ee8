// Reads GPT-Load's tables (groups, group_sub_groups, api_keys, system_settings) from its
// SQLite file, PostgreSQL or MySQL database into plain rows. Read-only; knows the storage
// dialects, not what the rows mean (gptload-mapping.ts does that). Never logs a row.

import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { CliError, EXIT_FAILURE } from "./cli-error.ts";

export type Row = Record<string, unknown>;

export interface GptLoadSnapshot {
  groups: Row[];
  subGroups: Row[];
  apiKeys: Row[];
  /** setting_key -> setting_value */
  settings: Map<string, string>;
}

type Dialect = "sqlite" | "postgres" | "mysql";

export function sourceDialect(from: string): Dialect {
  if (/^postgres(ql)?:\/\//i.test(from)) return "postgres";
  if (/^mysql:\/\//i.test(from)) return "mysql";
  return "sqlite";
}

/** The source named without its password, for messages. */
export function describeSource(from: string): string {
  if (sourceDialect(from) === "sqlite") return from;
  try {
    const url = new URL(from);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparsable URL)";
  }
}

export async function readGptLoad(from: string): Promise<GptLoadSnapshot> {
  const dialect = sourceDialect(from);
  if (dialect === "sqlite") return readSqlite(from);
  if (!URL.canParse(from)) throw new CliError(`--from is not a valid ${dialect}:// URL`);
  const sql = new Bun.SQL(from);
  try {
    const tables = new Set(
      ((await sql.unsafe(
        dialect === "postgres"
          ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
          : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
      )) as Row[]).map((r) => String(r.name ?? r.NAME)),
    );
    const q = (table: string) => (dialect === "postgres" ? `"${table}"` : `\`${table}\``);
    const all = async (table: string, order = "id") =>
      tables.has(table) ? ([...((await sql.unsafe(`SELECT * FROM ${q(table)} ORDER BY ${q(order)}`)) as Row[])] as Row[]) : [];
    return await snapshot(tables, all);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot read GPT-Load database ${describeSource(from)}: ${message.replace(from, describeSource(from))}`, EXIT_FAILURE);
  } finally {
    await sql.close().catch(() => undefined);
  }
}

async function readSqlite(path: string): Promise<GptLoadSnapshot> {
  if (!existsSync(path)) throw new CliError(`--from: no such file ${path} (give a GPT-Load SQLite file, postgres://... or mysql://...)`);
  let db: Database;
  try {
    db = new Database(path, { readonly: true });
  } catch (error) {
    throw new CliError(`cannot open ${path} as SQLite: ${(error as Error).message}`, EXIT_FAILURE);
  }
  try {
    const tables = new Set((db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    return await snapshot(tables, async (table, order = "id") => (tables.has(table) ? (db.query(`SELECT * FROM "${table}" ORDER BY "${order}"`).all() as Row[]) : []));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT_FAILURE);
  } finally {
    db.close();
  }
}

async function snapshot(tables: Set<string>, all: (table: string, order?: string) => Promise<Row[]>): Promise<GptLoadSnapshot> {
  for (const required of ["groups", "api_keys"]) {
    if (!tables.has(required)) throw new CliError(`not a GPT-Load database: it has no "${required}" table`, EXIT_FAILURE);
  }
  const groups = await all("groups");
  const subGroups = (await all("group_sub_groups")).filter((r) => r.deleted_at === undefined || r.deleted_at === null);
  const apiKeys = await all("api_keys");
  const settings = new Map<string, string>();
  for (const row of await all("system_settings")) {
    if (row.setting_key !== undefined && row.setting_key !== null) settings.set(String(row.setting_key), String(row.setting_value ?? ""));
  }
  return { groups, subGroups, apiKeys, settings };
}
